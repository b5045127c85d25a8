/**
 * examples/express/server.mjs as its own process (against the sources, see
 * test/helpers/example-process.ts): how it starts and how it stops. Issue 9, items 16 and 17.
 *
 * - NODE_ENV=production never enters dev mode: without provider keys or WEBHOOK_KEY it exits
 *   non-zero and says what to set, instead of answering 200, sending nothing and taking the
 *   public `dev-key`.
 * - A WEBHOOK_KEY the user set is never printed (only the public dev default is).
 * - SIGTERM stops intake, answers the request in flight, lists the scheduled sends it cannot keep
 *   (count and ids, no phones) and exits 0 within seconds.
 */
import { describe, expect, it } from "vitest";
import { runExample, startExample } from "../helpers/example-process.js";
import { openRaw, rawRequest, requestBytes } from "../helpers/http.js";

const SCRIPT = "examples/express/server.mjs";
const JSON_TYPE = { "content-type": "application/json" };
const PROVIDERS =
  "SMSRU_API_KEY, or META_WHATSAPP_ACCESS_TOKEN and META_WHATSAPP_PHONE_NUMBER_ID, or EXOLVE_WHATSAPP_API_KEY and EXOLVE_WHATSAPP_SENDER_ID, or RESEND_API_KEY and RESEND_FROM";

/** An R-Keeper "order completed" webhook. */
function rkeeper(id: string, phone: string): string {
  return JSON.stringify({ order: { id, status: "Выполнен", customer: { phone } } });
}

