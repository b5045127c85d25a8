/**
 * The developer tools that left the root install (issue 12, set-up cost): scripts/tool.mjs runs
 * them from tools/ and says how to install them when they are not; scripts/install-size.mjs
 * measures the root install against its budget. Both run on throwaway copies in a temp directory.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const SCRIPTS = fileURLToPath(new URL("../../scripts/", import.meta.url));
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "otzovik-tools-"));
  mkdirSync(join(dir, "scripts"));
  for (const script of ["tool.mjs", "install-size.mjs"])
    copyFileSync(join(SCRIPTS, script), join(dir, "scripts", script));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function node(...args: string[]) {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const run = spawnSync(process.execPath, args, { cwd: dir, env, encoding: "utf8" });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A package in `modules` with a `bytes`-byte file and, optionally, a bin printing its args. */
function fakePackage(modules: string, name: string, bytes: number, bin?: string): void {
  const pkg = join(modules, name);
  mkdirSync(pkg, { recursive: true });
  writeFileSync(
    join(pkg, "package.json"),
    JSON.stringify({ name, version: "1.0.0", ...(bin ? { bin: { [bin]: "cli.js" } } : {}) }),
  );
  writeFileSync(join(pkg, "blob"), Buffer.alloc(bytes, 1));
  if (bin)
    writeFileSync(
      join(pkg, "cli.js"),
      "console.log(JSON.stringify(process.argv.slice(2))); process.exit(Number(process.env.TOOL_EXIT ?? 0));",
    );
}

describe("scripts/tool.mjs", () => {
  it("tools/ not installed: one line saying to run `npm ci --prefix tools`, exit 1", () => {
    expect(node("scripts/tool.mjs", "biome", "check", ".")).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "lint and format (Biome): @biomejs/biome is in the tools package (tools/package.json), which is not installed here: run `npm ci --prefix tools` once, then try again.\n",
    });
    expect(node("scripts/tool.mjs", "typedoc").stderr).toContain("run `npm ci --prefix tools`");
  });

  it("tools/ installed: runs the tool's bin with the arguments and passes its exit code on", () => {
    fakePackage(join(dir, "tools", "node_modules"), "@biomejs/biome", 10, "biome");
    expect(node("scripts/tool.mjs", "biome", "check", "--write", ".")).toEqual({
      code: 0,
      stdout: '["check","--write","."]\n',
      stderr: "",
    });
    const failing = spawnSync(process.execPath, ["scripts/tool.mjs", "biome", "check"], {
      cwd: dir,
      env: { ...process.env, NODE_OPTIONS: "", TOOL_EXIT: "3" },
      encoding: "utf8",
    });
    expect(failing.status).toBe(3);
  });

  it("an unknown tool: usage, exit 2", () => {
    const run = node("scripts/tool.mjs", "eslint");
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "usage: node scripts/tool.mjs <biome|typedoc|changeset|attw|publint> [args…]\n",
    );
  });
});

describe("scripts/install-size.mjs", () => {
  it("counts packages (scoped and nested too), lists the largest, passes within the budget", () => {
    const modules = join(dir, "node_modules");
    fakePackage(modules, "big", 3 * 1024 * 1024);
    fakePackage(modules, "@scope/mid", 2 * 1024 * 1024);
    fakePackage(join(modules, "big", "node_modules"), "nested", 1024 * 1024);
    const run = node("scripts/install-size.mjs", dir, "--budget-mb", "150");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^packages +3$/m);
    expect(run.stdout).toMatch(/budget 150 MB: ok/);
    const largest = run.stdout
      .split("\n")
      .filter((line) => / MB {2}\S+@1\.0\.0$/.test(line))
      .map((line) => line.trim().split(/\s+/).pop());
    expect(largest).toEqual(["big@1.0.0", "@scope/mid@1.0.0", "nested@1.0.0"]);
  });

  it("over the budget: says so and exits 1", () => {
    fakePackage(join(dir, "node_modules"), "big", 3 * 1024 * 1024);
    const run = node("scripts/install-size.mjs", dir, "--budget-mb", "2");
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/budget 2 MB: OVER/);
    expect(run.stderr).toMatch(/^\nThe root install is 3\.\d MB, over its 2 MB budget/);
  });
});
