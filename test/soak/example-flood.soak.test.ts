/**
 * Issue #5's "the process stays up and its memory settles", against the running Express example
 * (examples/express/server.mjs as its own Node process in dev mode, from the TypeScript sources;
 * see test/helpers/example-process.ts). Moved here from test/adapters/example-process.test.ts:
 * every case of bad-cases.ts once (so the flood's valid webhooks are duplicates), then a flood of
 * 2,000 bad requests, 50 at a time; a real webhook must still get 200 and one message, the
 * process's RSS must settle, nothing may answer a 5xx, and SIGTERM must still exit cleanly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cases, MB, PATH, parseJson } from "../adapters/bad-cases.js";
import { bodies, JSON_TYPE, KEY, settle, until } from "../adapters/world.js";
import { type ExampleProcess, startExample } from "../helpers/example-process.js";
import {
  type RawRequestInit,
  type RawResponse,
  rawRequest,
  requestBytes,
} from "../helpers/http.js";

/** A dev-mode message line: `dev   SMS to +7916***4567 (not sent, dev mode): <text>`. */
const SMS_LINE = /^dev {3}SMS to (\S+) \(not sent, dev mode\): (.*)$/gm;

/** What the example prints for a phone given as SMS.ru's `to` (digits, no plus). */
function masked(digits: string): string {
  const e164 = `+${digits}`;
  return `${e164.slice(0, 5)}***${e164.slice(-4)}`;
}

describe("the running Express example under a flood of bad requests", () => {
  let example: ExampleProcess;
  const statuses: number[] = [];

  beforeAll(async () => {
    example = await startExample("examples/express/server.mjs", { env: { WEBHOOK_KEY: KEY } });
  }, 20_000);
  afterAll(async () => {
    // Normally the last test already stopped it; this only cleans up after a failure.
    if (example?.alive()) await example.stop("SIGKILL");
  });

  /** The `dev   SMS to` lines printed so far: [masked phone, text]. */
  function smsLines(): [string, string][] {
    return [...example.stdout().matchAll(SMS_LINE)].map((m) => [m[1]!, m[2]!]);
  }

  async function send(request: RawRequestInit | Uint8Array): Promise<RawResponse> {
    const response = await rawRequest(example.port, request);
    statuses.push(response.status);
    return response;
  }

  it("answers every case of the matrix once, without a 5xx", { timeout: 60_000 }, async () => {
    await example.waitFor(/^ {2}curl -X POST .*$/m);
    for (const c of cases) {
      const before = smsLines().length;
      const response = await send(c.request);
      expect(response.status).toBeLessThan(500);
      if (c.sends) await until(() => smsLines().length > before, 3000);
    }
    expect(example.alive()).toBe(true);
  });

  it("after a flood of 2,000 bad requests, 50 at a time: alive, a real webhook → 200 and one message, RSS settles", {
    timeout: 120_000,
  }, async () => {
    const flood = [
      ...cases.map((c) => requestBytes(c.request)),
      requestBytes({
        path: PATH,
        headers: { ...JSON_TYPE, "x-huge": "a".repeat(20_000) },
        body: bodies.iiko,
      }),
    ];
    const printed = smsLines().length;
    const rssBefore = example.rss();
    let next = 0;
    const seen = new Map<number, number>();
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < 2000) {
          const bytes = flood[next++ % flood.length]!;
          const response = await send(bytes);
          seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
        }
      }),
    );
    const rssAfter = example.rss();
    expect([...seen.keys()].filter((s) => s >= 500)).toEqual([]);
    expect([...seen.values()].reduce((a, b) => a + b, 0)).toBe(2000);
    expect(example.alive()).toBe(true);
    // The flood's valid webhooks were all seen in the matrix: duplicates, nothing printed.
    expect(smsLines().length).toBe(printed);

    const valid = await send({ path: PATH, headers: JSON_TYPE, body: bodies.iikoTwice });
    expect(valid.status).toBe(200);
    expect(parseJson(valid.body)).toEqual({
      ok: true,
      events: [
        { id: "e52cfd06-4173-4293-a0a1-b1c23d4e5f60", status: "accepted", reason: null },
        {
          id: "e52cfd06-4173-4293-a0a1-b1c23d4e5f60",
          status: "skipped",
          reason: "duplicate",
          detail: "a review request for this order was already handled",
        },
      ],
    });
    await until(() => smsLines().length > printed, 3000);
    await settle(50);
    expect(
      smsLines()
        .slice(printed)
        .map(([phone]) => phone),
    ).toEqual([masked("79161239999")]);

    // Settle: a few light requests spread over about 1.5 s.
    for (let i = 0; i < 15; i++) {
      const light = await send({ path: "/api/webhook/iiko", headers: JSON_TYPE, body: "{}" });
      expect(light.status).toBe(401);
      await settle(100);
    }
    const rssSettled = example.rss();
    const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
    console.log(
      `example RSS: before flood ${mb(rssBefore)}, right after ${mb(rssAfter)}, settled ${mb(rssSettled)}`,
    );
    expect(rssSettled).toBeLessThan(rssBefore + 150 * MB);
    expect(example.alive()).toBe(true);
  });

  it("never answered a 5xx", () => {
    expect(statuses.length).toBeGreaterThan(cases.length + 2000);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });

  it("SIGTERM still shuts it down cleanly: exit code 0, no uncaught exception", {
    timeout: 20_000,
  }, async () => {
    const exit = await example.stop("SIGTERM");
    expect(exit).toEqual({ code: 0, signal: null });
    const stderr = example.stderr();
    expect(stderr).not.toMatch(/Uncaught|unhandled|UnhandledPromiseRejection|ERR_|Error:/i);
    expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });
});
