// What the package weighs, every figure against its target in one run: `npm run size`.
//
//   1. Cold import in fresh Node processes: `import("resend")` (the baseline, from tools/) against
//      `import("otzovik")`, and otzovik/fetch, otzovik/express and CommonJS `require("otzovik")`.
//      Each target runs in its own child process, several rounds, interleaved (one of each per
//      round, after a warm-up round that is not counted); the table gives the median and min–max
//      of the time `await import()` takes inside the process and of the process's wall time.
//      Target: otzovik ≤ 1.5× resend (medians of the in-process time).
//   2. Browser bundles (esbuild, platform browser, minified, gzip level 9) of a few imports,
//      against their budgets.
//   3. Node bundles (esbuild, platform node) of the SMS.ru client and of the requester: their size,
//      and no fetch polyfill among the bundle's inputs (esbuild's metafile, not a text search).
//   4. The tarball (`npm pack --dry-run --json`): packed and unpacked size, file count, the share of
//      source maps. Printed, no budget.
//
// otzovik is resolved through its package.json "exports", as a user gets it (a temp directory with
// node_modules/otzovik linked to this repository), never by a path into dist/, so whatever layout
// the build produces is what is measured. dist/ is built first when it is missing or stale.
//
//   node scripts/size.mjs [--runs N]      (default 9 rounds)
//
// Exits 1 when a size misses its budget. Two figures are printed against their targets without
// failing the run:
// - the cold-import ratio: a time, and a busy machine (CI on 2 cores) moves it by tens of percent;
//   a timed check that fails at random is a broken check (see the load average under the table);
// - the requester + fetch + SMS.ru bundle against issue 13's 60 KB: it is over (see README
//   "Weight" for what it is made of); the run fails over its ceiling (75 KB), so it cannot quietly grow.
// Needs the tools package (resend): `npm ci --prefix tools`.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { buildIfStale } from "./start.mjs";
import { notInstalledMessage, TOOLS_DIR } from "./tool.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const KB = 1024;

const { values: args } = parseArgs({ options: { runs: { type: "string", default: "9" } } });
const RUNS = Number(args.runs);
if (!Number.isSafeInteger(RUNS) || RUNS < 1) {
  console.error("size: --runs must be a positive whole number");
  process.exit(2);
}

/** Cold import: the baseline's figure times this is otzovik's target. */
const IMPORT_RATIO_TARGET = 1.5;

/** Browser bundles: what a user's bundle pays for an import, gzip bytes against a budget. */
const BROWSER_BUNDLES = [
  {
    name: 'import { parseIiko } from "otzovik"',
    code: 'import { parseIiko } from "otzovik"; globalThis.out = parseIiko;',
    budget: 40 * KB,
  },
  {
    name: "requester + otzovik/fetch + SMS.ru",
    code: 'import { createReviewRequester, createSmsRuClient } from "otzovik"; import { createFetchHandler } from "otzovik/fetch"; globalThis.out = [createReviewRequester, createSmsRuClient, createFetchHandler];',
    budget: 60 * KB,
    // Issue 13's target, not met (67.8 KB when set, 71.2 KB with issue 14's short links): the run
    // fails only over this ceiling.
    ceiling: 75 * KB,
  },
  {
    name: "all four parsers",
    code: 'import { parseIiko, parseRkeeper, parseYclients, parseAmocrm } from "otzovik"; globalThis.out = [parseIiko, parseRkeeper, parseYclients, parseAmocrm];',
    budget: 45 * KB,
  },
  {
    name: 'import { maskPhone } from "otzovik"',
    code: 'import { maskPhone } from "otzovik"; globalThis.out = maskPhone;',
    budget: 1 * KB,
  },
];

/** Node bundles: no fetch polyfill may be among their inputs (Node ≥ 20 has fetch). */
const NODE_BUNDLES = [
  {
    name: "createSmsRuClient",
    code: 'import { createSmsRuClient } from "otzovik"; globalThis.out = createSmsRuClient;',
  },
  {
    name: "requester + otzovik/fetch + SMS.ru",
    code: BROWSER_BUNDLES[1].code,
  },
];
const FETCH_POLYFILLS = [
  "node-fetch",
  "node-fetch-native",
  "undici",
  "cross-fetch",
  "whatwg-fetch",
  "isomorphic-fetch",
];

