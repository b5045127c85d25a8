import { type CountryCode, isSupportedCountry } from "libphonenumber-js/min";
import * as z from "zod/mini";
import { ConfigError } from "../core/errors.js";

/** Schema for {@link BaseParseOptions.defaultCountry}. */
export const countrySchema = z.optional(
  z
    .string()
    .check(
      z.refine(
        (c) => isSupportedCountry(c),
        'must be a supported ISO 3166-1 alpha-2 country code such as "RU"',
      ),
    ),
);

/** Formats the first zod issue as `` `path`: message ``. */
export function describeIssue(error: z.core.$ZodError, prefix = ""): string {
  const issue = error.issues[0];
  if (!issue) return "invalid value";
  const path = [prefix, ...issue.path.map(String)].filter(Boolean).join(".");
  let message = issue.message;
  if (issue.code === "invalid_type") message = `expected ${issue.expected}`;
  if (issue.code === "invalid_union") {
    const expected = issue.errors
      .flat()
      .flatMap((i) => (i.code === "invalid_type" ? [i.expected] : []));
    if (expected.length > 0) message = `expected ${[...new Set(expected)].join(" or ")}`;
  }
  return path ? `\`${path}\`: ${message}` : message;
}

/** A source's parser options, validated: made by {@link optionsResolver}. */
export interface OptionsResolver<R> {
  /**
   * The resolved options, cached per options object (parsers are called per webhook with the same
   * options); `undefined` and `null` give the defaults.
   *
   * @throws {ConfigError} ``Invalid parser option `finalStatuses.delivery`: expected array.``
   */
  resolve(options: unknown): R;
  /**
   * Validates options given at `path` (e.g. `"parse.iiko"`) without resolving them: what
   * `Source.checkOptions` does. `undefined` and `null` are valid (no options).
   *
   * @throws {ConfigError} ``Invalid option `parse.iiko.finalStatuses.delivery`: expected array.``
   */
  check(options: unknown, path: string): void;
}

/**
 * Makes a cached options resolver for a parser: options are validated once per options object,
 * and invalid options throw a {@link ConfigError} that names the option.
 *
 * @param source - The source's name, the `provider` of the parser's errors.
 * @param schema - The options' schema; `schema.parse({})` must succeed (every option optional).
 * @param resolve - Turns valid options into what the parser uses (defaults filled in, sets built).
 */
export function optionsResolver<S extends z.ZodMiniType, R>(
  source: string,
  schema: S,
  resolve: (options: z.infer<S>) => R,
): OptionsResolver<R> {
  const cache = new WeakMap<object, R>();
  const defaults = resolve(schema.parse({}) as z.infer<S>);
  return {
    resolve(options) {
      if (options === undefined || options === null) return defaults;
      if (typeof options !== "object") {
        throw new ConfigError(`Parser options must be an object, got ${typeof options}.`, {
          provider: source,
        });
      }
      const cached = cache.get(options);
      if (cached) return cached;
      const parsed = schema.safeParse(options);
      if (!parsed.success) {
        throw new ConfigError(`Invalid parser option ${describeIssue(parsed.error)}.`, {
          provider: source,
        });
      }
      const resolved = resolve(parsed.data as z.infer<S>);
      cache.set(options, resolved);
      return resolved;
    },
    check(options, path) {
      if (options === undefined || options === null) return;
      const parsed = schema.safeParse(options);
      if (!parsed.success) {
        throw new ConfigError(`Invalid option ${describeIssue(parsed.error, path)}.`);
      }
    },
  };
}

export type { CountryCode };
