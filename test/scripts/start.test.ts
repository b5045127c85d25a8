/**
 * `npm start` (scripts/start.mjs) starts from a current build instead of rebuilding every time
 * (issue 12, set-up cost: it used to run the whole ~100 s build and print ~150 lines first).
 *
 * Run on a throwaway copy: the real scripts/start.mjs in a temp directory with a package.json
 * whose `build` script writes dist/ in a moment (and counts its runs), a src/ and a stand-in
 * examples/express/server.mjs that prints its listening line and exits. So the decision (build or
 * not) is the real one, while the build itself takes no time.
 */
import { spawn } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const START = fileURLToPath(new URL("../../scripts/start.mjs", import.meta.url));

let dir: string;

/** A project like the repository's, with a build that takes no time. */
function makeProject(build = "ok"): void {
  mkdirSync(join(dir, "scripts"));
  copyFileSync(START, join(dir, "scripts", "start.mjs"));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({
      name: "start-fixture",
      type: "module",
      exports: { ".": { import: "./dist/index.js", require: "./dist/index.cjs" } },
      scripts: { build: "node build.mjs" },
    }),
  );
  writeFileSync(
    join(dir, "build.mjs"),
    build === "ok"
      ? [
          'import { appendFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";',
          'rmSync("dist", { recursive: true, force: true });',
          'mkdirSync("dist");',
          'for (const f of ["index.js", "index.cjs", "index.d.ts"]) writeFileSync("dist/" + f, "built");',
          'appendFileSync("builds.log", "build\\n");',
          'for (let i = 0; i < 150; i++) console.log("tsup line " + i);',
        ].join("\n")
      : 'console.log("tsup: compiling"); console.error("src/index.ts(1,7): error TS2322"); process.exit(2);',
  );
  writeFileSync(join(dir, "tsup.config.ts"), "export default {};\n");
  writeFileSync(join(dir, "tsconfig.json"), "{}\n");
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src", "index.ts"), "export const a = 1;\n");
  mkdirSync(join(dir, "examples", "express"), { recursive: true });
  writeFileSync(
    join(dir, "examples", "express", "server.mjs"),
    'console.log("otzovik example listening on http://127.0.0.1:3000");\n',
  );
  // Every input a minute old, so a build now is newer than all of them.
  for (const file of ["package.json", "tsup.config.ts", "tsconfig.json", "src/index.ts"])
    age(file, -60);
}

/** Sets a file's mtime `seconds` from now. */
function age(file: string, seconds: number): void {
  const when = new Date(Date.now() + seconds * 1000);
  utimesSync(join(dir, file), when, when);
}

/** How many times the build ran. */
function builds(): number {
  try {
    return readFileSync(join(dir, "builds.log"), "utf8").split("\n").filter(Boolean).length;
  } catch {
    return 0;
  }
}

/** mtimes of the built files. */
function distTimes(): number[] {
  return ["index.js", "index.cjs", "index.d.ts"].map((f) => statSync(join(dir, "dist", f)).mtimeMs);
}

/** Runs `node scripts/start.mjs` in the project to its end. */
function start(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, ["scripts/start.mjs"], {
      cwd: dir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const LISTENING = "otzovik example listening on http://127.0.0.1:3000\n";

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "otzovik-start-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("scripts/start.mjs", { timeout: 60_000 }, () => {
  it("no dist/: builds once, in one line instead of the build's output, then starts", async () => {
    makeProject();
    const run = await start();
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^building dist\/ \(dist\/ does not exist\) … done in \d+ s\n/);
    expect(run.stdout.split("\n").slice(1).join("\n")).toBe(LISTENING);
    expect(run.stderr).toBe("");
    expect(builds()).toBe(1);
  });

  it("dist/ current: starts without building (dist/ untouched)", async () => {
    makeProject();
    await start();
    const before = distTimes();
    const run = await start();
    expect(run).toEqual({ code: 0, stdout: LISTENING, stderr: "" });
    expect(builds()).toBe(1);
    expect(distTimes()).toEqual(before);
  });

  it("a src/ file newer than dist/: builds again, naming it", async () => {
    makeProject();
    await start();
    const before = distTimes();
    age("src/index.ts", 5);
    const run = await start();
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^building dist\/ \(src\/index\.ts changed since the last build\) … done in \d+ s\n/,
    );
    expect(run.stdout).toContain(LISTENING);
    expect(builds()).toBe(2);
    const after = distTimes();
    for (let i = 0; i < after.length; i++) expect(after[i]).toBeGreaterThan(before[i]!);
  });

  it("the tsup config newer than dist/: builds again", async () => {
    makeProject();
    await start();
    age("tsup.config.ts", 5);
    const run = await start();
    expect(run.stdout).toMatch(
      /^building dist\/ \(tsup\.config\.ts changed since the last build\)/,
    );
    expect(builds()).toBe(2);
  });

  it("a file package.json points at missing from dist/: builds again", async () => {
    makeProject();
    await start();
    rmSync(join(dir, "dist", "index.cjs"));
    const run = await start();
    expect(run.stdout).toMatch(/^building dist\/ \(dist\/index\.cjs is missing\)/);
    expect(builds()).toBe(2);
  });

  it("a failed build: shows the build's output and its exit code, never starts the server", async () => {
    makeProject("fails");
    const run = await start();
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^building dist\/ \(dist\/ does not exist\) … failed:\n/);
    expect(run.stdout).not.toContain("listening");
    expect(run.stderr).toContain("tsup: compiling");
    expect(run.stderr).toContain("src/index.ts(1,7): error TS2322");
  });
});
