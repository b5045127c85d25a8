// What a user's project sees of the built package, checked from a consumer directory whose
// node_modules/otzovik is the package (the repository after `npm run build`, or an unpacked
// tarball). Used by scripts/check-package.mjs (the repository) and scripts/check-tarball.mjs (the
// packed .tgz).
//
// - checkRuntime: every entry point loads with `import` and `require`, both export the same names,
//   every error class is ONE class (the same object from every entry point and both formats, so
//   `instanceof` holds for OtzovikError and each subclass, for errors made or thrown anywhere), and
//   each entry point loads only the optional peers it needs.
// - checkTypes: a TypeScript project compiles against every entry point under `node10`, `node16`
//   (ESM and CommonJS files) and `bundler` resolution, with a full lib check.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The script run in a fresh Node process in the consumer directory by {@link checkRuntime}. */
const RUNTIME_CHECK = `
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const pkg = require("otzovik/package.json");
const entries = Object.keys(pkg.exports)
  .filter((subpath) => subpath !== "./package.json")
  .map((subpath) => "otzovik" + subpath.slice(1));
const names = (mod) => Object.keys(mod).filter((k) => k !== "default" && k !== "__esModule").sort();

/** Every entry point, loaded both ways: { how, entry, mod }. */
const loaded = [];
for (const entry of entries) {
  const esm = { how: "import(" + JSON.stringify(entry) + ")", entry, mod: await import(entry) };
  const cjs = { how: "require(" + JSON.stringify(entry) + ")", entry, mod: require(entry) };
  assert.deepEqual(names(cjs.mod), names(esm.mod), entry + ": import and require export the same names");
  loaded.push(esm, cjs);
}
const roots = loaded.filter((l) => l.entry === "otzovik");

// One runtime: an exported error class is the same object wherever it is exported from.
const classes = new Map();
for (const { how, mod } of loaded)
  for (const [name, value] of Object.entries(mod))
    if (typeof value === "function" && value.prototype instanceof Error) {
      if (!classes.has(name)) classes.set(name, []);
      classes.get(name).push({ how, value });
    }
for (const name of ["OtzovikError", "ConfigError", "ProviderError", "NetworkError", "ValidationError", "DeliveryUnknownError"])
  assert.ok(classes.has(name), "otzovik exports " + name);
let pairs = 0;
for (const [name, list] of classes) {
  for (const from of list) {
    assert.equal(from.value, list[0].value, name + " of " + from.how + " is the " + name + " of " + list[0].how);
    // An error made by one entry point's class is an instance of the class (and of OtzovikError)
    // of every entry point, in both formats.
    const error = new from.value("instanceof check", { code: "config_invalid", provider: "x", category: "permanent", reason: "timeout" });
    for (const to of list) {
      assert.ok(error instanceof to.value, "new " + name + " of " + from.how + " instanceof " + name + " of " + to.how);
      pairs++;
    }
    for (const root of roots)
      assert.ok(error instanceof root.mod.OtzovikError, "new " + name + " of " + from.how + " instanceof OtzovikError of " + root.how);
  }
}

// Errors thrown by each entry point's own code are errors of the root's classes, in both formats.
const throwers = {
  otzovik: (m) => m.createReviewRequester({}),
  "otzovik/express": (m) => m.webhookHandler({}, { respond: "never" }),
  "otzovik/fetch": (m) => m.createFetchHandler({}, { respond: "never" }),
  // This process runs with msw hidden (see NO_MSW): a fake then throws a ConfigError.
  "otzovik/testing": (m) => m.createFakeSmsRu(),
  "otzovik/redis": (m) => m.redisStore({ client: null }),
  "otzovik/bullmq": (m) => m.bullmqScheduler({}),
};
for (const entry of entries) assert.ok(throwers[entry], entry + ": add a call that throws a ConfigError here");
for (const { how, entry, mod } of loaded) {
  let thrown;
  try {
    throwers[entry](mod);
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown !== undefined, how + ": the call throws");
  for (const root of roots) {
    assert.ok(thrown instanceof root.mod.ConfigError, how + " throws a ConfigError of " + root.how + ": " + thrown);
    assert.ok(thrown instanceof root.mod.OtzovikError, how + " throws an OtzovikError of " + root.how);
  }
}
console.log("runtime ok: " + entries.length + " entry points × import/require, " + classes.size + " error classes are one class each (" + pairs + " instanceof pairs), errors thrown by every entry point are the root's");
`;

/** Preloaded (`--require`) by the runtime check: `require("msw")` fails as when msw is not installed. */
const NO_MSW = `
const Module = require("node:module");
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === "msw") throw Object.assign(new Error("Cannot find module 'msw'"), { code: "MODULE_NOT_FOUND" });
  return load.call(this, request, ...rest);
};
`;

