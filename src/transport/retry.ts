import type { RetryOptions } from "./types.js";

/**
 * Reads a `Retry-After` header (seconds, or an HTTP date) as milliseconds from `now`.
 * Returns `null` when the header is absent or unreadable; never negative.
 *
 * @param value - The header value.
 * @param now - Current time in ms since the epoch (for dates).
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (text === "") return null;
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date names its weekday and month. Without this check V8's lenient Date.parse reads
  // "-1", "+5" or "1 2" as dates in 2001, i.e. "retry right now".
  if (!/[a-z]/i.test(text)) return null;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

/**
 * Capped exponential backoff: `baseDelayMs * 2^attempt`, at most `maxDelayMs`; with `jitter`, a
 * random value between half of that and all of it.
 *
 * @param attempt - 0 for the first retry, 1 for the second…
 * @param policy - The retry policy.
 * @param random - Source of randomness in [0, 1).
 */
export function backoffDelay(
  attempt: number,
  policy: Required<RetryOptions>,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 30));
  if (!policy.jitter) return exp;
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
