import { describe, expect, it, vi } from "vitest";
import { ConfigError, OtzovikError } from "../../src/core/errors.js";

describe("errors", () => {
  it("carry machine-readable fields and a prefixed message", () => {
    const err = new ConfigError("Missing option `apiKey`.", { provider: "sms.ru" });
    expect(err).toBeInstanceOf(OtzovikError);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      name: "ConfigError",
      code: "config_invalid",
      provider: "sms.ru",
      retryable: false,
    });
    expect(err.message).toBe("[otzovik] [sms.ru] Missing option `apiKey`.");
    const cause = new Error("boom");
    expect(new OtzovikError("x", { code: "c", cause }).cause).toBe(cause);
  });
});

describe("OtzovikError across bundled copies (each CommonJS entry point has its own)", () => {
  it("`instanceof OtzovikError` holds for an error made by another copy of the class", async () => {
    const mine = await import("../../src/core/errors.js");
    vi.resetModules();
    const copy = "../../src/core/errors.js?copy";
    const other: typeof mine = await import(/* @vite-ignore */ copy);
    expect(other.OtzovikError).not.toBe(mine.OtzovikError);
    const foreign = new other.ConfigError("Set `client`.", { provider: "redis" });
    expect(foreign).toBeInstanceOf(mine.OtzovikError);
    expect(new other.OtzovikError("x", { code: "store_error" })).toBeInstanceOf(mine.OtzovikError);
    // Subclasses keep the plain prototype check; plain errors and look-alikes are not otzovik's.
    expect(foreign instanceof mine.ConfigError).toBe(false);
    expect(new Error("x") instanceof mine.OtzovikError).toBe(false);
    expect({ code: "store_error", retryable: true } instanceof mine.OtzovikError).toBe(false);
    expect(
      new mine.ProviderError("x", { provider: "p", code: "1", category: "retryable" }),
    ).toBeInstanceOf(mine.OtzovikError);
  });
});
