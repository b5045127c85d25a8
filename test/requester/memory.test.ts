import { describe, expect, it } from "vitest";
import type { SmsSender } from "../../src/channels/types.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import { memoryStore } from "../../src/stores/memory.js";

/** One iiko webhook for a distinct order and phone. */
function order(i: number): string {
  const phone = `+7916${String(i).padStart(7, "0")}`;
  return JSON.stringify([
    {
      eventType: "DeliveryOrderUpdate",
      organizationId: "org",
      eventInfo: {
        id: `order-${i}`,
        creationStatus: "Success",
        order: { status: "Closed", phone },
      },
    },
  ]);
}

describe("requester memory under a flood of distinct orders", () => {
  it("200,000 distinct orders through handle() keep the default-sized store bounded", async () => {
    const store = memoryStore({ maxEntries: 20_000 });
    let sent = 0;
    const client: SmsSender = {
      provider: "sms.ru",
      async sendSms(phone) {
        sent++;
        return {
          provider: "sms.ru",
          channel: "sms",
          messageId: String(sent),
          to: phone,
          dryRun: false,
        };
      },
    };
    const requester = createReviewRequester({
      keys: "flood-key-0123456789",
      business: "B",
      reviewUrl: "https://r.example",
      channels: [{ type: "sms", client }],
      quietHours: false,
      store,
      logger: { warn: () => {}, error: () => {} },
    });
    for (let i = 0; i < 200_000; i++) {
      const { outcomes } = await requester.handle("iiko", order(i), {
        key: "flood-key-0123456789",
      });
      if (outcomes[0]?.status !== "sent")
        throw new Error(`order ${i}: ${JSON.stringify(outcomes[0])}`);
    }
    expect(sent).toBe(200_000);
    const stats = store.stats();
    expect(stats.entries).toBeLessThanOrEqual(20_000);
    expect(stats.permanentEntries).toBe(0);
    expect(stats.evictions).toBeGreaterThanOrEqual(2 * 200_000 - 20_000);
  }, 60_000);
});
