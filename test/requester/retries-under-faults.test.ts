import { describe, expect, it } from "vitest";
import { ProviderError } from "../../src/core/errors.js";
import type { SmsSender } from "../../src/providers/types.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type { FailedOutcome, SentOutcome } from "../../src/requester/types.js";
import { memoryStore } from "../../src/stores/memory.js";
import type { Store } from "../../src/stores/types.js";
import { fixtureJson } from "../helpers/fixtures.js";

const KEY = "retries-under-faults-key-0123";

/** A seeded PRNG (mulberry32), so the faults are the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A memory store whose calls fail 30% of the time, before reaching the data ("connection refused"). */
function flakyStore(chance: () => number): Store & { failures: number } {
  const inner = memoryStore();
  const store = {
    name: "flaky",
    failures: 0,
    async claim(k: string, v: string, t: number) {
      store.fault();
      return inner.claim(k, v, t);
    },
    async get(k: string) {
      store.fault();
      return inner.get(k);
    },
    async set(k: string, v: string, t?: number) {
      store.fault();
      return inner.set(k, v, t);
    },
    async delete(k: string) {
      store.fault();
      return inner.delete(k);
    },
    async batch(steps: Parameters<typeof inner.batch>[0]) {
      store.fault();
      return inner.batch(steps);
    },
    fault() {
      if (chance() < 0.3) {
        store.failures++;
        throw new Error("store unavailable (ECONNREFUSED)");
      }
    },
  };
  return store;
}

/** An SMS client turned away 30% of the time before anything is sent (HTTP 503). */
function flakySms(chance: () => number) {
  const delivered: string[] = [];
  let refused = 0;
  const client: SmsSender = {
    provider: "flaky-sms",
    async sendSms(to) {
      if (chance() < 0.3) {
        refused++;
        throw new ProviderError("Service unavailable, nothing sent.", {
          provider: "flaky-sms",
          code: "503",
          category: "retryable",
          httpStatus: 503,
        });
      }
      delivered.push(to);
      return {
        provider: "flaky-sms",
        channel: "sms",
        messageId: `m${delivered.length}`,
        to,
        dryRun: false,
      };
    },
  };
  return { client, delivered, refused: () => refused };
}

/** iiko's order event with its own id and phone. */
function order(i: number): string {
  const events = fixtureJson<Record<string, any>[]>("iiko", "iiko-01-delivery-closed.json");
  const event = events[0] as Record<string, any>;
  event.eventInfo.id = `fault-${i}`;
  event.eventInfo.order.phone = `+7916${String(1_000_000 + i)}`;
  return JSON.stringify(events);
}

describe("accepted orders under store and provider faults", () => {
  it("100 orders with 30% store and 30% provider faults → exactly 100 messages, none twice", {
    timeout: 60_000,
  }, async () => {
    const chance = random(20261130);
    const store = flakyStore(chance);
    const sms = flakySms(chance);
    const sent: SentOutcome[] = [];
    const failed: FailedOutcome[] = [];
    const r = createReviewRequester({
      keys: KEY,
      business: "B",
      reviewUrl: "https://r.example",
      channels: [{ type: "sms", client: sms.client }],
      store,
      hashSecret: "retries-under-faults-secret",
      quietHours: false,
      retryDelaysMs: Array.from({ length: 10 }, () => 5),
      logger: { warn() {}, error() {} },
      onSent: (o) => {
        sent.push(o);
      },
      onFailed: (o) => {
        failed.push(o);
      },
    });
    let answered503 = 0;
    for (let i = 0; i < 100; i++) {
      // The POS: resends until it gets its 200 (a store failure while claiming is a 503).
      for (;;) {
        try {
          const accepted = await r.accept("iiko", order(i), { key: KEY });
          expect(accepted.events[0]?.status).toBe("accepted");
          break;
        } catch {
          answered503++;
        }
      }
    }
    const deadline = Date.now() + 50_000;
    while (sent.length < 100 && Date.now() < deadline)
      await new Promise((ok) => setTimeout(ok, 20));
    await r.close();
    expect(sms.delivered).toHaveLength(100);
    expect(new Set(sms.delivered).size).toBe(100);
    expect(sent).toHaveLength(100);
    // Every failure said it would be retried, and each was followed by its retry.
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((o) => o.willRetry && !o.unknownOutcome && o.attempt >= 1)).toBe(true);
    expect(answered503 + store.failures + sms.refused()).toBeGreaterThan(30);
  });
});