/** Prints which optional peers (and whether `node:crypto`) are loaded after `code` runs (in a fresh process). */
const PEERS_LOADED = String.raw`
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
await (CODE);
const peers = new Set();
for (const file of Object.keys(require.cache)) {
  const match = /[\\/]node_modules[\\/](ioredis|redis|@redis[\\/][^\\/]+|bullmq|msw)[\\/]/.exec(file);
  if (match) peers.add(match[1].replace(/\\/g, "/"));
}
// node:crypto too: hashing looks it up at the first hash, so that a cold import does not pay for it.
if (process.moduleLoadList.includes("NativeModule crypto")) peers.add("node:crypto");
process.stdout.write(JSON.stringify([...peers].sort()));
`;

/** Which optional peers each step loads (bullmq loads its own ioredis, from its own directory, later). */
const PEER_CASES = [
  ['import("otzovik")', []],
  ['import("otzovik/express")', []],
  ['import("otzovik/fetch")', []],
  // The Redis store hashes its Lua script with node:crypto when it loads (a Node-only entry).
  ['import("otzovik/redis")', ["node:crypto"]],
  ['import("otzovik/testing")', []],
  ['import("otzovik/testing").then((m) => m.createFakeSmsRu())', ["msw", "node:crypto"]],
  ['import("otzovik/bullmq")', ["bullmq", "node:crypto"]],
];

/**
 * Loads every entry point of the package installed in `consumerDir` (its node_modules/otzovik),
 * with `import` and `require`, and checks one runtime and which peers load; throws on a failure.
 */
export function checkRuntime(consumerDir) {
  const script = join(consumerDir, "runtime-check.mjs");
  writeFileSync(script, RUNTIME_CHECK);
  writeFileSync(join(consumerDir, "no-msw.cjs"), NO_MSW);
  execFileSync(process.execPath, ["--require", "./no-msw.cjs", script], {
    cwd: consumerDir,
    stdio: "inherit",
  });
  for (const [code, expected] of PEER_CASES) {
    const file = join(consumerDir, "peers-check.mjs");
    writeFileSync(file, PEERS_LOADED.replace("CODE", code));
    const out = execFileSync(process.execPath, [file], { cwd: consumerDir, encoding: "utf8" });
    const loaded = JSON.parse(out);
    if (JSON.stringify(loaded) !== JSON.stringify(expected))
      throw new Error(`${code} loads the peers ${out}, expected ${JSON.stringify(expected)}`);
  }
  console.log(
    `peers ok: ${PEER_CASES.map(([code, peers]) => `${code} → ${peers.join("+") || "none"}`).join("; ")}`,
  );
}

const IMPORTS = [
  'import { createReviewRequester, parseIiko, OtzovikError, type ParseResult, type Outcome } from "otzovik";',
  'import { webhookHandler } from "otzovik/express";',
  'import { createFetchHandler } from "otzovik/fetch";',
  'import { redisStore, type RedisStoreOptions } from "otzovik/redis";',
];
const USE =
  'const r: ParseResult = parseIiko("[]"); const o: Outcome[] = []; const e: OtzovikError | null = null; console.log(r, o, e, createReviewRequester, webhookHandler, createFetchHandler, redisStore); const ro: Partial<RedisStoreOptions> = { prefix: "p" }; console.log(ro);';
// otzovik/testing's types name msw's (`HttpHandler`), and msw's own CommonJS types do not compile
// under node16 resolution (they import an ES-module-only package): a .cts file leaves it out.
const TESTING =
  'import { createFakeSmsRu, type FakeSmsRu } from "otzovik/testing";\nconst f: FakeSmsRu | null = null; console.log(f, createFakeSmsRu);';
// otzovik/bullmq brings BullMQ's own types, which need Node's (`NodeJS.Timeout`): its users have
// @types/node, so its project has them too; the others compile without.
const BULLMQ = [
  'import { bullmqScheduler, bullmqJobId, type BullmqSchedulerOptions } from "otzovik/bullmq";',
  'import type { Scheduler } from "otzovik";',
  'const options: BullmqSchedulerOptions = { connection: { host: "127.0.0.1", port: 6379 }, worker: false };',
  'const s: Scheduler = bullmqScheduler(options); console.log(s, bullmqJobId("x"));',
].join("\n");

/** The resolution modes: compiler options and the files (name → extension) compiled under them. */
const MODES = {
  node10: { options: { module: "commonjs", moduleResolution: "node10" }, ext: [".ts"] },
  node16: { options: { module: "node16", moduleResolution: "node16" }, ext: [".mts", ".cts"] },
  bundler: { options: { module: "esnext", moduleResolution: "bundler" }, ext: [".ts"] },
};

