/**
 * Issue #9 item 11: the default memory store must not forget orders. 200,000 distinct orders go
 * through requester.handle() with the default store, then the first one comes back (a late iiko
 * `Closed`, a POS retry): it must be a duplicate, not a second message. A store too small for the
 * traffic stays bounded, warns once, and then does forget. The store's own memory for 1,000,000
 * orders (2,000,000 entries) is measured on the store directly; `ORDERS=1000000 npm run
 * bench:memory` measures the whole process through handle().
 */
import { describe, expect, it, vi } from "vitest";
import type { SmsSender } from "../../src/providers/types.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import { DEFAULT_MAX_ENTRIES, memoryStore } from "../../src/stores/memory.js";

const KEY = "flood-key-0123456789";
const MiB = 1024 * 1024;
const mb = (bytes: number) => `${(bytes / MiB).toFixed(0)} MB`;

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

/** A requester over `store` whose SMS client counts what it sends. */
function requesterOver(store: ReturnType<typeof memoryStore>) {
  const sent: string[] = [];
  const client: SmsSender = {
    provider: "sms.ru",
    async sendSms(phone) {
      sent.push(phone);
      return {
        provider: "sms.ru",
        channel: "sms",
        messageId: String(sent.length),
        to: phone,
        dryRun: false,
      };
    },
  };
  const requester = createReviewRequester({
    keys: KEY,
    business: "B",
    reviewUrl: "https://r.example",
    channels: [{ type: "sms", client }],
    quietHours: false,
    store,
    logger: { warn: () => {}, error: () => {} },
  });
  return { requester, sent };
}

async function sendOrders(
  requester: ReturnType<typeof createReviewRequester>,
  count: number,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const { outcomes } = await requester.handle("iiko", order(i), { key: KEY });
    if (outcomes[0]?.status !== "sent")
      throw new Error(`order ${i}: ${JSON.stringify(outcomes[0])}`);
  }
}

describe("requester memory under a flood of distinct orders", () => {
  it("200,000 distinct orders through handle(): the default store remembers every one, and the first, replayed, is a duplicate", {
    timeout: 600_000,
  }, async () => {
    // The default store, made here only to read its stats: memoryStore() is what the requester uses.
    const warn = vi.fn();
    const store = memoryStore({ logger: { warn } });
    const { requester, sent } = requesterOver(store);
    const rssBefore = process.memoryUsage().rss;
    await sendOrders(requester, 200_000);
    expect(sent).toHaveLength(200_000);
    // Two keys per order (dedupe claim, frequency cap), all kept.
    expect(store.stats()).toMatchObject({
      entries: 400_000,
      permanentEntries: 0,
      evictions: 0,
      maxEntries: DEFAULT_MAX_ENTRIES,
    });
    expect(warn).not.toHaveBeenCalled();

    const replay = await requester.handle("iiko", order(0), { key: KEY });
    expect(replay.outcomes).toMatchObject([
      { status: "skipped", reason: "duplicate", orderId: "order-0" },
    ]);
    expect(sent).toHaveLength(200_000);
    const { rss, heapUsed, arrayBuffers } = process.memoryUsage();
    console.log(
      `RSS before ${mb(rssBefore)}, after 200,000 orders ${mb(rss)}; heap used ${mb(heapUsed)}, array buffers ${mb(arrayBuffers)}; store ${store.stats().entries} entries`,
    );
    await requester.close();
  });

  it("a store too small for the traffic stays bounded, warns once, and then forgets", {
    timeout: 300_000,
  }, async () => {
    const warn = vi.fn();
    const store = memoryStore({ maxEntries: 100_000, logger: { warn } });
    const { requester, sent } = requesterOver(store);
    await sendOrders(requester, 60_000);
    // 120,000 keys into a 100,000-entry LRU.
    expect(store.stats()).toMatchObject({ entries: 100_000, evictions: 20_000 });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toMatch(/^memory store full: evicted an entry before its TTL/);
    // The first order's claim was evicted: its replay is sent again. This is what the warning says.
    const replay = await requester.handle("iiko", order(0), { key: KEY });
    expect(replay.outcomes).toMatchObject([{ status: "sent", orderId: "order-0" }]);
    expect(sent).toHaveLength(60_001);
    await requester.close();
  });

  it("1,000,000 orders' entries (2,000,000 claims) take about 100 MB, none evicted", {
    timeout: 600_000,
  }, async () => {
    const store = memoryStore();
    const before = process.memoryUsage().arrayBuffers;
    const ttlMs = 90 * 24 * 3600_000;
    for (let i = 0; i < 1_000_000; i++) {
      const result = await store.batch([
        { op: "claim", key: `otzovik:dedupe:default:iiko:order-${i}`, value: "c", ttlMs },
        {
          op: "claim",
          key: `otzovik:cap:default:${i.toString(16).padStart(32, "0")}`,
          value: "p",
          ttlMs,
        },
      ]);
      if (result.failedAt !== -1) throw new Error(`order ${i} was not new`);
    }
    const after = process.memoryUsage().arrayBuffers;
    expect(store.stats()).toMatchObject({ entries: DEFAULT_MAX_ENTRIES, evictions: 0 });
    await expect(store.claim("otzovik:dedupe:default:iiko:order-0", "x", ttlMs)).resolves.toBe(
      false,
    );
    // 2,097,152 slots of 50 bytes: 100 MiB, in typed arrays (nothing on the JS heap per entry).
    // (Earlier tests' arrays may be collected meanwhile, so this is an upper bound.)
    expect(after - before).toBeLessThan(105 * MiB);
    console.log(
      `2,000,000 entries: array buffers ${mb(before)} before, ${mb(after)} after; RSS ${mb(process.memoryUsage().rss)}`,
    );
    await store.close();
  });
});
