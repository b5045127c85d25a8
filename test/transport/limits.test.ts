import type { ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import {
  ConfigError,
  DeliveryUnknownError,
  NetworkError,
  ProviderError,
} from "../../src/core/errors.js";
import {
  createMetaWhatsappClient,
  createResendClient,
  createSmsRuClient,
} from "../../src/providers/index.js";
import { createAmocrmClient } from "../../src/sources/amocrm/client.js";
import { DEFAULT_MAX_RESPONSE_BYTES } from "../../src/transport/index.js";
import { type Loopback, loopback } from "./loopback.js";

// Issue 9, item 10: provider answers are capped (maxResponseBytes, default 1 MiB), counted while
// they stream in; beyond the cap the client stops reading and drops the connection.

const KEY = "SECRETkey0123456789abcdef";
const quiet = { warn() {}, error() {} };
const options = (baseUrl: string, extra: object = {}) => ({
  baseUrl,
  logger: quiet,
  timeout: 10_000,
  retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 10, jitter: false },
  ...extra,
});
const TWO_MB = 2 * 1024 * 1024;
const BALANCE = '{"status":"OK","status_code":100,"balance":4122.56}';

const servers: Loopback[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(answer: (res: ServerResponse) => void): Promise<Loopback> {
  const server = await loopback((_request, res) => answer(res));
  servers.push(server);
  return server;
}

/** A JSON answer of `bytes` bytes: `{"status":"OK",…,"pad":"xxxx…"}`. */
function bigJson(bytes: number): Buffer {
  const head = '{"status":"OK","status_code":100,"balance":1.5,"pad":"';
  return Buffer.from(`${head}${"x".repeat(bytes - head.length - 2)}"}`);
}

/** Streams JSON without Content-Length until the client goes away; reports what it wrote. */
function endless(res: ServerResponse, stats: { written: number; finished: boolean }) {
  const LIMIT = 64 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, "1,");
  res.writeHead(200, { "content-type": "application/json" });
  res.write("[");
  const pump = () => {
    while (stats.written < LIMIT && !res.destroyed) {
      stats.written += chunk.length;
      if (!res.write(chunk)) return void res.once("drain", pump);
    }
    if (!res.destroyed) {
      stats.finished = true;
      res.end("1]");
    }
  };
  pump();
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error("expected a rejection"),
    (e: unknown) => e,
  );
}

