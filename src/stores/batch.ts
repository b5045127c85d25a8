import type { AbsentStep, BatchResult, ExpectStep, GetStep, Store, StoreStep } from "./types.js";

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

/**
 * Runs a batch with a store's base methods, one call per step: what the requester does for a
 * store without {@link Store.batch}. Not atomic as a whole (each step is, and a failed `claim`
 * still stops the batch): an `expect` followed by a `set` is a compare-and-set only where no
 * other process writes the key in between. When a step throws, the claims this batch already won are deleted again
 * (best effort) before the error is rethrown, so a failed batch leaves no claim of its own behind.
 *
 * @param store - Any store.
 * @param steps - The steps, as for {@link Store.batch}.
 */
export async function runBatch(store: Store, steps: readonly StoreStep[]): Promise<BatchResult> {
  const values: (string | null)[] = [];
  const won: string[] = [];
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
          return { values, failedAt: index };
        }
        case "absent":
        case "expect":
        case "get": {
          const value = await store.get(step.key);
          values.push(value);
          if (!conditionHolds(step, value)) return { values, failedAt: index };
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
      }
    }
  } catch (error) {
    await Promise.allSettled(won.map((key) => store.delete(key)));
    throw error;
  }
  return { values, failedAt: -1 };
}
