/**
 * otzovik's own error codes. Provider refusals carry the provider's code instead (SMS.ru `"207"`,
 * Meta `"131047"`, Resend `"rate_limit_exceeded"`), so {@link OtzovikError.code} is this union or
 * any provider's string.
 */
export type OtzovikErrorCode =
  | "config_invalid"
  | "config_missing"
  | "unauthorized"
  | "delivery_unknown"
  | "connection_failed"
  | "timeout"
  | "connection_lost"
  | "provider_unavailable"
  | "redirect"
  | "response_too_large"
  | "invalid_phone"
  | "invalid_email"
  | "invalid_message"
  | "invalid_option"
  | "invalid_key"
  | "invalid_value"
  | "invalid_ttl"
  | "invalid_job"
  | "account_mismatch"
  | "lookup_failed"
  | "store_closed"
  | "store_full"
  | "store_unavailable"
  | "store_timeout"
  | "store_error"
  | "scheduler_closed"
  | "scheduler_full"
  | "scheduler_not_started"
  | "send_failed"
  | "internal_error";

/** An error code: one of otzovik's ({@link OtzovikErrorCode}) or a provider's own. */
export type ErrorCode = OtzovikErrorCode | (string & {});

/**
 * How a failure should be handled. The requester decides by category alone, so a provider driver
 * (built in or your own) only has to classify its errors:
 *
 * - `retryable`: temporary and nothing was sent; trying again later may succeed.
 * - `defer`: a limit or quota; try again much later (next hour, next day), do not hot-retry.
 * - `permanent`: this message will never go through as it is (bad number, duplicate…); another
 *   channel may still work.
 * - `auth`: the API key or token is wrong or expired; alert a human.
 * - `config`: sender name, template, domain or account settings need fixing; alert a human.
 * - `unknown_outcome`: the message may have been sent (a timeout after the request left): never
 *   send it again, on any channel.
 * - `opted_out`: the person refused messages (stop list, marketing opt-out): remember it, send
 *   nothing more.
 * - `not_on_channel`: this channel cannot reach the person (not on WhatsApp, outside the 24-hour
 *   window): try the next channel.
 */
export type ErrorCategory =
  | "retryable"
  | "defer"
  | "permanent"
  | "auth"
  | "config"
  | "unknown_outcome"
  | "opted_out"
  | "not_on_channel";

/**
 * Options accepted by {@link OtzovikError} and its subclasses.
 */
export interface OtzovikErrorOptions {
  /** Machine-readable code: the provider's own code where there is one, else one of otzovik's. */
  code: ErrorCode;
  /** The provider or source the error is about (`"sms.ru"`, `"meta"`, `"amocrm"`, …), or `null`. */
  provider?: string | null;
  /**
   * How to handle the failure. Default: `retryable` when `retryable` is `true`, else `permanent`.
   */
  category?: ErrorCategory;
  /** `true` when the same call may succeed if tried again later. Default: from `category`. */
  retryable?: boolean;
  /** The underlying error, kept for debugging. Never contains secrets. */
  cause?: unknown;
}

/** Marks otzovik's errors, whichever bundled copy of {@link OtzovikError} made them. */
const ERROR_BRAND = Symbol.for("otzovik.error");

/** `true` for the categories where trying again later may succeed. */
function isRetryableCategory(category: ErrorCategory): boolean {
  return category === "retryable" || category === "defer";
}

/**
 * Base class of every error otzovik throws or reports.
 *
 * Catch this one class and branch on the machine-readable fields instead of parsing messages:
 *
 * ```ts
 * try { await client.send(phone, text) }
 * catch (err) {
 *   if (err instanceof OtzovikError && err.retryable) queueForLater()
 * }
 * ```
 *
 * Messages are prefixed with `[otzovik]` (and the provider, where there is one) and say what to do.
 * They never contain API keys, tokens or full phone numbers.
 */
export class OtzovikError extends Error {
  /**
   * `error instanceof OtzovikError` is true for otzovik's errors from any copy of this class: each
   * CommonJS entry point (`otzovik`, `otzovik/redis`, `otzovik/express`…) bundles its own, so a
   * plain prototype check would miss an error thrown by another entry. Subclasses (`ConfigError`…)
   * keep the plain check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class checked against, maybe a subclass
    if (this !== OtzovikError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === "object" && value !== null && Object.hasOwn(value, ERROR_BRAND);
  }

  /** Machine-readable code (the provider's own code where there is one). */
  readonly code: ErrorCode;
  /** The provider or source the error is about, or `null`. */
  readonly provider: string | null;
  /** How to handle the failure; see {@link ErrorCategory}. */
  readonly category: ErrorCategory;
  /** `true` when the same call may succeed if tried again later. */
  readonly retryable: boolean;