describe("NODE_ENV=production never runs in dev mode", { timeout: 30_000 }, () => {
  it.concurrent("no keys at all: exits 1 naming every variable to set, never listens", async () => {
    const run = await runExample(SCRIPT, { env: { NODE_ENV: "production" } });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      [
        "NODE_ENV=production: not starting in dev mode (it would answer 200 and send nothing). Set:",
        "  WEBHOOK_KEY",
        "  BUSINESS_NAME",
        "  REVIEW_URL",
        `  the keys of at least one provider: ${PROVIDERS}`,
        "",
      ].join("\n"),
    );
  });

  it.concurrent("everything but the provider keys: exits 1 naming the providers, never printing the key", async () => {
    const run = await runExample(SCRIPT, {
      env: {
        NODE_ENV: "production",
        WEBHOOK_KEY: "prod-secret-key-1",
        BUSINESS_NAME: "Зерно",
        REVIEW_URL: "https://example.com/r",
      },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`  the keys of at least one provider: ${PROVIDERS}\n`);
    expect(run.stderr).not.toMatch(/^ {2}(WEBHOOK_KEY|BUSINESS_NAME|REVIEW_URL)$/m);
    expect(run.stdout + run.stderr).not.toContain("prod-secret-key-1");
  });

  it.concurrent("provider keys but no WEBHOOK_KEY: exits 1 naming WEBHOOK_KEY (no public dev-key fallback)", async () => {
    const run = await runExample(SCRIPT, {
      env: {
        NODE_ENV: "production",
        SMSRU_API_KEY: "smsru-test-key",
        BUSINESS_NAME: "Зерно",
        REVIEW_URL: "https://example.com/r",
      },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^ {2}WEBHOOK_KEY$/m);
    expect(run.stderr).not.toContain("provider");
    expect(run.stdout).not.toContain("dev-key");
  });

  it("fully configured: starts, sending through the provider, no dev mode, the key never printed", async () => {
    const example = await startExample(SCRIPT, {
      env: {
        NODE_ENV: "production",
        WEBHOOK_KEY: "prod-secret-key-2",
        BUSINESS_NAME: "Зерно",
        REVIEW_URL: "https://example.com/r",
        SMSRU_API_KEY: "smsru-test-key",
      },
    });
    try {
      await example.waitFor(/^sending through: sms\/sms\.ru$/m);
      const wrongKey = await rawRequest(example.port, {
        path: "/api/webhook/rkeeper?key=dev-key",
        headers: JSON_TYPE,
        body: rkeeper("P-1", "+79161234567"),
      });
      expect(wrongKey.status).toBe(401);
    } finally {
      expect(await example.stop("SIGTERM")).toEqual({ code: 0, signal: null });
    }
    expect(example.stdout()).not.toContain("dev mode");
    expect(example.stdout() + example.stderr()).not.toContain("prod-secret-key-2");
  });
});

describe("dev mode with WEBHOOK_KEY set", { timeout: 30_000 }, () => {
  it("never prints the key: not in the banner, the curl hint, the logs or on shutdown", async () => {
    const example = await startExample(SCRIPT, { env: { WEBHOOK_KEY: "secret" } });
    await example.waitFor(/^ {2}curl -X POST .*$/m);
    expect(example.stdout()).toContain(
      `curl -X POST "http://127.0.0.1:${example.port}/api/webhook/rkeeper?key=$WEBHOOK_KEY"`,
    );
    const sent = await rawRequest(example.port, {
      path: "/api/webhook/rkeeper?key=secret",
      headers: JSON_TYPE,
      body: rkeeper("S-1", "+79161234567"),
    });
    expect(sent.status).toBe(200);
    const wrong = await rawRequest(example.port, {
      path: "/api/webhook/rkeeper?key=secret-but-wrong",
      headers: JSON_TYPE,
      body: "{}",
    });
    expect(wrong.status).toBe(401);
    await example.waitFor(/review request sent \(dry run\)/);
    expect(await example.stop("SIGTERM")).toEqual({ code: 0, signal: null });
    expect(example.stdout() + example.stderr()).not.toContain("secret");
  });
});

describe("shutdown with sends scheduled (DELAY_MINUTES) and a request in flight", {
  timeout: 30_000,
}, () => {
  it("SIGTERM: the in-flight request is answered, the lost sends are listed (ids, no phones), exit 0", async () => {
    const example = await startExample(SCRIPT, {
      env: { WEBHOOK_KEY: "shutdown-test-key", DELAY_MINUTES: "60" },
    });
    const path = "/api/webhook/rkeeper?key=shutdown-test-key";
    const first = await rawRequest(example.port, {
      path,
      headers: JSON_TYPE,
      body: rkeeper("D-1", "+79161230001"),
    });
    expect(JSON.parse(first.body)).toEqual({
      ok: true,
      events: [{ id: "D-1", status: "accepted", reason: null }],
    });

    // A request whose body is still on its way when the signal comes: `Expect: 100-continue`
    // tells us the server has its head.
    const body = Buffer.from(rkeeper("D-2", "+79161230002"));
    const inFlight = openRaw(example.port);
    let received = "";
    inFlight.socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
    });
    await inFlight.write(
      requestBytes({
        path,
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
    const exited = example.stop("SIGTERM", 15_000);
    await example.waitFor(/^SIGTERM: closing/m);
    // Intake is stopped: a new connection is refused.
    await expect(
      rawRequest(example.port, { path, headers: JSON_TYPE, body: rkeeper("D-3", "+79161230003") }),
    ).rejects.toThrow();
    await inFlight.write(body.subarray(10));
    const exit = await exited;
    const seconds = (Date.now() - started) / 1000;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(seconds).toBeLessThan(9);
    const answer = received.slice(received.indexOf("\r\n\r\n") + 4);
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer.slice(answer.indexOf("\r\n\r\n") + 4)).toBe(
      JSON.stringify({ ok: true, events: [{ id: "D-2", status: "accepted", reason: null }] }),
    );
    const report = example.stdout().slice(example.stdout().indexOf("SIGTERM: closing"));
    expect(report).toMatch(
      /^2 scheduled review request\(s\) not sent \(in-process scheduler\):\n {2}otzovik:dedupe:default:rkeeper:D-1 due \S+\n {2}otzovik:dedupe:default:rkeeper:D-2 due \S+\n$/m,
    );
    expect(example.stdout() + example.stderr()).not.toMatch(/916123000\d/);
    expect(example.stderr()).toBe("");
  });
});
