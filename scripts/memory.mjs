// RSS and heap before and after 200,000 distinct orders through requester.handle() with the default
// memory store, on the built package. Run: npm run bench:memory
import { createReviewRequester, memoryStore } from "../dist/index.js";

const ORDERS = 200_000;
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const snapshot = () => {
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
};

const store = memoryStore();
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
  const { rss, heapUsed } = snapshot();
  rows.push({ when, rss: mb(rss), heapUsed: mb(heapUsed), storeEntries: store.stats().entries });
};
record("before");
const started = performance.now();
for (let i = 0; i < ORDERS; i++) {
  await requester.handle("iiko", body(i), { key: "bench-key-0123456789" });
  if ((i + 1) % 50_000 === 0) record(`after ${i + 1} orders`);
}
const seconds = (performance.now() - started) / 1000;
const stats = store.stats();
console.table(rows);
console.log(
  `${sent} sent in ${seconds.toFixed(1)} s (${Math.round(ORDERS / seconds)} webhooks/s); store: ${stats.entries} entries (max ${stats.maxEntries}), ${stats.evictions} evictions`,
);
await requester.close();
