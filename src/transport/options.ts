import * as z from "zod/mini";
import { ValidationError } from "../core/errors.js";
import { createLogger, type Logger } from "../core/logger.js";
import { flag, guard, loggerOption } from "../core/options.js";
import { type CountryCode, maskPhone } from "../core/phone.js";
import type { RetryOptions } from "./types.js";

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

/** Throws a {@link ValidationError} (`invalid_option`) about an argument of a call. */
export function invalidArgument(provider: string, option: string, problem: string): never {
  throw new ValidationError(`\`${option}\` ${problem}.`, { provider, code: "invalid_option" });
}

/** Checks an optional string argument of a call; blank means absent. */
export function optionalStringArgument(
  provider: string,
  name: string,
  value: unknown,
): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") invalidArgument(provider, name, "must be a string");
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

/** Checks an optional boolean argument of a call. */
export function optionalFlagArgument(
  provider: string,
  name: string,
  value: unknown,
): boolean | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "boolean") invalidArgument(provider, name, "must be true or false");
  return value;
}

/** "is required" for an absent or empty value, else `otherwise`. */
const requiredOr =
  (otherwise: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined || issue.input === null || issue.input === ""
      ? "is required"
      : otherwise;

/**
 * A required secret option (API key, token): a string without whitespace, trimmed. Its messages
 * never contain the value.
 */
export const secretOption = z.string({ error: requiredOr("must be a string") }).check(
  z.refine((v) => v !== "", "is required"),
  z.trim(),
  z.regex(/^\S+$/, "must be a non-empty string without spaces"),
);

/**
 * An optional secret option (a webhook signing secret): absent (`undefined`, `null`) or a string
 * without whitespace, trimmed. Blank is an error, not absence: a secret set to `""` is a mistake to
 * report, not a reason to refuse every webhook silently. Its messages never contain the value.
 */
export const optionalSecretOption = z.nullish(
  z
    .string("must be a string")
    .check(z.trim(), z.regex(/^\S+$/, "must be a non-empty string without spaces")),
);

/** A required string option, trimmed; blank is missing. */
export const requiredText = z
  .string({ error: requiredOr("must be a string") })
  .check(z.trim(), z.minLength(1, "is required"));

/** An optional string option, trimmed; `undefined`, `null` and blank give `null`. */
export const optionalText = z.pipe(
  z.nullish(z.string("must be a string")),
  z.transform((v): string | null => v?.trim() || null),
);

/** `value` as an http(s) URL without a query string or credentials, or what is wrong with it. */
function httpUrl(value: string): URL | string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return "must be an http(s) URL such as https://api.example.com";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return "must be an http(s) URL such as https://api.example.com";
  if (url.search || url.username || url.password)
    return "must not contain a query string or credentials";
  return url;
}

/** The `baseUrl` option: an http(s) URL without a query string or credentials, as `URL.href`. */
const baseUrl = z.pipe(
  z.string("must be a string"),
  z.transform((value, ctx): string => {
    const url = httpUrl(value);
    if (typeof url !== "string") return url.href;
    ctx.issues.push({ code: "custom", message: url, input: value });
    return z.NEVER;
  }),
);

const TIMEOUT = "must be a number of milliseconds between 1 and 300000";
const timeout = z
  .number(TIMEOUT)
  .check(z.refine((t) => Number.isFinite(t) && t > 0 && t <= 300_000, TIMEOUT));

const WHOLE = "must be a whole number ≥ 0";
const isWhole = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;
/**
 * A field of `retry: {…}`, at most `max`. Its type check does not abort (unlike `z.number()`'s),
 * so the union in {@link retryOption} reports a wrong field under `retry.<field>` rather than
 * "must be false, a number…"; the later check therefore still sees any value.
 */
const retryField = (max?: number) => {
  const field = z.custom<number>(isWhole, { error: WHOLE, abort: false });
  return z.nullish(
    max === undefined
      ? field
      : field.check(z.refine((v) => !isWhole(v) || v <= max, `must be at most ${max}`)),
  );
};

