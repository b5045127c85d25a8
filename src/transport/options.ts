import { ConfigError, ValidationError } from "../core/errors.js";
import { createLogger, type Logger } from "../core/logger.js";
import { type CountryCode, maskPhone } from "../core/phone.js";
import type { ClientOptions, PhoneClientOptions, RetryOptions } from "./types.js";

/** Default per-attempt timeout, ms. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Default largest answer read from a provider, in bytes (1 MiB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 1_048_576;
/** Largest `maxResponseBytes` accepted (64 MiB). */
const MAX_RESPONSE_BYTES_LIMIT = 64 * 1_048_576;
/** Default retry policy. */
export const DEFAULT_RETRY: Required<RetryOptions> = {
  retries: 2,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  jitter: true,
};

/** {@link ClientOptions} after validation, with defaults filled in. */
export interface ResolvedClientOptions {
  readonly provider: string;
  readonly baseUrl: string;
  readonly timeout: number;
  readonly maxResponseBytes: number;
  readonly retry: Required<RetryOptions>;
  readonly fetch: typeof globalThis.fetch;
  readonly logger: Logger;
  readonly maskPhonesInLogs: boolean;
}

/** Throws a {@link ConfigError} naming the option. */
export function configError(provider: string, option: string, problem: string): never {
  throw new ConfigError(`Option \`${option}\` ${problem}.`, { provider, code: "config_invalid" });
}

/** Throws a {@link ValidationError} (`invalid_option`) about an argument of a call. */
export function invalidArgument(provider: string, option: string, problem: string): never {
  throw new ValidationError(`\`${option}\` ${problem}.`, { provider, code: "invalid_option" });
}

/**
 * Checks a required secret option (API key or token): a non-empty string without whitespace.
 * The message never contains the value.
 */
export function requireSecret(provider: string, option: string, value: unknown): string {
  if (value === undefined || value === null || value === "")
    configError(provider, option, "is required");
  if (typeof value !== "string") configError(provider, option, "must be a string");
  const trimmed = value.trim();
  if (trimmed === "" || /\s/.test(trimmed))
    configError(provider, option, "must be a non-empty string without spaces");
  return trimmed;
}

/** Checks a required non-empty string option. */
export function requireString(provider: string, option: string, value: unknown): string {
  if (value === undefined || value === null || value === "")
    configError(provider, option, "is required");
  return optionalString(provider, option, value) as string;
}

/** Checks an optional string option; blank means absent. */
export function optionalString(provider: string, option: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") configError(provider, option, "must be a string");
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

/** Checks an optional boolean option. */
export function optionalBoolean(provider: string, option: string, value: unknown): boolean | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "boolean") configError(provider, option, "must be true or false");
  return value;
}

/** Checks an optional function option (a callback such as a body builder). */
export function optionalFunction<T extends (...args: never[]) => unknown>(
  provider: string,
  option: string,
  value: T | undefined,
): T | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "function") configError(provider, option, "must be a function");
  return value;
}

/** Checks `defaultCountry`: two capital letters. */
export function resolveCountry(provider: string, value: unknown): CountryCode {
  if (value === undefined) return "RU";
  if (typeof value !== "string" || !/^[A-Z]{2}$/.test(value))
    configError(provider, "defaultCountry", 'must be an ISO country code such as "RU"');
  return value as CountryCode;
}

function nonNegativeInt(provider: string, option: string, value: unknown, fallback: number) {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0)
    configError(provider, option, "must be a whole number ≥ 0");
  return value;
}

