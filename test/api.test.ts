import { describe, expect, it } from "vitest";
import * as api from "../src/index.js";

describe("public API", () => {
  it("exports exactly these runtime names (a change here is an API change: add a changeset)", () => {
    expect(Object.keys(api).sort()).toEqual([
      "AMOCRM_FINAL_STATUSES",
      "ConfigError",
      "IIKO_FINAL_STATUSES",
      "OtzovikError",
      "RKEEPER_FINAL_STATUSES",
      "YCLIENTS_FINAL_STATUSES",
      "amocrmContactPhone",
      "createLogger",
      "isSourceName",
      "maskPhone",
      "normalizePhone",
      "parseAmocrm",
      "parseIiko",
      "parseRkeeper",
      "parseYclients",
      "parsers",
    ]);
  });

  it("parsers maps every source name to its parser", () => {
    expect(api.parsers).toEqual({
      iiko: api.parseIiko,
      rkeeper: api.parseRkeeper,
      yclients: api.parseYclients,
      amocrm: api.parseAmocrm,
    });
    expect(api.isSourceName("iiko")).toBe(true);
    expect(api.isSourceName("__proto__")).toBe(false);
    expect(api.isSourceName("toString")).toBe(false);
  });

  it("errors carry machine-readable fields and a prefixed message", () => {
    const err = new api.ConfigError("Missing option `apiKey`.", { provider: "sms.ru" });
    expect(err).toBeInstanceOf(api.OtzovikError);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      name: "ConfigError",
      code: "config_invalid",
      provider: "sms.ru",
      retryable: false,
    });
    expect(err.message).toBe("[otzovik] [sms.ru] Missing option `apiKey`.");
    const cause = new Error("boom");
    expect(new api.OtzovikError("x", { code: "c", cause }).cause).toBe(cause);
  });

  it("createLogger fills missing levels: debug/info silent, warn/error to console", () => {
    const lines: string[] = [];
    const logger = api.createLogger({ info: (m) => lines.push(m) });
    logger.info("hello");
    logger.debug("quiet");
    expect(lines).toEqual(["hello"]);
    expect(typeof logger.warn).toBe("function");
  });
});
