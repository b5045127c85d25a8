// Time per parse of real iiko, YCLIENTS and amoCRM bodies against the bare decode of the same
// body (JSON.parse / URLSearchParams), on the built package. Run: npm run bench
import { readFileSync } from "node:fs";
import { parseAmocrm, parseIiko, parseRkeeper, parseYclients } from "../dist/index.js";

const fixture = (path) =>
  readFileSync(new URL(`../test/fixtures/${path}`, import.meta.url), "utf8");

const cases = [
  [
    "iiko delivery closed",
    fixture("iiko/iiko-01-delivery-closed.json"),
    parseIiko,
    (b) => JSON.parse(b),
  ],
  [
    "iiko Delivered+Closed",
    fixture("iiko/iiko-14-same-order-delivered-then-closed.json"),
    parseIiko,
    (b) => JSON.parse(b),
  ],
  [
    "R-Keeper order done",
    fixture("rkeeper/rk-01-order-completed.json"),
    parseRkeeper,
    (b) => JSON.parse(b),
  ],
  [
    "YCLIENTS record came",
    fixture("yclients/record-update-attended.json"),
    parseYclients,
    (b) => JSON.parse(b),
  ],
  [
    "amoCRM won lead (docs)",
    fixture("amocrm/lead-status-won-docs.txt"),
    parseAmocrm,
    (b) => [...new URLSearchParams(b)],
  ],
  [
    "amoCRM won lead (2018)",
    fixture("amocrm/lead-status-won-2018.txt"),
    parseAmocrm,
    (b) => [...new URLSearchParams(b)],
  ],
  [
    "amoCRM contact update",
    fixture("amocrm/contact-update-2018.txt"),
    parseAmocrm,
    (b) => [...new URLSearchParams(b)],
  ],
];

let sink = 0;
/** Median nanoseconds per call over several timed rounds. */
function measure(fn, body) {
  const rounds = [];
  let iterations = 1000;
  for (let i = 0; i < 2000; i++) sink += fn(body) ? 1 : 0; // warm-up
  for (let round = 0; round < 15; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) sink += fn(body) ? 1 : 0;
    const ns = Number(process.hrtime.bigint() - start) / iterations;
    rounds.push(ns);
    if (round === 0) iterations = Math.max(1000, Math.round(50_000_000 / ns / 15));
  }
  rounds.sort((a, b) => a - b);
  return rounds[Math.floor(rounds.length / 2)];
}

const rows = [];
let worst = 0;
for (const [name, body, parse, bare] of cases) {
  const bareNs = measure(bare, body);
  const parseNs = measure(parse, body);
  const ratio = parseNs / bareNs;
  worst = Math.max(worst, ratio);
  rows.push({
    body: name,
    bytes: body.length,
    "bare µs": (bareNs / 1000).toFixed(2),
    "parse µs": (parseNs / 1000).toFixed(2),
    ratio: `${ratio.toFixed(2)}×`,
  });
}
console.table(rows);
console.log(
  `node ${process.version}; worst ratio ${worst.toFixed(2)}× (target ≤ 3×)${sink < 0 ? "" : ""}`,
);
