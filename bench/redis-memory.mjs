// What otzovik costs in Redis memory, measured on a redis-server of its own (loopback, no
// persistence: `--save '' --appendonly no`; `used_memory` read once its hash tables are done
// growing), for docs/production.md ("Sizing Redis"):
//
// 1. 10,000 orders sent at once through the requester with redisStore (iiko UUID order ids, a new
//    phone each): `used_memory` (INFO memory) before and after, and `MEMORY USAGE` of the keys of
//    each kind (dedupe, cap, opt-out), with their lengths and TTLs;
// 2. the same keys at scale, written directly (same lengths, same values, same TTLs): a million
//    orders within their TTLs, and the steady state of 10,000 orders a day (90 days of claims,
//    30 days of caps);
// 3. 10,000 delayed orders through the requester with bullmqScheduler (`worker: false`, two hours'
//    delay): what a pending BullMQ job adds to its order's keys.
//
// Needs `redis-server` on the PATH (or REDIS_SERVER_BIN). Run: npm run bench:redis-memory
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import { createReviewRequester } from "../dist/index.js";
import { bullmqScheduler } from "../dist/schedulers/bullmq.js";
import { redisStore } from "../dist/stores/redis.js";
import { startRedisServer } from "../scripts/redis-server.mjs";

const ORDERS = Number(process.env.ORDERS ?? 10_000);
const SCALE = Number(process.env.SCALE ?? 1_000_000);
const KEY = "bench-key-0123456789";
const HASH_SECRET = "bench-hash-secret-0123456789";
const DAY = 24 * 3600_000;
const MiB = 2 ** 20;

// --- helpers ------------------------------------------------------------------------------------

