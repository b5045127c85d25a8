/**
 * A claim the store makes without answering (Redis writes it and the connection drops, or the time
 * runs out after the command left): the webhook is answered 503, its retry finds the claim — and
 * the order must still be sent, once. The requester asks the store again with the claim's receipt,
 * learns what the first try did, and sends the order when it had been claimed.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { OtzovikError } from "../../src/core/errors.js";
import type { LogMeta } from "../../src/core/logger.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type { ReviewRequester } from "../../src/requester/types.js";
import { memoryStore } from "../../src/stores/memory.js";
import type { BatchReceipt, Store, StoreStep } from "../../src/stores/types.js";
import { fixture } from "../helpers/fixtures.js";
import { recordingSmsClient } from "../helpers/sms-clients.js";

const KEY = "unanswered-claims-key-0123456789";
const BODY = () => fixture("iiko", "iiko-01-delivery-closed.json");
const NOON = Date.parse("2026-03-14T12:00:00+03:00");

/** What the store does with the next batch that claims an order. */
type Fault =
  /** Runs it, then throws as if the connection dropped before the answer. */
  | "lose-answer"
  /** Throws without running it (the command never reached the store). */
  | "lose-command"
  /** Throws as a closed store does (nothing ran, nothing will). */
  | "closed";

function lost(): OtzovikError {
  return new OtzovikError("The connection to Redis failed or was lost (ECONNRESET).", {
    code: "store_unavailable",
    provider: "redis",
    category: "retryable",
  });
}

/** A memory store whose batches claiming an order fail as `faults` says, one fault per batch. */
function faultyStore(faults: Fault[]) {
  const inner = memoryStore();
  let claims = 0;
  const store: Store = {
    name: "faulty",
    claim: (key, value, ttl) => inner.claim(key, value, ttl),
    get: (key) => inner.get(key),
    set: (key, value, ttl) => inner.set(key, value, ttl),
    delete: (key) => inner.delete(key),
    async batch(steps: readonly StoreStep[], receipt?: BatchReceipt) {
      const claimsOrder = steps.some((s) => s.op === "claim" && s.key.includes(":dedupe:"));
      const fault = claimsOrder ? faults.shift() : undefined;
      if (claimsOrder) claims++;
      if (fault === "lose-command") throw lost();
      if (fault === "closed")
        throw new OtzovikError("The Redis store is closed.", { code: "store_closed" });
      const result = await inner.batch(steps, receipt);
      if (fault === "lose-answer") throw lost();
      return result;
    },
  };
  return { store, inner, claims: () => claims };
}

function logs() {
  const lines: { level: string; message: string; meta?: LogMeta }[] = [];
  const at =
    (level: string) =>
    (message: string, meta?: LogMeta): void => {
      lines.push({ level, message, meta });
    };
  return {
    lines,
    logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") },
  };
}

const requesters: ReviewRequester[] = [];
afterEach(async () => {
  await Promise.all(requesters.splice(0).map((r) => r.close({ timeoutMs: 1_000 })));
});

function setup(faults: Fault[]) {
  const { client, sent } = recordingSmsClient();
  const { store, claims } = faultyStore(faults);
  const { lines, logger } = logs();
  const requester = createReviewRequester({
    keys: KEY,
    business: "B",
    reviewUrl: "https://r.example",
    quietHours: false,
    now: () => NOON,
    logger,
    hashSecret: "test-hash-secret-0123456789",
    store,
    channels: [{ type: "sms", client }],
  });
  requesters.push(requester);
  return { requester, sent, lines, claims };
}

