// Checks the built package as users load it: the "exports" map resolves for import and require,
// both formats export the same names, and a parser works from each. Run after `npm run build`.
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
  for (const condition of ["import", "require"]) {
    for (const file of Object.values(target[condition])) {
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
  // Each CommonJS entry bundles its own copy of the errors: an error from otzovik/redis must still
  // be an OtzovikError of the root's (the requester keeps its code only then).
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

// The published types, as a user's TypeScript project sees them (node16 resolution, ESM and CJS,
// every subpath, full lib check).
{
  const { mkdtempSync, mkdirSync, symlinkSync, writeFileSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { execFileSync } = await import("node:child_process");
  const { fileURLToPath } = await import("node:url");
  const root = fileURLToPath(new URL("..", import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), "otzovik-types-"));
  try {
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(root, join(dir, "node_modules", "otzovik"), "dir");
    const imports = [
      'import { createReviewRequester, parseIiko, type ParseResult, type Outcome } from "otzovik";',
      'import { webhookHandler } from "otzovik/express";',
      'import { createFetchHandler } from "otzovik/fetch";',
      'import { redisStore, type RedisStoreOptions } from "otzovik/redis";',
    ];
    const use =
      'const r: ParseResult = parseIiko("[]"); const o: Outcome[] = []; console.log(r, o, createReviewRequester, webhookHandler, createFetchHandler, redisStore); const ro: Partial<RedisStoreOptions> = { prefix: "p" }; console.log(ro);';
    writeFileSync(
      join(dir, "esm.mts"),
      `${imports.join("\n")}\nimport { createFakeSmsRu } from "otzovik/testing";\n${use}\nconsole.log(createFakeSmsRu);\n`,
    );
    writeFileSync(join(dir, "cjs.cts"), `${imports.join("\n")}\n${use}\n`);
    /** Compiles `files` in `dir` as a node16 project with full lib check and only `types`. */
    const compile = (name, files, types) => {
      writeFileSync(
        join(dir, name),
        JSON.stringify({
          compilerOptions: {
            module: "node16",
            moduleResolution: "node16",
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            types,
            lib: ["ES2022", "DOM"],
          },
          files,
        }),
      );
      execFileSync(join(root, "node_modules", ".bin", "tsc"), ["-p", join(dir, name)], {
        stdio: "inherit",
      });
    };
    compile("tsconfig.json", ["esm.mts", "cjs.cts"], []);
    // otzovik/bullmq brings BullMQ's own types, which need Node's (`NodeJS.Timeout`): its users
    // have @types/node, so this project has them too.
    mkdirSync(join(dir, "node_modules", "@types"));
    symlinkSync(
      join(root, "node_modules", "@types", "node"),
      join(dir, "node_modules", "@types", "node"),
      "dir",
    );
    const bullmq = [
      'import { bullmqScheduler, bullmqJobId, type BullmqSchedulerOptions } from "otzovik/bullmq";',
      'import type { Scheduler } from "otzovik";',
      'const options: BullmqSchedulerOptions = { connection: { host: "127.0.0.1", port: 6379 }, worker: false };',
      'const s: Scheduler = bullmqScheduler(options); console.log(s, bullmqJobId("x"));',
    ].join("\n");
    writeFileSync(join(dir, "bullmq-esm.mts"), `${bullmq}\n`);
    writeFileSync(join(dir, "bullmq-cjs.cts"), `${bullmq}\n`);
    compile("tsconfig.bullmq.json", ["bullmq-esm.mts", "bullmq-cjs.cts"], ["node"]);
    console.log(
      "types ok: a node16 TypeScript project (ESM and CJS) compiles against every entry point",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
