import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { ConfigError } from "../../src/core/errors.js";
import {
  callback,
  describeIssue,
  flag,
  guard,
  loggerOption,
  optionsObject,
  parseOptions,
} from "../../src/core/options.js";

/** The error `run` throws. */
function thrown(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

const schema = optionsObject({
  token: z.string("must be a string").check(z.regex(/^\S+$/, "must have no spaces")),
  limits: z.optional(
    z.object({ max: z.optional(z.number().check(z.maximum(10, "must be at most 10"))) }),
  ),
  verbose: z.nullish(flag),
  onEvent: z.nullish(callback<() => void>()),
  logger: z.nullish(loggerOption),
  count: z.optional(z.number()),
});

describe("parseOptions", () => {
  it("returns the schema's output", () => {
    expect(parseOptions(schema, { token: "t", verbose: null, extra: 1 })).toEqual({
      token: "t",
      verbose: null,
    });
  });

  it("names the option by its path, with the schema's own message", () => {
    const error = thrown(() =>
      parseOptions(schema, { token: "t", limits: { max: 11 } }, { provider: "acme" }),
    );
    expect(error.message).toBe("[otzovik] [acme] Option `limits.max` must be at most 10.");
    expect(error).toMatchObject({ code: "config_invalid", category: "config", provider: "acme" });
  });

  it("keeps a schema's message for a type mismatch; says what was expected otherwise", () => {
    expect(thrown(() => parseOptions(schema, { token: 5 })).message).toBe(
      "[otzovik] Option `token` must be a string.",
    );
    expect(thrown(() => parseOptions(schema, { token: "t", count: "5" })).message).toBe(
      "[otzovik] Option `count` expected number.",
    );
    expect(thrown(() => parseOptions(schema, { token: "t", verbose: "yes" })).message).toBe(
      "[otzovik] Option `verbose` must be true or false.",
    );
    expect(thrown(() => parseOptions(schema, { token: "t", onEvent: 1 })).message).toBe(
      "[otzovik] Option `onEvent` must be a function.",
    );
    expect(thrown(() => parseOptions(schema, { token: "t", logger: "x" })).message).toBe(
      "[otzovik] Option `logger` must be an object with debug/info/warn/error methods.",
    );
  });

  it("puts the prefix before the path, and the label before a colon", () => {
    const error = thrown(() =>
      parseOptions(schema, { token: "a b" }, { prefix: "parse.acme", label: "Invalid option" }),
    );
    expect(error.message).toBe("[otzovik] Invalid option `parse.acme.token`: must have no spaces.");
    expect(error.provider).toBeNull();
  });

  it("reports the options object itself with its own message", () => {
    for (const value of [undefined, null, 5, "token", []])
      expect(thrown(() => parseOptions(schema, value, { provider: "acme" })).message).toBe(
        "[otzovik] [acme] Options object is required.",
      );
    const custom = optionsObject(
      {},
      (input) => `Acme options must be an object, got ${typeof input}`,
    );
    expect(thrown(() => parseOptions(custom, 5)).message).toBe(
      "[otzovik] Acme options must be an object, got number.",
    );
  });

  it("never puts the value in the error", () => {
    const secret = "sk_live_SECRET value";
    const error = thrown(() => parseOptions(schema, { token: secret }, { provider: "acme" }));
    expect(inspect(error, { depth: 10 })).not.toContain("SECRET");
  });

  it("runs no later check on a value a guard refused", () => {
    const trimmed = guard<string>((v) => typeof v === "string", "must be a string").check(
      z.refine((v) => v.trim() !== "", "must not be blank"),
    );
    expect(thrown(() => parseOptions(z.object({ name: trimmed }), { name: 42 })).message).toBe(
      "[otzovik] Option `name` must be a string.",
    );
  });
});

describe("describeIssue", () => {
  it("gives `path`: what was expected, for webhook bodies", () => {
    const body = z.object({ order: z.object({ items: z.array(z.string()) }) });
    const parsed = body.safeParse({ order: { items: [1] } });
    if (parsed.success) throw new Error("expected a failure");
    expect(describeIssue(parsed.error)).toBe("`order.items.0`: expected string");
    expect(describeIssue(parsed.error, "event")).toBe("`event.order.items.0`: expected string");
  });
});
