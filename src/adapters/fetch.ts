import { ConfigError } from "../core/errors.js";
import type { ReviewRequester } from "../requester/types.js";
import {
  type BodyStop,
  createWebhookProcessor,
  joinChunks,
  type WebhookHandlerOptions,
} from "./core.js";
import { createLinkProcessor, type LinkHandlerOptions } from "./link.js";
import { createStatusProcessor, type StatusHandlerOptions } from "./status.js";

export {
  DEFAULT_ANSWER_TIMEOUT_MS,
  DEFAULT_BODY_TIMEOUT_MS,
  DEFAULT_MAX_BODY_BYTES,
  type WebhookHandlerOptions,
} from "./core.js";
export type { LinkHandlerOptions } from "./link.js";
export { DEFAULT_STATUS_MAX_BODY_BYTES, type StatusHandlerOptions } from "./status.js";

/** Keeps work alive after the response: Next's `after`, Vercel's `waitUntil`, a Worker's `ctx.waitUntil`. */
export type WaitUntil = (promise: Promise<unknown>) => void;

/** Options of {@link createFetchHandler}. */
export interface FetchHandlerOptions extends WebhookHandlerOptions {
  /**
   * Runs the sends after the response. Without it (and without a `ctx.waitUntil` per call), the
   * handler waits for the sends before answering, up to `answerTimeoutMs`, and then answers
   * anyway: on a platform that freezes or stops the function once the answer is out (Vercel,
   * Netlify, Workers, Lambda), pass it, or the sends still running are lost.
   */
  readonly waitUntil?: WaitUntil;
}

/**
 * The per-request context some platforms pass as the handler's second argument: Cloudflare
 * Workers' `ctx` (its `waitUntil` is used), Next.js's `{ params }` (ignored). Any object is
 * accepted, so a platform's own context type (an interface such as Workers' `ExecutionContext`,
 * which has no index signature) can be passed as it is.
 */
export type FetchContext =
  | {
      /** Extends the request's lifetime until the promise settles (Workers' `ctx.waitUntil`). */
      waitUntil?(promise: Promise<unknown>): void;
    }
  | object;

/** The context's `waitUntil`, bound to it, when it has one. */
function waitUntilOf(context: FetchContext | undefined): WaitUntil | undefined {
  const waitUntil = (context as { waitUntil?: unknown } | undefined)?.waitUntil;
  return typeof waitUntil === "function"
    ? (promise) => (waitUntil as WaitUntil).call(context, promise)
    : undefined;
}

const EMPTY = new Uint8Array(0);

/**
 * Reads a body stream with one reader, up to `limit` bytes: at the limit, or once `stop` is called
 * (the body took too long), it cancels the stream, so an oversized or trickled body is never
 * buffered whole and the read stops at once.
 */
async function readBody(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  stop: BodyStop,
): Promise<Uint8Array | "too_large"> {
  const reader = stream.getReader();
  const cancel = () => {
    reader.cancel().catch(() => {});
  };
  stop.onStop = cancel;
  try {
    const parts: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      // A read cut short by the deadline's cancel also ends "done": that body is not whole.
      if (stop.stopped) throw new Error("the body took too long");
      if (done) return size === 0 ? EMPTY : joinChunks(parts, size);
      size += value.byteLength;
      if (size > limit) {
        cancel();
        return "too_large";
      }
      parts.push(value);
    }
  } finally {
    stop.onStop = null;
  }
}

/**
 * A Fetch-API webhook handler, `(request) => Promise<Response>`, for Next.js route handlers, Hono,
 * Cloudflare Workers, Bun and Deno:
 *
 * ```ts
 * // app/api/webhook/[source]/route.ts (Next.js)
 * import { after } from "next/server";
 * export const POST = createFetchHandler(requester, { waitUntil: after });
 *
 * // Cloudflare Worker
 * export default { fetch: (request, env, ctx) => handler(request, ctx) };
 * ```
 *
 * The source is `options.source`, or the last path segment (`/api/webhook/iiko`).
 *
 * The key is checked before the body is read. Answers 405 for non-POST, 404 for an unknown source,
 * 401 for a missing or unknown key, 413 for a body over `maxBodyBytes`, 408 for a body not
 * received within `bodyTimeoutMs`, 400 for a body that cannot be decoded, 200 with a small JSON
 * summary for everything accepted (ignored events included: a non-2xx makes iiko stop sending and
 * amoCRM disable the hook) and 503 for an internal fault or claims not made within
 * `answerTimeoutMs`, so the sender retries. Never 500. It answers within `answerTimeoutMs` of
 * having the body, whatever the mode: sends that take longer go on after the answer, kept alive by
 * `waitUntil` where one is given.
 *
 * @throws ConfigError naming the option when an option is invalid.
 */
