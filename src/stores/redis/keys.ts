/**
 * Where a store key lives in Redis. The requester's keys all start with `otzovik:` (see the
 * ledger); the store puts them under `{prefix}:` instead, so the default prefix keeps them as they
 * are and no key reads `otzovik:otzovik:…`:
 *
 * - `otzovik:{rest}` → `{prefix}:{rest}` (when `rest` does not start with `:`);
 * - any other key `k` → `{prefix}::{k}`.
 *
 * The two forms never meet (after `{prefix}:` the first has no `:`, the second has one), so two
 * different keys never share a Redis key.
 */

/** The default prefix: the requester's keys keep their own names. */
export const DEFAULT_PREFIX = "otzovik";

const LEDGER = "otzovik:";
const COLON = 58;

/** The function mapping a store key to its Redis key under `prefix`. */
export function redisKeyOf(prefix: string): (key: string) => string {
  const own = `${prefix}:`;
  const other = `${prefix}::`;
  return (key) =>
    key.startsWith(LEDGER) && key.charCodeAt(LEDGER.length) !== COLON
      ? own + key.slice(LEDGER.length)
      : other + key;
}