/** Runs `task(i)` for i in [0, n), `concurrency` at a time. */
async function pool(n, concurrency, task) {
  let next = 0;
  const worker = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

const template = JSON.parse(
  readFileSync(
    new URL("../test/fixtures/iiko/iiko-01-delivery-closed.json", import.meta.url),
    "utf8",
  ),
);

/** An iiko "delivered" webhook with a UUID order id and phone number `phone`. */
function body(phone) {
  const events = structuredClone(template);
  events[0].eventInfo.id = randomUUID();
  events[0].eventInfo.order.phone = `+7916${String(phone).padStart(7, "0")}`;
  return JSON.stringify(events);
}

const sms = {
  provider: "bench-sms",
  async sendSms(to) {
    return { provider: "bench-sms", channel: "sms", messageId: "m", to, dryRun: false };
  },
};

function requester(store, extra = {}) {
  return createReviewRequester({
    keys: KEY,
    business: "Кофейня «Зерно»",
    reviewUrl: "https://yandex.ru/maps/org/zerno/1234567890/reviews",
    channels: [{ type: "sms", client: sms }],
    quietHours: false,
    store,
    hashSecret: HASH_SECRET,
    logger: { warn() {}, error() {} },
    ...extra,
  });
}

const server = await startRedisServer({
  // DEBUG HTSTATS, to see when a hash table has finished growing (see settle()).
  args: ["--enable-debug-command", "local"],
});
const admin = new Redis(server.url);
const client = new Redis(server.url);
const usedMemory = async () => Number((await admin.info("memory")).match(/used_memory:(\d+)/)[1]);
/**
 * Waits until Redis has finished growing its hash tables: while it rehashes (a little every 100
 * ms once the writes stop), the old and the new bucket arrays of the key table or of the expiry
 * table both exist, and used_memory is higher than it stays.
 */
async function settle() {
  for (let i = 0; i < 300; i++) {
    const stats = await admin.call("DEBUG", "HTSTATS", "0");
    if (!String(stats).includes("Hash table 1")) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("Redis was still rehashing after 30 s");
}

/** Up to `count` keys matching `pattern`. */
async function keys(pattern, count = 100) {
  const found = [];
  let cursor = "0";
  do {
    const [next, batch] = await admin.scan(cursor, "MATCH", pattern, "COUNT", 10_000);
    cursor = next;
    found.push(...batch);
  } while (cursor !== "0" && found.length < count);
  return found.slice(0, count);
}

/** The keys of one kind: lengths, value, MEMORY USAGE (mean of up to 100 keys), TTL. */
async function kind(pattern) {
  const sample = await keys(pattern);
  const usages = await Promise.all(sample.map((k) => admin.memory("USAGE", k)));
  const value = await admin.get(sample[0]);
  const ttl = await admin.pttl(sample[0]);
  return {
    example: sample[0].replace(/[0-9a-f]{32}/, "{hash}").replace(/[0-9a-f-]{36}/, "{uuid}"),
    keys: (await keys(pattern, Number.POSITIVE_INFINITY)).length,
    "key bytes": Buffer.byteLength(sample[0]),
    "value bytes": Buffer.byteLength(value),
    "MEMORY USAGE": Math.round(usages.reduce((a, b) => a + b, 0) / usages.length),
    TTL: ttl === -1 ? "none" : `${Math.round(ttl / DAY)} days`,
    sampleKey: sample[0],
    sampleValue: value,
    ttlMs: ttl,
  };
}

const version = (await admin.info("server")).match(/redis_version:(\S+)/)[1];
console.log(
  `redis-server ${version}, loopback, --save '' --appendonly no; node ${process.version}`,
);

// --- 1. orders sent at once through the requester ----------------------------------------------

await admin.flushall();
await settle();
const empty = await usedMemory();
{
  const r = requester(redisStore({ client }));
  await pool(ORDERS, 32, async (i) => {
    const { outcomes } = await r.handle("iiko", body(i), { key: KEY });
    if (outcomes[0]?.status !== "sent") throw new Error(`order ${i}: ${outcomes[0]?.status}`);
  });
  await r.close();
}
await settle();
const afterOrders = await usedMemory();
const dedupe = await kind("otzovik:dedupe:*");
const cap = await kind("otzovik:cap:*");
{
  const r = requester(redisStore({ client }));
  await pool(ORDERS, 32, (i) => r.optOut(`+7926${String(i).padStart(7, "0")}`));
  await r.close();
}
await settle();
const afterOptOuts = await usedMemory();
const optout = await kind("otzovik:optout:*");
const show = ({ sampleKey, sampleValue, ttlMs, ...rest }) => rest;
console.table({ dedupe: show(dedupe), cap: show(cap), optout: show(optout) });
const perOrder = (afterOrders - empty) / ORDERS;
const perOptOut = (afterOptOuts - afterOrders) / ORDERS;
console.log(
  `${ORDERS} orders sent through the requester: used_memory +${afterOrders - empty} B, ${perOrder.toFixed(0)} B per order ` +
    `(MEMORY USAGE of its two keys: ${dedupe["MEMORY USAGE"] + cap["MEMORY USAGE"]} B); ` +
    `${ORDERS} opt-outs: ${perOptOut.toFixed(0)} B each.`,
);

// --- 2. the same keys at scale ------------------------------------------------------------------

/** Writes `n` keys shaped like `like` (same length, same value, same TTL), pipelined. */
async function fill(like, n, tag) {
  const prefix = like.sampleKey.slice(0, like.sampleKey.length - 32);
  for (let i = 0; i < n; i += 10_000) {
    const pipeline = admin.pipeline();
    for (let j = i; j < Math.min(n, i + 10_000); j++) {
      // 32 hex characters, unique per key (the tag keeps the two fills apart).
      const id = `${tag}${j.toString(16).padStart(31, "0")}`;
      pipeline.set(`${prefix}${id}`, like.sampleValue, "PX", like.ttlMs);
    }
    await pipeline.exec();
  }
}
/** A dedupe key whose last 32 characters can be replaced: the UUID without its dashes, as long. */
const dedupeLike = {
  ...dedupe,
  sampleKey: dedupe.sampleKey.replace(/[0-9a-f-]{36}$/, "0000-".padEnd(36, "0")),
};

async function scaled(dedupeKeys, capKeys) {
  await admin.flushall();
  await settle();
  const start = await usedMemory();
  await fill(dedupeLike, dedupeKeys, "d");
  await fill(cap, capKeys, "c");
  await settle();
  return (await usedMemory()) - start;
}
const million = await scaled(SCALE, SCALE);
console.log(
  `${SCALE} orders within their TTLs (${SCALE} dedupe + ${SCALE} cap keys): used_memory +${(million / MiB).toFixed(0)} MiB, ${(million / SCALE).toFixed(0)} B per order.`,
);
const steady = await scaled(90 * 10_000, 30 * 10_000);
console.log(
  `10,000 orders a day, steady state (900,000 dedupe + 300,000 cap keys): used_memory +${(steady / MiB).toFixed(0)} MiB.`,
);

// --- 3. delayed orders through BullMQ -----------------------------------------------------------

await admin.flushall();
await settle();
{
  // The queue's own keys (meta, events) exist before the first job: one job first, then measure.
  const scheduler = bullmqScheduler({ connection: { url: server.url }, worker: false });
  const r = requester(redisStore({ client }), { scheduler, delayMs: 2 * 3600_000 });
  await r.handle("iiko", body(9_999_999), { key: KEY });
  await settle();
  const before = await usedMemory();
  await pool(ORDERS, 32, async (i) => {
    const { outcomes } = await r.handle("iiko", body(i), { key: KEY });
    if (outcomes[0]?.status !== "scheduled") throw new Error(`order ${i}: ${outcomes[0]?.status}`);
  });
  await settle();
  const after = await usedMemory();
  const jobs = await keys("bull:otzovik:[0-9a-f]*");
  const exact = (key) => admin.memory("USAGE", key, "SAMPLES", "0");
  const jobUsage = (await Promise.all(jobs.map(exact))).reduce((a, b) => a + b, 0) / jobs.length;
  const delayed = await exact("bull:otzovik:delayed");
  const events = await exact("bull:otzovik:events");
  const queueKeys = (await keys("bull:otzovik:*", Number.POSITIVE_INFINITY)).filter(
    (k) => !/^bull:otzovik:[0-9a-f]{64}$/.test(k),
  );
  const perOrderDelayed = (after - before) / ORDERS;
  console.log(
    `${ORDERS} delayed orders (BullMQ, worker: false): used_memory +${after - before} B, ${perOrderDelayed.toFixed(0)} B per order. ` +
      `Its job hash: MEMORY USAGE ${jobUsage.toFixed(0)} B (${(await admin.hget(jobs[0], "data")).length} B of data); ` +
      `the delayed set: ${(delayed / ORDERS).toFixed(0)} B per job; the events stream (BullMQ trims it to about 10,000 entries): ${(events / MiB).toFixed(1)} MiB. ` +
      `Without the stream: ${((after - before - events) / ORDERS).toFixed(0)} B per order, ${((after - before - events) / ORDERS - perOrder).toFixed(0)} B more than an order sent at once. ` +
      `Queue keys besides jobs: ${queueKeys.sort().join(", ")}.`,
  );
  await r.close();
}

admin.disconnect();
client.disconnect();
await server.stop();
