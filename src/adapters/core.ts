import { decodeRequestBody } from "../core/body.js";
import { createLogger, type Logger } from "../core/logger.js";
import type { Outcome, ReviewRequester, SourceId } from "../requester/types.js";

/** Options both adapters take. */
export interface WebhookHandlerOptions {
  /** The source this route serves. Default: the `:source` route parameter, or the last path segment. */
  readonly source?: SourceId;
  /** Largest body accepted, in bytes; larger ones get 413. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /**
   * When to answer. `"accepted"` (default): as soon as the events are authenticated, parsed and
   * claimed; sends continue in the background (amoCRM gives up after 2 seconds). `"sent"`: after
   * every event has its final outcome, with the outcomes in the answer.
   */
  readonly respond?: "accepted" | "sent";
  /** Where to log internal faults; phones are masked, keys never logged. */
  readonly logger?: Partial<Logger>;
}

/** Default {@link WebhookHandlerOptions.maxBodyBytes}: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** What an adapter hands the core: a request, read through a few functions. */
export interface WebhookRequest {
  /** HTTP method. */
  readonly method: string;
  /** The request URL (absolute, or path with query). */
  readonly url: string;
  /** The source from the framework's route, if any. */
  readonly routeSource?: string | null;
  /** A request header, or `null`. */
  header(name: string): string | null;
  /** A body the framework already parsed (`express.json()`), or `undefined` to read the raw body. */
  readonly parsedBody?: unknown;
  /** Reads the raw body, stopping as soon as it exceeds `limit` bytes. */
  readBody(limit: number): Promise<Uint8Array | "too_large">;
}

/** What the core answers; the adapter writes it in its framework's way. */
export interface WebhookResponse {
  /** HTTP status. */
  readonly status: number;
  /** Response headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text. */
  readonly body: string;
  /** Sends still running after the answer (in `"accepted"` mode); never rejects. */
  readonly background: Promise<unknown> | null;
}

const encoder = new TextEncoder();

/**
 * Collects a body's chunks, giving up as soon as they exceed `limit` bytes, so an oversized body
 * is never buffered whole.
 */
export async function collectBytes(
  chunks: AsyncIterable<Uint8Array | string>,
  limit: number,
): Promise<Uint8Array | "too_large"> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
    size += bytes.length;
    if (size > limit) return "too_large";
    parts.push(bytes);
  }
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function reply(
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): WebhookResponse {
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(body),
    background: null,
  };
}

/** The webhook key: `?key=`, `X-Api-Key`, `Authorization: Bearer …`, or iiko's raw `Authorization` value. */
function findKey(url: URL, header: (name: string) => string | null): string | null {
  const fromQuery = url.searchParams.get("key");
  if (fromQuery) return fromQuery;
  const apiKey = header("x-api-key");
  if (apiKey) return apiKey.trim();
  const authorization = header("authorization")?.trim();
  if (!authorization) return null;
  const bearer = /^Bearer\s+(.+)$/i.exec(authorization);
  return bearer ? (bearer[1] as string).trim() : authorization;
}

function sourceFrom(req: WebhookRequest, url: URL, options: WebhookHandlerOptions): string | null {
  if (options.source) return options.source;
  if (req.routeSource) return req.routeSource;
  const segments = url.pathname.split("/").filter(Boolean);
  return segments.at(-1) ?? null;
}

function summary(outcome: Outcome): Record<string, unknown> {
  return {
    id: outcome.orderId,
    status: outcome.status,
    ...(outcome.status === "skipped" ? { reason: outcome.reason } : {}),
  };
}

/**
 * The one place webhook HTTP handling lives; `otzovik/express` and `otzovik/fetch` only adapt
 * their frameworks to it. Resolves the options once and returns what the adapters call per
 * request. That answers 405 for non-POST, 404 for an unknown source, 401 for a missing or unknown
 * key, 413 for a body over the limit, 400 for a body that cannot be decoded, 200 with a small JSON
 * summary for everything accepted (ignored events included: a non-2xx makes iiko stop sending and
 * amoCRM disable the hook), and 503 for an internal fault (the POS retries; claims are released).
 * Never 500.
 *
 * @param requester - The requester that handles accepted webhooks.
 * @param options - Source, body limit, response mode and logger.
 */
export function createWebhookProcessor(
  requester: ReviewRequester,
  options: WebhookHandlerOptions = {},
): (req: WebhookRequest) => Promise<WebhookResponse> {
  const logger = createLogger(options.logger);
  return (req) => respond(requester, req, options, logger);
}

async function respond(
  requester: ReviewRequester,
  req: WebhookRequest,
  options: WebhookHandlerOptions,
  logger: Logger,
): Promise<WebhookResponse> {
  try {
    if (req.method.toUpperCase() !== "POST")
      return reply(405, { ok: false, error: "use POST" }, { allow: "POST" });
    const url = new URL(req.url, "http://localhost");
    const source = sourceFrom(req, url, options);
    if (source === null || !requester.sources.includes(source))
      return reply(404, {
        ok: false,
        error: `unknown source: use ${requester.sources.join(", ")}`,
      });
    const key = findKey(url, (name) => req.header(name));
    if (!key)
      return reply(
        401,
        { ok: false, error: "missing webhook key" },
        { "www-authenticate": "Bearer" },
      );

    let body = req.parsedBody;
    if (body === undefined) {
      const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
      const declared = Number(req.header("content-length"));
      if (Number.isFinite(declared) && declared > limit)
        return reply(413, { ok: false, error: `the body is larger than ${limit} bytes` });
      let bytes: Uint8Array | "too_large";
      try {
        bytes = await req.readBody(limit);
      } catch {
        logger.warn("the client closed the connection before sending the whole body", { source });
        return reply(400, { ok: false, error: "the body was not received completely" });
      }
      if (bytes === "too_large")
        return reply(413, { ok: false, error: `the body is larger than ${limit} bytes` });
      const decoded = decodeRequestBody(bytes, req.header("content-type"));
      if (!decoded.ok) return reply(400, { ok: false, error: decoded.detail });
      body = decoded.value;
    }

    const accepted = await requester.accept(source, body, { key });
    if (!accepted.authorized)
      return reply(
        401,
        { ok: false, error: "unknown webhook key" },
        { "www-authenticate": "Bearer" },
      );
    if (options.respond === "sent") {
      const done = await accepted.done;
      return reply(200, { ok: true, events: done.outcomes.map(summary) });
    }
    const background = accepted.done.catch((error: unknown) => {
      logger.error("background sends failed", {
        source,
        error: error instanceof Error ? error.message : String(error),
      });
    });
    return { ...reply(200, { ok: true, events: accepted.events }), background };
  } catch (error) {
    logger.error("webhook could not be processed; answered 503 so the sender retries", {
      error: error instanceof Error ? error.message : String(error),
    });
    return reply(
      503,
      { ok: false, error: "temporarily unavailable, retry later" },
      { "retry-after": "30" },
    );
  }
}
