import { createHmac } from "node:crypto";
import { Redis } from "ioredis";
import { setupServer } from "msw/node";
import { createClient } from "redis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSmsRuClient } from "../../src/providers/sms-ru.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import { type RedisClientLike, redisStore } from "../../src/stores/redis.js";
import { createFakeSmsRu } from "../../src/testing/sms-ru.js";
import { fixtureJson } from "../helpers/fixtures.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";

/**
 * What the requester leaves in Redis after real webhooks: exactly the documented keys, no phone
 * in any key, TTLs on claims and caps, none on opt-outs.
 */
const KEY = "layout-webhook-key-0123456789";
const HASH_SECRET = "layout-hash-secret-0123456789";
const PHONE = "+79161234567";
const ORDER = "9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805";
const DAY = 24 * 3600_000;
/** Noon in Moscow: outside quiet hours. */
const NOON = Date.parse("2026-03-14T12:00:00+03:00");

const smsFake = createFakeSmsRu({ apiKey: "sms-key" });
const http = setupServer(...smsFake.handlers);
let server: RedisServer;
let admin: Redis;
let io: Redis;
let node: ReturnType<typeof createClient>;

beforeAll(async () => {
  http.listen({ onUnhandledRequest: "error" });
  server = await startRedisServer();
  admin = new Redis(server.url);
  io = new Redis(server.url, { db: 1 });
  node = createClient({ url: server.url, database: 2 });
  node.on("error", () => {});
  await node.connect();
});

afterEach(() => smsFake.reset());

afterAll(async () => {
  http.close();
  admin.disconnect();
  io.disconnect();
  await node.close();
  await server.stop();
});

/** The iiko fixture of a closed delivery order, as order `id`. */
function iikoBody(id: string): string {
  const events = fixtureJson<{ eventInfo: { id: string } }[]>(
    "iiko",
    "iiko-01-delivery-closed.json",
  );
  for (const event of events) event.eventInfo.id = id;
  return JSON.stringify(events);
}

/** The keyed hash the ledger puts in keys instead of a phone. */
const hashOf = (text: string) =>
  createHmac("sha256", HASH_SECRET).update(text).digest("hex").slice(0, 32);

/** Every key of database `db`, by SCAN. */
async function scanAll(db: number): Promise<string[]> {
  await admin.select(db);
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await admin.scan(cursor, "COUNT", 100);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== "0");
  return keys.sort();
}

describe.each([
  ["ioredis", () => io as RedisClientLike, 1],
  ["node-redis", () => node as RedisClientLike, 2],
])("the requester's keys in Redis (%s)", (_type, client, db) => {
  it("an order sent, an opt-out and an order skipped for it: exactly the documented keys", async () => {
    const requester = createReviewRequester({
      keys: KEY,
      business: "Кофейня «Зерно»",
      reviewUrl: "https://yandex.ru/maps/org/zerno/1/reviews",
      channels: [
        {
          type: "sms",
          client: createSmsRuClient({ apiKey: "sms-key", sender: "Zerno", retry: false }),
        },
      ],
      store: redisStore({ client: client() }),
      hashSecret: HASH_SECRET,
      now: () => NOON,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const sent = await requester.handle("iiko", iikoBody(ORDER), { key: KEY });
    expect(sent.outcomes.map((o) => o.status)).toEqual(["sent"]);
    await requester.optOut(PHONE);
    const skipped = await requester.handle("iiko", iikoBody("second-order"), { key: KEY });
    expect(skipped.outcomes[0]).toMatchObject({ status: "skipped", reason: "opted_out" });
    await requester.close();

    const phone = hashOf(PHONE);
    const dedupe = `otzovik:dedupe:default:iiko:${ORDER}`;
    const second = "otzovik:dedupe:default:iiko:second-order";
    const cap = `otzovik:cap:default:${phone}`;
    const optout = `otzovik:optout:default:${phone}`;
    const keys = await scanAll(db);
    // Each claim's receipt (a random id) holds what the claim answered, for 15 minutes.
    const receipts = keys.filter((key) => key.startsWith("otzovik:receipt:"));
    expect(receipts).toHaveLength(2);
    for (const key of receipts) expect(key).toMatch(/^otzovik:receipt:[0-9a-f]{64}$/);
    expect((await Promise.all(receipts.map((key) => admin.get(key)))).sort()).toEqual([
      "[-1,[null,null,null]]",
      '[1,[null,"{\\"code\\":\\"manual\\",\\"at\\":1773478800000}"]]',
    ]);
    for (const key of receipts) {
      const pttl = await admin.pttl(key);
      expect(pttl).toBeGreaterThan(15 * 60_000 - 60_000);
      expect(pttl).toBeLessThanOrEqual(15 * 60_000);
    }
    expect(keys.filter((key) => !receipts.includes(key))).toEqual(
      [cap, dedupe, second, optout].sort(),
    );
    for (const key of keys) {
      expect(key).not.toContain("9161234567");
      expect(key).not.toContain(encodeURIComponent(PHONE));
    }

    expect(await admin.get(dedupe)).toBe('{"state":"sent","channel":"sms"}');
    expect(await admin.get(second)).toBe('{"state":"skipped","reason":"opted_out"}');
    expect(await admin.get(cap)).toBe('{"state":"capped"}');
    expect(JSON.parse((await admin.get(optout)) ?? "")).toEqual({ code: "manual", at: NOON });

    // Claims and caps expire (90 and 30 days by default); the opt-out never does.
    for (const [key, ttl] of [
      [dedupe, 90 * DAY],
      [second, 90 * DAY],
      [cap, 30 * DAY],
    ] as const) {
      const pttl = await admin.pttl(key);
      expect(pttl).toBeGreaterThan(ttl - 60_000);
      expect(pttl).toBeLessThanOrEqual(ttl);
    }
    expect(await admin.pttl(optout)).toBe(-1);
  });
});
