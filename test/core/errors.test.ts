import { describe, expect, it } from "vitest";
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
