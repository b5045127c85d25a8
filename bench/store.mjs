// Store throughput on the built package, memoryStore against redisStore (ioredis and node-redis)
// on a redis-server of its own (loopback, no persistence), in one run: claims/s, handle() events/s
// and store round trips per sent event, with ratios to the memory store; then what an order costs
// in Redis memory. Needs `redis-server` on the PATH (or REDIS_SERVER_BIN). Run: npm run bench:store
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { createReviewRequester, memoryStore } from "../dist/index.js";
import { redisStore } from "../dist/stores/redis.js";
import { startRedisServer } from "../scripts/redis-server.mjs";

const CLAIMS = Number(process.env.BENCH_CLAIMS ?? 50_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
/** Each measurement stops early after this long (a slow machine still finishes). */
const MAX_MS = Number(process.env.BENCH_MAX_MS ?? 15_000);
const KEY = "bench-key-0123456789";
const HASH_SECRET = "bench-hash-secret-0123456789";
const DAY = 24 * 3600_000;

// --- measurements -------------------------------------------------------------------------------

/** Runs `task(i)` for i in [0, n) with `concurrency` in flight; stops early after MAX_MS. */
async function pool(n, concurrency, task) {
  let next = 0;
  let done = 0;
  const start = process.hrtime.bigint();
  const deadline = Date.now() + MAX_MS;
  const worker = async () => {
    while (next < n && Date.now() < deadline) {
      const i = next++;
      await task(i);
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { done, ms, perSecond: Math.round((done / ms) * 1000) };
}

/** Wraps a store so every call (one round trip on a networked store) is counted. */
function counting(inner) {
  const counter = { calls: 0 };
  const count =
    (fn) =>
    (...args) => {
      counter.calls++;
      return fn(...args);
    };
  const store = {
    name: inner.name,
    claim: count(inner.claim.bind(inner)),
    get: count(inner.get.bind(inner)),
    set: count(inner.set.bind(inner)),
    delete: count(inner.delete.bind(inner)),
    batch: count(inner.batch.bind(inner)),
  };
  return { store, counter };
}

const template = JSON.parse(
  readFileSync(
    new URL("../test/fixtures/iiko/iiko-01-delivery-closed.json", import.meta.url),
    "utf8",
  ),
);

/** A body for order `i` with phone number `phone` (a new one per order: the cap never skips it). */
function body(run, i, phone = i, id = `bench-${run}-${i}`) {
  const events = structuredClone(template);
  events[0].eventInfo.id = id;
  events[0].eventInfo.order.phone = `+7916${String(phone).padStart(7, "0")}`;
  return JSON.stringify(events);
}

const sms = {
  provider: "bench-sms",
  async sendSms(to) {
    return { provider: "bench-sms", channel: "sms", messageId: "m", to, dryRun: false };
  },
};

function requesterOver(store) {
  return createReviewRequester({
    keys: KEY,
    business: "Bench",
    reviewUrl: "https://r.example",
    channels: [{ type: "sms", client: sms }],
    quietHours: false,
    store,
    hashSecret: HASH_SECRET,
    logger: { warn() {}, error() {} },
  });
}

let runs = 0;

/** handle() of distinct orders, `concurrency` webhooks in flight. */
async function handleRate(makeStore, concurrency) {
  const run = runs++;
  const { store, counter } = counting(makeStore());
  const requester = requesterOver(store);
  for (let i = 0; i < 300; i++)
    await requester.handle("iiko", body(`${run}w`, i, 9_000_000 + i), { key: KEY });
  counter.calls = 0;
  let sent = 0;
  const bodies = Array.from({ length: EVENTS }, (_, i) => body(run, i));
  const result = await pool(EVENTS, concurrency, async (i) => {
    const handled = await requester.handle("iiko", bodies[i], { key: KEY });
    if (handled.outcomes[0]?.status === "sent") sent++;
  });
  await requester.close();
  if (sent !== result.done) throw new Error(`only ${sent} of ${result.done} events were sent`);
  return { ...result, roundTrips: counter.calls / sent };
}

/** Concurrent claims of distinct keys. */
async function claimRate(makeStore) {
  const run = runs++;
  const store = makeStore();
  const result = await pool(CLAIMS, 256, async (i) => {
    if (!(await store.claim(`otzovik:dedupe:bench:${run}:${i}`, '{"state":"claimed"}', DAY)))
      throw new Error("a claim of a fresh key lost");
  });
  await store.close();
  return result;
}

// --- run ----------------------------------------------------------------------------------------

const server = await startRedisServer();
const admin = new Redis(server.url);
const io = new Redis(server.url);
const node = createClient({ url: server.url });
node.on("error", (error) => console.error("node-redis:", error.message));
await node.connect();

const stores = [
  ["memory", () => memoryStore({ maxEntries: 4_000_000 })],
  ["redis (ioredis)", () => redisStore({ client: io })],
  ["redis (node-redis)", () => redisStore({ client: node })],
];

const measured = [];
for (const [label, make] of stores) {
  await admin.flushall();
  const claims = await claimRate(make);
  await admin.flushall();
  const sequential = await handleRate(make, 1);
  await admin.flushall();
  const concurrent = await handleRate(make, CONCURRENCY);
  measured.push({ label, claims, sequential, concurrent });
}

const base = measured[0];
const ratio = (value, of) => `${(value / of).toFixed(2)}×`;
console.table(
  measured.map(({ label, claims, sequential, concurrent }) => ({
    store: label,
    "claims/s": claims.perSecond,
    "claims ratio": ratio(claims.perSecond, base.claims.perSecond),
    "handle() events/s (1 at a time)": sequential.perSecond,
    ratio: ratio(sequential.perSecond, base.sequential.perSecond),
    [`handle() events/s (${CONCURRENCY} at a time)`]: concurrent.perSecond,
    [`ratio (${CONCURRENCY})`]: ratio(concurrent.perSecond, base.concurrent.perSecond),
    "round trips / sent event": sequential.roundTrips.toFixed(2),
  })),
);
const counts = measured.map(
  ({ label, claims, sequential, concurrent }) =>
    `${label}: ${claims.done} claims, ${sequential.done} + ${concurrent.done} events`,
);
console.log(
  `node ${process.version}; redis-server ${(await admin.info("server")).match(/redis_version:(\S+)/)?.[1]} on loopback, no persistence; ${counts.join("; ")}`,
);

// --- memory per order ---------------------------------------------------------------------------

await admin.flushall();
const usedMemory = async () => Number((await admin.info("memory")).match(/used_memory:(\d+)/)[1]);
const ORDERS = Math.min(EVENTS, 10_000);
const before = await usedMemory();
{
  const requester = requesterOver(redisStore({ client: io }));
  // iiko order ids are UUIDs: the keys have their real length.
  await pool(ORDERS, CONCURRENCY, (i) =>
    requester.handle("iiko", body("mem", i, i, randomUUID()), { key: KEY }),
  );
  await requester.optOut("+79160000001");
  await requester.close();
}
const after = await usedMemory();
// Each claim's receipt lives 15 minutes: what an order costs after that is measured without them.
const receipts = [];
for await (const keys of admin.scanStream({ match: "otzovik:receipt:*", count: 10_000 }))
  receipts.push(...keys);
for (let i = 0; i < receipts.length; i += 1000) await admin.del(...receipts.slice(i, i + 1000));
const settled = await usedMemory();
const keyOf = async (pattern) => (await admin.scan("0", "MATCH", pattern, "COUNT", 100_000))[1][0];
const sizes = {};
for (const kind of ["dedupe", "cap", "optout"]) {
  const key = await keyOf(`otzovik:${kind}:*`);
  sizes[kind] = {
    key: key.replace(/[0-9a-f]{32}/, "{32 hex}"),
    "key bytes": Buffer.byteLength(key),
    "value bytes": Buffer.byteLength(await admin.get(key)),
    "MEMORY USAGE": await admin.memory("USAGE", key),
    TTL:
      (await admin.pttl(key)) === -1 ? "none" : `${Math.round((await admin.pttl(key)) / DAY)} days`,
  };
}
console.table(sizes);
const perOrder = (settled - before) / ORDERS;
const perKeys = sizes.dedupe["MEMORY USAGE"] + sizes.cap["MEMORY USAGE"];
console.log(
  `${ORDERS} orders sent (each a new phone): used_memory grew ${after - before} bytes, ${((after - before) / ORDERS).toFixed(0)} bytes per order while their claims' receipts live (15 minutes, ${receipts.length} receipts), ` +
    `${perOrder.toFixed(0)} bytes per order after (MEMORY USAGE of its two keys: ${perKeys}). ` +
    `A million orders within their TTLs: about ${((perOrder * 1e6) / 2 ** 20).toFixed(0)} MiB; an opt-out costs ${sizes.optout["MEMORY USAGE"]} bytes (MEMORY USAGE), forever. ` +
    "npm run bench:redis-memory measures a million orders and the steady state at scale (MEMORY USAGE leaves out the expiry table and the bucket arrays).",
);

admin.disconnect();
io.disconnect();
await node.close();
await server.stop();
