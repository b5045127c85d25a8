import { describe, expectTypeOf, it } from "vitest";
import {
  type Accepted,
  createReviewRequester,
  createSmsRuClient,
  type FailedOutcome,
  type Handled,
  type HandleResult,
  type LookupPhone,
  type OtzovikError,
  type Outcome,
  type ParsedEvent,
  type RequesterOptions,
  type ReviewRequester,
  type ScheduledOutcome,
  type SentOutcome,
  type SkippedOutcome,
  type SkippedReason,
  type SmsSender,
  type SourceId,
  type TenantContext,
  type TenantSettings,
  type Unauthorized,
} from "../../src/index.js";

declare const sms: SmsSender;

describe("createReviewRequester options", () => {
  it("one business: static keys with business and reviewUrl", () => {
    expectTypeOf(
      createReviewRequester({
        keys: ["key-2026", "key-2025"],
        business: "Кофейня",
        reviewUrl: "https://r.example",
        channels: [{ type: "sms", client: createSmsRuClient({ apiKey: "k" }) }],
      }),
    ).toEqualTypeOf<ReviewRequester>();
  });

  it("several businesses: resolveTenant, sync or async, null for an unknown key", () => {
    const tenant: TenantSettings = {
      id: "t1",
      business: "B",
      reviewUrl: "https://r.example",
      channels: ["sms"],
    };
    expectTypeOf(createReviewRequester).toBeCallableWith({
      resolveTenant: async (key: string) => (key === "k" ? tenant : null),
      channels: [{ type: "sms", client: sms }],
    });
    expectTypeOf(createReviewRequester).toBeCallableWith({
      resolveTenant: () => tenant,
      channels: [{ type: "sms", client: sms }],
    });
    expectTypeOf<NonNullable<RequesterOptions["resolveTenant"]>>().returns.toEqualTypeOf<
      Promise<TenantSettings | null> | TenantSettings | null
    >();
  });

  it("resolveTenant gets the webhook's source and account (one key per chain)", () => {
    expectTypeOf<NonNullable<RequesterOptions["resolveTenant"]>>()
      .parameter(1)
      .toEqualTypeOf<TenantContext>();
    expectTypeOf<TenantContext["accountId"]>().toEqualTypeOf<string | null>();
    expectTypeOf(createReviewRequester).toBeCallableWith({
      resolveTenant: (_key: string, { source, accountId }: TenantContext) =>
        source === "iiko" && accountId !== null
          ? { id: "chain", business: accountId, reviewUrl: "https://r.example" }
          : null,
      channels: [{ type: "sms", client: sms }],
    });
  });

  it("lookupPhone: an event in, a phone or null out; maxSmsSegments a number or false", () => {
    expectTypeOf<RequesterOptions["lookupPhone"]>().toEqualTypeOf<LookupPhone | undefined>();
    expectTypeOf<LookupPhone>().parameter(0).toEqualTypeOf<ParsedEvent>();
    expectTypeOf(createReviewRequester).toBeCallableWith({
      keys: "k",
      business: "B",
      reviewUrl: "https://r.example",
      channels: [{ type: "sms", client: sms }],
      lookupPhone: async (event: ParsedEvent) => (event.id ? "+79161234567" : null),
      maxSmsSegments: 2,
    });
    expectTypeOf<RequesterOptions["maxSmsSegments"]>().toEqualTypeOf<number | false | undefined>();
  });

  it("channels are required; message templates are strings or functions of the variables", () => {
    expectTypeOf<RequesterOptions>().toHaveProperty("channels");
    expectTypeOf<{ keys: string }>().not.toExtend<RequesterOptions>();
    expectTypeOf(createReviewRequester).toBeCallableWith({
      keys: "k",
      business: "B",
      reviewUrl: "https://r.example",
      channels: [{ type: "sms", client: sms }],
      message: ({ business, reviewUrl }) => `${business}: ${reviewUrl}`,
    });
  });
});

describe("Outcome", () => {
  it("narrows by status", () => {
    expectTypeOf<Outcome["status"]>().toEqualTypeOf<"sent" | "scheduled" | "skipped" | "failed">();
    const check = (outcome: Outcome) => {
      switch (outcome.status) {
        case "sent":
          expectTypeOf(outcome).toEqualTypeOf<SentOutcome>();
          expectTypeOf(outcome.messageId).toBeString();
          expectTypeOf(outcome.channel).toEqualTypeOf<"sms" | "whatsapp" | "email">();
          break;
        case "scheduled":
          expectTypeOf(outcome).toEqualTypeOf<ScheduledOutcome>();
          expectTypeOf(outcome.runAt).toBeString();
          break;
        case "skipped":
          expectTypeOf(outcome).toEqualTypeOf<SkippedOutcome>();
          expectTypeOf(outcome.reason).toEqualTypeOf<SkippedReason>();
          break;
        case "failed":
          expectTypeOf(outcome).toEqualTypeOf<FailedOutcome>();
          expectTypeOf(outcome.error).toEqualTypeOf<OtzovikError>();
          break;
        default:
          expectTypeOf(outcome).toBeNever();
      }
    };
    expectTypeOf(check).toBeFunction();
  });

  it("fields shared by every outcome need no narrowing", () => {
    expectTypeOf<Outcome["orderId"]>().toEqualTypeOf<string | null>();
    expectTypeOf<Outcome["tenantId"]>().toBeString();
  });
});

describe("ReviewRequester", () => {
  it("handle() and request() resolve to a HandleResult; accept() to Accepted", () => {
    expectTypeOf<ReviewRequester["handle"]>().returns.toEqualTypeOf<Promise<HandleResult>>();
    expectTypeOf<ReviewRequester["request"]>().returns.toEqualTypeOf<Promise<HandleResult>>();
    expectTypeOf<ReviewRequester["accept"]>().returns.toEqualTypeOf<Promise<Accepted>>();
    expectTypeOf<ReviewRequester["handle"]>().parameter(0).toEqualTypeOf<SourceId>();
    expectTypeOf<ReviewRequester["sources"]>().toEqualTypeOf<readonly string[]>();
  });

  it("HandleResult narrows by authorized", () => {
    const check = (result: HandleResult) => {
      if (result.authorized) {
        expectTypeOf(result).toEqualTypeOf<Handled>();
        expectTypeOf(result.outcomes).toEqualTypeOf<readonly Outcome[]>();
      } else {
        expectTypeOf(result).toEqualTypeOf<Unauthorized>();
        expectTypeOf(result.outcomes).toEqualTypeOf<readonly []>();
      }
    };
    expectTypeOf(check).toBeFunction();
  });
});
