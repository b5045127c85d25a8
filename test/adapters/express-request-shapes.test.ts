/**
 * otzovik/express's handler with the request objects other frameworks and middlewares hand over
 * (not a Node `IncomingMessage`): a raw body a middleware already read as a string or bytes, a
 * request that is only an async iterable, a stream that gives string chunks, headers given as
 * arrays, no method or URL. Exact answers from a real requester.
 */
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import {
  type ExpressLikeRequest,
  type ExpressLikeResponse,
  webhookHandler,
} from "../../src/adapters/express.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type { ReviewRequester } from "../../src/requester/types.js";
import { fixture } from "../helpers/fixtures.js";

const KEY = "shapes-key";
const BODY = fixture("iiko", "iiko-01-delivery-closed.json");
const ACCEPTED = {
  ok: true,
  events: [{ id: "9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805", status: "accepted", reason: null }],
};

let requester: ReviewRequester | null = null;
const sent: string[] = [];
afterEach(async () => {
  await requester?.close();
  requester = null;
  sent.length = 0;
});

function handler(maxBodyBytes?: number) {
  requester = createReviewRequester({
    keys: KEY,
    business: "Cafe",
    reviewUrl: "https://r.example/1",
    quietHours: false,
    frequencyCapMs: false,
    logger: { warn: () => {}, error: () => {} },
    channels: [
      {
        type: "sms",
        client: {
          provider: "sms.ru",
          async sendSms(phone) {
            sent.push(phone);
            return { provider: "sms.ru", channel: "sms", messageId: "1", to: phone, dryRun: false };
          },
        },
      },
    ],
  });
  return webhookHandler(requester, maxBodyBytes === undefined ? {} : { maxBodyBytes });
}

/** Runs the handler on `req` and resolves with the answer it wrote. */
function call(
  handle: ReturnType<typeof handler>,
  req: Partial<ExpressLikeRequest>,
): Promise<{ status: number; type: string | undefined; body: unknown }> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    const res: ExpressLikeResponse = {
      statusCode: 0,
      setHeader(name, value) {
        headers[name.toLowerCase()] = value;
      },
      end(body) {
        resolve({
          status: res.statusCode,
          type: headers["content-type"],
          body: JSON.parse(String(body)),
        });
      },
    };
    handle({ headers: {}, ...req } as ExpressLikeRequest, res);
  });
}

const post = (extra: Partial<ExpressLikeRequest>): Partial<ExpressLikeRequest> => ({
  method: "POST",
  url: `/webhook/iiko?key=${KEY}`,
  headers: { "content-type": "application/json" },
  readableEnded: true,
  ...extra,
});

describe("bodies a middleware already read raw", () => {
  it("a string (express.text()) or bytes (express.raw()) is the body", async () => {
    const handle = handler();
    expect(await call(handle, post({ body: BODY }))).toEqual({
      status: 200,
      type: "application/json; charset=utf-8",
      body: ACCEPTED,
    });
    const bytes = await call(handler(), post({ body: new TextEncoder().encode(BODY) }));
    expect(bytes).toMatchObject({ status: 200, body: ACCEPTED });
  });

  it("over maxBodyBytes: 413, nothing parsed or sent", async () => {
    const answer = await call(handler(64), post({ body: BODY }));
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ ok: false });
    expect(sent).toEqual([]);
  });

  it("an object from a parser that did not say it read the stream (no _body): read raw instead", async () => {
    const answer = await call(
      handler(),
      post({ body: { eventType: "parsed" }, readableEnded: undefined, ...streamOf([BODY]) }),
    );
    expect(answer).toMatchObject({ status: 200, body: ACCEPTED });
  });
});

/** A Node stream of `chunks` as a request's stream methods. */
function streamOf(chunks: readonly (string | Uint8Array)[]): Partial<ExpressLikeRequest> {
  const stream = Readable.from(chunks, { objectMode: true });
  return {
    on: (event, listener) => stream.on(event, listener),
    removeListener: (event, listener) => stream.removeListener(event, listener),
    pause: () => stream.pause(),
    resume: () => stream.resume(),
    [Symbol.asyncIterator]: () => stream[Symbol.asyncIterator](),
  };
}

describe("request streams that are not IncomingMessage", () => {
  it("string chunks from a stream's data events are read as UTF-8", async () => {
    const half = Math.floor(BODY.length / 2);
    const answer = await call(
      handler(),
      post({ readableEnded: false, ...streamOf([BODY.slice(0, half), BODY.slice(half)]) }),
    );
    expect(answer).toMatchObject({ status: 200, body: ACCEPTED });
    expect(sent).toEqual(["+79161234567"]);
  });

  it("only an async iterable (no stream events): iterated; over the limit: 413", async () => {
    const iterable = (chunks: string[]) => ({
      async *[Symbol.asyncIterator]() {
        for (const chunk of chunks) yield new TextEncoder().encode(chunk);
      },
    });
    expect(
      await call(
        handler(),
        post({ readableEnded: false, ...iterable([BODY.slice(0, 10), BODY.slice(10)]) }),
      ),
    ).toMatchObject({ status: 200, body: ACCEPTED });
    const tooLarge = await call(handler(16), post({ readableEnded: false, ...iterable([BODY]) }));
    expect(tooLarge.status).toBe(413);
  });

  it("headers given as arrays: the first value counts (the key header included)", async () => {
    const answer = await call(
      handler(),
      post({
        url: "/webhook/iiko",
        headers: {
          "content-type": ["application/json", "text/plain"],
          "x-api-key": [KEY, "other"],
        } as never,
        body: BODY,
      }),
    );
    expect(answer).toMatchObject({ status: 200, body: ACCEPTED });
  });

  it("no method and no URL: read as GET /: 405 (webhooks are POSTs), nothing read", async () => {
    const answer = await call(handler(), { headers: {} });
    expect(answer.status).toBe(405);
    expect(answer.body).toMatchObject({ ok: false });
  });
});