/** Validates `retry`. */
export function resolveRetry(provider: string, value: unknown): Required<RetryOptions> {
  if (value === undefined) return DEFAULT_RETRY;
  if (value === false) return { ...DEFAULT_RETRY, retries: 0 };
  if (typeof value === "number") {
    const retries = nonNegativeInt(provider, "retry", value, 0);
    if (retries > 10) configError(provider, "retry", "must be at most 10 retries");
    return { ...DEFAULT_RETRY, retries };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    configError(
      provider,
      "retry",
      "must be false, a number of retries or { retries, baseDelayMs, … }",
    );
  const r = value as RetryOptions;
  const retries = nonNegativeInt(provider, "retry.retries", r.retries, DEFAULT_RETRY.retries);
  if (retries > 10) configError(provider, "retry.retries", "must be at most 10");
  const baseDelayMs = nonNegativeInt(
    provider,
    "retry.baseDelayMs",
    r.baseDelayMs,
    DEFAULT_RETRY.baseDelayMs,
  );
  const maxDelayMs = nonNegativeInt(
    provider,
    "retry.maxDelayMs",
    r.maxDelayMs,
    Math.max(DEFAULT_RETRY.maxDelayMs, baseDelayMs),
  );
  if (maxDelayMs < baseDelayMs)
    configError(provider, "retry.maxDelayMs", "must not be smaller than retry.baseDelayMs");
  const jitter = optionalBoolean(provider, "retry.jitter", r.jitter) ?? DEFAULT_RETRY.jitter;
  return { retries, baseDelayMs, maxDelayMs, jitter };
}

/** Validates the options every client takes. */
export function resolveClientOptions(
  provider: string,
  options: ClientOptions,
  defaultBaseUrl: string,
): ResolvedClientOptions {
  let baseUrl = defaultBaseUrl;
  if (options.baseUrl !== undefined) {
    const value = optionalString(provider, "baseUrl", options.baseUrl);
    let url: URL | null = null;
    try {
      url = value === null ? null : new URL(value);
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:"))
      configError(provider, "baseUrl", "must be an http(s) URL such as https://api.example.com");
    if (url.search || url.username || url.password)
      configError(provider, "baseUrl", "must not contain a query string or credentials");
    baseUrl = url.href;
  }
  const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout <= 0 || timeout > 300_000)
    configError(provider, "timeout", "must be a number of milliseconds between 1 and 300000");
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  if (
    typeof maxResponseBytes !== "number" ||
    !Number.isInteger(maxResponseBytes) ||
    maxResponseBytes < 1 ||
    maxResponseBytes > MAX_RESPONSE_BYTES_LIMIT
  )
    configError(
      provider,
      "maxResponseBytes",
      `must be a whole number of bytes between 1 and ${MAX_RESPONSE_BYTES_LIMIT}`,
    );
  if (options.fetch !== undefined && typeof options.fetch !== "function")
    configError(provider, "fetch", "must be a fetch function");
  if (
    options.logger !== undefined &&
    (typeof options.logger !== "object" || options.logger === null)
  )
    configError(provider, "logger", "must be an object with debug/info/warn/error methods");
  const custom = options.fetch;
  return {
    provider,
    baseUrl: baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`,
    timeout,
    maxResponseBytes,
    retry: resolveRetry(provider, options.retry),
    fetch: custom ?? ((input, init) => globalThis.fetch(input, init)),
    logger: createLogger(options.logger),
    maskPhonesInLogs:
      optionalBoolean(provider, "maskPhonesInLogs", options.maskPhonesInLogs) ?? true,
  };
}

/** Validates {@link PhoneClientOptions}. */
export function resolvePhoneClientOptions(
  provider: string,
  options: PhoneClientOptions,
  defaultBaseUrl: string,
): ResolvedClientOptions & { readonly defaultCountry: CountryCode } {
  return {
    ...resolveClientOptions(provider, options, defaultBaseUrl),
    defaultCountry: resolveCountry(provider, options.defaultCountry),
  };
}

/** Throws a {@link ConfigError} when `options` is not an object. */
export function requireOptionsObject(provider: string, options: unknown): void {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ConfigError("Options object is required.", { provider });
  }
}

/** A phone as it may appear in a log line: masked unless the client was told otherwise. */
export function phoneForLog(options: ResolvedClientOptions, phone: string): string {
  return options.maskPhonesInLogs ? maskPhone(phone) : phone;
}
