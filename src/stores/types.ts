/**
 * Where the requester keeps what it must remember between webhooks: dedupe claims, frequency caps,
 * opt-outs and send records. Values are strings (JSON where structured), so the same interface
 * maps one-to-one onto Redis (`SET NX PX`, `GET`, `SET PX`, `DEL`).
 *
 * Implementations must be safe under concurrency: {@link Store.claim} is the only way the
 * requester guarantees "one message per order", so it must be atomic across every process that
 * shares the store.
 *
 * The four base methods are all a store needs. A store that can run several steps in one round
 * trip (a Lua script, `MULTI`, a synchronous in-memory map) also implements {@link Store.batch};
 * the requester then needs one round trip to claim an event and one to record its send.
 */
export interface Store {
  /** A short name for logs and errors, e.g. `"memory"` or `"redis"`. */
  readonly name: string;
  /**
   * `true` for a store in the requester's own process (the memory store): its answers cannot be
   * lost between the work and the reply, so the requester claims without a {@link BatchReceipt}
   * (receipts would only take room). Leave it unset for a store behind a connection.
   */
  readonly inProcess?: boolean;
  /**
   * Atomically sets `key` to `value` only if it does not exist (or has expired), with a time to
   * live. Resolves `true` when this call created the key, `false` when it already existed.
   *
   * @param key - The key to claim.
   * @param value - What to store under it (e.g. the claim's owner or a JSON record).
   * @param ttlMs - Time to live in milliseconds; a positive integer.
   */
  claim(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** The value of `key`, or `null` when it is absent or expired. */
  get(key: string): Promise<string | null>;
  /**
   * Sets `key` to `value`, replacing any value. With `ttlMs` the key expires after that many
   * milliseconds; without it the key is kept until deleted (use this for opt-outs, which must
   * never be forgotten).
   */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Deletes `key`; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Optional: runs `steps` in order as one atomic unit (no other call sees a state in between)
   * and in one round trip, stopping at the first condition that fails. See {@link StoreStep} and
   * {@link BatchResult}; `runBatch` gives the same answers with the four base methods.
   *
   * With a `receipt`, the result is saved under `receipt.key` in the same atomic unit, and a batch
   * whose receipt key already holds a result does not run again: it resolves with the saved
   * result. The requester claims orders this way and, when the store's answer is lost (a
   * connection dropped, a timeout), asks again with the same receipt to learn what the first try
   * did. See {@link BatchReceipt}.
   */
  batch?(steps: readonly StoreStep[], receipt?: BatchReceipt): Promise<BatchResult>;
  /** Releases resources (connections, timers). The store is not used after this. Optional. */
  close?(): Promise<void>;
}

/**
 * One step of a {@link Store.batch}. `claim` and `absent` are conditions: when the key holds a
 * value, the batch stops there and later steps do not run.
 *
 * - `claim`: like {@link Store.claim}; the condition fails when the key exists.
 * - `absent`: reads only; the condition fails when the key exists (an opt-out, say).
 * - `expect`: reads only; the condition fails when the key holds a value that is not one of
 *   `values` (an absent key passes). With a `set` after it, a compare-and-set: the requester
 *   moves an order from "claimed" to "sending" this way, so a job run twice sends once.
 * - `get`: reads the value.
 * - `set`: like {@link Store.set} (no `ttlMs`: kept until deleted).
 * - `delete`: like {@link Store.delete}.
 * - `incr`: adds `by` to the integer the key holds (an absent key, or one holding anything but an
 *   integer, counts as 0) and gives the key `ttlMs` to live from now; the requester's counters
 *   (clicks, per-day funnel counts) use it. Atomic in a store's own `batch`; {@link runBatch}
 *   does it with a `get` and a `set` (concurrent increments may be lost there). The requester
 *   sends it only with its `links` option: a store of your own whose `batch` predates this step
 *   must learn it before `links` is turned on (a store without `batch` needs nothing).
 */
export type StoreStep =
  | ClaimStep
  | AbsentStep
  | ExpectStep
  | GetStep
  | SetStep
  | DeleteStep
  | IncrStep;

/** A {@link StoreStep} that claims `key` (a condition: fails when the key exists). */
export interface ClaimStep {
  /** Always `"claim"`. */
  readonly op: "claim";
  /** The key to claim. */
  readonly key: string;
  /** The value to store when the claim wins. */
  readonly value: string;
  /** Time to live in ms; a positive integer. */
  readonly ttlMs: number;
}

/** A {@link StoreStep} that checks `key` holds nothing (a condition; reads only). */
export interface AbsentStep {
  /** Always `"absent"`. */
  readonly op: "absent";
  /** The key that must be absent. */
  readonly key: string;
}

/**
 * A {@link StoreStep} that checks `key` holds one of `values`, or nothing (a condition; reads
 * only). The batch stops here when the key holds any other value.
 */
export interface ExpectStep {
  /** Always `"expect"`. */
  readonly op: "expect";
  /** The key to check. */
  readonly key: string;
  /** The values that let the batch go on (an absent key always does). */
  readonly values: readonly string[];
}

/** A {@link StoreStep} that reads `key`. */
export interface GetStep {
  /** Always `"get"`. */
  readonly op: "get";
  /** The key to read. */
  readonly key: string;
}

/** A {@link StoreStep} that sets `key`. */
export interface SetStep {
  /** Always `"set"`. */
  readonly op: "set";
  /** The key to set. */
  readonly key: string;
  /** The value. */
  readonly value: string;
  /** Time to live in ms; without it the key is kept until deleted. */
  readonly ttlMs?: number;
}

/** A {@link StoreStep} that deletes `key`. */
export interface DeleteStep {
  /** Always `"delete"`. */
  readonly op: "delete";
  /** The key to delete. */
  readonly key: string;
}

/**
 * A {@link StoreStep} that adds `by` to the integer `key` holds (absent or not an integer: 0) and
 * sets its time to live to `ttlMs` from now. Its value in {@link BatchResult.values} is the new
 * integer, as a string.
 */
export interface IncrStep {
  /** Always `"incr"`. */
  readonly op: "incr";
  /** The counter's key. */
  readonly key: string;
  /** What to add: a safe integer (negative subtracts). */
  readonly by: number;
  /** Time to live in ms from this increment; a positive integer. */
  readonly ttlMs: number;
}

/**
 * Where a {@link Store.batch} keeps its result, so that the same batch asked again (its first
 * answer lost) resolves with what the first try did instead of running twice. The key is unique
 * per batch (the requester makes a random one); the saved value is the store's own (the Redis
 * store and the memory store save the result as JSON).
 */
export interface BatchReceipt {
  /** The key the result is saved under. */
  readonly key: string;
  /** How long the result is kept, ms; a positive integer. */
  readonly ttlMs: number;
}

/** What {@link Store.batch} resolves to. */
export interface BatchResult {
  /**
   * Per step, in order: for `claim`, `absent`, `expect` and `get`, the value the key held before the step
   * (`null` when it was absent, so a `null` claim won); for `incr`, the value after it (an integer
   * as a string); for `set` and `delete`, `null`. Steps after
   * a failed condition are missing (the array is shorter).
   */
  readonly values: readonly (string | null)[];
  /** Index of the condition that failed (and stopped the batch), or `-1` when every step ran. */
  readonly failedAt: number;
}
