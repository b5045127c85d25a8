import type { Logger } from "../core/logger.js";
import type { CountryCode } from "../core/phone.js";

/**
 * Automatic retry policy. otzovik retries only failures where the provider said so or the request
 * never reached it; see {@link ClientOptions.retry}.
 */
export interface RetryOptions {
  /** Extra attempts after the first one. Default `2`. `0` disables retries. */
  readonly retries?: number;
  /** First backoff delay in ms; doubles on every attempt. Default `500`. */
  readonly baseDelayMs?: number;
  /**
   * Longest wait in ms, for backoff and for `Retry-After` alike. When a provider asks for a longer
   * wait, otzovik does not wait: it throws the retryable error with `retryAfterMs` so you can
   * schedule it. Default `10000`.
   */
  readonly maxDelayMs?: number;
  /** Randomise backoff delays (between half and the full delay) to spread load. Default `true`. */
  readonly jitter?: boolean;
}

/** Options every client factory accepts. */
export interface ClientOptions {
  /** Provider API root, for proxies and fake servers. Defaults to the provider's public URL. */
  readonly baseUrl?: string;
  /**
   * Per-attempt timeout in ms, for the connection, the whole answer and reading it. Default
   * `10000`.
   */
  readonly timeout?: number;
  /**
   * Largest answer read from the provider, in bytes, counted while it streams in. A bigger answer
   * is cut off (the connection is dropped) and reported as a `ProviderError` `response_too_large`;
   * on a send it is an unknown outcome, since the provider answered. Default `1048576` (1 MiB):
   * providers answer in a few hundred bytes.
   */
  readonly maxResponseBytes?: number;
  /** Retry policy: `false` or `0` disables it, a number sets `retries`. Default `{ retries: 2 }`. */
  readonly retry?: RetryOptions | number | false;
  /** A `fetch` implementation. Default: the global `fetch`, looked up at call time. */
  readonly fetch?: typeof globalThis.fetch;
  /** Where to log. Phones are masked and secrets never logged. Default: warnings to `console`. */
  readonly logger?: Partial<Logger>;
  /** Mask phone numbers in log lines (`+7916***4567`). Default `true`. */
  readonly maskPhonesInLogs?: boolean;
}

/** Options of clients that send to phone numbers. */
export interface PhoneClientOptions extends ClientOptions {
  /** Country for phone numbers written without a country code. Default `"RU"`. */
  readonly defaultCountry?: CountryCode;
}
