import { describe, expect, it } from "vitest";
import { createFetchHandler } from "../src/adapters/fetch.js";
import { createReviewRequester } from "../src/requester/requester.js";

describe("adapter types", () => {
  it("the Fetch handler is assignable to a Next.js route handler (second argument { params })", () => {
    const requester = createReviewRequester({
      keys: "types-key-0123456789",
      business: "B",
      reviewUrl: "https://r.example",
      channels: [
        {
          type: "sms",
          client: {
            provider: "sms.ru",
            sendSms: async (to) => ({
              provider: "sms.ru",
              channel: "sms",
              messageId: "1",
              to,
              dryRun: true,
            }),
          },
        },
      ],
    });
    // A compile-time check as much as a runtime one: `npm run typecheck` covers this file.
    const POST: (
      request: Request,
      context: { params: Promise<{ source: string }> },
    ) => Promise<Response> = createFetchHandler(requester);
    expect(typeof POST).toBe("function");
  });
});