// ── set-up ─────────────────────────────────────────────────────────────────────────────────────

if (!existsSync(join(TOOLS_DIR, "node_modules", "resend", "package.json"))) {
  console.error(notInstalledMessage("resend", "size (the cold-import baseline)"));
  process.exit(1);
}

await buildIfStale(ROOT);

/** A directory where `otzovik` resolves as an installed package: node_modules/otzovik → the repo. */
const consumer = mkdtempSync(join(tmpdir(), "otzovik-size-"));
process.on("exit", () => rmSync(consumer, { recursive: true, force: true }));
mkdirSync(join(consumer, "node_modules"));
symlinkSync(ROOT, join(consumer, "node_modules", "otzovik"), "dir");

/**
 * Table rows: `[section, figure, value, target, ok]` (`ok` is `null` when there is no target);
 * `enforced: false` when missing the target does not fail the run.
 */
const rows = [];
const row = (section, figure, value, target = "", ok = null, enforced = true) =>
  rows.push({ section, figure, value, target, ok, enforced });

// ── 1. cold import ─────────────────────────────────────────────────────────────────────────────

/** Each target: the code a fresh process runs, and the directory it runs in (resolution base). */
const IMPORTS = [
  { name: 'import("resend")', cwd: TOOLS_DIR, code: esm("resend") },
  { name: 'import("otzovik")', cwd: consumer, code: esm("otzovik") },
  { name: 'import("otzovik/fetch")', cwd: consumer, code: esm("otzovik/fetch") },
  { name: 'import("otzovik/express")', cwd: consumer, code: esm("otzovik/express") },
  { name: 'require("otzovik")', cwd: consumer, code: cjs("otzovik"), type: "commonjs" },
];

/** An ES module that prints how long `await import(spec)` took, in ms. */
function esm(spec) {
  return `const t = performance.now(); await import(${JSON.stringify(spec)}); console.log(performance.now() - t);`;
}

/** A CommonJS script that prints how long `require(spec)` took, in ms. */
function cjs(spec) {
  return `const t = performance.now(); require(${JSON.stringify(spec)}); console.log(performance.now() - t);`;
}

/** Runs one target in a fresh process: `{ inProcess, wall }` in ms. */
function coldImport(target) {
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    [`--input-type=${target.type === "commonjs" ? "commonjs" : "module"}`, "-e", target.code],
    { cwd: target.cwd, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } },
  );
  const wall = performance.now() - started;
  const inProcess = Number(child.stdout.trim());
  if (child.status !== 0 || !Number.isFinite(inProcess)) {
    console.error(`size: ${target.name} failed in a fresh process:\n${child.stderr}`);
    process.exit(1);
  }
  return { inProcess, wall };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const ms = (value) => `${value.toFixed(0)} ms`;
