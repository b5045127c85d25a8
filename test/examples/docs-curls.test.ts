/**
 * The curl examples of README.md and docs/setup/*.md, run as a reader runs them (issue 12): each
 * page's ```bash blocks, in order, in a fresh directory, against the Express example in dev mode
 * (examples/express/server.mjs, started from the sources: test/helpers/example-process.ts), one
 * server per page.
 *
 * Which blocks run: a ```bash block that posts to `http://127.0.0.1:3000/api/webhook/…` (one
 * `curl` per block), or one that writes a sample body (`cat > file <<'EOF'`). Blocks marked
 * ```sh (`npm start`, `npx otzovik …`, calls to a real POS) are shown, not run. After each curl
 * block, the next ```json block is the answer the page promises: the server's answer must have
 * that status 200 and every field shown, with exactly the events shown (fields the page does not
 * show, such as a newer `detail`, are not compared).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { startExample } from "../helpers/example-process.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const SCRIPT = "examples/express/server.mjs";
const WEBHOOK_URL = "http://127.0.0.1:3000/api/webhook/";

/** A step of a page: a block to run, and for a curl, the answer shown after it. */
interface Step {
  readonly script: string;
  readonly line: number;
  readonly expected?: unknown;
}

/** The runnable steps of a markdown page, in order. */
function steps(page: string): Step[] {
  const text = readFileSync(join(root, page), "utf8");
  const blocks = [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1]!,
    body: m[2]!,
    line: text.slice(0, m.index).split("\n").length,
  }));
  const result: Step[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const { lang, body, line } = blocks[i]!;
    if (lang !== "bash") continue;
    if (body.startsWith("cat > ")) {
      result.push({ script: body, line });
      continue;
    }
    if (!body.includes(WEBHOOK_URL)) continue;
    const curls = body.match(/^curl /gm)?.length ?? 0;
    if (curls !== 1) throw new Error(`${page}:${line}: ${curls} curl commands in one block`);
    const answer = blocks.slice(i + 1).find((b) => b.lang === "json" || b.lang === "bash");
    if (answer?.lang !== "json") throw new Error(`${page}:${line}: no \`\`\`json answer after it`);
    result.push({ script: body, line, expected: JSON.parse(answer.body) });
  }
  return result;
}

/** Runs a block with bash in `cwd`; for a curl, resolves with the HTTP status and the body. */
function run(script: string, port: number, cwd: string) {
  const runnable = script
    .replaceAll("127.0.0.1:3000", `127.0.0.1:${port}`)
    .replace(/^curl /m, `curl -sS -w '\\n%{http_code}' `);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    execFile("bash", ["-c", runnable], { cwd, timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${error.message}\n${stderr}`));
      const lines = stdout.trimEnd().split("\n");
      const status = Number(lines.pop());
      resolve({ status, body: lines.join("\n") });
    });
  });
}

const PAGES: Record<string, number> = {
  "README.md": 5,
  "docs/setup/iiko.md": 4,
  "docs/setup/rkeeper.md": 2,
  "docs/setup/yclients.md": 2,
  "docs/setup/amocrm.md": 2,
};

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("the docs' curl examples, against the Express example in dev mode", () => {
  for (const [page, curls] of Object.entries(PAGES)) {
    it(`${page}: every curl gets the answer shown`, { timeout: 60_000 }, async () => {
      const pageSteps = steps(page);
      expect(pageSteps.filter((s) => s.expected !== undefined).length).toBeGreaterThanOrEqual(
        curls,
      );
      const cwd = mkdtempSync(join(tmpdir(), "otzovik-docs-"));
      dirs.push(cwd);
      const example = await startExample(SCRIPT);
      try {
        for (const step of pageSteps) {
          const { status, body } = await run(step.script, example.port, cwd);
          if (step.expected === undefined) continue;
          const where = `${page}:${step.line}`;
          expect(status, `${where}: ${body}`).toBe(200);
          expect(JSON.parse(body), where).toMatchObject(step.expected as object);
        }
      } finally {
        expect(await example.stop("SIGTERM")).toEqual({ code: 0, signal: null });
      }
      // Its log lines (what the sends and skips printed) have no whole phone number in them.
      const logLines = example
        .stdout()
        .split("\n")
        .filter((line) => /^(info|warn|error|dev|demo)\b/.test(line));
      expect(logLines.join("\n")).not.toMatch(/\+?7\d{10}\b/);
    });
  }
});