// Each test waits for a background ask (0.25 s and more): a loaded machine stretches that.
describe("requester: a claim the store made without answering", { timeout: 30_000 }, () => {
  it("webhook: answered as a failure (503), its retry told duplicate, the order sent once in the background", async () => {
    const { requester, sent, lines } = setup(["lose-answer"]);
    await expect(requester.handle("iiko", BODY(), { key: KEY })).rejects.toMatchObject({
      code: "store_unavailable",
      retryable: true,
    });
    // The POS retries at once: the claim is there.
    const retry = await requester.handle("iiko", BODY(), { key: KEY });
    expect(retry.outcomes).toMatchObject([{ status: "skipped", reason: "duplicate" }]);
    await vi.waitFor(() => expect(sent).toEqual(["+79161234567"]), { timeout: 10_000 });
    // A third copy, later: still a duplicate, still one message.
    const third = await requester.handle("iiko", BODY(), { key: KEY });
    expect(third.outcomes).toMatchObject([{ status: "skipped", reason: "duplicate" }]);
    await requester.close();
    expect(sent).toEqual(["+79161234567"]);
    expect(lines.filter((l) => l.level !== "debug").map((l) => [l.level, l.message])).toEqual(
      expect.arrayContaining([
        ["warn", "the store did not answer an order's claim; asking it again until it does"],
        ["info", "an order's claim had been made although the store did not answer: sending it"],
      ]),
    );
  });

  it("webhook: a claim that never reached the store is made by the retry, and sent once", async () => {
    const { requester, sent, lines, claims } = setup(["lose-command"]);
    await expect(requester.handle("iiko", BODY(), { key: KEY })).rejects.toMatchObject({
      code: "store_unavailable",
    });
    const retry = await requester.handle("iiko", BODY(), { key: KEY });
    expect(retry.outcomes).toMatchObject([{ status: "sent" }]);
    // The first request asks again and finds the order taken by its retry.
    await vi.waitFor(() => expect(claims()).toBe(3), { timeout: 10_000 });
    await requester.close();
    expect(sent).toEqual(["+79161234567"]);
    expect(lines.filter((l) => l.level === "debug").map((l) => l.meta?.reason)).toContain(
      "duplicate",
    );
  });

  // Asks again after 0.25, 0.5, 1 and 2 s: about 4 s.
  it("keeps asking while the store stays silent, then sends once", {
    timeout: 30_000,
  }, async () => {
    const { requester, sent, claims } = setup([
      "lose-answer",
      "lose-command",
      "lose-command",
      "lose-command",
    ]);
    await expect(requester.handle("iiko", BODY(), { key: KEY })).rejects.toMatchObject({
      code: "store_unavailable",
    });
    await vi.waitFor(() => expect(sent).toEqual(["+79161234567"]), { timeout: 25_000 });
    expect(claims()).toBe(5);
    const retry = await requester.handle("iiko", BODY(), { key: KEY });
    expect(retry.outcomes).toMatchObject([{ status: "skipped", reason: "duplicate" }]);
    expect(sent).toEqual(["+79161234567"]);
  });

  it("request(): the caller gets a retryable failure, its retry a duplicate, and the order is sent once", async () => {
    const { requester, sent } = setup(["lose-answer"]);
    const first = await requester.request({ phone: "+79161234567", orderId: "A-1" });
    expect(first.outcomes).toMatchObject([
      { status: "failed", error: { code: "store_unavailable", retryable: true } },
    ]);
    const retry = await requester.request({ phone: "+79161234567", orderId: "A-1" });
    expect(retry.outcomes).toMatchObject([{ status: "skipped", reason: "duplicate" }]);
    await vi.waitFor(() => expect(sent).toEqual(["+79161234567"]), { timeout: 10_000 });
  });

  it("gives up, with an error line naming the order, when the store can no longer answer (closed)", async () => {
    const { requester, sent, lines } = setup(["lose-answer", "closed"]);
    await expect(requester.handle("iiko", BODY(), { key: KEY })).rejects.toMatchObject({
      code: "store_unavailable",
    });
    await vi.waitFor(
      () =>
        expect(lines.filter((l) => l.level === "error")).toEqual([
          {
            level: "error",
            message:
              "could not learn whether an order was claimed (the store did not answer in time): if it was, it is not sent; check the order by hand",
            meta: { tenant: "default", source: "iiko", orderId: expect.any(String) },
          },
        ]),
      { timeout: 10_000 },
    );
    expect(sent).toEqual([]);
  });
});
