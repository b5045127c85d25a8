/**
 * The bad-input matrix of issue #5 against both adapters over real HTTP on loopback: the Express
 * handler mounted as `examples/express` mounts it (no body parser needed) and after
 * `express.json()` + `express.urlencoded()`, and the Fetch handler behind node:http. Every answer
 * is the documented 4xx/200, never a 5xx; after the matrix and after a flood of bad requests the
 * server still answers a real webhook with 200 and exactly one SMS, and leaves no socket open.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReviewRequester } from "../../src/requester/types.js";
import {
  openRaw,
  type RawRequestInit,
  type RawResponse,
  type RunningServer,
  rawRequest,
  requestBytes,
} from "../helpers/http.js";
import { cases, MB, PATH, parseJson, unfinished } from "./bad-cases.js";
import {
  allTargets,
  bodies,
  JSON_TYPE,
  KEY,
  LIMIT_ERROR,
  makeRequester,
  settle,
  smsPhones,
  smsSent,
  until,
  useFakes,
} from "./world.js";

useFakes();

describe.each(allTargets)("bad-input matrix: $name", (target) => {
  let server: RunningServer;
  let requester: ReviewRequester;
  const statuses: number[] = [];

  beforeAll(async () => {
    requester = makeRequester();
    server = await target.start(requester, { logger: { error: () => {} } });
  });
  afterAll(async () => {
    await server.close();
    await requester.close();
  });

  async function send(request: RawRequestInit | Uint8Array): Promise<RawResponse> {
    const response = await rawRequest(server.port, request);
    statuses.push(response.status);
    return response;
  }

  it.each(cases)("$name", async (c) => {
    const expected = c.expected(target);
    const response = await send(c.request);
    expect(response.status).toBe(expected.status);
    if (expected.json !== undefined) expect(parseJson(response.body)).toEqual(expected.json);
    expect(response.status).toBeLessThan(500);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
    if (c.sends) await until(() => smsSent().length > 0);
    else await settle(5);
    expect(smsPhones()).toEqual(c.sends ? [c.sends] : []);
  });

  it("10 MB, chunked with no Content-Length: 413 after about 1 MB, without waiting for the end", async () => {
    const head = requestBytes({
      path: PATH,
      headers: { "content-type": "application/octet-stream", "transfer-encoding": "chunked" },
    });
    const size = 64 * 1024;
    const chunk = Buffer.concat([
      Buffer.from(`${size.toString(16)}\r\n`),
      Buffer.alloc(size, 0x20),
      Buffer.from("\r\n"),
    ]);
    // The terminating chunk is never sent: a server that buffers everything would never answer.
    const { response, written } = await unfinished(server.port, head, chunk, 10 * MB);
    statuses.push(response.status);
    expect(response.status).toBe(413);
    expect(parseJson(response.body)).toEqual(LIMIT_ERROR);
    expect(written).toBeLessThan(10 * MB);
  });

  it("10 MB with an honest Content-Length: 413 before the body is sent", async () => {
    const head = requestBytes({
      path: PATH,
      headers: { "content-type": "application/octet-stream", "content-length": String(10 * MB) },
    });
    const { response, written } = await unfinished(
      server.port,
      head,
      Buffer.alloc(64 * 1024, 0x20),
      10 * MB,
    );
    statuses.push(response.status);
    expect(response.status).toBe(413);
    expect(written).toBeLessThan(10 * MB);
  });

  it("a Content-Length lie the other way (declares 10 bytes, sends a whole webhook) is not a 5xx", async () => {
    const response = await send(
      requestBytes({
        path: PATH,
        headers: { ...JSON_TYPE, "content-length": "10" },
        body: bodies.iiko,
      }),
    );
    expect(response.status).toBe(400);
    expect(smsSent()).toHaveLength(0);
  });

  it("a client that disconnects mid-body does not crash the server", async () => {
    const connection = openRaw(server.port);
    await connection.write(
      requestBytes({ path: PATH, headers: { ...JSON_TYPE, "content-length": "5000" } }),
    );
    await connection.write(bodies.iiko.slice(0, 500));
    await settle(20);
    connection.socket.destroy();
    await connection.closed;
    await server.waitForNoSockets();
  });

  it("a 20 KB header gets Node's own 431, and the server keeps serving", async () => {
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
  });

  it("a request line with raw non-ASCII bytes is refused by Node, not a crash", async () => {
    const head = Buffer.concat([
      Buffer.from("POST /api/webhook/iiko?key="),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(" HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: 2\r\n\r\n{}"),
    ]);
    const response = await send(head);
    expect(response.status).toBeLessThan(500);
    expect([400, 401]).toContain(response.status);
  });

  it("arbitrary bodies with any content type → 200, 400 or 413, never 5xx", {
    timeout: 120_000,
  }, async () => {
    const contentTypes = [
      "application/json",
      "application/x-www-form-urlencoded",
      "text/plain",
      "application/octet-stream",
      null,
    ];
    const bodyArb = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      fc.string({ maxLength: 300 }).map((s) => new TextEncoder().encode(s)),
      fc.string({ unit: "grapheme", maxLength: 200 }).map((s) => new TextEncoder().encode(s)),
      fc.json({ depthSize: "medium" }).map((s) => new TextEncoder().encode(s)),
      fc
        .array(fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 })), {
          maxLength: 8,
        })
        .map((pairs) => new TextEncoder().encode(new URLSearchParams(pairs).toString())),
    );
    const sourceArb = fc.constantFrom("iiko", "rkeeper", "yclients", "amocrm");
    await fc.assert(
      fc.asyncProperty(
        bodyArb,
        fc.constantFrom(...contentTypes),
        sourceArb,
        async (body, type, source) => {
          const response = await send({
            path: `/api/webhook/${source}?key=${KEY}`,
            headers: type ? { "content-type": type } : {},
            body,
          });
          expect([200, 400, 413]).toContain(response.status);
        },
      ),
      { numRuns: 150, seed: 5 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("after the matrix, a real webhook → 200 and exactly one SMS", async () => {
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
    await until(() => smsSent().length === 1);
    await settle();
    expect(smsPhones()).toEqual(["79161239999"]);
    await server.waitForNoSockets();
  });

  it("never answered a 5xx anywhere in the matrix", () => {
    expect(statuses.length).toBeGreaterThan(cases.length);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });
});
