import type { SourceName } from "../sources/types.js";

/** Options of {@link webhookRequest}. */
export interface WebhookRequestOptions {
  /** The webhook key, sent as `?key=` (as the systems are set up to send it). */
  readonly key: string;
  /** Scheme and host of the URL. Default `"http://localhost"`. */
  readonly baseUrl?: string;
  /** The route's path. Default `/api/webhook/<source>` (the Fetch handler reads the source from its last segment). */
  readonly path?: string;
  /**
   * The `Content-Type`. Default: `application/x-www-form-urlencoded` for an amoCRM body that is
   * not JSON (amoCRM posts forms), `application/json` otherwise.
   */
  readonly contentType?: string;
  /** More headers to send (names as you like them). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** `true` when a body's text looks like JSON (an object or an array). */
function looksLikeJson(text: string): boolean {
  return /^\s*[[{]/.test(text);
}

/**
 * The `Request` a system would send to your webhook route: `POST <baseUrl><path>?key=<key>` with
 * the body and its content type. Pass it straight to `otzovik/fetch`'s handler, or to `fetch` to
 * hit a running server.
 *
 * @param source - `"iiko"`, `"rkeeper"`, `"yclients"`, `"amocrm"` (or your own source's name).
 * @param body - The body: text (a builder's output, a fixture's `body`), bytes, or a value to send
 *   as JSON.
 * @param options - The key, and optionally the URL's base and path, the content type and headers.
 *
 * @example
 * const handler = createFetchHandler(requester)
 * const response = await handler(
 *   webhookRequest("iiko", iikoDeliveryOrderUpdate({ orderId: "o-1" }), { key: "test-key" }),
 * )
 * expect(response.status).toBe(200)
 */
export function webhookRequest(
  source: SourceName | (string & {}),
  body: string | Uint8Array | object,
  options: WebhookRequestOptions,
): Request {
  if (typeof options?.key !== "string" || options.key === "")
    throw new TypeError("webhookRequest: options.key must be the webhook key (a non-empty string)");
  const text = typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body);
  const json = typeof text === "string" ? looksLikeJson(text) : true;
  const contentType =
    options.contentType ??
    (source === "amocrm" && !json ? "application/x-www-form-urlencoded" : "application/json");
  const base = (options.baseUrl ?? "http://localhost").replace(/\/+$/, "");
  const path = options.path ?? `/api/webhook/${encodeURIComponent(source)}`;
  const url = new URL(`${base}${path.startsWith("/") ? "" : "/"}${path}`);
  url.searchParams.set("key", options.key);
  return new Request(url, {
    method: "POST",
    headers: { ...options.headers, "content-type": contentType },
    body: text as BodyInit,
  });
}
