// Checks the built package as users load it: the "exports" map resolves for import and require,
// both formats export the same names, and a parser works from each. Run after `npm run build`.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
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
  for (const file of ["dist/redis.cjs", "dist/stores/redis.js"]) {
    const text = readFileSync(new URL(`../${file}`, import.meta.url), "utf8");
    assert.ok(
      !/require\(["'](ioredis|redis)["']\)|from ["'](ioredis|redis)["']/.test(text),
      `${file} does not import ioredis or redis`,
    );
  }
}
assert.equal(pkg.sideEffects, false);
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
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "node16",
          moduleResolution: "node16",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
          lib: ["ES2022", "DOM"],
        },
        files: ["esm.mts", "cjs.cts"],
      }),
    );
    execFileSync(join(root, "node_modules", ".bin", "tsc"), ["-p", dir], { stdio: "inherit" });
    console.log(
      "types ok: a node16 TypeScript project (ESM and CJS) compiles against every entry point",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
