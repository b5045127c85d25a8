/**
 * Where the requester keeps what it must remember between webhooks: dedupe claims, frequency caps,
 * opt-outs and failure records. Values are strings (JSON where structured), so the same interface
 * maps one-to-one onto Redis (`SET NX PX`, `GET`, `SET PX`, `DEL`).
 *
 * Implementations must be safe under concurrency: {@link Store.claim} is the only way the
 * requester guarantees "one message per order", so it must be atomic across every process that
 * shares the store.
 */
export interface Store {
  /** A short name for logs and errors, e.g. `"memory"` or `"redis"`. */
  readonly name: string;
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
  /** Releases resources (connections, timers). The store is not used after this. Optional. */
  close?(): Promise<void>;
}
