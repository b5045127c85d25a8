// handle() throughput and store round trips per sent event, on the built package, with the
// memory store (its atomic batch() as a networked store would run it: one call = one round trip)
// and with a store offering only the four base methods. Run: npm run bench
import { readFileSync } from "node:fs";
import { createReviewRequester, memoryStore } from "../dist/index.js";

const template = JSON.parse(
  readFileSync(
    new URL("../test/fixtures/iiko/iiko-01-delivery-closed.json", import.meta.url),
    "utf8",
  ),
);
const KEY = "bench-key-0123456789";

/** A body for order `i` with its own phone (so the frequency cap never skips it). */
function body(i) {
  const events = structuredClone(template);
  const event = events[0];
  event.eventInfo.id = `bench-${i}`;
  event.eventInfo.order.phone = `+7916${String(i).padStart(7, "0")}`;
  return JSON.stringify(events);
}

function countingStore(withBatch) {
  const inner = memoryStore({ maxEntries: 1_000_000 });
  const counter = { calls: 0 };
  const count =
    (fn) =>
    (...args) => {
      counter.calls++;
      return fn(...args);
    };
  const store = {
    name: "counting",
    claim: count(inner.claim.bind(inner)),
    get: count(inner.get.bind(inner)),
    set: count(inner.set.bind(inner)),
    delete: count(inner.delete.bind(inner)),
  };
  if (withBatch && inner.batch) store.batch = count(inner.batch.bind(inner));
  return { store, counter };
}

const sms = {
  provider: "bench-sms",
  async sendSms(to) {
    return { provider: "bench-sms", channel: "sms", messageId: "m", to, dryRun: false };
  },
};

async function run(label, withBatch, n) {
  const { store, counter } = countingStore(withBatch);
  const requester = createReviewRequester({
    keys: KEY,
    business: "Bench",
    reviewUrl: "https://r.example",
    channels: [{ type: "sms", client: sms }],
    quietHours: false,
    store,
    hashSecret: "bench-hash-secret-0123456789",
    logger: { warn() {}, error() {} },
  });
  const bodies = Array.from({ length: n }, (_, i) => body(i));
  for (let i = 0; i < 500; i++) await requester.handle("iiko", body(-1 - i), { key: KEY }); // warm-up
  counter.calls = 0;
  let sent = 0;
  const start = process.hrtime.bigint();
  for (const b of bodies) {
    const result = await requester.handle("iiko", b, { key: KEY });
    if (result.outcomes[0]?.status === "sent") sent++;
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  await requester.close();
  return {
    store: label,
    events: n,
    sent,
    "events/s": Math.round((n / ms) * 1000),
    "round trips / sent event": (counter.calls / sent).toFixed(2),
  };
}

const n = Number(process.env.BENCH_EVENTS ?? 20_000);
const rows = [
  await run("memory, batch()", true, n),
  await run("memory, base methods only", false, n),
];
console.table(rows);
console.log(`node ${process.version}; ${n} distinct orders through handle(), each sent at once`);
