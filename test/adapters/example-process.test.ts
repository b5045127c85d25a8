/**
 * Issue #5's bad-input matrix against the running Express example: examples/express/server.mjs as
 * its own Node process in dev mode (no provider keys: each review request is printed with the
 * phone masked, not sent), run from the TypeScript sources rather than dist/ (see
 * test/helpers/example-process.ts). Every case of bad-cases.ts over raw loopback HTTP → the exact
 * documented status and JSON, never a 5xx; the valid webhooks among them print their masked
 * `dev   SMS to` line, then a clean SIGTERM exit. The flood of 2,000 bad requests (a real webhook
 * still gets 200 and one message, the RSS settles) is a soak: test/soak/example-flood.soak.test.ts.
 * Issue 9: a malformed `%` in the path gets JSON, not Express's HTML stack trace (item 15), and
 * the WEBHOOK_KEY it was given is never printed (item 16).
 */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExampleProcess, startExample } from "../helpers/example-process.js";
import {
  openRaw,
  type RawRequestInit,
  type RawResponse,
  rawRequest,
  requestBytes,
} from "../helpers/http.js";
import { type Case, cases, type Expected, MB, PATH, parseJson } from "./bad-cases.js";
import { bodies, expressPlain, JSON_TYPE, KEY, LIMIT_ERROR, settle, until } from "./world.js";

/** A dev-mode message line: `dev   SMS to +7916***4567 (not sent, dev mode): <text>`. */
const SMS_LINE = /^dev {3}SMS to (\S+) \(not sent, dev mode\): (.*)$/gm;

/** What the example prints for a phone given as SMS.ru's `to` (digits, no plus). */
function masked(digits: string): string {
  const e164 = `+${digits}`;
  return `${e164.slice(0, 5)}***${e164.slice(-4)}`;
}

/** The example mounts `webhookHandler(requester)` without body parsers, as the `expressPlain` target does. */
function expectedFor(c: Case): Expected & { readonly text?: string } {
  return c.expected(expressPlain);
}

