/**
 * Issue 9, "slow and unauthenticated clients", over real HTTP on loopback against every adapter:
 * - item 3: a body trickled byte by byte gets 408 at `bodyTimeoutMs` and the server closes the
 *   connection (before: the connection was held for Node's 300 s `requestTimeout`);
 * - item 4: a wrong key is refused with 401 before the body is read (before: the whole body was
 *   read and decoded first);
 * and both options are checked when the handler is made.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createWebhookProcessor, type WebhookRequest } from "../../src/adapters/core.js";
import { webhookHandler } from "../../src/adapters/express.js";
import { createFetchHandler } from "../../src/adapters/fetch.js";
import { ConfigError } from "../../src/core/errors.js";
import type { ReviewRequester } from "../../src/requester/types.js";
import { openRaw, type RunningServer, requestBytes } from "../helpers/http.js";
import { MB, PATH, parseJson } from "./bad-cases.js";
import {
  allTargets,
  bodies,
  JSON_TYPE,
  KEY,
  makeRequester,
  settle,
  smsSent,
  until,
  useFakes,
} from "./world.js";

useFakes();

const TEXT = { "content-type": "text/plain" };
const UNKNOWN_KEY = { ok: false, error: "unknown webhook key" };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or `"no answer"` after `ms`. */
function orNothing<T>(promise: Promise<T>, ms: number): Promise<T | "no answer"> {
  return Promise.race([promise, sleep(ms).then(() => "no answer" as const)]);
}

describe.each(allTargets)("slow and unauthenticated clients: $name", (target) => {
  let server: RunningServer | null = null;
  let requester: ReviewRequester | null = null;
  afterEach(async () => {
    await server?.close();
    await requester?.close();
    server = null;
    requester = null;
  });

  // Sent as text/plain: a body parser mounted before the handler (express.json()) reads JSON
  // bodies itself, with no deadline of its own (the server's requestTimeout is the one there).
  it("item 3: a body trickled byte by byte → 408 at bodyTimeoutMs, then the server closes the connection", {
    timeout: 15_000,
  }, async () => {
    requester = makeRequester();
    server = await target.start(requester, { bodyTimeoutMs: 200 });
    const connection = openRaw(server.port);
    const started = Date.now();
    // Keep-alive on purpose: the close must come from the server's deadline, not the request.
    await connection.write(
      requestBytes({
        path: PATH,
        headers: { ...TEXT, "content-length": "1000", connection: "keep-alive" },
      }),
    );
    while (!connection.answered() && Date.now() - started < 5_000) {
      if (!(await connection.write("["))) break;
      await sleep(20);
    }
    const response = await orNothing(connection.response, 1_000);
    expect(response).not.toBe("no answer");
    if (response === "no answer") return;
    expect(response.status).toBe(408);
    expect(parseJson(response.body)).toEqual({
      ok: false,
      error: "the body was not received within 200 ms",
    });
    // The server closed the connection though the client asked to keep it and was still sending.
    expect(await orNothing(connection.closed, 2_000)).toBeUndefined();
    await server.waitForNoSockets();
    expect(Date.now() - started).toBeLessThan(200 + 3_000);
    expect(smsSent()).toHaveLength(0);
  });

  it("item 3: a body sent in pieces that is whole within bodyTimeoutMs is handled as usual", async () => {
    requester = makeRequester();
    server = await target.start(requester, { bodyTimeoutMs: 3_000 });
    const connection = openRaw(server.port);
    const body = Buffer.from(bodies.iiko);
    await connection.write(
      requestBytes({ path: PATH, headers: { ...TEXT, "content-length": String(body.length) } }),
    );
    for (let i = 0; i < 4; i++) {
      await connection.write(body.subarray((i * body.length) / 4, ((i + 1) * body.length) / 4));
      await sleep(20);
    }
    const response = await connection.response;
    expect(response.status).toBe(200);
    await until(() => smsSent().length === 1);
  });

  // Also text/plain for item 4: a body parser mounted before the handler reads a JSON body before
  // the handler runs (README: mount the handler without one to refuse wrong keys unread).
  it("item 4: a wrong key with a 1 MB body → 401 before the body is sent (it is never waited for)", {
    timeout: 10_000,
  }, async () => {
    requester = makeRequester();
    server = await target.start(requester);
    const connection = openRaw(server.port);
    await connection.write(
      requestBytes({
        path: "/api/webhook/iiko?key=wrong-key",
        headers: { ...TEXT, "content-length": String(MB) },
      }),
    );
    // 1 KB of the 1 MB, and then nothing: a handler that reads the body first never answers.
    await connection.write(Buffer.alloc(1024, 0x20));
    const response = await orNothing(connection.response, 2_000);
    expect(response).not.toBe("no answer");
    if (response === "no answer") return;
    expect(response.status).toBe(401);
    expect(response.headers["www-authenticate"]).toBe("Bearer");
    expect(parseJson(response.body)).toEqual(UNKNOWN_KEY);
    connection.socket.destroy();
    await settle();
    expect(smsSent()).toHaveLength(0);
  });

  it("item 4: a key resolveTenant does not know → 401 before the body is sent", {
    timeout: 10_000,
  }, async () => {
    const asked: string[] = [];
    requester = makeRequester({
      keys: undefined,
      business: undefined,
      reviewUrl: undefined,
      amocrm: undefined,
      resolveTenant: (key) => {
        asked.push(key);
        return null;
      },
    });
    server = await target.start(requester);
    const connection = openRaw(server.port);
    await connection.write(
      requestBytes({
        path: "/api/webhook/iiko",
        headers: { ...TEXT, "x-api-key": "someone-else", "content-length": String(MB) },
      }),
    );
    const response = await orNothing(connection.response, 2_000);
    expect(response).not.toBe("no answer");
    if (response === "no answer") return;
    expect(response.status).toBe(401);
    expect(asked).toEqual(["someone-else"]);
    connection.socket.destroy();
  });
});