describe("which failures are retried", () => {
  const refusal = (category: "retryable" | "permanent" | "not_on_channel") =>
    new ProviderError(`refused (${category})`, { provider: "p", code: category, category });
  const channel = (provider: string, errors: ProviderError[]) => {
    const delivered: string[] = [];
    const client: SmsSender = {
      provider,
      async sendSms(to) {
        const error = errors.shift();
        if (error) throw error;
        delivered.push(to);
        return { provider, channel: "sms", messageId: "m", to, dryRun: false };
      },
    };
    return { client, delivered };
  };
  const options = (first: SmsSender, second: SmsSender) => ({
    keys: KEY,
    business: "B",
    reviewUrl: "https://r.example",
    channels: [
      { type: "sms" as const, client: first },
      { type: "sms" as const, client: second },
    ],
    quietHours: false as const,
    retryDelaysMs: [5],
    logger: { warn() {}, error() {} },
  });

  it("a chain where one channel failed retryably is retried, even when the last failed for good", async () => {
    const a = channel("a", [refusal("retryable")]);
    const b = channel("b", [refusal("permanent")]);
    const sent: string[] = [];
    const r = createReviewRequester({
      ...options(a.client, b.client),
      onSent: (o) => {
        sent.push(o.provider);
      },
    });
    const outcome = (await r.handle("iiko", order(1), { key: KEY })).outcomes[0];
    expect(outcome).toMatchObject({
      status: "failed",
      willRetry: true,
      error: { code: "retryable" },
    });
    await new Promise((ok) => setTimeout(ok, 100));
    await r.close();
    expect(sent).toEqual(["a"]);
  });

  it("a chain that failed for good everywhere is not retried, and gives the order back", async () => {
    const a = channel("a", [refusal("not_on_channel")]);
    const b = channel("b", [refusal("permanent")]);
    const r = createReviewRequester(options(a.client, b.client));
    const outcome = (await r.handle("iiko", order(2), { key: KEY })).outcomes[0];
    expect(outcome).toMatchObject({ status: "failed", willRetry: false, attempt: 1 });
    expect((await r.handle("iiko", order(2), { key: KEY })).outcomes[0]?.status).toBe("sent");
  });
});

describe("how failures are logged", () => {
  it("a failure that is retried is a warning; the last attempt's failure an error", async () => {
    const lines: string[] = [];
    const client: SmsSender = {
      provider: "p",
      async sendSms() {
        throw new ProviderError("busy, nothing sent", {
          provider: "p",
          code: "503",
          category: "retryable",
        });
      },
    };
    const r = createReviewRequester({
      keys: KEY,
      business: "B",
      reviewUrl: "https://r.example",
      channels: [{ type: "sms", client }],
      quietHours: false,
      retryDelaysMs: [5],
      logger: {
        warn: (m, meta) => lines.push(`warn ${m} ${JSON.stringify(meta)}`),
        error: (m, meta) => lines.push(`error ${m} ${JSON.stringify(meta)}`),
      },
    });
    await r.handle("iiko", order(7), { key: KEY });
    const failures = () => lines.filter((l) => l.includes("review request failed"));
    const deadline = Date.now() + 10_000;
    while (failures().length < 2 && Date.now() < deadline)
      await new Promise((ok) => setTimeout(ok, 10));
    await r.close();
    expect(failures()).toHaveLength(2);
    expect(failures()[0]).toMatch(/^warn review request failed .*"willRetry":true,"attempt":1/);
    expect(failures()[1]).toMatch(/^error review request failed .*"willRetry":false,"attempt":2/);
  });
});
