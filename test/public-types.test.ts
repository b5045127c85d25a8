/**
 * The type-only names each entry point exports (interfaces, type aliases: what has no runtime
 * value), read from the source with the TypeScript compiler; test/public-api.test.ts has the
 * runtime names. A change here is an API change: add a changeset, then update the snapshots with
 * `npx vitest run test/public-types.test.ts -u`.
 */
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
/** Entry point → its source file (tsup.config.ts builds them; package.json "exports" maps them). */
const ENTRIES = {
  otzovik: "src/index.ts",
  "otzovik/express": "src/adapters/express.ts",
  "otzovik/fetch": "src/adapters/fetch.ts",
  "otzovik/testing": "src/testing/index.ts",
  "otzovik/redis": "src/stores/redis.ts",
  "otzovik/bullmq": "src/schedulers/bullmq.ts",
} as const;

const configFile = ts.readConfigFile(`${root}tsconfig.json`, ts.sys.readFile);
const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
const program = ts.createProgram(
  Object.values(ENTRIES).map((file) => `${root}${file}`),
  options,
);
const checker = program.getTypeChecker();

/** The names `file` exports: `types` (no runtime value) and `values`, each sorted. */
function exportsOf(file: string): { types: string[]; values: string[] } {
  const source = program.getSourceFile(`${root}${file}`);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`${file}: not a module`);
  const types: string[] = [];
  const values: string[] = [];
  for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    (target.flags & ts.SymbolFlags.Value ? values : types).push(symbol.name);
  }
  return { types: types.sort(), values: values.sort() };
}

