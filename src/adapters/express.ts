import type { ReviewRequester } from "../requester/types.js";
import {
  type BodyStop,
  collectBytes,
  createWebhookProcessor,
  joinChunks,
  type WebhookHandlerOptions,
  type WebhookRequest,
  type WebhookResponse,
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

/**
 * The parts of an Express (4 or 5) request the handler uses; a plain `http.IncomingMessage` fits
 * too. Declared here so otzovik does not depend on Express's types.
 */
export interface ExpressLikeRequest extends AsyncIterable<unknown> {
  /** HTTP method. */
  readonly method?: string;
  /** Path and query (relative to the router's mount point in Express). */
  readonly url?: string;
  /** Express: the full original path and query. */
  readonly originalUrl?: string;
  /** Request headers, names in lower case. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /**
   * Express route parameters: `source` names the source for `/webhook/:source`, `provider` the
   * provider for `/status/:provider`.
   */
  readonly params?: Readonly<Record<string, string | undefined>>;
  /** What a body parser produced, if one ran. */
  readonly body?: unknown;
  /** Set by body-parser (`express.json()`, `express.urlencoded()`…) once it has read the body. */
  readonly _body?: boolean;
  /** `true` once the request stream has been read to the end. */
  readonly readableEnded?: boolean;
  /** Node: `true` once the whole request has been received (read or not). */
  readonly complete?: boolean;
  /** Node ≥ 16.3: an async iterator over the body that can leave the stream open. */
  iterator?(options: { destroyOnReturn: boolean }): AsyncIterable<unknown>;
  /** Node streams: subscribes to `data`, `end`, `error` and `close`. */
  on?(event: string, listener: (chunk: { length: number }) => void): unknown;
  /** Node streams: unsubscribes a listener `on` added. */
  removeListener?(event: string, listener: (chunk: { length: number }) => void): unknown;
  /** Node streams: stops reading the body for now. */
  pause?(): unknown;
  /** Node streams: reads and discards the rest of the body. */
  resume?(): unknown;
  /** The connection, dropped when an unread body goes on too long. */
  readonly socket?: DroppableSocket | null;
}

/** The part of a socket the handler uses. */
export interface DroppableSocket {
  /** Closes the connection at once. */
  destroy(): void;
  /** Closes the connection once what was written is sent. */
  end?(): unknown;
}

/** The parts of an Express response (or `http.ServerResponse`) the handler uses. */
export interface ExpressLikeResponse {
  /** The status code to send. */
  statusCode: number;
  /** `true` once headers went out (another handler answered first). */
  readonly headersSent?: boolean;
  /**
   * Node: keep the connection once the answer is out. Set while the client is still sending a
   * body the handler did not read, so the body is discarded before the connection closes.
   */
  shouldKeepAlive?: boolean;
  /** Sets a response header. */
  setHeader(name: string, value: string): unknown;
  /** Sends the body and finishes the response; calls `callback` once it is written. */
  end(body?: string, callback?: () => void): unknown;
}

function headerOf(req: ExpressLikeRequest, name: string): string | null {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/** The body a framework already read, or `undefined` when the raw stream is still unread. */
function parsedBody(req: ExpressLikeRequest): unknown {
  const body = req.body;
  if (body === undefined || body === null) return undefined;
  if (body instanceof Uint8Array || typeof body === "string") return undefined;
  // body-parser turns an empty body into `{}`: read it raw instead, so it gets 400 like elsewhere.
  if (headerOf(req, "content-length") === "0") return undefined;
  // Express 4 sets `req.body = {}` even when no parser matched the content type: only trust it
  // when body-parser says it read the stream.
  if (req._body === true || req.readableEnded === true) return body;
  return undefined;
}

type Listener = (chunk: { length: number }) => void;
const encoder = new TextEncoder();

/**
 * Reads a Node request stream through its events, up to `limit` bytes. Every listener it adds is
 * removed once it settles (the connection may carry more requests); at the limit, or when `stop`
 * is called, it pauses the stream without destroying it, so the answer still gets out.
 */
function readEvents(
  req: ExpressLikeRequest & Required<Pick<ExpressLikeRequest, "on" | "removeListener">>,
  limit: number,
  stopped: BodyStop,
): Promise<Uint8Array | "too_large"> {
  return new Promise((resolve, reject) => {
    const parts: Uint8Array[] = [];
    let size = 0;
    const listeners: [string, Listener][] = [];
    const listen = (event: string, listener: Listener) => {
      listeners.push([event, listener]);
      req.on(event, listener);
    };
    const stop = () => {
      for (const [event, listener] of listeners) req.removeListener(event, listener);
      stopped.onStop = null;
    };
    listen("data", (chunk) => {
      const bytes =
        typeof chunk === "string" ? encoder.encode(chunk) : (chunk as unknown as Uint8Array);
      size += bytes.length;
      if (size > limit) {
        stop();
        req.pause?.();
        resolve("too_large");
      } else parts.push(bytes);
    });
    listen("end", () => {
      stop();
      resolve(joinChunks(parts, size));
    });
    listen("error", (error) => {
      stop();
      reject(error);
    });
    // `close` before `end`: the client went away mid-body.
    listen("close", () => {
      stop();
      reject(new Error("the connection closed before the body ended"));
    });
    stopped.onStop = () => {
      stop();
      req.pause?.();
      reject(new Error("the body took too long"));
    };
    req.resume?.();
  });
}

async function readStream(
  req: ExpressLikeRequest,
  limit: number,
  stop: BodyStop,
): Promise<Uint8Array | "too_large"> {
  const body = req.body;
  if (body instanceof Uint8Array || typeof body === "string") {
    const bytes = typeof body === "string" ? encoder.encode(body) : body;
    return bytes.length > limit ? "too_large" : bytes;
  }
  if (req.readableEnded) return new Uint8Array(0);
  if (req.on && req.removeListener)
    return readEvents(req as Parameters<typeof readEvents>[0], limit, stop);
  // Not a Node stream: iterate it (the core's deadline still answers 408 on time). Stop at the
  // limit without destroying it: destroying it would close the socket before the 413 goes out.
  const chunks = req.iterator ? req.iterator({ destroyOnReturn: false }) : req;
  return collectBytes(chunks as AsyncIterable<Uint8Array | string>, limit);
}

/** How long, and how many bytes, an unread body is discarded before the connection is dropped. */
const LINGER_MS = 5_000;
const LINGER_BYTES = 32 * 1024 * 1024;

/**
 * A body left unread (413, 401): keep reading and discarding it for a moment, so a client still
 * uploading can read the answer (closing with bytes unread makes the kernel reset the connection,
 * and the answer is lost), then drop the connection if it is still going ("lingering close").
 * With `closing` (the client asked to close; the answer was followed by a half-close), the
 * connection is dropped at the deadline whatever happens: the client's own close ends it sooner.
 */
function linger(req: ExpressLikeRequest, closing: boolean): void {
  const drop = () => req.socket?.destroy();
  const timer = setTimeout(drop, LINGER_MS);
  timer.unref?.();
  let discarded = 0;
  req.on?.("data", (chunk: { length: number }) => {
    discarded += chunk.length;
    if (discarded > LINGER_BYTES) {
      clearTimeout(timer);
      drop();
    }
  });
  if (!closing) {
    req.on?.("end", () => clearTimeout(timer));
    req.on?.("close", () => clearTimeout(timer));
  }
  req.resume?.();
}

/**
 * An Express route handler (also a plain Node `http` handler) for POS/CRM webhooks:
 *
 * ```ts
 * app.post("/api/webhook/:source", webhookHandler(requester));
 * app.post("/hooks/iiko", webhookHandler(requester, { source: "iiko" }));
 * ```
 *
 * Works with or without `express.json()` / `express.urlencoded()` before it: an unread body is
 * read raw, with the size cap and the `bodyTimeoutMs` deadline, and decoded by content type. By
 * default it answers as soon as the events are claimed and keeps sending after the response; it
 * always answers within `answerTimeoutMs` of having the body.
 *
 * The key is checked before the body is read. Answers 405 for non-POST, 404 for an unknown source,
 * 401 for a missing or unknown key, 413 for a body over `maxBodyBytes`, 408 (and closes the
 * connection) for a body not received within `bodyTimeoutMs`, 400 for a body that cannot be
 * decoded, 200 with a small JSON summary for everything accepted (ignored events included: a
 * non-2xx makes iiko stop sending and amoCRM disable the hook) and 503 for an internal fault or
 * claims not made within `answerTimeoutMs`, so the sender retries. Never 500.
 *
 * @throws ConfigError naming the option when an option is invalid.
 */
export function webhookHandler(
  requester: ReviewRequester,
  options: WebhookHandlerOptions = {},
): (req: ExpressLikeRequest, res: ExpressLikeResponse, next?: (error?: unknown) => void) => void {
  const run = createWebhookProcessor(requester, options);
  return (req, res) => {
    const request: WebhookRequest = {
      method: req.method ?? "GET",
      url: req.originalUrl ?? req.url ?? "/",
      routeSource: req.params?.source ?? null,
      header: (name) => headerOf(req, name),
      parsedBody: parsedBody(req),
      readBody: (limit, stop) => readStream(req, limit, stop),
    };
    void run(request).then((response) => send(req, res, response));
  };
}

/** Writes a core's answer (webhooks' and status webhooks' alike). */
function send(req: ExpressLikeRequest, res: ExpressLikeResponse, response: WebhookResponse): void {
  if (res.headersSent) return;
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  if (response.close) {
    // 408: the client is still trickling its body; nothing more is read from it.
    res.end(response.body, () => req.socket?.destroy());
    return;
  }
  // A body still arriving that was not read (401, 413) from a client that asked to close:
  // Node would destroy the socket as soon as the answer is out, with the body unread, and the
  // kernel would then reset the connection, losing the answer. Instead: keep the socket,
  // half-close it once the answer is sent, and read (and discard) until the client closes.
  const halfClose = req.complete === false && res.shouldKeepAlive === false;
  if (halfClose) res.shouldKeepAlive = true;
  res.end(
    response.body,
    halfClose ? () => (req.socket?.end ? req.socket.end() : req.socket?.destroy()) : undefined,
  );
  if (!req.readableEnded) linger(req, halfClose);
}

/** Why a body parser's body cannot be used for a status webhook, or `null` when the raw body is there. */
function consumedBy(req: ExpressLikeRequest): string | null {
  if (parsedBody(req) === undefined) return null;
  return 'a body parser mounted before the status route (express.json(), express.urlencoded()) has already read and parsed the body, so its signature cannot be checked: the signature is over the raw bytes. Mount the status route before express.json(), or give it express.raw({ type: "*/*" }).';
}

/**
 * An Express route handler (also a plain Node `http` handler) for providers' status webhooks
 * (delivery reports): Meta WhatsApp's `statuses[]` and its GET subscription check, SMS.ru's
 * callback, Resend's events. Each is verified by the channel client of that provider (its
 * `appSecret`, `apiKey` or `webhookSecret`) and handed to `requester.handleStatus()`; a message
 * reported undelivered falls back to the next channel once.
 *
 * The provider is `options.provider`, else the `:provider` route parameter, else the last path
 * segment: `meta` (or `whatsapp`), `sms.ru` (or `smsru`), `resend`; any other gets 404. Where
 * tenants have their own clients, the tenant's key comes as `?key=` in the URL you give the
 * provider (or `X-Api-Key`).
 *
 * The signature is over the raw body, so mount the route before `express.json()` (or give it
 * `express.raw({ type: () => true })`): a body a parser already turned into an object gets 500 with a
 * message saying so, and is never re-serialised. The body is read with the `maxBodyBytes` cap
 * (413) and the `bodyTimeoutMs` deadline (408).
 *
 * Answers with what the provider expects as soon as the statuses are recorded: 200 (SMS.ru's
 * `100`, Meta's challenge), 401 for a bad or missing signature (nothing changes), 403 for a
 * refused subscription check, 405 for a method the provider does not use, and 503 when the store
 * fails or the statuses are not recorded within `answerTimeoutMs` (the provider retries; a copy
 * changes nothing). Fallback sends run after the answer.
 *
 * @example
 * ```ts
 * import express from "express";
 * import { statusHandler, webhookHandler } from "otzovik/express";
 *
 * const app = express();
 * // Before any body parser: signatures are over the raw body.
 * app.all("/api/status/:provider", statusHandler(requester)); // GET: Meta's subscription check
 * app.post("/api/webhook/:source", webhookHandler(requester));
 * app.use(express.json());
 * // Or one route per provider:
 * app.all("/hooks/whatsapp-status", statusHandler(requester, { provider: "meta" }));
 * ```
 *
 * @param requester - The requester whose channel clients verify and read the webhooks.
 * @param options - Provider, body limit and deadlines, logger.
 * @throws ConfigError naming the option when an option is invalid.
 */
export function statusHandler(
  requester: ReviewRequester,
  options: StatusHandlerOptions = {},
): (req: ExpressLikeRequest, res: ExpressLikeResponse, next?: (error?: unknown) => void) => void {
  const run = createStatusProcessor(requester, options);
  return (req, res) => {
    void run({
      method: req.method ?? "GET",
      url: req.originalUrl ?? req.url ?? "/",
      routeSource: req.params?.provider ?? null,
      header: (name) => headerOf(req, name),
      bodyConsumed: consumedBy(req),
      readBody: (limit, stop) => readStream(req, limit, stop),
    }).then((response) => send(req, res, response));
  };
}

/**
 * An Express route handler (also a plain Node `http` handler) for the requester's short review
 * links (its `links` option):
 *
 * ```ts
 * app.get("/r/:token", linkHandler(requester)); // links: { baseUrl: "https://cafe.ru/r" }
 * ```
 *
 * The token is the path's last segment (never a query parameter). A GET answers 302 to the
 * review URL stored for the token (only that one: nothing of the request can change it), or 200
 * with a small chooser page when the business gave several `reviewUrls`; an unknown, expired or
 * malformed token gets 404 with a small page; a method other than GET and HEAD gets 405; a store
 * failure 503. A GET from a browser counts as a click (the request's first one is the `clicked`
 * outcome, once across processes); HEAD and link-preview bots (Telegram, WhatsApp, iMessage…)
 * are answered alike but never counted. Every answer has `Cache-Control: no-store` and
 * `Referrer-Policy: no-referrer`. Mount it for GET and HEAD (`app.get` does both).
 *
 * @param requester - The requester whose `links` made the tokens.
 * @param options - Logger.
 * @throws ConfigError when the options are not an object.
 */
export function linkHandler(
  requester: ReviewRequester,
  options: LinkHandlerOptions = {},
): (req: ExpressLikeRequest, res: ExpressLikeResponse, next?: (error?: unknown) => void) => void {
  const run = createLinkProcessor(requester, options);
  return (req, res) => {
    void run({
      method: req.method ?? "GET",
      url: req.originalUrl ?? req.url ?? "/",
      header: (name) => headerOf(req, name),
    }).then((response) => send(req, res, response));
  };
}
