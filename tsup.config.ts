import { defineConfig, type Options } from "tsup";

/** Public entry points: the root, the two adapters, `otzovik/testing`, `otzovik/redis` and `otzovik/bullmq`. */
const entries = {
  index: "src/index.ts",
  express: "src/adapters/express.ts",
  fetch: "src/adapters/fetch.ts",
  testing: "src/testing/index.ts",
  redis: "src/stores/redis.ts",
  bullmq: "src/schedulers/bullmq.ts",
};

const common: Options = {
  target: "node20",
  sourcemap: true,
  clean: false,
  external: ["msw", "ioredis", "redis", "bullmq"],
};

export default defineConfig([
  // ESM keeps one file per module, so a bundler drops whole modules a user does not import
  // (package.json has "sideEffects": false): `import { parseIiko }` does not pay for amoCRM.
  // The CLI is not part of the library: it is built on its own, below.
  { ...common, entry: ["src/**/*.ts", "!src/cli/**"], format: ["esm"], bundle: false, dts: false },
  // CommonJS is one bundled file per entry; types for both formats come from the bundled d.ts.
  // `import.meta.url` (otzovik/testing's msw loader) is the file's path there.
  {
    ...common,
    entry: entries,
    format: ["cjs"],
    dts: true,
    define: { "import.meta.url": "__filename" },
  },
  { ...common, entry: entries, format: ["esm"], dts: { only: true } },
  // The `otzovik` command (package.json "bin"): one ESM file, executable. otzovik/bullmq is
  // imported by name (only with REDIS_URL), so bullmq stays out of it.
  {
    ...common,
    entry: { cli: "src/cli/main.ts" },
    format: ["esm"],
    dts: false,
    splitting: false,
    external: [...(common.external ?? []), "otzovik/bullmq"],
    banner: { js: "#!/usr/bin/env node" },
  },
]);
