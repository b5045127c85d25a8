import { OtzovikError } from "../core/errors.js";

/** The first pause before asking the store again, ms; it doubles up to {@link MAX_PAUSE_MS}. */
const FIRST_PAUSE_MS = 250;
/** The longest pause between two asks, ms. */
const MAX_PAUSE_MS = 5_000;

/**
 * Whether a failed store call may have done its work all the same: a lost connection or a
 * timeout may come after the store ran the command. Only a non-retryable {@link OtzovikError} (a
 * closed store, an invalid argument) says it did not.
 */
export function mayHaveRun(error: unknown): boolean {
  return !(error instanceof OtzovikError) || error.retryable;
}

/**
 * Asks `ask` (a store call that can be repeated and answers what its first run did: a claim with
 * its receipt) again and again, pausing 250 ms and then twice as long each time up to 5 s, until
 * it answers. Resolves with the answer, or `null` when `forMs` ran out or an error says asking
 * again is pointless (a closed store).
 *
 * @param ask - The call to repeat.
 * @param forMs - How long to keep asking, ms.
 */
export async function askAgain<T>(ask: () => Promise<T>, forMs: number): Promise<T | null> {
  const until = Date.now() + forMs;
  let pause = FIRST_PAUSE_MS;
  for (;;) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pause);
      // A process shutting down without close() does not wait for this; close() does.
      (timer as { unref?: () => void }).unref?.();
    });
    try {
      return await ask();
    } catch (error) {
      if (!mayHaveRun(error) || Date.now() + pause > until) return null;
    }
    pause = Math.min(pause * 2, MAX_PAUSE_MS);
  }
}