describe("public API: type-only exports per entry point", () => {
  it("the values the compiler sees are the runtime exports (test/public-api.test.ts)", async () => {
    for (const [entry, file] of Object.entries(ENTRIES)) {
      const runtime = Object.keys(await import(`../${file.replace(/\.ts$/, ".js")}`)).sort();
      expect(exportsOf(file).values, entry).toEqual(runtime);
    }
  });

  it("otzovik", () => {
    expect(exportsOf(ENTRIES.otzovik).types).toMatchInlineSnapshot(`
      [
        "AbortFlag",
        "AbsentStep",
        "Accepted",
        "AcceptedEvent",
        "AmocrmAccountRef",
        "AmocrmClient",
        "AmocrmClientOptions",
        "AmocrmContact",
        "AmocrmContactRef",
        "AmocrmLead",
        "AmocrmParseOptions",
        "AmocrmPhoneLookup",
        "BaseParseOptions",
        "BatchReceipt",
        "BatchResult",
        "Channel",
        "ChannelSpec",
        "ClaimStep",
        "ClickedOutcome",
        "ClientOptions",
        "ClosedRequester",
        "CountryCode",
        "DeleteStep",
        "DeliveredOutcome",
        "DeliveryMeaning",
        "DeliveryUnknownErrorOptions",
        "DevModeOptions",
        "DirectRequest",
        "EmailChannel",
        "EmailConfig",
        "EmailMessage",
        "EmailSender",
        "EmailTag",
        "ErrorCategory",
        "ErrorCode",
        "ExolveClient",
        "ExolveClientOptions",
        "ExolveWhatsappMessage",
        "ExpectStep",
        "FailedOutcome",
        "FollowedLink",
        "FunnelStats",
        "GetStep",
        "HandleOptions",
        "HandleResult",
        "Handled",
        "IikoParseOptions",
        "InProcessSchedulerOptions",
        "IncrStep",
        "JobData",
        "JobHandler",
        "LinkDestination",
        "LinkFound",
        "LinkNotFound",
        "LinkVisit",
        "LinksOptions",
        "LogLevel",
        "LogMeta",
        "Logger",
        "LookupPhone",
        "LookupPhoneContext",
        "MemoryStore",
        "MemoryStoreOptions",
        "MemoryStoreStats",
        "MetaTemplateComponent",
        "MetaTemplateOptions",
        "MetaTemplateParameter",
        "MetaTextOptions",
        "MetaWhatsappClient",
        "MetaWhatsappClientOptions",
        "NetworkErrorOptions",
        "NoValidPhone",
        "NormalizedPhone",
        "OptionsOf",
        "OtzovikErrorCode",
        "OtzovikErrorOptions",
        "Outcome",
        "ParseResult",
        "ParsedEvent",
        "Parser",
        "ParserOptions",
        "ParserOptionsOf",
        "PendingSend",
        "PhoneClientOptions",
        "PhoneLookup",
        "PhoneProblem",
        "ProviderErrorOptions",
        "ProviderName",
        "QuietHours",
        "RequesterOptions",
        "ResendClient",
        "ResendClientOptions",
        "RetryOptions",
        "ReviewRequester",
        "RkeeperParseOptions",
        "ScheduledJob",
        "ScheduledOutcome",
        "Scheduler",
        "SendResult",
        "SentOutcome",
        "SetStep",
        "SkipReason",
        "SkippedOutcome",
        "SkippedReason",
        "SmsBalance",
        "SmsChannel",
        "SmsConfig",
        "SmsRuClient",
        "SmsRuClientOptions",
        "SmsRuCost",
        "SmsRuMessageStatus",
        "SmsRuSendOptions",
        "SmsSegments",
        "SmsSender",
        "Source",
        "SourceId",
        "SourceLookup",
        "SourceName",
        "SourceRegistry",
        "StatsQuery",
        "StatusAnswer",
        "StatusHandled",
        "StatusOutcome",
        "StatusReading",
        "StatusRefusal",
        "StatusRequest",
        "StatusUpdate",
        "StatusWebhooks",
        "Store",
        "StoreStep",
        "TemplateVars",
        "TenantContext",
        "TenantSettings",
        "TextTemplate",
        "Unauthorized",
        "UndeliveredOutcome",
        "UnknownOutcomeReason",
        "UserAgentClass",
        "ValidPhone",
        "VerificationEmailOptions",
        "WhatsappChannel",
        "WhatsappConfig",
        "WhatsappConfigured",
        "WhatsappProvider",
        "WhatsappSender",
        "WhatsappTemplate",
        "WhatsappTemplateOptions",
        "WhatsappTemplateSender",
        "YclientsParseOptions",
      ]
    `);
  });

  it("otzovik/express", () => {
    expect(exportsOf(ENTRIES["otzovik/express"]).types).toMatchInlineSnapshot(`
      [
        "DroppableSocket",
        "ExpressLikeRequest",
        "ExpressLikeResponse",
        "LinkHandlerOptions",
        "StatusHandlerOptions",
        "WebhookHandlerOptions",
      ]
    `);
  });

  it("otzovik/fetch", () => {
    expect(exportsOf(ENTRIES["otzovik/fetch"]).types).toMatchInlineSnapshot(`
      [
        "FetchContext",
        "FetchHandlerOptions",
        "FetchLinkHandlerOptions",
        "FetchStatusHandlerOptions",
        "LinkHandlerOptions",
        "StatusHandlerOptions",
        "WaitUntil",
        "WebhookHandlerOptions",
      ]
    `);
  });

  it("otzovik/testing", () => {
    expect(exportsOf(ENTRIES["otzovik/testing"]).types).toMatchInlineSnapshot(`
      [
        "AmocrmApiFixtures",
        "AmocrmFixtures",
        "AmocrmLeadStatusOptions",
        "AmocrmScenario",
        "CommonScenario",
        "ExolveScenario",
        "FakeAmocrmOptions",
        "FakeExolveOptions",
        "FakeMetaStatusOptions",
        "FakeMetaWhatsapp",
        "FakeMetaWhatsappOptions",
        "FakeOptions",
        "FakeProvider",
        "FakeRequest",
        "FakeResend",
        "FakeResendEventOptions",
        "FakeResendOptions",
        "FakeSender",
        "FakeSmsRu",
        "FakeSmsRuCallbackOptions",
        "FakeSmsRuCallbackStatus",
        "FakeSmsRuOptions",
        "FakeStatusWebhook",
        "Fixture",
        "Fixtures",
        "IikoDeliveryOrderUpdateOptions",
        "IikoFixtures",
        "MetaScenario",
        "MetaStatusPayload",
        "MetaStatusPayloadOptions",
        "ResendEventOptions",
        "ResendEventPayload",
        "ResendScenario",
        "RkeeperFixtures",
        "RkeeperOrderOptions",
        "Scenario",
        "SentMessage",
        "SignResendEventOptions",
        "SignedResendEvent",
        "SmsRuCallbackStatus",
        "SmsRuScenario",
        "StatusFixtures",
        "WebhookFixture",
        "WebhookRequestOptions",
        "YclientsFixtures",
        "YclientsRecordOptions",
      ]
    `);
  });

  it("otzovik/redis", () => {
    expect(exportsOf(ENTRIES["otzovik/redis"]).types).toMatchInlineSnapshot(`
      [
        "AbsentStep",
        "BatchReceipt",
        "BatchResult",
        "ClaimStep",
        "DeleteStep",
        "ExpectStep",
        "GetStep",
        "IoredisClientLike",
        "NodeRedisClientLike",
        "RedisClientLike",
        "RedisClientType",
        "RedisStore",
        "RedisStoreOptions",
        "SetStep",
        "Store",
        "StoreStep",
      ]
    `);
  });

  it("otzovik/bullmq", () => {
    expect(exportsOf(ENTRIES["otzovik/bullmq"]).types).toMatchInlineSnapshot(`
      [
        "BullmqSchedulerOptions",
      ]
    `);
  });
});
