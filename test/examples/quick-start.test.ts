/**
 * The README's quick start, exactly as written: its ```ts block is copied into a temporary
 * directory (whose node_modules links to this repository's, so `express` resolves as in a user's
 * project) and run as its own Node process against the TypeScript sources (see
 * test/helpers/example-process.ts), with a made-up SMS.ru key: its two-hour delay means nothing
 * is sent while the test runs. Issue 9, items 15 and 17: a malformed `%` in the path is answered
 * in JSON without a stack trace; SIGTERM answers the request in flight, reports the delayed sends
 * it cannot keep (count and ids) and exits 0. The block is also type-checked, as a user's
 * `tsc --strict` would.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEY } from "../adapters/world.js";
import { type ExampleProcess, freePort, startExample } from "../helpers/example-process.js";
import { openRaw, rawRequest, requestBytes } from "../helpers/http.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** The first ```ts block after `## Quick start` in README.md. */
function quickStart(readme = readFileSync(join(root, "README.md"), "utf8")): string {
  const section = readme.slice(readme.indexOf("\n## Quick start\n"));
  const block = /^```ts\n([\s\S]*?)^```$/m.exec(section);
  if (!block) throw new Error("no ```ts block under ## Quick start in README.md");
  return block[1]!;
}

/** An R-Keeper "order completed" webhook with an order id. */
function rkeeper(id: string): string {
  return JSON.stringify({
    order: { id, status: "Выполнен", customer: { phone: `+7916123000${id.slice(-1)}` } },
  });
}

const JSON_TYPE = { "content-type": "application/json" };

describe("the README quick start, run as written", () => {
  let dir: string;
  let file: string;
  let app: ExampleProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "otzovik-quick-start-"));
    symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
    // A user's ESM project.
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module", private: true }));
    file = join(dir, "server.ts");
    writeFileSync(file, quickStart());
    app = await startExample(file, {
      port: await freePort(),
      env: { WEBHOOK_KEY: KEY, SMSRU_API_KEY: "quick-start-test-key" },
    });
  }, 20_000);
  afterAll(async () => {
    if (app?.alive()) await app.stop("SIGKILL");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("type-checks under the project's strict settings", { timeout: 60_000 }, () => {
    const config = ts.readConfigFile(join(root, "tsconfig.json"), ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
    const program = ts.createProgram([file], {
      ...options,
      // As installed: the package's entry points, here its sources (no build needed).
      paths: {
        otzovik: [join(root, "src/index.ts")],
        "otzovik/express": [join(root, "src/adapters/express.ts")],
      },
    });
    const problems = ts
      .getPreEmitDiagnostics(program, program.getSourceFile(file))
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(problems).toEqual([]);
  });

  it("a malformed % in the route → 400 in JSON: no HTML, no stack trace, no file paths", async () => {
    for (const path of [
      "/api/webhook/%E0%A4%A",
      `/api/webhook/%E0%A4%A?key=${KEY}`,
      "/api/webhook/%",
      "/api/webhook/%ZZ",
    ]) {
      const response = await rawRequest(app.port, { path, headers: JSON_TYPE, body: "{}" });
      expect({ path, status: response.status, body: response.body }).toEqual({
        path,
        status: 400,
        body: JSON.stringify({ ok: false, error: "bad request" }),
      });
      expect(response.headers["content-type"]).toMatch(/^application\/json/);
    }
    const output = app.stdout() + app.stderr();
    expect(output).not.toContain("URIError");
    expect(output).not.toContain(root);
  });

  it("accepts a webhook and schedules its send two hours out", async () => {
    const response = await rawRequest(app.port, {
      path: `/api/webhook/rkeeper?key=${KEY}`,
      headers: JSON_TYPE,
      body: rkeeper("QS-1"),
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      ok: true,
      events: [{ id: "QS-1", status: "accepted", reason: null }],
    });
  });

  it("SIGTERM: the request in flight gets its answer, the lost sends are listed, exit 0", async () => {
    // A request whose body is still on its way when the signal comes: `Expect: 100-continue`
    // tells us the server has its head.
    const body = Buffer.from(rkeeper("QS-2"));
    const inFlight = openRaw(app.port);
    let received = "";
    inFlight.socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
    });
    await inFlight.write(
      requestBytes({
        path: `/api/webhook/rkeeper?key=${KEY}`,
        headers: {
          ...JSON_TYPE,
          expect: "100-continue",
          connection: "keep-alive",
          "content-length": String(body.length),
        },
      }),
    );
    await inFlight.write(body.subarray(0, 10));
    const deadline = Date.now() + 5000;
    while (!received.startsWith("HTTP/1.1 100 Continue") && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(received).toMatch(/^HTTP\/1\.1 100 Continue\r\n/);

    const started = Date.now();
    const exited = app.stop("SIGTERM", 15_000);
    // The listening socket closes first: no new webhooks.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await inFlight.write(body.subarray(10));
    const exit = await exited;
    const seconds = (Date.now() - started) / 1000;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(seconds).toBeLessThan(10);
    const answer = received.slice(received.indexOf("\r\n\r\n") + 4);
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer.slice(answer.indexOf("\r\n\r\n") + 4)).toBe(
      JSON.stringify({ ok: true, events: [{ id: "QS-2", status: "accepted", reason: null }] }),
    );
    expect(app.stderr()).toContain(
      "2 review request(s) not sent: otzovik:dedupe:default:rkeeper:QS-1, otzovik:dedupe:default:rkeeper:QS-2\n",
    );
    expect(app.stdout() + app.stderr()).not.toMatch(/916123000\d/);
  });
});
