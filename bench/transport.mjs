// Provider answers on the built package: the lossless JSON parse of 1 MB answers of several
// shapes against a bare JSON.parse of the same text, and a 30 MB answer cut off at
// maxResponseBytes (time, RSS). Run: npm run bench:transport
import { createServer } from "node:http";
import { createSmsRuClient } from "../dist/providers/sms-ru.js";
import { parseJsonLossless } from "../dist/transport/json.js";

const MB = 1024 * 1024;
const MONEY = new Set(["balance", "cost", "total_cost"]);

/** Repeats `unit(i)` joined by commas inside `[…]` (or a wrapper) until `bytes` long. */
function fill(bytes, unit, wrap = (items) => `[${items}]`) {
  const parts = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const part = unit(i);
    parts.push(part);
    size += part.length + 1;
  }
  return wrap(parts.join(","));
}

const shapes = [
  [
    "SMS.ru status, 18-digit ids",
    fill(
      MB,
      (i) =>
        `{"sms_id":"000000-${10000000 + i}","status":"OK","status_code":${100 + (i % 8)},"cost":${(i % 7) / 2 + 0.5},"message_id":${575976245313935471n + BigInt(i)},"status_text":"Сообщение \\"доставлено\\" ${i}"}`,
      (items) => `{"status":"OK","status_code":100,"balance":4122.56,"sms":[${items}]}`,
    ),
  ],
  ["strings only (no candidate)", fill(MB, (i) => `{"id":"wamid.${i}","status":"delivered"}`)],
  ["unsafe integers only", fill(MB, (i) => `1234567890123456789${i % 10}`)],
  ["money keys only", fill(MB, (i) => `{"cost":1.${i % 10}}`)],
  ["money keys spelled \\u", fill(MB, (i) => `{"c\\u006fst":1.${i % 10}}`)],
];

let sink = 0;
/** Median CPU milliseconds per call (user + system: GC threads count, machine load does not). */
function measure(fn) {
  for (let i = 0; i < 3; i++) sink += fn() ? 1 : 0;
  const rounds = [];
  for (let i = 0; i < 15; i++) {
    const start = process.cpuUsage();
    sink += fn() ? 1 : 0;
    const { user, system } = process.cpuUsage(start);
    rounds.push((user + system) / 1000);
  }
  rounds.sort((a, b) => a - b);
  return rounds[Math.floor(rounds.length / 2)];
}

const rows = [];
let worst = 0;
for (const [name, text] of shapes) {
  const bare = measure(() => JSON.parse(text));
  const lossless = measure(() => parseJsonLossless(text, MONEY));
  worst = Math.max(worst, lossless);
  rows.push({
    "1 MB answer": name,
    "JSON.parse ms": bare.toFixed(1),
    "lossless ms": lossless.toFixed(1),
    ratio: `${(lossless / bare).toFixed(2)}×`,
  });
}
console.table(rows);
console.log(`lossless parse of 1 MB: worst ${worst.toFixed(1)} ms CPU (target well under 50 ms)`);

// A 30 MB answer streamed without Content-Length: the client must stop at maxResponseBytes.
const answer = Buffer.from(
  fill(
    30 * MB,
    (i) => `{"n":${i},"cost":0.5}`,
    (items) => `{"status":"OK","balance":1,"pad":[${items}]}`,
  ),
);
let written = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json" });
    const pump = () => {
      while (written < answer.length && !res.destroyed) {
        const chunk = answer.subarray(written, written + 64 * 1024);
        written += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      if (!res.destroyed) res.end();
    };
    pump();
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const client = createSmsRuClient({
  apiKey: "bench-key-0123456789",
  baseUrl: `http://127.0.0.1:${server.address().port}/`,
  timeout: 2000,
  retry: false,
  logger: { warn() {}, error() {} },
});
globalThis.gc?.();
const rssBefore = process.memoryUsage().rss;
let last = performance.now();
let stall = 0;
const tick = setInterval(() => {
  const now = performance.now();
  stall = Math.max(stall, now - last);
  last = now;
}, 5);
const started = performance.now();
const outcome = await client.getBalance().then(
  () => "read in full (no cap!)",
  (error) => error.code,
);
const ms = performance.now() - started;
stall = Math.max(stall, performance.now() - last);
clearInterval(tick);
const rssAfter = process.memoryUsage().rss;
server.close();
server.closeAllConnections?.();
console.table([
  {
    "30 MB answer": outcome,
    ms: Math.round(ms),
    "max event-loop stall ms": Math.round(stall),
    "RSS before MB": Math.round(rssBefore / MB),
    "RSS after MB": Math.round(rssAfter / MB),
    "server wrote MB": (written / MB).toFixed(1),
  },
]);
console.log(`node ${process.version}${sink < 0 ? "" : ""}`);
