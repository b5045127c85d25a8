/** A provider otzovik does not ship is a plain object with a `provider` name and `sendSms`. */
import { describe, expectTypeOf, it } from "vitest";
import { createReviewRequester, type SmsChannel } from "../../src/index.js";

describe("custom providers", () => {
  it("a plain object with provider and sendSms is an SMS channel client", () => {
    const mySms = {
      provider: "my-sms",
      sendSms: async (phone: string, _text: string) => ({
        provider: "my-sms",
        channel: "sms" as const,
        messageId: "1",
        to: phone,
        dryRun: false,
      }),
    };
    expectTypeOf(mySms).toExtend<SmsChannel["client"]>();
    expectTypeOf(createReviewRequester).toBeCallableWith({
      keys: "k",
      business: "B",
      reviewUrl: "https://r.example",
      channels: [{ type: "sms", client: mySms }],
    });
  });
});