/**
 * Compiles a TypeScript consumer of every entry point under node10, node16 (ESM and CJS) and
 * bundler resolution against the package installed in `consumerDir`, with the TypeScript module
 * `ts` (the repository's) and `typesNode`, the directory of @types/node. One process: the programs
 * share parsed files (TypeScript's own lib files are parsed once and not re-checked,
 * `skipDefaultLibCheck`; every other declaration file is checked). Throws listing the errors.
 */
export function checkTypes(consumerDir, { ts, typesNode }) {
  mkdirSync(join(consumerDir, "node_modules", "@types"), { recursive: true });
  const parsed = new Map();
  const ran = [];
  for (const [mode, { options, ext }] of Object.entries(MODES)) {
    for (const [set, source, types] of [
      ["all", `${IMPORTS.join("\n")}\n${TESTING}\n${USE}\n`, []],
      ["bullmq", `${BULLMQ}\n`, ["node"]],
    ]) {
      const files = ext.map((e) => join(consumerDir, `${mode}-${set}${e}`));
      for (const file of files)
        writeFileSync(file, file.endsWith(".cts") ? source.replace(`${TESTING}\n`, "") : source);
      const { options: compilerOptions, errors } = ts.convertCompilerOptionsFromJson(
        {
          ...options,
          target: "ES2022",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          skipDefaultLibCheck: true,
          esModuleInterop: true,
          types,
          typeRoots: types.length ? [join(typesNode, "..")] : [],
          lib: ["ES2022", "DOM"],
        },
        consumerDir,
      );
      if (errors.length) throw new Error(ts.formatDiagnostics(errors, formatHost()));
      const host = ts.createCompilerHost(compilerOptions);
      const getSourceFile = host.getSourceFile;
      host.getSourceFile = (fileName, languageVersion, ...rest) => {
        // The consumer's own files are compiled once per mode (their module kind differs).
        if (files.includes(fileName)) return getSourceFile(fileName, languageVersion, ...rest);
        const key = `${fileName}\0${JSON.stringify(languageVersion)}`;
        if (!parsed.has(key)) parsed.set(key, getSourceFile(fileName, languageVersion, ...rest));
        return parsed.get(key);
      };
      const program = ts.createProgram({ rootNames: files, options: compilerOptions, host });
      const diagnostics = ts.getPreEmitDiagnostics(program);
      if (diagnostics.length)
        throw new Error(
          `${mode} (${files.join(", ")}):\n${ts.formatDiagnostics(diagnostics, formatHost())}`,
        );
      ran.push(`${mode}: ${files.map((file) => file.slice(consumerDir.length + 1)).join(" + ")}`);
    }
  }
  console.log(
    `types ok: TypeScript consumers compile against every entry point (${ran.join("; ")})`,
  );
}

/** How diagnostics are printed. */
function formatHost() {
  return {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => process.cwd(),
    getNewLine: () => "\n",
  };
}

/**
 * Bundles a server for Node with `esbuild` (the repository's, default conditions: `module` among
 * them) from the package installed in `consumerDir` and runs it: the bundle takes the per-file ES
 * modules (no CommonJS file of the package), `import` and `require` of otzovik in it are one copy,
 * and an error from otzovik/redis is a ConfigError of the root's.
 */
export async function checkNodeBundle(consumerDir, esbuild) {
  const entry = join(consumerDir, "bundle-entry.mjs");
  writeFileSync(
    entry,
    [
      'import assert from "node:assert/strict";',
      'import { ConfigError, parseIiko } from "otzovik";',
      'import { redisStore } from "otzovik/redis";',
      'const required = require("otzovik");',
      "assert.equal(required.ConfigError, ConfigError, 'require and import of otzovik in a bundle are one copy');",
      "assert.throws(() => redisStore({ client: null }), (error) => error instanceof ConfigError);",
      'assert.equal(typeof parseIiko, "function");',
    ].join("\n"),
  );
  const outfile = join(consumerDir, "bundle-out.mjs");
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile,
    metafile: true,
    logLevel: "error",
    external: ["msw", "ioredis", "redis", "bullmq"],
  });
  const cjs = Object.keys(result.metafile.inputs).filter((file) =>
    /node_modules\/otzovik\/.*\.cjs$/.test(file),
  );
  if (cjs.length) throw new Error(`a Node bundle took the package's CommonJS files: ${cjs}`);
  execFileSync(process.execPath, [outfile], { cwd: consumerDir, stdio: "inherit" });
  console.log(
    "bundle ok: an esbuild bundle for Node takes the per-file ES modules, one copy for import and require",
  );
}
