import type { ReviewRequester } from "../requester/types.js";
import {
  collectBytes,
  createWebhookProcessor,
  type WebhookHandlerOptions,
  type WebhookRequest,
} from "./core.js";

export { DEFAULT_MAX_BODY_BYTES, type WebhookHandlerOptions } from "./core.js";

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
  /** Express route parameters; `source` names the source for `/webhook/:source`. */
  readonly params?: Readonly<Record<string, string | undefined>>;
  /** What a body parser produced, if one ran. */
  readonly body?: unknown;
  /** Set by body-parser (`express.json()`, `express.urlencoded()`…) once it has read the body. */
  readonly _body?: boolean;
  /** `true` once the request stream has been read to the end. */
  readonly readableEnded?: boolean;
  /** Node ≥ 16.3: an async iterator over the body that can leave the stream open. */
  iterator?(options: { destroyOnReturn: boolean }): AsyncIterable<unknown>;
  /** Node streams: subscribes to `data`, `end` and `close`. */
  on?(event: string, listener: (chunk: { length: number }) => void): unknown;
  /** Node streams: reads and discards the rest of the body. */
  resume?(): unknown;
  /** The connection, dropped when an unread body goes on too long. */
  readonly socket?: DroppableSocket | null;
}

/** The part of a socket the handler uses. */
export interface DroppableSocket {
  /** Closes the connection at once. */
  destroy(): void;
}

/** The parts of an Express response (or `http.ServerResponse`) the handler uses. */
export interface ExpressLikeResponse {
  /** The status code to send. */
  statusCode: number;
  /** `true` once headers went out (another handler answered first). */
  readonly headersSent?: boolean;
  /** Sets a response header. */
  setHeader(name: string, value: string): unknown;
  /** Sends the body and finishes the response. */
  end(body?: string): unknown;
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

async function readStream(
  req: ExpressLikeRequest,
  limit: number,
): Promise<Uint8Array | "too_large"> {
  const body = req.body;
  if (body instanceof Uint8Array || typeof body === "string") {
    return collectBytes(
      (async function* () {
        yield body;
      })(),
      limit,
    );
  }
  if (req.readableEnded) return new Uint8Array(0);
  // Stop reading at the limit without destroying the request: destroying it would close the
  // socket before the 413 goes out.
  const chunks = req.iterator ? req.iterator({ destroyOnReturn: false }) : req;
  return collectBytes(chunks as AsyncIterable<Uint8Array | string>, limit);
}

/** How long, and how many bytes, an unread body is discarded before the connection is dropped. */
const LINGER_MS = 5_000;
const LINGER_BYTES = 32 * 1024 * 1024;

/**
 * A body left unread (413, 401): keep reading and discarding it for a moment, so a client still
 * uploading can read the answer (closing at once makes the kernel reset the connection and the
 * answer is lost), then drop the connection if it is still going ("lingering close").
 */
function linger(req: ExpressLikeRequest): void {
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
  req.on?.("end", () => clearTimeout(timer));
  req.on?.("close", () => clearTimeout(timer));
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
 * read raw, with the size cap, and decoded by content type. By default it answers as soon as the
 * events are claimed and keeps sending after the response.
 *
 * Answers 405 for non-POST, 404 for an unknown source, 401 for a missing or unknown key, 413 for a
 * body over `maxBodyBytes`, 400 for a body that cannot be decoded, 200 with a small JSON summary
 * for everything accepted (ignored events included: a non-2xx makes iiko stop sending and amoCRM
 * disable the hook) and 503 for an internal fault, so the sender retries. Never 500.
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
      readBody: (limit) => readStream(req, limit),
    };
    void run(request).then((response) => {
      if (res.headersSent) return;
      res.statusCode = response.status;
      for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
      res.end(response.body);
      if (!req.readableEnded) linger(req);
    });
  };
}
