import * as z from "zod/mini";
import { ConfigError } from "../core/errors.js";
import { parseOptions } from "../core/options.js";
import { type CountryCode, isSupportedCountry } from "../core/phone.js";

export { describeIssue } from "../core/options.js";

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
      const parsed = parseOptions(schema, options, {
        provider: source,
        label: "Invalid parser option",
      });
      const resolved = resolve(parsed as z.infer<S>);
      cache.set(options, resolved);
      return resolved;
    },
    check(options, path) {
      if (options === undefined || options === null) return;
      parseOptions(schema, options, { prefix: path, label: "Invalid option" });
    },
  };
}

export type { CountryCode };
