/**
 * `npm run release` (scripts/release.mjs): its steps, in order, for a release and a dry run, and
 * what it refuses. The steps themselves run in .ci/run (`npm run release -- --dry-run --skip-tests`).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  parseArgs,
  pendingChangesets,
  releaseSteps,
  type ReleaseStep as Step,
} from "../../scripts/release.mjs";

const labels = (steps: Step[]) => steps.map(([label]) => label);

describe("release steps", () => {
  it("checks everything, tests, then publishes with changesets", () => {
    const steps: Step[] = releaseSteps({ dryRun: false, skipTests: false });
    expect(labels(steps)).toEqual([
      "changesets are valid",
      "lint",
      "typecheck",
      "build",
      "package check",
      "tarball check",
      "size",
      "API docs",
      "tests",
      "publish",
    ]);
    expect(steps.at(-1)?.slice(1)).toEqual(["node", ["scripts/tool.mjs", "changeset", "publish"]]);
    expect(steps[0]?.slice(1)).toEqual(["node", ["scripts/tool.mjs", "changeset", "status"]]);
  });

  it("a dry run publishes with npm publish --dry-run, and --skip-tests leaves out npm test only", () => {
    const steps: Step[] = releaseSteps({ dryRun: true, skipTests: true });
    expect(labels(steps)).not.toContain("tests");
    expect(labels(steps)).not.toContain("publish");
    expect(steps.at(-1)?.[0]).toBe("publish (dry run)");
    expect(steps.at(-1)?.[2]).toEqual(["publish", "--dry-run"]);
    expect(labels(steps).length).toBe(
      labels(releaseSteps({ dryRun: true, skipTests: false })).length - 1,
    );
  });

  it("refuses an unknown argument instead of publishing without it", () => {
    expect(() => parseArgs(["--dryrun"])).toThrow(
      "unknown argument --dryrun: npm run release [-- --dry-run] [--skip-tests]",
    );
    expect(parseArgs(["--dry-run"])).toEqual({ dryRun: true, skipTests: false });
    const run = spawnSync(process.execPath, ["scripts/release.mjs", "--publish-now"], {
      encoding: "utf8",
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      "release: unknown argument --publish-now: npm run release [-- --dry-run] [--skip-tests]\n",
    );
  });
});

describe("pending changesets", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("are the .md files of .changeset but its README", () => {
    dir = mkdtempSync(join(tmpdir(), "otzovik-changesets-"));
    for (const name of ["README.md", "config.json", "b-short-links.md", "a-fix.md"]) {
      writeFileSync(join(dir, name), "");
    }
    expect(pendingChangesets(dir)).toEqual(["a-fix.md", "b-short-links.md"]);
  });
});
