// Checks the built package as users load it: the "exports" map resolves for import and require,
// both formats export the same names and share one runtime, a parser works from each, and
// TypeScript projects resolve every entry point (node10, node16, bundler). Run after
// `npm run build`; scripts/check-tarball.mjs then checks the packed .tgz.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

const esm = await import("otzovik");
const cjs = require("otzovik");
const esmNames = Object.keys(esm).sort();
const cjsNames = Object.keys(cjs)
  .filter((k) => k !== "default" && k !== "__esModule")
  .sort();
assert.deepEqual(cjsNames, esmNames, "ESM and CJS builds must export the same names");

const body =
  '[{"eventType":"DeliveryOrderUpdate","eventInfo":{"id":"1","order":{"status":"Closed","phone":"89161234567"}}}]';
for (const [format, mod] of [
  ["esm", esm],
  ["cjs", cjs],
]) {
  assert.equal(mod.parseIiko(body).phone, "+79161234567", `${format}: parseIiko works`);
}

for (const [subpath, target] of Object.entries(pkg.exports)) {
  if (typeof target === "string") continue;
  for (const condition of ["module", "import", "require"]) {
    for (const file of [target[condition]].flatMap((value) =>
      typeof value === "string" ? [value] : Object.values(value),
    )) {
      assert.ok(
        existsSync(new URL(`../${file}`, import.meta.url)),
        `${subpath} ${condition}: ${file} exists`,
      );
    }
  }
}
// The `otzovik` command: "bin" names one executable file with a node shebang, and it runs.
{
  const { statSync } = await import("node:fs");
  const { execFileSync } = await import("node:child_process");
  const { fileURLToPath } = await import("node:url");
  assert.deepEqual(pkg.bin, { otzovik: "./dist/cli.js" }, 'package.json "bin"');
  const cli = new URL(`../${pkg.bin.otzovik}`, import.meta.url);
  assert.ok(existsSync(cli), `${pkg.bin.otzovik} exists`);
  assert.ok((statSync(cli).mode & 0o111) !== 0, `${pkg.bin.otzovik} is executable`);
  assert.ok(
    readFileSync(cli, "utf8").startsWith("#!/usr/bin/env node\n"),
    `${pkg.bin.otzovik} starts with #!/usr/bin/env node`,
  );
  const out = execFileSync(fileURLToPath(cli), ["segments", "hello"], { encoding: "utf8" });
  assert.match(out, /^encoding {4}GSM-7$/m, "otzovik segments runs");
}
// `otzovik/redis` loads without ioredis or redis (optional peers): it only takes a client.
{
  const esmRedis = await import("otzovik/redis");
  const cjsRedis = require("otzovik/redis");
  assert.equal(typeof esmRedis.redisStore, "function", "esm: otzovik/redis exports redisStore");
  assert.deepEqual(
    Object.keys(cjsRedis)
      .filter((k) => k !== "default" && k !== "__esModule")
      .sort(),
    Object.keys(esmRedis).sort(),
    "otzovik/redis: ESM and CJS builds must export the same names",
  );
  // An error from otzovik/redis must be an OtzovikError of the root's (the requester keeps its code
  // only then): one runtime for every entry point (checked for every entry point below).
  for (const [format, root, redis] of [
    ["cjs", cjs, cjsRedis],
    ["esm", esm, esmRedis],
  ]) {
    assert.throws(
      () => redis.redisStore({ client: null }),
      (error) => error instanceof root.OtzovikError && error.code === "config_invalid",
      `${format}: an otzovik/redis error is an OtzovikError of otzovik`,
    );
  }
  for (const file of ["dist/redis.cjs", "dist/stores/redis.js"]) {
    const text = readFileSync(new URL(`../${file}`, import.meta.url), "utf8");
    assert.ok(
      !/require\(["'](ioredis|redis)["']\)|from ["'](ioredis|redis)["']/.test(text),
      `${file} does not import ioredis or redis`,
    );
  }
}
assert.equal(pkg.sideEffects, false);

// otzovik/bullmq loads from both formats, and it alone loads bullmq (an optional peer): no other
// built file imports or requires it, so the root and the other entries work without it.
const esmBullmq = await import("otzovik/bullmq");
const cjsBullmq = require("otzovik/bullmq");
assert.deepEqual(
  Object.keys(cjsBullmq)
    .filter((k) => k !== "default" && k !== "__esModule")
    .sort(),
  Object.keys(esmBullmq).sort(),
  "otzovik/bullmq: ESM and CJS builds must export the same names",
);
assert.equal(esmBullmq.bullmqJobId("x"), cjsBullmq.bullmqJobId("x"));
const loadsBullmq = readdirSync(new URL("../dist/", import.meta.url), { recursive: true })
  .filter((file) => /\.(c?js)$/.test(file))
  .filter((file) =>
    /(from |require\()["']bullmq["']/.test(
      readFileSync(new URL(`../dist/${file}`, import.meta.url), "utf8"),
    ),
  )
  .sort();
assert.deepEqual(
  loadsBullmq,
  ["bullmq.cjs", "schedulers/bullmq.js"],
  "only otzovik/bullmq loads bullmq",
);
console.log(
  `package ok: ${esmNames.length} exports, ESM and CJS agree, every "exports" target exists`,
);

// As a user's project sees the package (node_modules/otzovik → this repository): every entry point
// with import and require, one runtime (one class per error class, `instanceof` across entry points
// and formats), the peers each entry point loads, and TypeScript consumers under node10, node16
// (ESM and CJS) and bundler resolution. scripts/check-tarball.mjs runs the same on the packed .tgz.
{
  const { mkdtempSync, mkdirSync, symlinkSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { fileURLToPath } = await import("node:url");
  const { checkRuntime, checkTypes } = await import("./consumer-checks.mjs");
  const root = fileURLToPath(new URL("..", import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), "otzovik-consumer-"));
  try {
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(root, join(dir, "node_modules", "otzovik"), "dir");
    checkRuntime(dir);
    checkTypes(dir, {
      ts: require("typescript"),
      typesNode: join(root, "node_modules", "@types", "node"),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