describe("answers are capped at maxResponseBytes", () => {
  it("a 2 MB answer to a read: response_too_large, not retried, the connection dropped", async () => {
    const body = bigJson(TWO_MB);
    const server = await serve((res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
      res.end(body);
    });
    const error = await rejection(
      createSmsRuClient({ apiKey: KEY, ...options(server.url) }).getBalance(),
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      code: "response_too_large",
      category: "permanent",
      retryable: false,
      httpStatus: 200,
    });
    expect((error as Error).message).toContain(
      `maxResponseBytes (${DEFAULT_MAX_RESPONSE_BYTES} bytes)`,
    );
    expect(server.requests).toHaveLength(1);
    // The client stopped reading and closed the (otherwise kept-alive) connection.
    await server.socketClosed();
  });

  it("an endless answer without Content-Length: the client stops reading it", async () => {
    const stats = { written: 0, finished: false };
    const server = await serve((res) => endless(res, stats));
    const error = await rejection(
      createSmsRuClient({ apiKey: KEY, ...options(server.url) }).getBalance(),
    );
    expect(error).toMatchObject({ code: "response_too_large", category: "permanent" });
    await server.socketClosed();
    // Counted while streaming: the server was cut off long before its 64 MB, by kernel buffers
    // at most beyond the 1 MiB read.
    expect(stats.finished).toBe(false);
    expect(stats.written).toBeLessThan(64 * 1024 * 1024);
  });

  it("on a send, a too large answer is an unknown outcome: the provider answered", async () => {
    const stats = { written: 0, finished: false };
    const server = await serve((res) => endless(res, stats));
    const error = await rejection(
      createSmsRuClient({ apiKey: KEY, ...options(server.url) }).sendSms("+79161234567", "hi"),
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      code: "response_too_large",
      category: "unknown_outcome",
      retryable: false,
    });
    expect((error as Error).message).toContain("may have been accepted");
    expect(server.requests).toHaveLength(1);
    await server.socketClosed();
    expect(stats.finished).toBe(false);
  });

  it("even with an idempotency key, a too large answer to a send is not repeated", async () => {
    const body = bigJson(TWO_MB);
    const server = await serve((res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(body);
    });
    const error = await rejection(
      createResendClient({
        apiKey: KEY,
        from: "hi@kofe.example.org",
        ...options(server.url),
      }).sendEmail({
        to: "anna@mail.example.org",
        subject: "s",
        text: "t",
        idempotencyKey: "order/1",
      }),
    );
    expect(error).toMatchObject({ code: "response_too_large", category: "unknown_outcome" });
    expect(server.requests).toHaveLength(1);
  });

  it("applies to amoCRM lookups too", async () => {
    const body = bigJson(TWO_MB);
    const server = await serve((res) => {
      res.writeHead(200, { "content-type": "application/hal+json" });
      res.end(body);
    });
    const client = createAmocrmClient({
      accessToken: KEY,
      allowAnyBaseUrl: true,
      subdomain: "kofe",
      ...options(server.url),
    });
    const error = await rejection(client.getLead("3912171"));
    expect(error).toMatchObject({ code: "response_too_large", provider: "amocrm" });
    expect(server.requests).toHaveLength(1);
  });

  it("maxResponseBytes is exact: an answer of the limit is read, one byte more is not", async () => {
    const answer = JSON.stringify({
      messaging_product: "whatsapp",
      messages: [{ id: "wamid.1" }],
    });
    const server = await serve((res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(answer);
    });
    const client = (maxResponseBytes: number) =>
      createMetaWhatsappClient({
        accessToken: KEY,
        phoneNumberId: "1",
        ...options(server.url, { maxResponseBytes }),
      });
    const bytes = Buffer.byteLength(answer);
    await expect(client(bytes).sendWhatsapp("+79161234567", "hi")).resolves.toMatchObject({
      messageId: "wamid.1",
    });
    await expect(client(bytes - 1).sendWhatsapp("+79161234567", "hi")).rejects.toMatchObject({
      code: "response_too_large",
      category: "unknown_outcome",
    });
  });

  it("validates maxResponseBytes at creation, naming the option", () => {
    for (const value of [0, -1, 1.5, "1MB", 65 * 1024 * 1024]) {
      const create = () => createSmsRuClient({ apiKey: KEY, maxResponseBytes: value as number });
      expect(create).toThrow(ConfigError);
      expect(create).toThrow("`maxResponseBytes`");
    }
    expect(() => createSmsRuClient({ apiKey: KEY, maxResponseBytes: 4096 })).not.toThrow();
  });
});

describe("the timeout covers the whole answer", () => {
  /** Sends the status line and half a body, then nothing more. */
  const stalled = (res: ServerResponse) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": 100 });
    res.write(BALANCE.slice(0, 20));
  };

  it("a body that stops arriving ends a read with a timeout", async () => {
    const server = await serve(stalled);
    const error = await rejection(
      createSmsRuClient({
        apiKey: KEY,
        ...options(server.url, { timeout: 200, retry: false }),
      }).getBalance(),
    );
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: "timeout" });
  });

  it("and a send with an unknown outcome (the status line had arrived)", async () => {
    const server = await serve(stalled);
    const error = await rejection(
      createSmsRuClient({ apiKey: KEY, ...options(server.url, { timeout: 200 }) }).sendSms(
        "+79161234567",
        "hi",
      ),
    );
    expect(error).toBeInstanceOf(DeliveryUnknownError);
    expect(error).toMatchObject({ reason: "timeout" });
    expect(server.requests).toHaveLength(1);
  });
});
