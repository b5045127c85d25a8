// Time per parse of real iiko, YCLIENTS and amoCRM bodies against the bare decode of the same
// body (JSON.parse / URLSearchParams), on the built package; then big amoCRM bodies (100 to
// 12,800 won leads, up to ~1 MB) with the growth per doubling (issue 9 item 1). Run: npm run bench
import { readFileSync } from "node:fs";
import { parseAmocrm, parseIiko, parseRkeeper, parseYclients } from "../dist/index.js";
import { amocrmFormBody, amocrmJsonBody } from "./amocrm-bodies.mjs";

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

// Big amoCRM bodies (issue 9 item 1): n won leads + n contacts, none linked, so every lead falls
// back to "the only contact with a phone" (bench/amocrm-bodies.mjs, which the tests use too).
/**
 * Milliseconds per call of `fn(body)` for bodies too big for {@link measure}'s counts: the mean
 * of the fastest of 7 rounds of 100 ms (the fastest, so a busy machine disturbs the ratios less).
 */
function measureBig(fn, body) {
  const until = (ms, each) => {
    const start = performance.now();
    while (performance.now() - start < ms) each();
  };
  until(300, () => {
    sink += fn(body) ? 1 : 0;
  });
  const rounds = [];
  for (let round = 0; round < 7; round++) {
    let calls = 0;
    const start = performance.now();
    until(100, () => {
      sink += fn(body) ? 1 : 0;
      calls++;
    });
    rounds.push((performance.now() - start) / calls);
  }
  return Math.min(...rounds);
}

const big = [
  ["JSON", amocrmJsonBody, (b) => JSON.parse(b), [100, 200, 400, 800, 1600, 3200, 6400, 12800]],
  ["form", amocrmFormBody, (b) => [...new URLSearchParams(b)], [100, 200, 400, 800]],
];
for (const kind of ["landline", "mobile"]) {
  const bigRows = [];
  let worstRatio = 0;
  let worstGrowth = 0;
  const overall = [];
  for (const [format, make, bare, sizes] of big) {
    let previous = null;
    let first = null;
    for (const n of sizes) {
      const body = make(n, kind);
      const bareMs = measureBig(bare, body);
      const parseMs = measureBig(parseAmocrm, body);
      const growth = previous === null ? null : parseMs / previous;
      previous = parseMs;
      first ??= parseMs;
      if (n === sizes.at(-1)) {
        const doublings = Math.log2(n / sizes[0]);
        overall.push(`${format} ${((parseMs / first) ** (1 / doublings)).toFixed(2)}×`);
      }
      worstRatio = Math.max(worstRatio, parseMs / bareMs);
      if (growth !== null) worstGrowth = Math.max(worstGrowth, growth);
      bigRows.push({
        body: `amoCRM ${format} ${n}+${n}`,
        KB: (body.length / 1024).toFixed(1),
        "bare ms": bareMs.toFixed(3),
        "parse ms": parseMs.toFixed(3),
        ratio: `${(parseMs / bareMs).toFixed(2)}×`,
        "×2 growth": growth === null ? "" : `${growth.toFixed(2)}×`,
      });
    }
  }
  console.log(`\namoCRM won leads + unlinked contacts with ${kind} phones:`);
  console.table(bigRows);
  console.log(
    `worst ratio ${worstRatio.toFixed(2)}× (target ≤ 3×); growth per doubling: worst ${worstGrowth.toFixed(2)}×, ` +
      `smallest to biggest body ${overall.join(", ")} (target ≤ 2.3×)`,
  );
}
