// What the root install costs: the size of node_modules on disk (as `du -sh node_modules` counts
// it) and in bytes (`du -sh --apparent-size`), the number of packages and the five largest, beside
// the budget. Exits 1 when the install is over budget (.ci/run runs it right after `npm ci`).
//
//   npm run size:install                 (or: node scripts/install-size.mjs [dir] [--budget-mb N])
//
// The runtime matrix (Bun, Deno, Node 22, workerd: test/runtimes) and the developer tools (Biome,
// TypeDoc, Changesets, autocannon: tools/) have their own packages and are not counted. Caches
// tools write into node_modules later (.vite, .vitest, .cache) are left out and shown apart.
// MB here are du's: 1 MB = 1024 × 1024 bytes.
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const MB = 1024 * 1024;
/** The budget for the root install, on disk. */
export const BUDGET_MB = 150;
const CACHES = new Set([".vite", ".vitest", ".cache"]);

/** Disk usage (512-byte blocks, each inode once) and apparent size of a tree, like du. */
function measure(path, seen, totals = { disk: 0, apparent: 0 }) {
  const stat = lstatSync(path, { bigint: false });
  if (stat.nlink > 1) {
    const key = `${stat.dev}:${stat.ino}`;
    if (seen.has(key)) return totals;
    seen.add(key);
  }
  totals.disk += stat.blocks * 512;
  totals.apparent += stat.size;
  if (stat.isDirectory()) {
    for (const entry of readdirSync(path)) measure(join(path, entry), seen, totals);
  }
  return totals;
}

/** Every package directory under a node_modules directory, nested ones too. */
function packagesIn(modules, found = []) {
  let entries;
  try {
    entries = readdirSync(modules, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const dir = join(modules, entry.name);
    if (entry.name.startsWith("@")) {
      for (const scoped of readdirSync(dir, { withFileTypes: true })) {
        if (scoped.isDirectory()) addPackage(join(dir, scoped.name), found);
      }
    } else {
      addPackage(dir, found);
    }
  }
  return found;
}

function addPackage(dir, found) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  } catch {
    return;
  }
  found.push({ dir, name: manifest.name, version: manifest.version });
  packagesIn(join(dir, "node_modules"), found);
}

/** A package's own size: its directory without the packages nested in its node_modules. */
function ownSize(dir) {
  const seen = new Set();
  const totals = { disk: 0, apparent: 0 };
  for (const entry of readdirSync(dir)) {
    if (entry === "node_modules") continue;
    measure(join(dir, entry), seen, totals);
  }
  return totals;
}

/** The install's figures: `{ disk, apparent, caches, packages, largest }` (sizes in bytes). */
export function installSize(modules) {
  const seen = new Set();
  const totals = { disk: 0, apparent: 0 };
  const caches = { disk: 0, apparent: 0 };
  measure(modules, seen, totals);
  for (const name of CACHES) {
    try {
      measure(join(modules, name), new Set(), caches);
    } catch {
      // no such cache
    }
  }
  const packages = packagesIn(modules).map((p) => ({ ...p, ...ownSize(p.dir) }));
  const largest = [...packages].sort((a, b) => b.disk - a.disk).slice(0, 5);
  return {
    disk: totals.disk - caches.disk,
    apparent: totals.apparent - caches.apparent,
    caches,
    packages: packages.length,
    largest,
  };
}

const mb = (bytes) => `${(bytes / MB).toFixed(1)} MB`;

function main() {
  const args = process.argv.slice(2);
  const budgetAt = args.indexOf("--budget-mb");
  const budget = budgetAt >= 0 ? Number(args.splice(budgetAt, 2)[1]) : BUDGET_MB;
  const root = fileURLToPath(new URL("..", import.meta.url));
  const modules = resolve(args[0] ?? root, "node_modules");
  try {
    lstatSync(modules);
  } catch {
    console.error(`${modules} does not exist: run \`npm ci\` first`);
    process.exit(1);
  }
  const size = installSize(modules);
  const over = size.disk > budget * MB;
  const near = relative(process.cwd(), modules);
  const where = near && !near.startsWith("..") ? near : modules;
  const rows = [
    ["root install", where],
    ["on disk (du -sh)", `${mb(size.disk)}   budget ${budget} MB: ${over ? "OVER" : "ok"}`],
    ["bytes (--apparent-size)", mb(size.apparent)],
    ["packages", String(size.packages)],
    ...size.largest.map((p, i) => [
      i === 0 ? "largest" : "",
      `${mb(p.disk).padStart(9)}  ${p.name}@${p.version}`,
    ]),
  ];
  if (size.caches.disk > 0)
    rows.push(["caches left out", `${mb(size.caches.disk)} (.vite, .vitest, .cache)`]);
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
  if (over) {
    console.error(
      `\nThe root install is ${mb(size.disk)}, over its ${budget} MB budget: move tools the tests do not need to tools/package.json (see README, "Developing otzovik").`,
    );
    process.exitCode = 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
