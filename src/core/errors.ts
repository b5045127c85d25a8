/**
 * Options accepted by {@link OtzovikError} and its subclasses.
 */
export interface OtzovikErrorOptions {
  /** Machine-readable code: the provider's own code where there is one, else one of otzovik's. */
  code: string;
  /** The provider or source the error is about (`"sms.ru"`, `"meta"`, `"amocrm"`, …), or `null`. */
  provider?: string | null;
  /** `true` when the same call may succeed if tried again later. */
  retryable?: boolean;
  /** The underlying error, kept for debugging. Never contains secrets. */
  cause?: unknown;
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
  /** Machine-readable code (the provider's own code where there is one). */
  readonly code: string;
  /** The provider or source the error is about, or `null`. */
  readonly provider: string | null;
  /** `true` when the same call may succeed if tried again later. */
  readonly retryable: boolean;

  constructor(message: string, options: OtzovikErrorOptions) {
    const prefix = options.provider ? `[otzovik] [${options.provider}] ` : "[otzovik] ";
    super(prefix + message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.provider = options.provider ?? null;
    this.retryable = options.retryable ?? false;
  }
}

/**
 * Thrown at creation time when options are missing or invalid. Never retryable: fix the option the
 * message names.
 */
export class ConfigError extends OtzovikError {
  constructor(message: string, options: Partial<OtzovikErrorOptions> = {}) {
    super(message, { code: "config_invalid", ...options, retryable: false });
  }
}