  constructor(message: string, options: OtzovikErrorOptions) {
    const prefix = options.provider ? `[otzovik] [${options.provider}] ` : "[otzovik] ";
    super(prefix + message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.provider = options.provider ?? null;
    this.category = options.category ?? (options.retryable ? "retryable" : "permanent");
    this.retryable = options.retryable ?? isRetryableCategory(this.category);
    Object.defineProperty(this, ERROR_BRAND, { value: true });
  }
}

/**
 * Thrown at creation time when options are missing or invalid. Never retryable: fix the option the
 * message names.
 */
export class ConfigError extends OtzovikError {
  constructor(message: string, options: Partial<OtzovikErrorOptions> = {}) {
    super(message, { code: "config_invalid", ...options, category: "config", retryable: false });
  }
}

/** Options accepted by {@link ProviderError}. */
export interface ProviderErrorOptions extends OtzovikErrorOptions {
  /** How to handle the failure; decides {@link OtzovikError.retryable}. */
  category: ErrorCategory;
  /** HTTP status of the provider's answer, or `null` when there was none. */
  httpStatus?: number | null;
  /** How long to wait before trying again, from `Retry-After` or the provider's rules. */
  retryAfterMs?: number | null;
  /** The provider's answer (parsed JSON, or text for non-JSON bodies), with secrets removed. */
  details?: unknown;
}

/**
 * The provider answered and refused the message (or the whole request).
 *
 * `code` is the provider's own code as a string: SMS.ru `status_code` (`"207"`), Meta
 * `error.code` (`"131047"`), Resend `name` (`"rate_limit_exceeded"`), Exolve gRPC code or
 * `error.code`. Answers that carry no code (an HTML page from a proxy) get `"provider_unavailable"`
 * or `"http_<status>"`.
 *
 * @example
 * if (err instanceof ProviderError && err.provider === "meta" && err.code === "131047") {
 *   await client.sendTemplate(phone, "review_request", { languageCode: "ru" })
 * }
 */
export class ProviderError extends OtzovikError {
  /** HTTP status of the provider's answer, or `null`. */
  readonly httpStatus: number | null;
  /** Milliseconds to wait before trying again, where known, else `null`. */
  readonly retryAfterMs: number | null;
  /** The provider's answer with secrets removed (parsed JSON or text), for debugging. */
  readonly details: unknown;

  constructor(message: string, options: ProviderErrorOptions) {
    super(message, { ...options, retryable: isRetryableCategory(options.category) });
    this.httpStatus = options.httpStatus ?? null;
    this.retryAfterMs = options.retryAfterMs ?? null;
    this.details = options.details;
  }
}

/**
 * Why the outcome of a send is unknown; see {@link DeliveryUnknownError}. `interrupted`: a
 * scheduled send's job ran again after its first run had begun the send and stopped (a worker
 * killed mid-send, a stalled job recovered), so the message may be out.
 */
export type UnknownOutcomeReason =
  | "timeout"
  | "connection_lost"
  | "no_message_id"
  | "gateway_error"
  | "interrupted";

/** Options accepted by {@link DeliveryUnknownError}. */
export interface DeliveryUnknownErrorOptions {
  /** The provider the request went to; `null` when it is not known (`interrupted`). */
  provider: string | null;
  /** What happened. */
  reason: UnknownOutcomeReason;
  /** HTTP status when an answer arrived, else `null`. */
  httpStatus?: number | null;
  /** The underlying error, secrets removed. */
  cause?: unknown;
}

/**
 * The request may have reached the provider, but otzovik cannot tell whether the message was
 * accepted: a read timeout, a connection lost mid-request, a gateway error, or a success answer
 * without a message id. The provider has no idempotency key, so otzovik does **not** retry (the
 * customer could get the message twice). Check delivery status or your provider dashboard before
 * sending again. `code` is `"delivery_unknown"`, `retryable` is `false`.
 */
export class DeliveryUnknownError extends OtzovikError {
  /** What happened. */
  readonly reason: UnknownOutcomeReason;
  /** HTTP status when an answer arrived, else `null`. */
  readonly httpStatus: number | null;
  /** Always `null`: there is nothing to wait for, the outcome must be checked instead. */
  readonly retryAfterMs: null = null;

  constructor(message: string, options: DeliveryUnknownErrorOptions) {
    super(message, {
      code: "delivery_unknown",
      provider: options.provider,
      category: "unknown_outcome",
      retryable: false,
      cause: options.cause,
    });
    this.reason = options.reason;
    this.httpStatus = options.httpStatus ?? null;
  }
}

/** Options accepted by {@link NetworkError}. */
export interface NetworkErrorOptions {
  /** The provider the request was for. */
  provider: string;
  /** `"connection_failed"` (nothing was sent), `"timeout"` or `"connection_lost"`. */
  code: "connection_failed" | "timeout" | "connection_lost";
  /** The underlying error, secrets removed. */
  cause?: unknown;
}

/**
 * The provider could not be reached, or the answer was lost on a request that is safe to repeat
 * (a read-only call, or a send protected by an idempotency key). Always `retryable`; otzovik has
 * already retried within its retry budget. `httpStatus` is always `null`.
 */
export class NetworkError extends OtzovikError {
  /** Always `null`: no HTTP answer arrived. */
  readonly httpStatus: null = null;
  /** Always `null`: no server asked for a delay. */
  readonly retryAfterMs: null = null;

  constructor(message: string, options: NetworkErrorOptions) {
    super(message, { ...options, retryable: true });
  }
}

/**
 * An argument to a send call is invalid (phone number, email address, empty text, text too long…),
 * so nothing was sent. Never retryable. `code` names the problem (`"invalid_phone"`,
 * `"invalid_email"`, `"invalid_message"`).
 */
export class ValidationError extends OtzovikError {
  constructor(message: string, options: { code: string; provider?: string | null }) {
    super(message, { ...options, retryable: false });
  }
}

/** The message of anything thrown: an `Error`'s message, anything else as a string. For logs. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