describe("item 4: the body of a refused request is never read", () => {
  it("the shared core: an unknown key never calls readBody; a known one does", async () => {
    const requester = makeRequester();
    const run = createWebhookProcessor(requester);
    const reads: number[] = [];
    const request = (key: string): WebhookRequest => ({
      method: "POST",
      url: `/api/webhook/iiko?key=${key}`,
      header: (name) => (name === "content-type" ? "application/json" : null),
      readBody: async (limit) => {
        reads.push(limit);
        return new TextEncoder().encode(bodies.iiko);
      },
    });
    const refused = await run(request("wrong-key"));
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toEqual(UNKNOWN_KEY);
    expect(reads).toEqual([]);
    expect((await run(request(KEY))).status).toBe(200);
    expect(reads).toEqual([MB]);
    await requester.close();
  });

  it("Fetch: the Request's body is left unread (bodyUsed false, nothing pulled past the first chunk)", async () => {
    const requester = makeRequester();
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls += 1;
        controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
        if (pulls === 16) controller.close();
      },
    });
    const request = new Request("http://127.0.0.1/api/webhook/iiko?key=wrong-key", {
      method: "POST",
      headers: JSON_TYPE,
      body,
      duplex: "half",
    } as RequestInit);
    const response = await createFetchHandler(requester)(request);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(UNKNOWN_KEY);
    expect(request.bodyUsed).toBe(false);
    // The stream fills its queue once (high-water mark 1) without anyone reading.
    expect(pulls).toBeLessThanOrEqual(1);
    await requester.close();
  });
});

describe("item 3: the Fetch handler stops reading at the deadline", () => {
  it("a stream that trickles → 408 at bodyTimeoutMs, and the stream is cancelled", async () => {
    const requester = makeRequester();
    let cancelled = false;
    let timer: ReturnType<typeof setInterval> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        timer = setInterval(() => controller.enqueue(new Uint8Array([0x5b])), 10);
      },
      cancel() {
        cancelled = true;
        clearInterval(timer);
      },
    });
    const started = Date.now();
    const response = await createFetchHandler(requester, { bodyTimeoutMs: 100 })(
      new Request(`http://127.0.0.1/api/webhook/iiko?key=${KEY}`, {
        method: "POST",
        headers: JSON_TYPE,
        body,
        duplex: "half",
      } as RequestInit),
    );
    clearInterval(timer);
    expect(response.status).toBe(408);
    expect(response.headers.get("connection")).toBe("close");
    expect(await response.json()).toEqual({
      ok: false,
      error: "the body was not received within 100 ms",
    });
    expect(Date.now() - started).toBeLessThan(100 + 2_000);
    await until(() => cancelled);
    await requester.close();
  });
});

describe("bodyTimeoutMs and answerTimeoutMs are checked when the handler is made", () => {
  const requester = makeRequester();
  it.each([
    ["bodyTimeoutMs", 0],
    ["bodyTimeoutMs", -5],
    ["bodyTimeoutMs", 1.5],
    ["bodyTimeoutMs", "10000"],
    ["bodyTimeoutMs", Number.NaN],
    ["answerTimeoutMs", 0],
    ["answerTimeoutMs", Number.POSITIVE_INFINITY],
    ["answerTimeoutMs", "1500"],
    ["maxBodyBytes", -1],
  ])("%s: %s → ConfigError naming it, from both adapters", (option, value) => {
    const message = `[otzovik] Option \`${option}\` must be a positive whole number of ${option === "maxBodyBytes" ? "bytes" : "milliseconds"}.`;
    for (const make of [webhookHandler, createFetchHandler]) {
      let thrown: unknown;
      try {
        make(requester, { [option]: value });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).message).toBe(message);
      expect((thrown as ConfigError).code).toBe("config_invalid");
    }
  });

  it('respond other than "accepted" or "sent" → ConfigError naming it', () => {
    expect(() => createFetchHandler(requester, { respond: "later" as "sent" })).toThrow(
      '[otzovik] Option `respond` must be "accepted" or "sent".',
    );
  });

  it("valid values are taken", () => {
    expect(() =>
      webhookHandler(requester, { bodyTimeoutMs: 1, answerTimeoutMs: 60_000, maxBodyBytes: 10 }),
    ).not.toThrow();
  });
});
