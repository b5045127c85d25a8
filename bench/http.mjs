// HTTP throughput of the Express adapter against a bare Express route, on loopback, in one run:
//   npm run bench:http            (builds first; or: node bench/http.mjs after `npm run build`)
// Both routes get the same real iiko webhook (test/fixtures/iiko/iiko-01-delivery-closed.json)
// with a fresh order id in every request (set in autocannon's setupRequest: its idReplacement keeps
// the template's Content-Length and truncates the body), so the adapter does
// the whole job each time: reads and decodes the body, checks the key, parses, claims the order in
// the memory store and "sends" through a fake provider that answers at once. The bare route only
// runs express.json() on the body and answers 200. Target: adapter >= 0.8 x bare.
// The routes take turns (BENCH_ROUNDS rounds of BENCH_SECONDS each); the ratio is the median of the
// per-round ratios and each route's median round is reported, so a burst of other load on the
// machine does not land on one route only.
// Options (env): BENCH_ROUNDS (default 5), BENCH_SECONDS (default 5), BENCH_CONNECTIONS (default 10).
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const TARGET = 0.8;

const fixture = readFileSync(
  new URL("../test/fixtures/iiko/iiko-01-delivery-closed.json", import.meta.url),
  "utf8",
);
const orderId = "9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805";
if (!fixture.includes(orderId)) throw new Error("the iiko fixture changed: update bench/http.mjs");
// Ids of one length, so every body has the fixture's size.
let counter = 0;
const bodyFor = () => fixture.replaceAll(orderId, `bench-${String(++counter).padStart(30, "0")}`);

const child = fork(new URL("./http-server.mjs", import.meta.url), {
  execArgv: process.env.BENCH_CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir=bench/profiles"] : [],
});
const ports = await new Promise((resolve) => child.once("message", resolve));

function load(port, duration) {
  return autocannon({
    url: `http://127.0.0.1:${port}/api/webhook/iiko?key=bench-key`,
    method: "POST",
    headers: { "content-type": "application/json" },
    requests: [
      {
        setupRequest: (request) => {
          request.body = bodyFor();
          return request;
        },
      },
    ],
    connections,
    duration,
  });
}

function summary(name, r) {
  return {
    name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    avg: r.latency.average,
    ok: r["2xx"],
    other: r.non2xx + r.errors + r.timeouts,
  };
}

console.log(
  `node ${process.version}, ${connections} connections, ${rounds} rounds of ${seconds} s per route after a 2 s warm-up each, body ${Buffer.byteLength(bodyFor())} bytes`,
);
const routes = [
  { name: "express adapter (otzovik/express)", port: ports.adapter, runs: [] },
  { name: "bare express.json() route", port: ports.bare, runs: [] },
];
for (const route of routes) await load(route.port, 2);
for (let round = 0; round < rounds; round++) {
  for (const route of routes) {
    const run = summary(route.name, await load(route.port, seconds));
    route.runs.push(run);
    console.log(`  round ${round + 1}: ${route.name}: ${run.rps.toFixed(0)} req/s`);
  }
}
const median = (runs) => [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)];
const results = routes.map((route) => ({
  ...median(route.runs),
  ok: route.runs.reduce((n, r) => n + r.ok, 0),
  other: route.runs.reduce((n, r) => n + r.other, 0),
}));
child.send("stats");
const { sent } = await new Promise((resolve) => child.once("message", resolve));
child.send("stop");

const pad = (s, n) => String(s).padStart(n);
console.log(
  `\nmedian round:\n${"route".padEnd(36)}${pad("req/s", 10)}${pad("p50 ms", 9)}${pad("p99 ms", 9)}${pad("avg ms", 9)}${pad("2xx", 9)}${pad("non-2xx", 9)}`,
);
for (const r of results)
  console.log(
    `${r.name.padEnd(36)}${pad(r.rps.toFixed(0), 10)}${pad(r.p50, 9)}${pad(r.p99, 9)}${pad(r.avg.toFixed(2), 9)}${pad(r.ok, 9)}${pad(r.other, 9)}`,
  );
// Each round's two routes ran back to back, so their ratio cancels most of the machine's drift;
// the median of the per-round ratios is the figure.
const paired = routes[0].runs.map((run, i) => run.rps / routes[1].runs[i].rps);
const ratio = [...paired].sort((a, b) => a - b)[Math.floor(paired.length / 2)];
console.log(`\nfake provider sends: ${sent} (one per adapter request, warm-up included)`);
console.log(`per-round ratios: ${paired.map((r) => r.toFixed(2)).join(", ")}`);
console.log(
  `ratio adapter / bare: ${ratio.toFixed(2)} (target >= ${TARGET}): ${ratio >= TARGET ? "met" : "NOT met"}`,
);
if (results.some((r) => r.other > 0)) {
  console.error("some requests failed: the figures are not valid");
  process.exitCode = 1;
}
