import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { runCli, startServe } from "../helpers/cli-process.js";
import { fixture } from "../helpers/fixtures.js";

const SLOW = { timeout: 60_000 };
const LISTENING = /otzovik listening on http:\/\/([\d.]+):(\d+)\n/;

/** `true` when something accepts a TCP connection on host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("otzovik serve", () => {
  it(
    "dev mode on 127.0.0.1: a real iiko body with the dev key → 200 and the message printed, phone masked; SIGTERM exits 0",
    SLOW,
    async () => {
      const serve = await startServe();
      try {
        const [, host, port] = await serve.waitFor(LISTENING);
        expect(host).toBe("127.0.0.1");
        // The banner's later lines may come in a later chunk than the listening one.
        await serve.waitFor(/^dev mode: webhook key "dev-key" \(set WEBHOOK_KEY\)$/m);
        const response = await fetch(`http://127.0.0.1:${port}/api/webhook/iiko?key=dev-key`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: fixture("iiko", "iiko-01-delivery-closed.json"),
        });
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({
          ok: true,
          events: [
            { id: "9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805", status: "accepted", reason: null },
          ],
        });
        await serve.waitFor(
          /^dev {3}SMS to \+7916\*\*\*4567 \(not sent, dev mode\): .*Кофейня «Зерно».*https:\/\/example\.com\/review/m,
        );
        await serve.waitFor(
          /^\[otzovik\] info {2}review request sent \(dry run\) {2}tenant=default source=iiko orderId=9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805 phone=\+7916\*\*\*4567 channel=sms provider=sms\.ru$/m,
        );
        // A White Server event: skipped, one info line with the reason.
        const skipped = await fetch(`http://127.0.0.1:${port}/api/webhook/rkeeper?key=dev-key`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: fixture("rkeeper", "rk-10-ws-orderstatuschanged-complited.json"),
        });
        expect((await skipped.json()).events).toEqual([
          {
            id: "5e964af3-6e1d-4661-4db1-08d897c7079a",
            status: "skipped",
            reason: "no_phone",
            detail: "the event carries no customer phone",
          },
        ]);
        await serve.waitFor(
          /review request skipped .* reason=no_phone detail="the event carries no customer phone"/,
        );
        expect(serve.stdout()).not.toContain("+79161234567");
        // Anything else: JSON 404.
        const missing = await fetch(`http://127.0.0.1:${port}/nope`);
        expect(missing.status).toBe(404);
        expect(await missing.json()).toEqual({ ok: false, error: "not found" });
        // Bound to 127.0.0.1 only: another loopback address gets no answer.
        expect(await accepts("127.0.0.2", Number(port))).toBe(false);
        expect(await serve.stop("SIGTERM")).toEqual({ code: 0, signal: null });
        expect(serve.stdout()).toContain(
          "SIGTERM: closing (no new webhooks; requests in flight get their answer)\nno scheduled review requests pending\n",
        );
      } finally {
        await serve.stop("SIGKILL");
      }
    },
  );

  it(
    "HOST changes the address; OTZOVIK_LOG_LEVEL=debug prints the parser's detail of a skipped event",
    SLOW,
    async () => {
      const serve = await startServe({ HOST: "127.0.0.2", OTZOVIK_LOG_LEVEL: "debug" });
      try {
        const [, host, port] = await serve.waitFor(LISTENING);
        expect(host).toBe("127.0.0.2");
        expect(await accepts("127.0.0.2", Number(port))).toBe(true);
        expect(await accepts("127.0.0.1", Number(port))).toBe(false);
        const response = await fetch(`http://127.0.0.2:${port}/api/webhook/rkeeper?key=dev-key`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: fixture("rkeeper", "rk-10-ws-orderstatuschanged-complited.json"),
        });
        expect(response.status).toBe(200);
        await serve.waitFor(
          /^\[otzovik\] debug review request skipped: detail {2}tenant=default source=rkeeper orderId=5e964af3-6e1d-4661-4db1-08d897c7079a detail="White Server OrderStatusChanged events carry no guest phone"$/m,
        );
        expect(await serve.stop("SIGINT")).toEqual({ code: 0, signal: null });
      } finally {
        await serve.stop("SIGKILL");
      }
    },
  );

  it.each([
    [{ PORT: "eighty" }, "  PORT must be a whole number from 0 to 65535"],
    [
      { NODE_ENV: "production" },
      "  WEBHOOK_KEY\n  BUSINESS_NAME\n  REVIEW_URL\n  the keys of at least one provider",
    ],
    [{ OTZOVIK_LOG_LEVEL: "loud" }, "  OTZOVIK_LOG_LEVEL must be one of debug, info, warn, error"],
  ])("a wrong environment %j: says what to set, exit 1", SLOW, async (env, message) => {
    const run = await runCli(["serve"], { env: { PORT: "0", ...env } });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(message);
  });
});
