// HTTP throughput of both adapters against bare routes, on loopback, in one run:
//   npm run bench:http            (builds first; or: node bench/http.mjs after `npm run build`)
// Two pairs, each an adapter and a bare route that only parses the same body and answers 200:
// - Express: otzovik/express against a bare express.json() route;
// - Fetch: otzovik/fetch against a bare Fetch handler doing `JSON.parse(await request.text())`,
//   both behind the same node:http → Request bridge (bench/http-server.mjs).
// Every route gets the same real iiko webhook (test/fixtures/iiko/iiko-01-delivery-closed.json)
// with a fresh order id in every request (set in autocannon's setupRequest: its idReplacement keeps
// the template's Content-Length and truncates the body), so an adapter does the whole job each
// time: reads and decodes the body, checks the key, parses, claims the order in the memory store
// and "sends" through a fake provider that answers at once. Target: adapter >= 0.8 x bare.
// The routes take turns (BENCH_ROUNDS rounds of BENCH_SECONDS each per route); a pair's ratio is
// the median of its per-round ratios and each route's median round is reported, so a burst of
// other load on the machine does not land on one route only.
// Options (env): BENCH_ROUNDS (default 5), BENCH_SECONDS (default 5), BENCH_CONNECTIONS
// (default 10), BENCH_PAIRS (default "express,fetch").
// autocannon comes from the tools package (`npm ci --prefix tools`), not the root install.
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { requireTool } from "../scripts/tool.mjs";

const autocannon = requireTool("autocannon", "the HTTP bench's load generator (autocannon)");

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const wanted = (process.env.BENCH_PAIRS ?? "express,fetch").split(",");
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

/** The server process's CPU time so far, in µs. */
function serverCpu() {
  child.send("cpu");
  return new Promise((resolve) => child.once("message", (m) => resolve(m.cpuMicros)));
}

/** One timed run of a route: autocannon's figures and the server's CPU µs per answered request. */
async function measure(route, duration) {
  const before = await serverCpu();
  const result = await load(route.port, duration);
  const cpu = (await serverCpu()) - before;
  return {
    ...summary(route.name, result),
    cpuPerRequest: cpu / Math.max(1, result.requests.total),
  };
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

const pairs = [
  {
    name: "express",
    adapter: { name: "express adapter (otzovik/express)", port: ports.expressAdapter, runs: [] },
    bare: { name: "bare express.json() route", port: ports.expressBare, runs: [] },
  },
  {
    name: "fetch",
    adapter: { name: "fetch adapter (otzovik/fetch)", port: ports.fetchAdapter, runs: [] },
    bare: { name: "bare fetch handler, JSON.parse", port: ports.fetchBare, runs: [] },
    reference: {
      name: "bare fetch + requester.accept()",
      port: ports.fetchRequester,
      runs: [],
    },
  },
].filter((pair) => wanted.includes(pair.name));

console.log(
  `node ${process.version}, ${connections} connections, ${rounds} rounds of ${seconds} s per route after a 2 s warm-up each, body ${Buffer.byteLength(bodyFor())} bytes`,
);
const routes = pairs.flatMap((pair) => [
  pair.adapter,
  pair.bare,
  ...(pair.reference ? [pair.reference] : []),
]);
for (const route of routes) await load(route.port, 2);
for (let round = 0; round < rounds; round++) {
  for (const route of routes) {
    const run = await measure(route, seconds);
    route.runs.push(run);
    console.log(
      `  round ${round + 1}: ${route.name}: ${run.rps.toFixed(0)} req/s, server CPU ${run.cpuPerRequest.toFixed(0)} µs/request`,
    );
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const medianRun = (runs) => [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)];
const results = routes.map((route) => ({
  ...medianRun(route.runs),
  ok: route.runs.reduce((n, r) => n + r.ok, 0),
  other: route.runs.reduce((n, r) => n + r.other, 0),
}));
child.send("stats");
const { sent } = await new Promise((resolve) => child.once("message", resolve));
child.send("stop");

const pad = (s, n) => String(s).padStart(n);
console.log(
  `\nmedian round:\n${"route".padEnd(36)}${pad("req/s", 10)}${pad("p50 ms", 9)}${pad("p99 ms", 9)}${pad("avg ms", 9)}${pad("CPU µs", 9)}${pad("2xx", 9)}${pad("non-2xx", 9)}`,
);
for (const r of results)
  console.log(
    `${r.name.padEnd(36)}${pad(r.rps.toFixed(0), 10)}${pad(r.p50, 9)}${pad(r.p99, 9)}${pad(r.avg.toFixed(2), 9)}${pad(r.cpuPerRequest.toFixed(0), 9)}${pad(r.ok, 9)}${pad(r.other, 9)}`,
  );
console.log(`\nfake provider sends: ${sent} (one per adapter request, warm-up included)`);
// Each round's two routes of a pair ran back to back, so their ratio cancels most of the machine's
// drift; the median of the per-round ratios is the figure. The CPU ratio (bare's server CPU per
// request over the adapter's) is what the throughput ratio tends to on an otherwise idle machine,
// and is steadier than it when other processes compete for the cores.
console.log(
  `\n${"pair".padEnd(10)}${"req/s ratio".padEnd(14)}${"CPU ratio".padEnd(12)}${"target".padEnd(10)}per-round req/s ratios | CPU ratios`,
);
for (const pair of pairs) {
  const paired = pair.adapter.runs.map((run, i) => run.rps / pair.bare.runs[i].rps);
  const cpuPaired = pair.adapter.runs.map(
    (run, i) => pair.bare.runs[i].cpuPerRequest / run.cpuPerRequest,
  );
  const ratio = median(paired);
  const cpuRatio = median(cpuPaired);
  console.log(
    `${pair.name.padEnd(10)}${ratio.toFixed(2).padEnd(14)}${cpuRatio.toFixed(2).padEnd(12)}${`>= ${TARGET} ${ratio >= TARGET ? "met" : "NOT met"}`.padEnd(10)}  ${paired.map((r) => r.toFixed(2)).join(", ")} | ${cpuPaired.map((r) => r.toFixed(2)).join(", ")}`,
  );
  if (pair.reference) {
    const own = pair.adapter.runs.map((run, i) => run.rps / pair.reference.runs[i].rps);
    const ownCpu = pair.adapter.runs.map(
      (run, i) => pair.reference.runs[i].cpuPerRequest / run.cpuPerRequest,
    );
    console.log(
      `${"".padEnd(10)}adapter / (${pair.reference.name}): req/s ${median(own).toFixed(2)}, CPU ${median(ownCpu).toFixed(2)} (the adapter's own overhead)`,
    );
  }
}
if (results.some((r) => r.other > 0)) {
  console.error("some requests failed: the figures are not valid");
  process.exitCode = 1;
}
