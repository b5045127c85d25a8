// The release: every check, then `changeset publish` (npm publish with the package's publishConfig:
// public access, provenance). Run by the release workflow (.github/workflows/release.yml) after
// `npm run version-packages` has turned the pending changesets into a version and CHANGELOG.md.
//
//   npm run release                       build, check, publish (in CI: provenance needs its OIDC token)
//   npm run release -- --dry-run          the same, but `npm publish --dry-run` instead of publishing
//   npm run release -- --dry-run --skip-tests
//                                         for .ci/run, which has just run the tests with coverage
//
// A step that fails stops the release and exits 1, naming the step. Nothing is published unless
// every step before it passed.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Parsed command line: `--dry-run`, `--skip-tests`; anything else is refused. */
export function parseArgs(argv) {
  const known = new Set(["--dry-run", "--skip-tests"]);
  const unknown = argv.filter((arg) => !known.has(arg));
  if (unknown.length > 0) {
    throw new Error(
      `unknown argument ${unknown.join(", ")}: npm run release [-- --dry-run] [--skip-tests]`,
    );
  }
  return { dryRun: argv.includes("--dry-run"), skipTests: argv.includes("--skip-tests") };
}

/** The changesets not yet turned into a version (`.changeset/*.md` but its README). */
export function pendingChangesets(dir = `${root}.changeset`) {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".md") && name.toLowerCase() !== "readme.md")
    .sort();
}

/**
 * The steps of a release, in order: `[label, command, args]`. The checks are those of .ci/run that
 * look at the package itself; `--skip-tests` leaves out `npm test` only.
 */
export function releaseSteps({ dryRun, skipTests }) {
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const steps = [
    ["changesets are valid", "node", ["scripts/tool.mjs", "changeset", "status"]],
    ["lint", npm, ["run", "lint"]],
    ["typecheck", npm, ["run", "typecheck"]],
    ["build", npm, ["run", "build"]],
    ["package check", "node", ["scripts/check-package.mjs"]],
    ["tarball check", "node", ["scripts/check-tarball.mjs"]],
    ["size", npm, ["run", "size"]],
    ["API docs", npm, ["run", "docs"]],
  ];
  if (!skipTests) steps.push(["tests", npm, ["test"]]);
  steps.push(
    dryRun
      ? ["publish (dry run)", npm, ["publish", "--dry-run"]]
      : ["publish", "node", ["scripts/tool.mjs", "changeset", "publish"]],
  );
  return steps;
}

/** Whether the git work tree has changes: a release is made from a committed tree only. */
function dirtyFiles() {
  const run = spawnSync("git", ["status", "--porcelain"], { cwd: root, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`git status failed: ${run.stderr.trim()}`);
  return run.stdout.split("\n").filter(Boolean);
}

function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`release: ${error.message}`);
    return 2;
  }
  const { version, name } = JSON.parse(readFileSync(`${root}package.json`, "utf8"));
  const pending = pendingChangesets();
  if (pending.length > 0) {
    const message = `${pending.length} changeset(s) not yet versioned (${pending.join(", ")}): run \`npm run version-packages\` and commit the new version and CHANGELOG.md`;
    if (!options.dryRun) {
      console.error(`release: ${message} first.`);
      return 1;
    }
    console.log(`release (dry run): note: ${message} before a real release.`);
  }
  if (!options.dryRun) {
    const dirty = dirtyFiles();
    if (dirty.length > 0) {
      console.error(
        `release: the work tree has uncommitted changes (${dirty.length} files): commit them first.`,
      );
      return 1;
    }
  }
  console.log(`release: ${name}@${version}${options.dryRun ? " (dry run)" : ""}`);
  for (const [label, command, args] of releaseSteps(options)) {
    const started = performance.now();
    console.log(`\nrelease: ${label}: ${command} ${args.join(" ")}`);
    const run = spawnSync(command, args, { cwd: root, stdio: "inherit" });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (run.status !== 0) {
      console.error(`\nrelease: ${label} failed after ${seconds} s; nothing was published.`);
      return 1;
    }
    console.log(`release: ${label}: ok (${seconds} s)`);
  }
  console.log(
    `\nrelease: ${name}@${version} ${options.dryRun ? "would be published (dry run)" : "published"}.`,
  );
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main();
}