/** The `retry` option: `false`, a number of retries (0–10), or {@link RetryOptions}. */
export const retryOption = z.union(
  [
    z.literal(false),
    guard<number>((v) => typeof v === "number", WHOLE).check(
      z.refine(isWhole, WHOLE),
      z.refine((v) => v <= 10, "must be at most 10 retries"),
    ),
    z
      .object({
        retries: retryField(10),
        baseDelayMs: retryField(),
        maxDelayMs: retryField(),
        jitter: z.nullish(
          z.custom<boolean>((v) => typeof v === "boolean", {
            error: "must be true or false",
            abort: false,
          }),
        ),
      })
      .check(
        z.refine(
          (r) =>
            !isWhole(r.maxDelayMs) || r.maxDelayMs >= (r.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs),
          { path: ["maxDelayMs"], message: "must not be smaller than retry.baseDelayMs" },
        ),
      ),
  ],
  { error: "must be false, a number of retries or { retries, baseDelayMs, … }" },
);

/** A valid `retry` option as the policy the transport follows, defaults filled in. */
export function retryPolicy(value: z.output<typeof retryOption> | null | undefined) {
  if (value === undefined || value === null) return DEFAULT_RETRY;
  if (value === false) return { ...DEFAULT_RETRY, retries: 0 };
  if (typeof value === "number") return { ...DEFAULT_RETRY, retries: value };
  const baseDelayMs = value.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  return {
    retries: value.retries ?? DEFAULT_RETRY.retries,
    baseDelayMs,
    maxDelayMs: value.maxDelayMs ?? Math.max(DEFAULT_RETRY.maxDelayMs, baseDelayMs),
    jitter: value.jitter ?? DEFAULT_RETRY.jitter,
  };
}

/**
 * The schema fields of {@link ClientOptions}, for a client's options schema
 * (`optionsObject({ apiKey: secretOption, ...clientOptionFields })`). `undefined` and `null` mean
 * absent; read the result with {@link resolveClientOptions}.
 */
export const clientOptionFields = {
  baseUrl: z.nullish(baseUrl),
  timeout: z.nullish(timeout),
  fetch: z.nullish(
    guard<typeof globalThis.fetch>((v) => typeof v === "function", "must be a fetch function"),
  ),
  logger: z.nullish(loggerOption),
  retry: z.nullish(retryOption),
  maskPhonesInLogs: z.nullish(flag),
  maxResponseBytes: z.nullish(
    guard<number>(
      (v) =>
        typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= MAX_RESPONSE_BYTES_LIMIT,
      `must be a whole number of bytes between 1 and ${MAX_RESPONSE_BYTES_LIMIT}`,
    ),
  ),
};

const COUNTRY = 'must be an ISO country code such as "RU"';
/** The schema fields of {@link PhoneClientOptions}: {@link clientOptionFields} and `defaultCountry`. */
export const phoneClientOptionFields = {
  ...clientOptionFields,
  defaultCountry: z.nullish(
    guard<CountryCode>((v) => typeof v === "string" && /^[A-Z]{2}$/.test(v), COUNTRY),
  ),
};

/** {@link ClientOptions} as {@link clientOptionFields} output them. */
export type ClientOptionValues = z.output<z.ZodMiniObject<typeof clientOptionFields>>;
/** {@link PhoneClientOptions} as {@link phoneClientOptionFields} output them. */
export type PhoneClientOptionValues = z.output<z.ZodMiniObject<typeof phoneClientOptionFields>>;

/** Validated client options with defaults filled in: what the transport runs on. */
export function resolveClientOptions(
  provider: string,
  options: ClientOptionValues,
  defaultBaseUrl: string,
): ResolvedClientOptions {
  const url = options.baseUrl ?? defaultBaseUrl;
  const custom = options.fetch;
  return {
    provider,
    baseUrl: url.endsWith("/") ? url : `${url}/`,
    timeout: options.timeout ?? DEFAULT_TIMEOUT_MS,
    retry: retryPolicy(options.retry),
    fetch: custom ?? ((input, init) => globalThis.fetch(input, init)),
    logger: createLogger(options.logger ?? undefined),
    maskPhonesInLogs: options.maskPhonesInLogs ?? true,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
  };
}

/** {@link resolveClientOptions} for clients that send to phones, with `defaultCountry`. */
export function resolvePhoneClientOptions(
  provider: string,
  options: PhoneClientOptionValues,
  defaultBaseUrl: string,
): ResolvedClientOptions & { readonly defaultCountry: CountryCode } {
  return {
    ...resolveClientOptions(provider, options, defaultBaseUrl),
    defaultCountry: options.defaultCountry ?? "RU",
  };
}

/** A phone as it may appear in a log line: masked unless the client was told otherwise. */
export function phoneForLog(options: ResolvedClientOptions, phone: string): string {
  return options.maskPhonesInLogs ? maskPhone(phone) : phone;
}
