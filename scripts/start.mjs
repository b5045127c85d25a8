// `npm start`: the Express example (examples/express/server.mjs) from a current build.
//
// It builds (`npm run build`, quietly: one line, the build's output only when it fails) only when
// dist/ is missing a file package.json points at, or a source of the build (src/, tsup.config.ts,
// tsconfig.json, package.json) changed after dist/ was written; otherwise it starts the server at
// once. The server runs in this process, so Ctrl+C and SIGTERM reach its shutdown directly.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** What the build reads: a change to any of these makes dist/ stale. */
const INPUTS = ["src", "tsup.config.ts", "tsconfig.json", "package.json"];

/** Every file under `path` (or `path` itself), skipping what does not exist. */
function files(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return [];
  }
  if (!stat.isDirectory()) return [{ path, mtimeMs: stat.mtimeMs }];
  return readdirSync(path).flatMap((entry) => files(join(path, entry)));
}

/** The files package.json's `exports`, `main`, `module`, `types` and `bin` point at, in dist/. */
function builtFiles(root) {
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const targets = new Set();
  const collect = (value) => {
    if (typeof value === "string") {
      if (value.startsWith("./dist/") || value.startsWith("dist/")) targets.add(value);
    } else if (value && typeof value === "object") {
      for (const inner of Object.values(value)) collect(inner);
    }
  };
  collect([manifest.exports, manifest.main, manifest.module, manifest.types, manifest.bin]);
  return [...targets].map((target) => resolve(root, target));
}

/**
 * Why dist/ must be built again, or `null` when it is current: a file package.json points at is
 * missing, or an input of the build is newer than the oldest file in dist/.
 */
export function staleReason(root = ROOT) {
  const dist = join(root, "dist");
  const built = files(dist);
  if (built.length === 0) return "dist/ does not exist";
  const missing = builtFiles(root).find((file) => !existsSync(file));
  if (missing) return `${relative(root, missing)} is missing`;
  const oldest = Math.min(...built.map((file) => file.mtimeMs));
  const newer = INPUTS.flatMap((input) => files(join(root, input))).find(
    (file) => file.mtimeMs > oldest,
  );
  return newer ? `${relative(root, newer.path)} changed since the last build` : null;
}

/** Runs `npm run build` with its output held back; resolves with its exit code and output. */
export function buildQuietly(root) {
  return new Promise((done) => {
    const child = spawn("npm", ["run", "build"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      shell: process.platform === "win32",
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.on("error", (error) => done({ code: 1, output: `${output}${error.message}\n` }));
    child.on("close", (code) => done({ code: code ?? 1, output }));
  });
}

/**
 * Builds dist/ when it is missing or older than its sources, in one line of output (the build's
 * own output only when it fails, and then the process exits with its code).
 */
export async function buildIfStale(root = ROOT) {
  const reason = staleReason(root);
  if (!reason) return;
  const started = performance.now();
  process.stdout.write(`building dist/ (${reason}) … `);
  const { code, output } = await buildQuietly(root);
  if (code !== 0) {
    process.stdout.write("failed:\n");
    process.stderr.write(output);
    process.exit(code);
  }
  process.stdout.write(`done in ${Math.round((performance.now() - started) / 1000)} s\n`);
}

async function main() {
  await buildIfStale();
  await import(pathToFileURL(join(ROOT, "examples", "express", "server.mjs")).href);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