export function createFetchHandler(
  requester: ReviewRequester,
  options: FetchHandlerOptions = {},
): (request: Request, context?: FetchContext) => Promise<Response> {
  const run = createWebhookProcessor(requester, options);
  return async (request, context) => {
    const waitUntil = waitUntilOf(context) ?? options.waitUntil;
    const response = await run({
      method: request.method,
      url: request.url,
      header: (name) => request.headers.get(name),
      readBody: (limit, stop) =>
        request.body ? readBody(request.body, limit, stop) : Promise.resolve(EMPTY),
      awaitSends: !waitUntil,
    });
    if (response.background && waitUntil) waitUntil(response.background);
    return new Response(response.body, { status: response.status, headers: response.headers });
  };
}

/** Refuses a `waitUntil` option that is not a function (checked once, at creation). */
function checkWaitUntil(waitUntil: unknown): void {
  if (waitUntil !== undefined && typeof waitUntil !== "function")
    throw new ConfigError("Option `waitUntil` must be a function, such as Next's `after`.");
}

/**
 * Options of {@link createFetchStatusHandler}.
 *
 * @example
 * ```ts
 * import { after } from "next/server";
 * const handle = createFetchStatusHandler(requester, { provider: "resend", waitUntil: after });
 * ```
 */
export interface FetchStatusHandlerOptions extends StatusHandlerOptions {
  /**
   * Runs the fallback sends after the response (Next's `after`, Vercel's `waitUntil`). Without it
   * (and without a `ctx.waitUntil` per call), the handler waits for them before answering, up to
   * `answerTimeoutMs`, and then answers anyway.
   */
  readonly waitUntil?: WaitUntil;
}

/**
 * A Fetch-API handler, `(request, ctx?) => Promise<Response>`, for providers' status webhooks
 * (delivery reports): Meta WhatsApp's `statuses[]` and its GET subscription check, SMS.ru's
 * callback, Resend's events, for Next.js route handlers, Hono, Cloudflare Workers, Bun and Deno.
 * Each is verified by the channel client of that provider (its `appSecret`, `apiKey` or
 * `webhookSecret`) and handed to `requester.handleStatus()`; a message reported undelivered falls
 * back to the next channel once.
 *
 * The provider is `options.provider`, else the last path segment: `/api/status/meta` (or
 * `whatsapp`), `/api/status/sms.ru` (or `smsru`), `/api/status/resend`; any other gets 404. Where
 * tenants have their own clients, the tenant's key comes as `?key=` in the URL you give the
 * provider (or `X-Api-Key`). The raw body is read with the `maxBodyBytes` cap (413) and the
 * `bodyTimeoutMs` deadline (408); a body something else already read gets 500, saying so.
 *
 * Answers with what the provider expects as soon as the statuses are recorded: 200 (SMS.ru's
 * `100`, Meta's challenge), 401 for a bad or missing signature (nothing changes), 403 for a
 * refused subscription check, 405 for a method the provider does not use, and 503 when the store
 * fails or the statuses are not recorded within `answerTimeoutMs` (the provider retries; a copy
 * changes nothing). The fallback sends go to `ctx.waitUntil` (or `options.waitUntil`).
 *
 * @example
 * ```ts
 * // app/api/status/[provider]/route.ts (Next.js): Meta checks the URL with a GET
 * import { after } from "next/server";
 * import { createFetchStatusHandler } from "otzovik/fetch";
 *
 * const handle = createFetchStatusHandler(requester, { waitUntil: after });
 * export const GET = handle;
 * export const POST = handle;
 *
 * // Cloudflare Worker
 * const status = createFetchStatusHandler(requester);
 * export default { fetch: (request, env, ctx) => status(request, ctx) };
 * ```
 *
 * @param requester - The requester whose channel clients verify and read the webhooks.
 * @param options - Provider, body limit and deadlines, `waitUntil`, logger.
 * @throws ConfigError naming the option when an option is invalid.
 */
