// Checks the package as it would be published: packs it once (after `npm run build`), then on the
// .tgz runs publint --strict and are-the-types-wrong (every entry point, node10 included, no
// problem allowed), unpacks it into a consumer's node_modules and runs scripts/consumer-checks.mjs
// there (one runtime for import and require, the peers each entry point loads, a Node bundle of it,
// TypeScript under node10, node16 and bundler resolution) and the `otzovik` command. Prints the tarball's size.
//
//   node scripts/check-tarball.mjs [package.tgz]   (default: `npm pack` of this repository)
//
// publint and attw come from the tools package (`npm ci --prefix tools`).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkNodeBundle, checkRuntime, checkTypes } from "./consumer-checks.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
/** What the unpacked package needs beside it: its dependencies, its peers, Node's types. */
const BESIDE = ["zod", "libphonenumber-js", "msw", "bullmq", "ioredis", "redis", "@types/node"];

/** Runs a tool of the tools package (scripts/tool.mjs) in `cwd`; throws when it fails. */
function tool(args, cwd) {
  console.log(`$ ${args.join(" ")}`);
  execFileSync(process.execPath, [join(root, "scripts", "tool.mjs"), ...args], {
    cwd,
    stdio: "inherit",
  });
}

const started = performance.now();
const temp = mkdtempSync(join(tmpdir(), "otzovik-tarball-"));
try {
  let tarball = process.argv[2] && resolve(process.argv[2]);
  if (!tarball) {
    // The build is checked as it is: no prepack (it would build again).
    const [packed] = JSON.parse(
      execFileSync(
        npm,
        ["pack", "--ignore-scripts", "--json", "--loglevel=error", "--pack-destination", temp],
        { cwd: root, encoding: "utf8" },
      ),
    );
    tarball = join(temp, packed.filename);
    const maps = packed.files.filter((file) => file.path.endsWith(".map")).length;
    console.log(
      `tarball: ${packed.filename} ${(packed.size / 1024).toFixed(1)} KB packed, ${(packed.unpackedSize / 1024).toFixed(1)} KB unpacked, ${packed.entryCount} files (${maps} source maps)`,
    );
  }

  tool(["publint", "run", "--strict", tarball], temp);
  tool(["attw", tarball, "--profile", "strict", "--format", "table-flipped"], temp);

  // A consumer: the unpacked package in node_modules/otzovik, what it needs beside it (links to
  // this repository's installs).
  const consumer = join(temp, "consumer");
  const modules = join(consumer, "node_modules");
  const installed = join(modules, "otzovik");
  mkdirSync(installed, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"]);
  for (const name of BESIDE) {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(join(root, "node_modules", name), join(modules, name), "dir");
  }
  checkRuntime(consumer);
  await checkNodeBundle(consumer, await import("esbuild"));
  checkTypes(consumer, {
    ts: require("typescript"),
    typesNode: join(root, "node_modules", "@types", "node"),
  });
  const out = execFileSync(
    process.execPath,
    [join(installed, "dist", "cli.js"), "segments", "hello"],
    {
      cwd: consumer,
      encoding: "utf8",
    },
  );
  if (!/^encoding {4}GSM-7$/m.test(out)) throw new Error(`otzovik segments printed:\n${out}`);
  console.log("cli ok: the unpacked package's `otzovik segments` runs");
  console.log(`tarball ok in ${((performance.now() - started) / 1000).toFixed(1)} s`);
} finally {
  rmSync(temp, { recursive: true, force: true });
}
