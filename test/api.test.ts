import { describe, expect, it } from "vitest";
import * as api from "../src/index.js";

describe("public API", () => {
  it("exports exactly these runtime names (a change here is an API change: add a changeset)", () => {
    expect(Object.keys(api).sort()).toEqual([
      "AMOCRM_FINAL_STATUSES",
      "ConfigError",
      "DEFAULT_MAX_BODY_BYTES",
      "DEFAULT_MAX_ENTRIES",
      "DEFAULT_MAX_PERMANENT_ENTRIES",
      "DEFAULT_MESSAGE",
      "DEFAULT_QUIET_HOURS",
      "DEFAULT_RETRY",
      "DEFAULT_TIMEOUT_MS",
      "DeliveryUnknownError",
      "EXOLVE_BASE_URL",
      "EXOLVE_DEFAULT_WHATSAPP_PATH",
      "EXOLVE_SMS_PATH",
      "IIKO_FINAL_STATUSES",
      "META_DEFAULT_GRAPH_VERSION",
      "META_GRAPH_BASE_URL",
      "NetworkError",
      "OtzovikError",
      "ProviderError",
      "RESEND_BASE_URL",
      "RESEND_USER_AGENT",
      "RKEEPER_FINAL_STATUSES",
      "SMS_RU_BASE_URL",
      "ValidationError",
      "YCLIENTS_FINAL_STATUSES",
      "amocrmContactPhone",
      "classifyMetaCode",
      "classifyResendName",
      "classifySmsRuCode",
      "createAmocrmClient",
      "createExolveClient",
      "createLogger",
      "createMetaWhatsappClient",
      "createResendClient",
      "createReviewRequester",
      "createSmsRuClient",
      "createWebhookProcessor",
      "decodeBody",
      "defineSource",
      "findKey",
      "findSource",
      "getSmsBalance",
      "inProcessScheduler",
      "isSourceName",
      "isWhatsappConfigured",
      "maskPhone",
      "memoryStore",
      "normalizePhone",
      "parseAmocrm",
      "parseIiko",
      "parseRkeeper",
      "parseYclients",
      "parsers",
      "processWebhook",
      "sendEmail",
      "sendSms",
      "sendVerificationEmail",
      "sendWhatsapp",
      "sendWhatsappTemplate",
      "sources",
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
