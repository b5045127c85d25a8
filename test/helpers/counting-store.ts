import { memoryStore } from "../../src/stores/memory.js";
import type { Store } from "../../src/stores/types.js";

/**
 * A memory store that records its calls (each one round trip on a networked store) and every key
 * they touch. With `batch: false` it offers only the four base methods, like a user's own store.
 * It is not `inProcess`: the requester treats it as a store behind a connection (receipts).
 */
export function countingStore(options: { batch?: boolean } = {}) {
  const inner = memoryStore();
  const calls: string[] = [];
  const keys: string[] = [];
  /** The receipt keys of the batches that had one. */
  const receipts: string[] = [];
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
    store.batch = (steps, receipt) => {
      record(`batch(${steps.map((s) => s.op).join(",")})`, ...steps.map((s) => s.key));
      if (receipt) receipts.push(receipt.key);
      return inner.batch(steps, receipt);
    };
  }
  return { store, calls, keys, receipts, inner };
}
