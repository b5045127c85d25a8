import { describe, expect, it } from "vitest";
import type { SmsSender } from "../../src/providers/types.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import { DEFAULT_MAX_ENTRIES, memoryStore } from "../../src/stores/memory.js";

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
  it("200,000 distinct orders through handle() keep the default store bounded", async () => {
    // The default store, made here only to read its stats: memoryStore() is what the requester uses.
    const store = memoryStore();
    const rssBefore = process.memoryUsage().rss;
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
    // Two keys per order (dedupe claim, frequency cap): 400,000 keys into a 100,000-entry LRU.
    expect(stats.entries).toBe(DEFAULT_MAX_ENTRIES);
    expect(stats.permanentEntries).toBe(0);
    expect(stats.evictions).toBe(2 * 200_000 - DEFAULT_MAX_ENTRIES);
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
    console.log(
      `RSS before ${mb(rssBefore)}, after 200,000 orders ${mb(process.memoryUsage().rss)}; heap used ${mb(process.memoryUsage().heapUsed)}; store ${stats.entries} entries, ${stats.evictions} evictions`,
    );
  }, 60_000);
});
