import type {
  AbsentStep,
  BatchReceipt,
  BatchResult,
  ExpectStep,
  GetStep,
  Store,
  StoreStep,
} from "./types.js";

/**
 * Whether a read step's condition holds for the value its key holds (`null`: absent); `get` has
 * none. The one definition of `absent` and `expect`, for every store's batch.
 */
export function conditionHolds(
  step: AbsentStep | ExpectStep | GetStep,
  value: string | null,
): boolean {
  if (step.op === "absent") return value === null;
  if (step.op === "expect") return value === null || step.values.includes(value);
  return true;
}

/** The largest counter an `incr` step keeps exact: 15 digits (below 2^53, also in Lua). */
const COUNTER = /^-?\d{1,15}$/;

/**
 * What an `incr` step of `by` makes of the value `held` (absent, or not an integer: 0). The one
 * definition for every store's batch; the Redis script does the same in Lua.
 */
export function incremented(held: string | null, by: number): string {
  const start = held !== null && COUNTER.test(held) ? Number(held) : 0;
  return String(start + by);
}

/**
 * Runs a batch with a store's base methods, one call per step: what the requester does for a
 * store without {@link Store.batch}. Not atomic as a whole (each step is, and a failed `claim`
 * still stops the batch): an `expect` followed by a `set` is a compare-and-set only where no
 * other process writes the key in between. When a step throws, the claims this batch already won are deleted again
 * (best effort) before the error is rethrown, so a failed batch leaves no claim of its own behind.
 *
 * A `receipt` is read first and written last, each one call: a result saved there is answered
 * without running the steps; a failure to write it counts as a failed step (the claims are given
 * back). Without atomicity an answer lost after the receipt was written is recovered, one lost
 * between the steps and the receipt is not.
 *
 * @param store - Any store.
 * @param steps - The steps, as for {@link Store.batch}.
 * @param receipt - Where the result is kept, as for {@link Store.batch}.
 */
export async function runBatch(
  store: Store,
  steps: readonly StoreStep[],
  receipt?: BatchReceipt,
): Promise<BatchResult> {
  if (receipt) {
    const saved = readSavedResult(await store.get(receipt.key));
    if (saved) return saved;
  }
  const values: (string | null)[] = [];
  const won: string[] = [];
  const finish = async (failedAt: number): Promise<BatchResult> => {
    const result = { values, failedAt };
    if (receipt) await store.set(receipt.key, savedResult(result), receipt.ttlMs);
    return result;
  };
  try {
    for (const [index, step] of steps.entries()) {
      switch (step.op) {
        case "claim": {
          if (await store.claim(step.key, step.value, step.ttlMs)) {
            won.push(step.key);
            values.push(null);
            break;
          }
          // The value is for the caller's information; a key that expired since is still a loss.
          values.push((await store.get(step.key)) ?? "");
          return await finish(index);
        }
        case "absent":
        case "expect":
        case "get": {
          const value = await store.get(step.key);
          values.push(value);
          if (!conditionHolds(step, value)) return await finish(index);
          break;
        }
        case "set":
          await store.set(step.key, step.value, step.ttlMs);
          values.push(null);
          break;
        case "delete":
          await store.delete(step.key);
          values.push(null);
          break;
        case "incr": {
          const value = incremented(await store.get(step.key), step.by);
          await store.set(step.key, value, step.ttlMs);
          values.push(value);
          break;
        }
      }
    }
    return await finish(-1);
  } catch (error) {
    await Promise.allSettled(won.map((key) => store.delete(key)));
    throw error;
  }
}

/**
 * A batch result as a receipt keeps it: JSON `[failedAt, values]`, absent keys as `null`. The
 * memory store and {@link runBatch} write this; the Redis store's script writes the same.
 */
export function savedResult(result: BatchResult): string {
  return JSON.stringify([result.failedAt, result.values]);
}

/** The result a receipt holds, or `null` when it holds none (or something else). */
export function readSavedResult(saved: string | null): BatchResult | null {
  if (saved === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(saved);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return null;
  const [failedAt, values] = parsed as [unknown, unknown];
  if (
    typeof failedAt !== "number" ||
    !Number.isInteger(failedAt) ||
    !Array.isArray(values) ||
    !values.every((v) => v === null || typeof v === "string")
  )
    return null;
  return { failedAt, values: values as (string | null)[] };
}
