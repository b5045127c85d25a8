import { memoryStore } from "../../src/stores/memory.js";
import type { Store } from "../../src/stores/types.js";

/**
 * A memory store that counts its calls, each being one round trip on a networked store. With
 * `batch: false` it offers only the four base methods, like a user's own store.
 */
export function countingStore(options: { batch?: boolean } = {}) {
  const inner = memoryStore();
  const calls: string[] = [];
  const store: Store = {
    name: "counting",
    claim: (k, v, t) => (calls.push("claim"), inner.claim(k, v, t)),
    get: (k) => (calls.push("get"), inner.get(k)),
    set: (k, v, t) => (calls.push("set"), inner.set(k, v, t)),
    delete: (k) => (calls.push("delete"), inner.delete(k)),
    ...(options.batch === false
      ? {}
      : {
          batch: (steps) => (
            calls.push(`batch(${steps.map((s) => s.op).join(",")})`), inner.batch(steps)
          ),
        }),
  };
  return { store, calls, inner };
}
