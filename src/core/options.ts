import * as z from "zod/mini";
import { ConfigError } from "./errors.js";
import type { Logger } from "./logger.js";

/**
 * Who options belong to and where they sit, for the {@link ConfigError} of {@link parseOptions}.
 */
export interface OptionsContext {
  /** The error's `provider` (`"sms.ru"`, `"memory"`); none for the requester's own options. */
  readonly provider?: string;
  /** Path put before every option's own path: `"parse.iiko"`, `"tenant"`. */
  readonly prefix?: string;
  /**
   * How the message reads. Without a label the problem is a predicate, for messages written as
   * one (`"is required"`, `"must be …"`): ``Option `timeout` must be a number….``. With a label
   * the problem follows a colon: ``Invalid option `delayMs`: expected number.``.
   */
  readonly label?: string;
}

/** Joins `prefix` and an issue's path with dots: `parse.iiko.finalStatuses.0`. */
function issuePath(issue: z.core.$ZodIssue, prefix: string): string {
  return [prefix, ...issue.path.map(String)].filter(Boolean).join(".");
}

/**
 * What was expected, for a type mismatch or a union no branch of which matched: `expected array`,
 * `expected string or number`. `undefined` for any other issue.
 */
function expected(issue: z.core.$ZodIssue | z.core.$ZodRawIssue): string | undefined {
  if (issue.code === "invalid_type") return `expected ${issue.expected}`;
  if (issue.code === "invalid_union") {
    const types = (issue.errors as z.core.$ZodIssue[][])
      .flat()
      .flatMap((i) => (i.code === "invalid_type" ? [i.expected] : []));
    if (types.length > 0) return `expected ${[...new Set(types)].join(" or ")}`;
  }
  return undefined;
}

/**
 * Formats the first zod issue as `` `path`: message ``, the message of a type mismatch being what
 * was expected (`expected array`). For webhook bodies; options go through {@link parseOptions}.
 */
export function describeIssue(error: z.core.$ZodError, prefix = ""): string {
  const issue = error.issues[0];
  if (!issue) return "invalid value";
  const path = issuePath(issue, prefix);
  const message = expected(issue) ?? issue.message;
  return path ? `\`${path}\`: ${message}` : message;
}

/**
 * Validates options against their schema, the one way options are checked at creation. Returns
 * the schema's output (trimmed, transformed); throws a {@link ConfigError} naming the first wrong
 * option by its path (`retry.maxDelayMs`), with the schema's own message for it.
 *
 * Messages come from the schema (`z.string("must be a string")`, `z.refine(…, "must be …")`);
 * where it gives none, a type mismatch reads `expected <type>`. Messages must never quote the
 * value: options hold secrets.
 *
 * @throws {ConfigError} ``Option `timeout` must be a number of milliseconds between 1 and 300000.``
 */
export function parseOptions<S extends z.ZodMiniType>(
  schema: S,
  value: unknown,
  context: OptionsContext = {},
): z.output<S> {
  const parsed = schema.safeParse(value, { error: expected });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue ? issuePath(issue, context.prefix ?? "") : "";
  const problem = issue?.message ?? "invalid value";
  const { label } = context;
  const message =
    label === undefined
      ? path
        ? `Option \`${path}\` ${problem}.`
        : `${problem}.`
      : path
        ? `${label} \`${path}\`: ${problem}.`
        : `${label}: ${problem}.`;
  throw new ConfigError(
    message,
    context.provider === undefined ? {} : { provider: context.provider },
  );
}

/**
 * A value `test` accepts, else an issue with `message`. Later checks do not run on a value `test`
 * refused: its type is unknown.
 */
export function guard<T>(
  test: (value: unknown) => boolean,
  message: string | ((input: unknown) => string),
): z.ZodMiniCustom<T, T> {
  return z.custom<T>(test, {
    error: typeof message === "string" ? message : (issue) => message(issue.input),
    abort: true,
  });
}

/** A flag option: `true` or `false`. */
export const flag = /* @__PURE__ */ z.boolean("must be true or false");

/** A callback option (a body builder, a hook). */
export function callback<F extends (...args: never[]) => unknown>(): z.ZodMiniCustom<F, F> {
  return guard<F>((v) => typeof v === "function", "must be a function");
}

/** A `logger` option: an object with any of `debug`, `info`, `warn` and `error` (`console`, pino). */
export const loggerOption = /* @__PURE__ */ guard<Partial<Logger>>(
  (v) => typeof v === "object" && v !== null,
  "must be an object with debug/info/warn/error methods",
);

/**
 * The options object itself: an object (not an array), with `message` for anything else, checked
 * against `shape`.
 */
export function optionsObject<Shape extends z.core.$ZodLooseShape>(
  shape: Shape,
  message: string | ((input: unknown) => string) = "Options object is required",
) {
  return z.pipe(
    guard<Record<string, unknown>>(
      (v) => typeof v === "object" && v !== null && !Array.isArray(v),
      message,
    ),
    z.object(shape),
  );
}
