/**
 * The built package as a Node project installs it, on whichever Node runs this file (the runtime
 * matrix runs it on Node 20, 22, 24 and 26): every entry point of package.json "exports" loads
 * with `import` and with `require` and exports the same names, a parser works from both formats,
 * an error thrown by a subpath is an `OtzovikError` of the root in both formats, and the `otzovik`
 * command runs.
 *
 * Usage: <node> test/runtimes/package-smoke.mjs <consumer dir>
 * `<consumer dir>/node_modules/otzovik` must be the package (run.mjs links the repository there);
 * the script writes `load.mjs` into the consumer directory.
 * Prints one line `OTZOVIK_PACKAGE_REPORT {json}` and exits 0 when every check passed.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const consumer = process.argv[2];
const require = createRequire(join(consumer, "index.cjs"));
const problems = [];
const check = (ok, what) => {
  if (!ok) problems.push(what);
};
/** Runs `fn`, recording a throw as a problem. */
const attempt = async (what, fn) => {
  try {
    await fn();
  } catch (error) {
    problems.push(`${what}: ${error?.message ?? error}`);
  }
};

const pkgDir = join(consumer, "node_modules", "otzovik");
const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
const names = (mod) =>
  Object.keys(mod)
    .filter((k) => k !== "default" && k !== "__esModule" && k !== "module.exports")
    .sort();
// `import()` resolves from the importing file: a one-line module in the consumer directory imports
// as the consumer's own code would.
const loader = join(consumer, "load.mjs");
writeFileSync(loader, "export const load = (specifier) => import(specifier);\n");
const { load } = await import(pathToFileURL(loader).href);

const entries = Object.keys(pkg.exports).filter((k) => k !== "./package.json");
const loaded = {};
for (const entry of entries) {
  const specifier = entry === "." ? "otzovik" : `otzovik/${entry.slice(2)}`;
  await attempt(specifier, async () => {
    const esm = await load(specifier);
    const cjs = require(specifier);
    check(
      JSON.stringify(names(esm)) === JSON.stringify(names(cjs)),
      `${specifier}: import and require export different names`,
    );
    check(names(esm).length > 0, `${specifier}: exports nothing`);
    loaded[specifier] = { esm, cjs };
  });
}

const root = loaded.otzovik;
if (root) {
  const body =
    '[{"eventType":"DeliveryOrderUpdate","eventInfo":{"id":"1","order":{"status":"Closed","phone":"89161234567"}}}]';
  for (const format of ["esm", "cjs"]) {
    await attempt(`${format} parseIiko`, () => {
      check(root[format].parseIiko(body).phone === "+79161234567", `${format}: parseIiko`);
    });
  }
  const redis = loaded["otzovik/redis"];
  if (redis) {
    for (const from of ["esm", "cjs"]) {
      for (const to of ["esm", "cjs"]) {
        await attempt(`otzovik/redis ${from} error`, () => {
          let thrown;
          try {
            redis[from].redisStore({ client: null });
          } catch (error) {
            thrown = error;
          }
          for (const type of ["OtzovikError", "ConfigError"]) {
            check(
              thrown instanceof root[to][type],
              `an otzovik/redis error (${from}) is a ${type} of otzovik (${to})`,
            );
          }
        });
      }
    }
  }
}

await attempt("otzovik command", () => {
  const bin = join(pkgDir, typeof pkg.bin === "string" ? pkg.bin : pkg.bin.otzovik);
  const out = execFileSync(process.execPath, [bin, "segments", "hello"], { encoding: "utf8" });
  check(/^encoding {4}GSM-7$/m.test(out), "otzovik segments prints the encoding");
});

console.log(
  `OTZOVIK_PACKAGE_REPORT ${JSON.stringify({
    node: process.versions.node,
    entries: Object.keys(loaded).length,
    of: entries.length,
    problems,
  })}`,
);
process.exitCode = problems.length === 0 && Object.keys(loaded).length === entries.length ? 0 : 1;
