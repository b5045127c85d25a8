/**
 * The runtime names each entry point exports. A change here is an API change: add a changeset,
 * then update the snapshots with `npx vitest run test/public-api.test.ts -u`. The type-only names
 * are snapshotted in test/public-types.test.ts; `npm run docs` (TypeDoc) checks every export is
 * documented, and the type tests in test/types check their shapes.
 */
import { describe, expect, it } from "vitest";

const names = async (module: Promise<object>) => Object.keys(await module).sort();

describe("public API: runtime exports per entry point", () => {
  it("otzovik", async () => {
    expect(await names(import("../src/index.js"))).toMatchInlineSnapshot(`
      [
        "AMOCRM_FINAL_STATUSES",
        "ConfigError",
        "DEFAULT_LINK_MESSAGE",
        "DEFAULT_LINK_TTL_MS",
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
        "LOG_LEVELS",
        "META_DEFAULT_GRAPH_VERSION",
        "META_GRAPH_BASE_URL",
        "NetworkError",
        "OtzovikError",
        "ProviderError",
        "RESEND_BASE_URL",
        "RESEND_USER_AGENT",
        "RKEEPER_FINAL_STATUSES",
        "SKIP_REASONS",
        "SMS_RU_BASE_URL",
        "ValidationError",
        "YCLIENTS_FINAL_STATUSES",
        "amocrmContactPhone",
        "amocrmPhoneLookup",
        "classifyMetaCode",
        "classifyResendName",
        "classifySmsRuCode",
        "consoleLogger",
        "createAmocrmClient",
        "createExolveClient",
        "createLogger",
        "createMetaWhatsappClient",
        "createResendClient",
        "createReviewRequester",
        "createSmsRuClient",
        "defineSource",
        "describeSkip",
        "destinationName",
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
        "runBatch",
        "sendEmail",
        "sendSms",
        "sendVerificationEmail",
        "sendWhatsapp",
        "sendWhatsappTemplate",
        "smsSegments",
        "sources",
        "userAgentClass",
      ]
    `);
  });

  it("otzovik/express", async () => {
    expect(await names(import("../src/adapters/express.js"))).toMatchInlineSnapshot(`
      [
        "DEFAULT_ANSWER_TIMEOUT_MS",
        "DEFAULT_BODY_TIMEOUT_MS",
        "DEFAULT_MAX_BODY_BYTES",
        "DEFAULT_STATUS_MAX_BODY_BYTES",
        "linkHandler",
        "statusHandler",
        "webhookHandler",
      ]
    `);
  });

  it("otzovik/fetch", async () => {
    expect(await names(import("../src/adapters/fetch.js"))).toMatchInlineSnapshot(`
      [
        "DEFAULT_ANSWER_TIMEOUT_MS",
        "DEFAULT_BODY_TIMEOUT_MS",
        "DEFAULT_MAX_BODY_BYTES",
        "DEFAULT_STATUS_MAX_BODY_BYTES",
        "createFetchHandler",
        "createFetchLinkHandler",
        "createFetchStatusHandler",
      ]
    `);
  });

  it("otzovik/bullmq", async () => {
    expect(await names(import("../src/schedulers/bullmq.js"))).toMatchInlineSnapshot(`
      [
        "BULLMQ_JOB_NAME",
        "bullmqJobId",
        "bullmqScheduler",
      ]
    `);
  });

  it("otzovik/testing", async () => {
    expect(await names(import("../src/testing/index.js"))).toMatchInlineSnapshot(`
      [
        "amocrmLeadStatus",
        "createFakeAmocrm",
        "createFakeExolve",
        "createFakeMetaWhatsapp",
        "createFakeResend",
        "createFakeSmsRu",
        "fixtures",
        "iikoDeliveryOrderUpdate",
        "metaStatusPayload",
        "resendEventPayload",
        "rkeeperOrder",
        "signMetaStatus",
        "signResendEvent",
        "smsRuCallbackBody",
        "webhookRequest",
        "yclientsRecord",
      ]
    `);
  });

  it("otzovik/redis", async () => {
    expect(await names(import("../src/stores/redis.js"))).toMatchInlineSnapshot(`
      [
        "DEFAULT_REDIS_PREFIX",
        "DEFAULT_REDIS_TIMEOUT_MS",
        "redisStore",
      ]
    `);
  });
});
