// The developer tools that are no part of the root install (so `npm ci` at the root stays small
// and is all `npm test` needs): Biome (lint, format), TypeDoc (API docs), Changesets (release
// notes) and autocannon (the HTTP bench) live in tools/package.json, with their own lock file,
// installed with `npm ci --prefix tools`.
//
//   node scripts/tool.mjs <biome|typedoc|changeset|attw|publint> [args…]   runs the tool from the repository root
//
// The root's npm scripts call this (`npm run lint`, `npm run format`, `npm run docs`,
// `npm run changeset`); when the tools package is not installed it says how to install it and
// exits 1. `requireTool(name)` loads a tool's module for a script (bench/http.mjs: autocannon).
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
/** The tools package's directory. */
export const TOOLS_DIR = join(root, "tools");
const modules = join(TOOLS_DIR, "node_modules");

/** The command each tool is run as, and the package it comes from. */
const COMMANDS = {
  biome: { pkg: "@biomejs/biome", purpose: "lint and format (Biome)" },
  typedoc: { pkg: "typedoc", purpose: "API docs (TypeDoc)" },
  changeset: { pkg: "@changesets/cli", purpose: "release notes (Changesets)" },
  attw: { pkg: "@arethetypeswrong/cli", purpose: "type resolution check (are-the-types-wrong)" },
  publint: { pkg: "publint", purpose: "package lint (publint)" },
};

/** The one line printed when the tools package is not installed. */
export function notInstalledMessage(pkg, purpose) {
  return `${purpose}: ${pkg} is in the tools package (tools/package.json), which is not installed here: run \`npm ci --prefix tools\` once, then try again.`;
}

/** The directory of an installed tools package, or `null`. */
function installedDir(pkg) {
  const dir = join(modules, pkg);
  return existsSync(join(dir, "package.json")) ? dir : null;
}

/**
 * Loads a CommonJS tool (such as `autocannon`) from the tools package; when it is not installed,
 * prints how to install it and exits 1.
 */
export function requireTool(pkg, purpose) {
  if (!installedDir(pkg)) {
    console.error(notInstalledMessage(pkg, purpose));
    process.exit(1);
  }
  return createRequire(join(TOOLS_DIR, "package.json"))(pkg);
}

/** Runs `command` from the tools package with `args` in the current directory. */
function run(command, args) {
  const tool = COMMANDS[command];
  if (!tool) {
    console.error(`usage: node scripts/tool.mjs <${Object.keys(COMMANDS).join("|")}> [args…]`);
    return process.exit(2);
  }
  const dir = installedDir(tool.pkg);
  if (!dir) {
    console.error(notInstalledMessage(tool.pkg, tool.purpose));
    return process.exit(1);
  }
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const bin = typeof manifest.bin === "string" ? manifest.bin : manifest.bin?.[command];
  if (!bin) {
    console.error(`${tool.pkg} in tools/node_modules has no \`${command}\` command`);
    return process.exit(1);
  }
  const child = spawn(process.execPath, [resolve(dir, bin), ...args], { stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  run(process.argv[2], process.argv.slice(3));
}
