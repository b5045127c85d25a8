// RSS and heap while distinct orders go through requester.handle() with the default memory store,
// on the built package. Run: npm run bench:memory (200,000 orders), or set ORDERS (e.g.
// ORDERS=1000000 npm run bench:memory) and MAX_ENTRIES (the store's maxEntries) to try others.
// With the defaults every order must still be remembered at the end: the first one, replayed, is a
// duplicate.
import { createReviewRequester, memoryStore } from "../dist/index.js";

const ORDERS = Number(process.env.ORDERS ?? 200_000);
const EVERY = Math.max(1, Math.round(ORDERS / 10));
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const snapshot = () => {
  globalThis.gc?.();
  return process.memoryUsage();
};

const store = process.env.MAX_ENTRIES
  ? memoryStore({ maxEntries: Number(process.env.MAX_ENTRIES) })
  : memoryStore();
let sent = 0;
const requester = createReviewRequester({
  keys: "bench-key-0123456789",
  business: "Bench",
  reviewUrl: "https://example.org/reviews",
  quietHours: false,
  store,
  channels: [
    {
      type: "sms",
      client: {
        provider: "sms.ru",
        sendSms: async (to) => ({
          provider: "sms.ru",
          channel: "sms",
          messageId: String(++sent),
          to,
          dryRun: false,
        }),
      },
    },
  ],
  logger: { warn: () => {}, error: () => {} },
});

const body = (i) =>
  `[{"eventType":"DeliveryOrderUpdate","organizationId":"org","eventInfo":{"id":"order-${i}","creationStatus":"Success","order":{"status":"Closed","phone":"+7916${String(i).padStart(7, "0")}"}}}]`;

const rows = [];
const record = (when) => {
  const { rss, heapTotal, heapUsed, arrayBuffers } = snapshot();
  rows.push({
    when,
    rss: mb(rss),
    heapTotal: mb(heapTotal),
    heapUsed: mb(heapUsed),
    arrayBuffers: mb(arrayBuffers),
    storeEntries: store.stats().entries,
  });
};
record("before");
const started = performance.now();
for (let i = 0; i < ORDERS; i++) {
  await requester.handle("iiko", body(i), { key: "bench-key-0123456789" });
  if ((i + 1) % EVERY === 0) record(`after ${i + 1} orders`);
}
const seconds = (performance.now() - started) / 1000;
const replay = await requester.handle("iiko", body(0), { key: "bench-key-0123456789" });
const stats = store.stats();
console.table(rows);
console.log(
  `${sent} sent in ${seconds.toFixed(1)} s (${Math.round(ORDERS / seconds)} webhooks/s); store: ${stats.entries} entries (max ${stats.maxEntries}), ${stats.evictions} evictions; the first order replayed: ${replay.outcomes[0]?.status} ${replay.outcomes[0]?.reason ?? ""}`,
);
await requester.close();
