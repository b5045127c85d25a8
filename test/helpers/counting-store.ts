import { memoryStore } from "../../src/stores/memory.js";
import type { Store } from "../../src/stores/types.js";

/**
 * A memory store that records its calls (each one round trip on a networked store) and every key
 * they touch. With `batch: false` it offers only the four base methods, like a user's own store.
 */
export function countingStore(options: { batch?: boolean } = {}) {
  const inner = memoryStore();
  const calls: string[] = [];
  const keys: string[] = [];
  const record = (call: string, ...touched: string[]) => {
    calls.push(call);
    keys.push(...touched);
  };
  const store: Store = {
    name: "counting",
    claim(k, v, t) {
      record("claim", k);
      return inner.claim(k, v, t);
    },
    get(k) {
      record("get", k);
      return inner.get(k);
    },
    set(k, v, t) {
      record("set", k);
      return inner.set(k, v, t);
    },
    delete(k) {
      record("delete", k);
      return inner.delete(k);
    },
  };
  if (options.batch !== false) {
    store.batch = (steps) => {
      record(`batch(${steps.map((s) => s.op).join(",")})`, ...steps.map((s) => s.key));
      return inner.batch(steps);
    };
  }
  return { store, calls, keys, inner };
}
