/**
 * Bundles the runtime-matrix scenario with esbuild (a root devDependency) into
 * test/runtimes/.build/ (gitignored): one self-contained ESM file per runtime, fixtures embedded,
 * so no runtime needs file, npm or network access.
 *
 * Each bundle resolves package `exports` with the conditions that runtime itself uses, so it runs
 * the same dependency builds a user on it would get (libphonenumber-js and zod ship per-condition builds):
 * - node.mjs: Node (`node`, `import`);
 * - bun.mjs:  Bun (`bun` first);
 * - deno.mjs: Deno (`deno` first);
 * - worker.mjs: a Workers module for workerd (`workerd`, `worker`, `browser`, as wrangler does);
 * - lib.mjs: the scenario's exports (expectations, requests, checks) for the miniflare driver.
 *
 * Usage: `node test/runtimes/build.mjs` (run.mjs calls `buildAll()` itself).
 */
import { mkdir, readFile, rm } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
/** Where the bundles go. */
export const OUT_DIR = resolve(here, ".build");

/** `import text from "./file.json?raw"`: the file's text, like Vite's `?raw`. */
const rawPlugin = {
  name: "raw",
  setup(build) {
    build.onResolve({ filter: /\?raw$/ }, (args) => ({
      path: resolve(args.resolveDir, args.path.slice(0, -"?raw".length)),
      namespace: "raw",
    }));
    build.onLoad({ filter: /.*/, namespace: "raw" }, async (args) => ({
      contents: await readFile(args.path, "utf8"),
      loader: "text",
      watchFiles: [args.path],
    }));
  },
};

/** CommonJS dependencies bundled into ESM for Node-like runtimes may `require` built-ins. */
const requireShim =
  'import { createRequire as __otzovikCreateRequire } from "node:module";\n' +
  "const require = __otzovikCreateRequire(import.meta.url);";

const common = {
  bundle: true,
  format: "esm",
  target: "es2022",
  logLevel: "warning",
  legalComments: "none",
  sourcemap: "inline",
  plugins: [rawPlugin],
  absWorkingDir: here,
};

/** The bundles: output name → esbuild options. */
const BUNDLES = {
  "node.mjs": { entryPoints: ["entry-cli.ts"], platform: "node", conditions: [] },
  "bun.mjs": { entryPoints: ["entry-cli.ts"], platform: "node", conditions: ["bun"] },
  "deno.mjs": { entryPoints: ["entry-cli.ts"], platform: "node", conditions: ["deno"] },
  "worker.mjs": {
    entryPoints: ["entry-worker.ts"],
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
  },
  "lib.mjs": { entryPoints: ["scenario.ts"], platform: "node", conditions: [] },
};

/** Builds every bundle into {@link OUT_DIR}; resolves to their absolute paths by name. */
export async function buildAll() {
  await rm(OUT_DIR, { recursive: true, force: true });
  await mkdir(OUT_DIR, { recursive: true });
  const paths = {};
  await Promise.all(
    Object.entries(BUNDLES).map(async ([name, options]) => {
      const outfile = resolve(OUT_DIR, name);
      await esbuild.build({
        ...common,
        ...options,
        outfile,
        ...(options.platform === "node" ? { banner: { js: requireShim } } : {}),
      });
      paths[name] = outfile;
    }),
  );
  return paths;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const paths = await buildAll();
  for (const path of Object.values(paths)) console.log(path);
}
