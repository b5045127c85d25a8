import type { ReviewRequester } from "../requester/types.js";
import { collectBytes, createWebhookProcessor, type WebhookHandlerOptions } from "./core.js";

export { DEFAULT_MAX_BODY_BYTES, type WebhookHandlerOptions } from "./core.js";

/** Keeps work alive after the response: Next's `after`, Vercel's `waitUntil`, a Worker's `ctx.waitUntil`. */
export type WaitUntil = (promise: Promise<unknown>) => void;

/** Options of {@link createFetchHandler}. */
export interface FetchHandlerOptions extends WebhookHandlerOptions {
  /**
   * Runs the sends after the response. Without it (and without a `ctx.waitUntil` per call), the
   * handler awaits the sends before answering, so serverless platforms do not freeze them.
   */
  readonly waitUntil?: WaitUntil;
}

/** The per-request context some platforms pass (Cloudflare Workers' `ctx`). */
export interface FetchContext {
  /** Extends the request's lifetime until the promise settles. */
  waitUntil?(promise: Promise<unknown>): void;
  /** Other platforms' context fields (Next.js passes `{ params }`), ignored. */
  readonly [key: string]: unknown;
}

/** A stream's chunks as an async iterable; cancels the stream when the reader stops early. */
async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => {});
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
 * Answers 405 for non-POST, 404 for an unknown source, 401 for a missing or unknown key, 413 for a
 * body over `maxBodyBytes`, 400 for a body that cannot be decoded, 200 with a small JSON summary
 * for everything accepted (ignored events included: a non-2xx makes iiko stop sending and amoCRM
 * disable the hook) and 503 for an internal fault, so the sender retries. Never 500.
 */
export function createFetchHandler(
  requester: ReviewRequester,
  options: FetchHandlerOptions = {},
): (request: Request, context?: FetchContext) => Promise<Response> {
  const run = createWebhookProcessor(requester, options);
  return async (request, context) => {
    const response = await run({
      method: request.method,
      url: request.url,
      header: (name) => request.headers.get(name),
      readBody: (limit) =>
        request.body
          ? collectBytes(chunksOf(request.body), limit)
          : Promise.resolve(new Uint8Array(0)),
    });
    if (response.background) {
      const waitUntil = context?.waitUntil?.bind(context) ?? options.waitUntil;
      if (waitUntil) waitUntil(response.background);
      else await response.background;
    }
    return new Response(response.body, { status: response.status, headers: response.headers });
  };
}
