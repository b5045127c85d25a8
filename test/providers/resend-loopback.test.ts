import { afterEach, describe, expect, it } from "vitest";
import { DeliveryUnknownError } from "../../src/core/errors.js";
import { createResendClient } from "../../src/providers/index.js";
import { type Loopback, loopback } from "../transport/loopback.js";

// Issue 9, item 7, over real sockets: Resend got the whole request, then the answer was lost.
// Every in-client retry carries the same Idempotency-Key (Resend deduplicates it for 24 h); when
// they run out, the outcome is unknown, not retryable, so nothing sends it on another channel.

const KEY = "re_SECRET_0123456789abcdef";
const servers: Loopback[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const client = (baseUrl: string, timeout = 5000) =>
  createResendClient({
    apiKey: KEY,
    from: "hi@kofe.example.org",
    baseUrl,
    timeout,
    logger: { warn() {}, error() {} },
    retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 10, jitter: false },
  });
const email = {
  to: "anna@mail.example.org",
  subject: "Оцените визит",
  text: "Спасибо",
  idempotencyKey: "review-request/order-42",
};

describe("Resend over loopback: the request arrived, the answer did not", () => {
  it("connection reset after the body was read → DeliveryUnknownError, same key each time", async () => {
    const server = await loopback((_request, res) => res.socket?.destroy());
    servers.push(server);
    const error = await client(server.url)
      .sendEmail(email)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryUnknownError);
    expect(error).toMatchObject({
      category: "unknown_outcome",
      reason: "connection_lost",
      retryable: false,
    });
    expect(server.requests).toHaveLength(3);
    for (const request of server.requests) {
      expect(request.headers["idempotency-key"]).toBe("review-request/order-42");
      expect(JSON.parse(request.body)).toMatchObject({ subject: "Оцените визит" });
    }
  });

  it("no answer within the timeout → DeliveryUnknownError, same key each time", async () => {
    const server = await loopback(() => {});
    servers.push(server);
    const error = await client(server.url, 150)
      .sendEmail(email)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryUnknownError);
    expect(error).toMatchObject({ reason: "timeout", retryable: false });
    expect(server.requests.map((r) => r.headers["idempotency-key"])).toEqual([
      "review-request/order-42",
      "review-request/order-42",
      "review-request/order-42",
    ]);
  });

  it("an answer on a later attempt settles it: Resend returns the first result", async () => {
    let calls = 0;
    const server = await loopback((_request, res) => {
      calls += 1;
      if (calls === 1) return void res.socket?.destroy();
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"id":"49a3999c-0ce1-4ea6-ab68-afcd6dc2e794"}');
    });
    servers.push(server);
    const result = await client(server.url).sendEmail(email);
    expect(result.messageId).toBe("49a3999c-0ce1-4ea6-ab68-afcd6dc2e794");
    expect(server.requests).toHaveLength(2);
  });
});
