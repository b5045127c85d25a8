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
assert.equal(pkg.sideEffects, false);
console.log(
  `package ok: ${esmNames.length} exports, ESM and CJS agree, every "exports" target exists`,
);
