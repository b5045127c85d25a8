import type { Server } from "node:http";
import type { ReviewRequester } from "../../requester/types.js";

/** What to close on a signal, in order, after the server. */
export interface Closing {
  readonly server: Server;
  readonly requester: ReviewRequester;
  /** The shared Redis client, if any (closed after the requester). */
  readonly closeShared: (() => Promise<void>) | null;
  /** Prints a line to stdout. */
  readonly print: (line: string) => void;
}

/**
 * Graceful shutdown on SIGINT (Ctrl+C) and SIGTERM (docker stop, Kubernetes), under 10 s in all:
 * 1. stop taking webhooks; requests in flight still get their answer (up to 5 s);
 * 2. close the requester: sends already answered finish (up to 3 s), the scheduler stops; then
 *    the Redis client, if any;
 * 3. say which scheduled sends could not be kept (ids only: no phones); exit 0.
 */
export function closeOnSignals(closing: Closing): void {
  let started = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (started) return;
    started = true;
    const { server, requester, print } = closing;
    print(`${signal}: closing (no new webhooks; requests in flight get their answer)`);
    const forced = setTimeout(() => {
      process.stderr.write("shutdown took over 9 s: exiting\n");
      process.exit(1);
    }, 9_000);
    forced.unref();
    const closed = new Promise((resolve) => server.close(resolve));
    // A keep-alive connection stays open after its answer; close each one as soon as it is idle.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const grace = setTimeout(() => {
      process.stderr.write("requests still in flight after 5 s: closing their connections\n");
      server.closeAllConnections();
    }, 5_000);
    await closed;
    clearInterval(sweep);
    clearTimeout(grace);
    const { pending } = await requester.close({ timeoutMs: 3_000 });
    if (closing.closeShared) {
      await closing.closeShared();
      print("scheduled review requests stay queued in Redis for a worker");
    } else if (pending.length === 0) print("no scheduled review requests pending");
    else {
      print(`${pending.length} scheduled review request(s) not sent (in-process scheduler):`);
      for (const job of pending) print(`  ${job.id} due ${job.runAt}`);
    }
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}
