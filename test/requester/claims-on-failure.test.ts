import { afterEach, describe, expect, it, vi } from "vitest";
import { createReviewRequester } from "../../src/requester/requester.js";
import { memoryStore } from "../../src/stores/memory.js";
import type { Store } from "../../src/stores/types.js";
import { fixture } from "../helpers/fixtures.js";
import { recordingSmsClient } from "../helpers/sms-clients.js";

const KEY = "review-fixes-key-0123456789";
const BODY = () => fixture("iiko", "iiko-01-delivery-closed.json");
const NOON = Date.parse("2026-03-14T12:00:00+03:00");

afterEach(() => {
  vi.useRealTimers();
});

/** A memory store whose chosen operations can be made to fail. */
function faultyStore(fail: {
  set?: (key: string, value: string) => boolean;
  get?: (key: string) => boolean;
}) {
  const inner = memoryStore();
  const store: Store & { inner: typeof inner } = {
    name: "faulty",
    inner,
    claim: (key, value, ttl) => inner.claim(key, value, ttl),
    get: async (key) => {
      if (fail.get?.(key)) throw new Error("store read failed");
      return inner.get(key);
    },
    set: async (key, value, ttl) => {
      if (fail.set?.(key, value)) throw new Error("store write failed");
      return inner.set(key, value, ttl);
    },
    delete: (key) => inner.delete(key),
  };
  return store;
}

const base = {
  keys: KEY,
  business: "B",
  reviewUrl: "https://r.example",
  quietHours: false as const,
  now: () => NOON,
  logger: { error: () => {}, warn: () => {} },
  hashSecret: "test-hash-secret-0123456789",
};

describe("requester: claims and records on failure paths", () => {
  it("a store write failing after the provider accepted the message keeps the claims: no second message", async () => {
    const { client, sent } = recordingSmsClient();
    const store = faultyStore({ set: (_key, value) => value.includes('"state":"sent"') });
    const r = createReviewRequester({ ...base, store, channels: [{ type: "sms", client }] });
    const first = (await r.handle("iiko", BODY(), { key: KEY })).outcomes[0];
    expect(first).toMatchObject({ status: "sent", messageId: "m1" });
    // The POS sends the order again (iiko's Closed after Delivered, a retry): still one message.
    const again = (await r.handle("iiko", BODY(), { key: KEY })).outcomes[0];
    expect(again).toMatchObject({ status: "skipped", reason: "duplicate" });
    expect(sent).toEqual(["+79161234567"]);
  });

  it("request(): a store failure after the order was claimed gives the claim back", async () => {
    const { client, sent } = recordingSmsClient();
    let failReads = 1;
    // The read of the opt-out, after the order's claim (the claim's receipt is read first).
    const store = faultyStore({ get: (key) => key.includes(":optout:") && failReads-- > 0 });
    const r = createReviewRequester({ ...base, store, channels: [{ type: "sms", client }] });
    const first = (await r.request({ phone: "+79161234567", orderId: "A-1" })).outcomes[0];
    expect(first).toMatchObject({ status: "failed", error: { retryable: true } });
    expect(sent).toEqual([]);
    // The caller retries: the order is not a "duplicate" of the request that failed.
    const retried = (await r.request({ phone: "+79161234567", orderId: "A-1" })).outcomes[0];
    expect(retried).toMatchObject({ status: "sent" });
    expect(sent).toEqual(["+79161234567"]);
  });
});
