// What a user's bundle pays for each import, as esbuild (minified) + gzip sees it, on the built
// package. Run: npm run size. Exits 1 when an import is over its budget.
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const KB = 1024;

const checks = [
  {
    name: 'import { parseIiko } from "otzovik"',
    code: 'import { parseIiko } from "otzovik"; globalThis.out = parseIiko;',
    budget: 40 * KB,
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

let failed = false;
const rows = [];
for (const check of checks) {
  const result = await build({
    stdin: { contents: check.code, resolveDir: root, loader: "js" },
    bundle: true,
    minify: true,
    write: false,
    format: "esm",
    platform: "browser",
    alias: { otzovik: `${root}dist/index.js` },
    logLevel: "silent",
  });
  const bytes = result.outputFiles[0].contents;
  const gzip = gzipSync(bytes, { level: 9 }).length;
  const ok = gzip <= check.budget;
  failed ||= !ok;
  rows.push({
    import: check.name,
    "min KB": (bytes.length / KB).toFixed(1),
    "gzip KB": (gzip / KB).toFixed(1),
    "budget KB": check.budget / KB,
    ok,
  });
}
console.table(rows);
if (failed) {
  console.error("size: an import is over its budget");
  process.exit(1);
}