export function createFetchStatusHandler(
  requester: ReviewRequester,
  options: FetchStatusHandlerOptions = {},
): (request: Request, context?: FetchContext) => Promise<Response> {
  const run = createStatusProcessor(requester, options);
  checkWaitUntil(options.waitUntil);
  return async (request, context) => {
    const waitUntil = waitUntilOf(context) ?? options.waitUntil;
    const response = await run({
      method: request.method,
      url: request.url,
      header: (name) => request.headers.get(name),
      bodyConsumed: request.bodyUsed
        ? "the request body was already read before the status handler, so its signature cannot be checked: the signature is over the raw bytes. Hand the handler the request untouched."
        : null,
      readBody: (limit, stop) =>
        request.body ? readBody(request.body, limit, stop) : Promise.resolve(EMPTY),
      awaitSends: !waitUntil,
    });
    if (response.background && waitUntil) waitUntil(response.background);
    return new Response(response.body, { status: response.status, headers: response.headers });
  };
}

/**
 * Options of {@link createFetchLinkHandler}.
 *
 * @example
 * ```ts
 * import { after } from "next/server";
 * const link = createFetchLinkHandler(requester, { waitUntil: after });
 * ```
 */
export interface FetchLinkHandlerOptions extends LinkHandlerOptions {
  /**
   * Runs the report of a first click (its log line and `onClicked` hook) after the response.
   * Without it (and without a `ctx.waitUntil` per call) the handler waits for the report before
   * answering. The click itself is always counted before the answer.
   */
  readonly waitUntil?: WaitUntil;
}

/**
 * A Fetch-API handler, `(request, ctx?) => Promise<Response>`, for the requester's short review
 * links (its `links` option), for Next.js route handlers, Hono, Cloudflare Workers, Bun and Deno:
 *
 * ```ts
 * // app/r/[token]/route.ts (Next.js), with links: { baseUrl: "https://cafe.ru/r" }
 * import { after } from "next/server";
 * export const GET = createFetchLinkHandler(requester, { waitUntil: after });
 * export const HEAD = GET;
 * ```
 *
 * The token is the path's last segment (never a query parameter). A GET answers 302 to the
 * review URL stored for the token (only that one: nothing of the request can change it), or 200
 * with a small chooser page when the business gave several `reviewUrls`; an unknown, expired or
 * malformed token gets 404 with a small page; a method other than GET and HEAD gets 405; a store
 * failure 503. A GET from a browser counts as a click (the request's first one is the `clicked`
 * outcome, once across processes); HEAD and link-preview bots (Telegram, WhatsApp, iMessage…)
 * are answered alike but never counted. Every answer has `Cache-Control: no-store` and
 * `Referrer-Policy: no-referrer`.
 *
 * @param requester - The requester whose `links` made the tokens.
 * @param options - `waitUntil`, logger.
 * @throws ConfigError naming the option when an option is invalid.
 */
export function createFetchLinkHandler(
  requester: ReviewRequester,
  options: FetchLinkHandlerOptions = {},
): (request: Request, context?: FetchContext) => Promise<Response> {
  const run = createLinkProcessor(requester, options);
  checkWaitUntil(options.waitUntil);
  return async (request, context) => {
    const waitUntil = waitUntilOf(context) ?? options.waitUntil;
    const response = await run({
      method: request.method,
      url: request.url,
      header: (name) => request.headers.get(name),
    });
    if (response.background) {
      if (waitUntil) waitUntil(response.background);
      else await response.background;
    }
    return new Response(response.body === "" ? null : response.body, {
      status: response.status,
      headers: response.headers,
    });
  };
}
