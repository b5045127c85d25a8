/**
 * Issue 11 on the Redis store: a WhatsApp accepted by Meta, then a signed status webhook reporting
 * 131047, delivered three times and to two requesters with their own Redis clients (two
 * processes' worth of state: nothing shared but Redis) → exactly one SMS fallback. The message
 * record in Redis shows no phone.
 */
import { Redis } from "ioredis";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMetaWhatsappClient } from "../../src/providers/meta-whatsapp.js";
import { createSmsRuClient } from "../../src/providers/sms-ru.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type { ReviewRequester, SentOutcome } from "../../src/requester/types.js";
import type { StatusRequest } from "../../src/status/types.js";
import { redisStore } from "../../src/stores/redis.js";
import { createFakeMetaWhatsapp } from "../../src/testing/meta-whatsapp.js";
import { createFakeSmsRu } from "../../src/testing/sms-ru.js";
import { metaStatusPayload, signMetaStatus } from "../../src/testing/status/meta.js";
import { fixture } from "../helpers/fixtures.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";

const KEY = "status-redis-key-0123456789";
const APP_SECRET = "meta-app-secret-0123456789";
const PHONE = "+79161234567";
const NOON = Date.parse("2026-03-14T12:00:00+03:00");

const smsFake = createFakeSmsRu({ apiKey: "sms-key" });
const metaFake = createFakeMetaWhatsapp({ accessToken: "meta-token" });
const http = setupServer(...smsFake.handlers, ...metaFake.handlers);
let server: RedisServer;
const clients: Redis[] = [];
const requesters: ReviewRequester[] = [];

beforeAll(async () => {
  http.listen({ onUnhandledRequest: "error" });
  server = await startRedisServer();
});
afterEach(async () => {
  await Promise.all(requesters.splice(0).map((r) => r.close({ timeoutMs: 2_000 })));
  for (const client of clients.splice(0)) client.disconnect();
  smsFake.reset();
  metaFake.reset();
});
afterAll(async () => {
  http.close();
  await server.stop();
});

/** A requester with a Redis client of its own, as a separate process would have. */
function instance(): ReviewRequester {
  const client = new Redis(server.url);
  clients.push(client);
  const requester = createReviewRequester({
    keys: KEY,
    business: "Кофейня «Зерно»",
    reviewUrl: "https://yandex.ru/maps/org/zerno/1/reviews",
    channels: [
      {
        type: "whatsapp",
        client: createMetaWhatsappClient({
          accessToken: "meta-token",
          phoneNumberId: "1234567890",
          appSecret: APP_SECRET,
          retry: false,
        }),
      },
      { type: "sms", client: createSmsRuClient({ apiKey: "sms-key", retry: false }) },
    ],
    store: redisStore({ client }),
    hashSecret: "status-redis-hash-secret-0123",
    quietHours: false,
    now: () => NOON,
    logger: { warn: () => {}, error: () => {} },
  });
  requesters.push(requester);
  return requester;
}

function signed(body: string, signature: string): StatusRequest {
  return {
    method: "POST",
    headers: (name) => (name.toLowerCase() === "x-hub-signature-256" ? signature : null),
    query: new URLSearchParams(),
    body: new TextEncoder().encode(body),
  };
}

describe("status webhooks on the Redis store", () => {
  it("131047 delivered three times to each of two instances at once → exactly one SMS", async () => {
    const [a, b] = [instance(), instance()];
    const handled = await a.handle("iiko", fixture("iiko", "iiko-01-delivery-closed.json"), {
      key: KEY,
    });
    const sent = handled.outcomes[0] as SentOutcome;
    expect(sent).toMatchObject({ status: "sent", channel: "whatsapp" });

    const admin = new Redis(server.url);
    clients.push(admin);
    const record = await admin.get(`otzovik:msg:meta:${encodeURIComponent(sent.messageId)}`);
    expect(JSON.parse(record ?? "{}")).toMatchObject({ state: "sent", channel: "whatsapp" });
    expect(record).not.toContain("9161234567");
    const ttl = await admin.pttl(`otzovik:msg:meta:${encodeURIComponent(sent.messageId)}`);
    expect(ttl).toBeGreaterThan(7 * 24 * 3_600_000 - 60_000);

    const body = JSON.stringify(
      metaStatusPayload({
        messageId: sent.messageId,
        status: "failed",
        errorCode: 131047,
        recipient: PHONE,
      }),
    );
    const signature = await signMetaStatus(body, APP_SECRET);
    const results = await Promise.all(
      [a, b, a, b, a, b].map((r) => r.handleStatus("meta", signed(body, signature))),
    );
    expect(results.map((r) => r.answer.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const outcomes = (await Promise.all(results.map((r) => r.done))).flat();
    expect(outcomes.map((o) => o.status).sort()).toEqual(["sent", "undelivered"]);
    expect(smsFake.requests.filter((r) => r.path.endsWith("/sms/send"))).toHaveLength(1);
    // The order is still one order: a copy of the POS's webhook, to either instance, is a duplicate.
    const again = await b.handle("iiko", fixture("iiko", "iiko-01-delivery-closed.json"), {
      key: KEY,
    });
    expect(again.outcomes).toMatchObject([{ status: "skipped", reason: "duplicate" }]);
  });
});