const spread = (values) =>
  `${ms(median(values))} (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;

process.stdout.write(`cold imports: ${RUNS} rounds of ${IMPORTS.length} fresh processes … `);
for (const target of IMPORTS) coldImport(target); // warm-up round: file cache, not counted
const samples = IMPORTS.map(() => ({ inProcess: [], wall: [] }));
for (let round = 0; round < RUNS; round++)
  IMPORTS.forEach((target, index) => {
    const { inProcess, wall } = coldImport(target);
    samples[index].inProcess.push(inProcess);
    samples[index].wall.push(wall);
  });
process.stdout.write("done\n");

IMPORTS.forEach((target, index) => {
  const { inProcess, wall } = samples[index];
  row("cold import", target.name, `${spread(inProcess)}, process ${spread(wall)}`);
});
const ratio = median(samples[1].inProcess) / median(samples[0].inProcess);
const minRatio = Math.min(...samples[1].inProcess) / Math.min(...samples[0].inProcess);
const wallRatio = median(samples[1].wall) / median(samples[0].wall);
row(
  "cold import",
  'import("otzovik") ÷ import("resend")',
  `${ratio.toFixed(2)}× (of the minima ${minRatio.toFixed(2)}×; process ${wallRatio.toFixed(2)}×)`,
  `≤ ${IMPORT_RATIO_TARGET}× (timing: not enforced)`,
  ratio <= IMPORT_RATIO_TARGET,
  false,
);

// ── 2. browser bundles, 3. node bundles ────────────────────────────────────────────────────────

/** Bundles `code` as a user's bundler would, resolving `otzovik` through its "exports". */
async function bundle(code, platform) {
  const result = await build({
    stdin: { contents: code, resolveDir: consumer, loader: "js" },
    bundle: true,
    minify: true,
    write: false,
    format: "esm",
    platform,
    metafile: true,
    logLevel: "silent",
  });
  const bytes = result.outputFiles[0].contents;
  const inputs = Object.keys(Object.values(result.metafile.outputs)[0].inputs);
  return { min: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, inputs };
}

const kb = (bytes) => `${(bytes / KB).toFixed(1)} KB`;

for (const check of BROWSER_BUNDLES) {
  const { min, gzip } = await bundle(check.code, "browser");
  const ok = gzip <= check.budget;
  row(
    "browser bundle",
    check.name,
    `${kb(gzip)} gzip (${kb(min)} min)`,
    `≤ ${kb(check.budget)}${check.ceiling ? ` (fails over ${kb(check.ceiling)})` : ""}`,
    ok,
    !check.ceiling,
  );
  if (!ok && check.ceiling && gzip > check.ceiling) {
    row("browser bundle", `${check.name}: ceiling`, kb(gzip), `≤ ${kb(check.ceiling)}`, false);
  }
}

/** The fetch polyfill packages among a bundle's inputs (by package directory). */
function polyfillsIn(inputs) {
  return FETCH_POLYFILLS.filter((name) =>
    inputs.some((input) => input.replaceAll("\\", "/").includes(`node_modules/${name}/`)),
  );
}

for (const check of NODE_BUNDLES) {
  const { min, gzip, inputs } = await bundle(check.code, "node");
  const found = polyfillsIn(inputs);
  row(
    "node bundle",
    check.name,
    `${kb(min)} min (${kb(gzip)} gzip), fetch polyfill: ${found.length ? found.join(", ") : "none"}`,
    "no fetch polyfill",
    found.length === 0,
  );
}

// ── 4. tarball ─────────────────────────────────────────────────────────────────────────────────

const [pack] = JSON.parse(
  execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    shell: process.platform === "win32",
  }),
);
const maps = pack.files.filter((file) => file.path.endsWith(".map"));
const mapBytes = maps.reduce((sum, file) => sum + file.size, 0);
row("tarball", "packed", kb(pack.size));
row("tarball", "unpacked", `${kb(pack.unpackedSize)}, ${pack.entryCount} files`);
row(
  "tarball",
  "source maps",
  `${kb(mapBytes)} of unpacked (${((100 * mapBytes) / pack.unpackedSize).toFixed(0)}%), ${maps.length} files`,
);

// ── the table ──────────────────────────────────────────────────────────────────────────────────

const cells = rows.map((r) => [
  r.section,
  r.figure,
  r.value,
  r.target,
  r.ok === null ? "" : r.ok ? "ok" : "MISSED",
]);
const header = ["", "figure", "value: median (min–max)", "target", ""];
const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
const line = (c) =>
  c
    .map((cell, i) => cell.padEnd(widths[i]))
    .join("  ")
    .trimEnd();
console.log();
console.log(line(header));
console.log(widths.map((w) => "─".repeat(w)).join("  "));
let section = "";
for (const c of cells) {
  console.log(line([c[0] === section ? "" : c[0], ...c.slice(1)]));
  section = c[0];
}
const load = loadavg()[0];
const cores = availableParallelism();
console.log(
  `\nnode ${process.versions.node}; cold imports: ${RUNS} rounds, each target in a fresh process per round; load average ${load.toFixed(1)} on ${cores} cores${load > cores ? " (busy: the times are noisy, the ratio less so)" : ""}.`,
);

const unmet = rows.filter((r) => r.ok === false && !r.enforced);
if (unmet.length > 0) {
  console.log(`size: target not met, not enforced: ${unmet.map((r) => r.figure).join("; ")}`);
}
const missed = rows.filter((r) => r.ok === false && r.enforced);
if (missed.length > 0) {
  console.error(`size: ${missed.map((r) => r.figure).join("; ")}: over the budget`);
  process.exit(1);
}
