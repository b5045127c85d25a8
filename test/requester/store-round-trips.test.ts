import { afterEach, describe, expect, it, vi } from "vitest";
import { createReviewRequester } from "../../src/requester/requester.js";
import { memoryStore } from "../../src/stores/memory.js";
import type { Store } from "../../src/stores/types.js";
import { countingStore } from "../helpers/counting-store.js";
import { fixture } from "../helpers/fixtures.js";
import { recordingSmsClient } from "../helpers/sms-clients.js";

const KEY = "round-trips-key-0123456789";
const BODY = () => fixture("iiko", "iiko-01-delivery-closed.json");
const NOON = Date.parse("2026-03-14T12:00:00+03:00");

function requester(store: Store, delayMs = 0) {
  return createReviewRequester({
    keys: KEY,
    business: "B",
    reviewUrl: "https://r.example",
    channels: [{ type: "sms", client: recordingSmsClient().client }],
    store,
    hashSecret: "round-trips-secret-0123",
    delayMs,
    logger: { warn() {}, error() {} },
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe("store round trips per event", () => {
  it("an event sent now: 2 (claim + opt-out + cap in one batch, then the record)", async () => {
    vi.useFakeTimers({ now: NOON });
    const { store, calls } = countingStore();
    const r = requester(store);
    expect((await r.handle("iiko", BODY(), { key: KEY })).outcomes[0]?.status).toBe("sent");
    expect(calls).toEqual(["batch(claim,absent,claim)", "set"]);
  });

  it("a store behind a connection: the claim's batch has a receipt (its result kept 15 minutes); an in-process store's has none", async () => {
    vi.useFakeTimers({ now: NOON });
    const { store, receipts, inner } = countingStore();
    await requester(store).handle("iiko", BODY(), { key: KEY });
    expect(receipts).toEqual([expect.stringMatching(/^otzovik:receipt:[0-9a-f]{64}$/)]);
    expect(inner.size).toBe(3);
    const memory = memoryStore();
    expect(memory.inProcess).toBe(true);
    const r = requester(memory);
    expect((await r.handle("iiko", BODY(), { key: KEY })).outcomes[0]?.status).toBe("sent");
    // The order's claim and the phone's cap: no receipt.
    expect(memory.size).toBe(2);
  });

  it("a duplicate: 1", async () => {
    vi.useFakeTimers({ now: NOON });
    const { store, calls } = countingStore();
    const r = requester(store);
    await r.handle("iiko", BODY(), { key: KEY });
    calls.length = 0;
    expect((await r.handle("iiko", BODY(), { key: KEY })).outcomes[0]).toMatchObject({
      reason: "duplicate",
    });
    expect(calls).toEqual(["batch(claim,absent,claim)"]);
  });

  it("a delayed event: 1 when accepted, 2 when it runs (the opt-out is checked again)", async () => {
    vi.useFakeTimers({ now: NOON });
    const { store, calls } = countingStore();
    const r = requester(store, 60_000);
    expect((await r.handle("iiko", BODY(), { key: KEY })).outcomes[0]?.status).toBe("scheduled");
    expect(calls).toEqual(["batch(claim,absent,claim)"]);
    await vi.advanceTimersByTimeAsync(60_000);
    await r.close();
    expect(calls).toEqual(["batch(claim,absent,claim)", "batch(expect,absent,set)", "set"]);
  });

  it("a store with only the base methods: the same steps, one call each, and the claim's receipt read first and written last", async () => {
    vi.useFakeTimers({ now: NOON });
    const { store, calls } = countingStore({ batch: false });
    const r = requester(store);
    expect((await r.handle("iiko", BODY(), { key: KEY })).outcomes[0]?.status).toBe("sent");
    expect(calls).toEqual(["get", "claim", "get", "claim", "set", "set"]);
  });
});