describe("the running Express example (examples/express/server.mjs, dev mode)", () => {
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

  it("starts in dev mode with the test key (from src/: the hooks refuse anything in dist/)", async () => {
    // The banner's last line; the dev-mode lines may come in a later chunk than the listening one.
    await example.waitFor(/^ {2}curl -X POST .*$/m);
    expect(example.stdout()).toContain("dev mode: no provider keys set");
    // WEBHOOK_KEY is set, so the dev default is not announced.
    expect(example.stdout()).not.toContain('webhook key "dev-key"');
    expect(example.stderr()).toBe("");
  });

  it("a non-POST gets the handler's 405 with Allow: POST (the example mounts it with app.all)", async () => {
    const response = await send({ method: "GET", path: PATH });
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe("POST");
  });

  it("a malformed % in the route → 400 in JSON: not Express's HTML page, no stack trace or paths", async () => {
    for (const path of [
      "/api/webhook/%E0%A4%A",
      `/api/webhook/%E0%A4%A?key=${KEY}`,
      "/api/webhook/%",
      "/api/webhook/%ZZ",
    ]) {
      const response = await send({ path, headers: JSON_TYPE, body: bodies.iiko });
      expect({ path, status: response.status, body: response.body }).toEqual({
        path,
        status: 400,
        body: JSON.stringify({ ok: false, error: "malformed URL" }),
      });
      expect(response.headers["content-type"]).toMatch(/^application\/json/);
    }
    // Nothing about it printed either (Express's final handler logs the stack to stderr).
    expect(example.stdout() + example.stderr()).not.toMatch(/URIError|node_modules/);
  });

  it("a path it does not serve → 404 in JSON", async () => {
    const response = await send({ path: "/%E0%A4%A/nowhere", headers: JSON_TYPE, body: "{}" });
    expect(response.status).toBe(404);
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    expect(parseJson(response.body)).toEqual({ ok: false, error: "not found" });
  });

  it("a client that keeps uploading 10 MB still reads its 413 (lingering close), 10 times out of 10", async () => {
    const answers: string[] = [];
    for (let i = 0; i < 10; i++) {
      answers.push(
        await new Promise<string>((resolve) => {
          const socket = connect(example.port, "127.0.0.1");
          let data = "";
          socket.on("data", (d) => {
            data += d;
          });
          socket.on("error", (e: NodeJS.ErrnoException) => {
            data ||= `error ${e.code}`;
          });
          socket.on("close", () => resolve(data.split("\r\n")[0] ?? ""));
          const chunked = i % 2 === 0;
          socket.write(
            `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${10 * MB}`}\r\n\r\n`,
          );
          const chunk = Buffer.alloc(64 * 1024, 0x20);
          let sent = 0;
          const pump = () => {
            while (sent < 10 * MB) {
              sent += chunk.length;
              const frame = chunked
                ? Buffer.concat([
                    Buffer.from(`${chunk.length.toString(16)}\r\n`),
                    chunk,
                    Buffer.from("\r\n"),
                  ])
                : chunk;
              if (!socket.write(frame)) {
                socket.once("drain", pump);
                return;
              }
            }
            if (chunked) socket.end("0\r\n\r\n");
            else socket.end();
          };
          pump();
        }),
      );
    }
    expect(answers).toEqual(Array(10).fill("HTTP/1.1 413 Payload Too Large"));
  }, 30_000);

  it.each(cases)("$name", async (c) => {
    const expected = expectedFor(c);
    const before = smsLines().length;
    const response = await send(c.request);
    expect(response.status).toBe(expected.status);
    if (expected.json !== undefined) expect(parseJson(response.body)).toEqual(expected.json);
    if (expected.text !== undefined) expect(response.body).toBe(expected.text);
    expect(response.status).toBeLessThan(500);
    if (c.sends) {
      await until(() => smsLines().length > before, 3000);
      const [phone, text] = smsLines()[before]!;
      expect(phone).toBe(masked(c.sends));
      expect(text).toContain("https://example.com/review");
    } else await settle(5);
    expect(smsLines().length).toBe(before + (c.sends ? 1 : 0));
    expect(example.alive()).toBe(true);
  });

  // Here the client stops writing where it must have its answer, and only then reads. A client
  // that keeps uploading loses the 413 most of the time against a separate process: the server
  // closes with unread bytes, the kernel answers them with a reset, and the client's next write
  // fails before it has read the response (Node's http server does not linger before closing).
  it("10 MB, chunked with no Content-Length: 413 after about 1 MB, without waiting for the end", async () => {
    const connection = openRaw(example.port);
    await connection.write(
      requestBytes({
        path: PATH,
        headers: { "content-type": "application/octet-stream", "transfer-encoding": "chunked" },
      }),
    );
    const size = 64 * 1024;
    const chunk = Buffer.concat([
      Buffer.from(`${size.toString(16)}\r\n`),
      Buffer.alloc(size, 0x20),
      Buffer.from("\r\n"),
    ]);
    // 1 MB + 64 KB of the 10 MB the client means to send, in one write; no terminating chunk.
    expect(await connection.write(Buffer.concat(Array.from({ length: 17 }, () => chunk)))).toBe(
      true,
    );
    const response = await connection.response;
    connection.socket.destroy();
    statuses.push(response.status);
    expect(response.status).toBe(413);
    expect(parseJson(response.body)).toEqual(LIMIT_ERROR);
  });

  it("10 MB with an honest Content-Length: 413 before any of the body is sent", async () => {
    const connection = openRaw(example.port);
    await connection.write(
      requestBytes({
        path: PATH,
        headers: { "content-type": "application/json", "content-length": String(10 * MB) },
      }),
    );
    const response = await connection.response;
    connection.socket.destroy();
    statuses.push(response.status);
    expect(response.status).toBe(413);
    expect(parseJson(response.body)).toEqual(LIMIT_ERROR);
  });

  it("a Content-Length lie the other way (declares 10 bytes, sends a whole webhook) → 400", async () => {
    const before = smsLines().length;
    const response = await send(
      requestBytes({
        path: PATH,
        headers: { ...JSON_TYPE, "content-length": "10" },
        body: bodies.iiko,
      }),
    );
    expect(response.status).toBe(400);
    await settle(20);
    expect(smsLines().length).toBe(before);
  });

  it("a 20 KB header gets Node's own 431, and the process keeps serving", async () => {
    const response = await send(
      requestBytes({
        path: PATH,
        headers: { ...JSON_TYPE, "x-huge": "a".repeat(20_000) },
        body: bodies.iiko,
      }),
    );
    expect(response.status).toBe(431);
    const next = await send({ path: "/api/webhook/iiko", headers: JSON_TYPE, body: "{}" });
    expect(next.status).toBe(401);
    expect(parseJson(next.body)).toEqual({ ok: false, error: "missing webhook key" });
  });

  it("a request line with raw non-ASCII bytes is refused, not a crash", async () => {
    const head = Buffer.concat([
      Buffer.from("POST /api/webhook/iiko?key="),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(" HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: 2\r\n\r\n{}"),
    ]);
    const response = await send(head);
    expect([400, 401]).toContain(response.status);
    expect(example.alive()).toBe(true);
  });

  it("printed exactly the matrix's valid webhooks, each phone masked, never a full phone", () => {
    const sends = cases.flatMap((c) => (c.sends ? [c.sends] : []));
    expect(sends.length).toBeGreaterThan(0);
    expect(smsLines().map(([phone]) => phone)).toEqual(sends.map(masked));
    for (const digits of sends) {
      expect(example.stdout()).not.toContain(digits);
      expect(example.stderr()).not.toContain(digits);
    }
  });

  it("never printed the webhook key (WEBHOOK_KEY is set, so not even in the curl hint)", () => {
    expect(example.stdout()).toContain("?key=$WEBHOOK_KEY");
    expect(example.stdout()).not.toContain(KEY);
    expect(example.stderr()).not.toContain(KEY);
  });

  it("never answered a 5xx", () => {
    expect(statuses.length).toBeGreaterThan(cases.length);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });

  it("SIGTERM shuts it down cleanly: exit code 0, no uncaught exception", async () => {
    const exit = await example.stop("SIGTERM");
    expect(exit).toEqual({ code: 0, signal: null });
    expect(example.stdout()).toContain("SIGTERM: closing");
    expect(example.stdout()).toContain("no scheduled review requests pending");
    const stderr = example.stderr();
    expect(stderr).not.toMatch(/Uncaught|unhandled|UnhandledPromiseRejection|ERR_|Error:/i);
    expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });
});
