import { decodeRequestBody } from "../core/body.js";
import { ConfigError, errorMessage } from "../core/errors.js";
import { createLogger, type Logger } from "../core/logger.js";
import { describeSkip, type SkippedReason } from "../core/skip-reasons.js";
import type {
  Accepted,
  AcceptedEvent,
  Outcome,
  ReviewRequester,
  SourceId,
} from "../requester/types.js";

/** Options both adapters take. */
export interface WebhookHandlerOptions {
  /** The source this route serves. Default: the `:source` route parameter, or the last path segment. */
  readonly source?: SourceId;
  /** Largest body accepted, in bytes; larger ones get 413. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /**
   * Longest time to receive the whole body, in ms: a client still sending after that gets 408 and
   * the connection is closed, so a body trickled byte by byte cannot hold a connection (Node's own
   * limit is 5 minutes). Default 10 s. Applies to a body the handler reads itself; with a body
   * parser mounted before it (`express.json()`), set the server's `requestTimeout` instead.
   */
  readonly bodyTimeoutMs?: number;
  /**
   * Longest time to answer once the body is in, in ms, whatever `respond` says: a POS gives up on
   * a slow answer (amoCRM after 2 s) and then retries or disables the hook. By then the handler
   * answers 200 if every event is claimed (sends go on after the answer; where the runtime may
   * stop once the answer is out, pass `waitUntil`), or 503 with `Retry-After` if claiming did not
   * finish (whatever it still claims is sent all the same; the retry finds it a duplicate).
   * Default 1,500 ms.
   */
  readonly answerTimeoutMs?: number;
  /**
   * When to answer. `"accepted"` (default): as soon as the events are authenticated, parsed and
   * claimed; sends continue in the background. `"sent"`: after every event has its final outcome,
   * with the outcomes in the answer, or at `answerTimeoutMs` with the claimed events (status
   * `accepted`) if the sends take longer.
   */
  readonly respond?: "accepted" | "sent";
  /** Where to log internal faults; phones are masked, keys never logged. */
  readonly logger?: Partial<Logger>;
}

/** Default {@link WebhookHandlerOptions.maxBodyBytes}: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Default {@link WebhookHandlerOptions.bodyTimeoutMs}: 10 s for the whole body. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;
/** Default {@link WebhookHandlerOptions.answerTimeoutMs}: 1.5 s, under amoCRM's 2 s. */
export const DEFAULT_ANSWER_TIMEOUT_MS = 1_500;

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
  /**
   * Reads the raw body, stopping as soon as it exceeds `limit` bytes; stops reading (and settles
   * any way it likes) once `stop` is called: the body took too long.
   */
  readBody(limit: number, stop: BodyStop): Promise<Uint8Array | "too_large">;
  /**
   * Wait for the sends (up to `answerTimeoutMs`) before answering, because the runtime may stop
   * once the answer is out (a Fetch handler without `waitUntil`).
   */
  readonly awaitSends?: boolean;
}

/**
 * How the core stops a body read at its deadline: the reader sets `onStop` to cancel what it is
 * waiting for. (A plain object: an `AbortController` and its listener per request cost more than
 * the rest of the adapter.)
 */
export interface BodyStop {
  /** `true` once the read was stopped. */
  readonly stopped: boolean;
  /** Called once, when the read is stopped; the reader sets it, and clears it when done. */
  onStop: (() => void) | null;
}

/** What the core answers; the adapter writes it in its framework's way. */
export interface WebhookResponse {
  /** HTTP status. */
  readonly status: number;
  /** Response headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text. */
  readonly body: string;
  /** Sends still running after the answer; never rejects. */
  readonly background: Promise<unknown> | null;
  /** Close the connection once the answer is written (408: the client is still sending). */
  readonly close: boolean;
}

/** The options of {@link createWebhookProcessor}, checked, with defaults filled in. */
interface Settings {
  readonly source: SourceId | null;
  readonly maxBodyBytes: number;
  readonly bodyTimeoutMs: number;
  readonly answerTimeoutMs: number;
  readonly respond: "accepted" | "sent";
  readonly logger: Logger;
}

const encoder = new TextEncoder();

/** Joins chunks whose sizes add up to `size`. */
export function joinChunks(parts: readonly Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

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
  return joinChunks(parts, size);
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
    close: false,
  };
}

const unavailable = () =>
  reply(503, { ok: false, error: "temporarily unavailable, retry later" }, { "retry-after": "30" });

const unauthorized = (error: string) =>
  reply(401, { ok: false, error }, { "www-authenticate": "Bearer" });

/** A key in the URL or a header of its own: `?key=` or `X-Api-Key`. */
export function queryOrHeaderKey(url: URL, header: (name: string) => string | null): string | null {
  const fromQuery = url.searchParams.get("key");
  if (fromQuery) return fromQuery;
  const apiKey = header("x-api-key");
  return apiKey ? apiKey.trim() : null;
}

/** The webhook key: `?key=`, `X-Api-Key`, `Authorization: Bearer …`, or iiko's raw `Authorization` value. */
function findKey(url: URL, header: (name: string) => string | null): string | null {
  const key = queryOrHeaderKey(url, header);
  if (key) return key;
  const authorization = header("authorization")?.trim();
  if (!authorization) return null;
  const bearer = /^Bearer\s+(.+)$/i.exec(authorization);
  return bearer ? (bearer[1] as string).trim() : authorization;
}

function sourceFrom(req: WebhookRequest, url: URL, settings: Settings): string | null {
  if (settings.source) return settings.source;
  if (req.routeSource) return req.routeSource;
  const segments = url.pathname.split("/").filter(Boolean);
  return segments.at(-1) ?? null;
}

/**
 * The `reason` and short `detail` of a skipped event in a 200 answer: the detail is the one table
 * of skip reasons' (never the parser's own, which may quote a value from the body; never a phone).
 */
function why(reason: SkippedReason): { reason: SkippedReason; detail: string | null } {
  return { reason, detail: describeSkip(reason) };
}

/** An event of the fast answer: `{ id, status, reason }`, and `detail` when skipped. */
function acceptedEvent(event: AcceptedEvent): Record<string, unknown> {
  return event.status === "skipped" && event.reason !== null
    ? { id: event.id, status: event.status, ...why(event.reason) }
    : { ...event };
}

/** An event of a `respond: "sent"` answer: `{ id, status }`, and `reason` and `detail` when skipped. */
function summary(outcome: Outcome): Record<string, unknown> {
  return {
    id: outcome.orderId,
    status: outcome.status,
    ...(outcome.status === "skipped" ? why(outcome.reason) : {}),
  };
}

/** What {@link within} resolves to when its time ran out. */
export const TIMED_OUT = Symbol("timed out");
/** `promise`'s value, or `TIMED_OUT` once `ms` have passed (`onTimeout` runs first, at that moment). */
export async function within<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout?: () => void,
): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => {
      onTimeout?.();
      resolve(TIMED_OUT);
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `value`, checked to be a positive whole number, or `fallback` when it is `undefined`. */
export function positiveInteger(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0)
    throw new ConfigError(
      `Option \`${option}\` must be a positive whole number of ${option.endsWith("Ms") ? "milliseconds" : "bytes"}.`,
    );
  return value;
}

/** Checks the handler options once, at creation; throws a `ConfigError` naming a wrong one. */
function resolveSettings(options: WebhookHandlerOptions): Settings {
  if (typeof options !== "object" || options === null)
    throw new ConfigError("The webhook handler's options must be an object.");
  const respond = options.respond ?? "accepted";
  if (respond !== "accepted" && respond !== "sent")
    throw new ConfigError('Option `respond` must be "accepted" or "sent".');
  return {
    source: options.source ?? null,
    maxBodyBytes: positiveInteger("maxBodyBytes", options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES),
    bodyTimeoutMs: positiveInteger("bodyTimeoutMs", options.bodyTimeoutMs, DEFAULT_BODY_TIMEOUT_MS),
    answerTimeoutMs: positiveInteger(
      "answerTimeoutMs",
      options.answerTimeoutMs,
      DEFAULT_ANSWER_TIMEOUT_MS,
    ),
    respond,
    logger: createLogger(options.logger),
  };
}

/**
 * The one place webhook HTTP handling lives; `otzovik/express` and `otzovik/fetch` only adapt
 * their frameworks to it. Checks the options once (a `ConfigError` names a wrong one) and returns
 * what the adapters call per request. That answers 405 for non-POST, 404 for an unknown source,
 * 401 for a missing or unknown key (checked before the body is read), 413 for a body over the
 * limit, 408 for a body not received within `bodyTimeoutMs`, 400 for a body that cannot be
 * decoded, 200 with a small JSON summary for everything accepted (ignored events included: a
 * non-2xx makes iiko stop sending and amoCRM disable the hook), and 503 for an internal fault or
 * claims not made within `answerTimeoutMs` (the POS retries; what was claimed is still sent once). Never 500.
 *
 * @param requester - The requester that handles accepted webhooks.
 * @param options - Source, body limit and deadlines, response mode and logger.
 * @throws ConfigError naming the option when an option is invalid.
 */
export function createWebhookProcessor(
  requester: ReviewRequester,
  options: WebhookHandlerOptions = {},
): (req: WebhookRequest) => Promise<WebhookResponse> {
  const settings = resolveSettings(options);
  return (req) => respond(requester, req, settings);
}

/** Why a body could not be read: over the limit, not in time, or cut off (the client went away). */
export type BodyProblem = "too_large" | "timed_out" | "incomplete";

/**
 * Reads a request's raw body under a size limit (a declared `Content-Length` over it is refused
 * before reading) and a deadline, through the adapter's own reader.
 */
export async function readRequestBody(
  req: WebhookRequest,
  limits: { readonly maxBodyBytes: number; readonly bodyTimeoutMs: number },
): Promise<Uint8Array | BodyProblem> {
  const limit = limits.maxBodyBytes;
  const declared = Number(req.header("content-length"));
  if (Number.isFinite(declared) && declared > limit) return "too_large";
  const stop = { stopped: false, onStop: null as (() => void) | null };
  const reading = req.readBody(limit, stop);
  let bytes: Uint8Array | "too_large" | typeof TIMED_OUT;
  try {
    bytes = await within(reading, limits.bodyTimeoutMs, () => {
      stop.stopped = true;
      stop.onStop?.();
    });
  } catch {
    return "incomplete";
  }
  if (bytes === TIMED_OUT) {
    reading.catch(() => {});
    return "timed_out";
  }
  return bytes;
}

/** The body as bytes, or the answer to give instead (413, 408, 400). */
async function readBody(
  req: WebhookRequest,
  settings: Settings,
  source: string,
): Promise<Uint8Array | WebhookResponse> {
  const bytes = await readRequestBody(req, settings);
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes === "too_large")
    return reply(413, {
      ok: false,
      error: `the body is larger than ${settings.maxBodyBytes} bytes`,
    });
  if (bytes === "incomplete") {
    settings.logger.warn("the client closed the connection before sending the whole body", {
      source,
    });
    return reply(400, { ok: false, error: "the body was not received completely" });
  }
  settings.logger.warn("the body was not received in time; answered 408 and closed", {
    source,
    bodyTimeoutMs: settings.bodyTimeoutMs,
  });
  return {
    ...reply(
      408,
      { ok: false, error: `the body was not received within ${settings.bodyTimeoutMs} ms` },
      { connection: "close" },
    ),
    close: true,
  };
}

async function respond(
  requester: ReviewRequester,
  req: WebhookRequest,
  settings: Settings,
): Promise<WebhookResponse> {
  const { logger } = settings;
  // The answer's deadline: `answerTimeoutMs` of the handler's own time (the body's time is
  // bounded by `bodyTimeoutMs`, and not counted: a slow uplink must not turn into 503s).
  const started = Date.now();
  let bodyMs = 0;
  const remaining = () => Math.max(0, started + bodyMs + settings.answerTimeoutMs - Date.now());
  try {
    if (req.method.toUpperCase() !== "POST")
      return reply(405, { ok: false, error: "use POST" }, { allow: "POST" });
    const url = new URL(req.url, "http://localhost");
    const source = sourceFrom(req, url, settings);
    if (source === null || !requester.sources.includes(source))
      return reply(404, {
        ok: false,
        error: `unknown source: use ${requester.sources.join(", ")}`,
      });
    const key = findKey(url, (name) => req.header(name));
    if (!key) return unauthorized("missing webhook key");
    // Every place a key can be is read before the body: an unknown key costs no body read.
    const known = await within(requester.authenticate(key), remaining());
    if (known === TIMED_OUT) {
      logger.warn(
        `the webhook key could not be checked within answerTimeoutMs (${settings.answerTimeoutMs} ms); answered 503 so the sender retries`,
        { source },
      );
      return unavailable();
    }
    if (!known) return unauthorized("unknown webhook key");

    let body = req.parsedBody;
    if (body === undefined) {
      const bodyStarted = Date.now();
      const bytes = await readBody(req, settings, source);
      bodyMs = Date.now() - bodyStarted;
      if (!(bytes instanceof Uint8Array)) return bytes;
      const decoded = decodeRequestBody(bytes, req.header("content-type"));
      if (!decoded.ok) return reply(400, { ok: false, error: decoded.detail });
      body = decoded.value;
    }

    // A flag, not an AbortController: accept() only reads it, and a controller per request costs.
    const abandoned = { aborted: false };
    const accepting = requester.accept(source, body, { key, signal: abandoned });
    const accepted = await within(accepting, remaining(), () => {
      abandoned.aborted = true;
    });
    if (accepted === TIMED_OUT) {
      // Whatever gets claimed after this is still sent by accept() (the signal makes it throw,
      // not give claims back); the POS's retry finds it a duplicate.
      accepting.catch(() => {});
      logger.warn(
        `the events were not claimed within answerTimeoutMs (${settings.answerTimeoutMs} ms); answered 503 so the sender retries`,
        { source },
      );
      return unavailable();
    }
    // The key was revoked between the check and the claims.
    if (!accepted.authorized) return unauthorized("unknown webhook key");
    return await answer(accepted, req, settings, source, remaining());
  } catch (error) {
    logger.error("webhook could not be processed; answered 503 so the sender retries", {
      error: errorMessage(error),
    });
    return unavailable();
  }
}

/** 200 once the events are claimed: with the final outcomes if they are wanted and come in time. */
async function answer(
  accepted: Accepted,
  req: WebhookRequest,
  settings: Settings,
  source: string,
  remainingMs: number,
): Promise<WebhookResponse> {
  const background = accepted.done.catch((error: unknown) => {
    settings.logger.error("background sends failed", { source, error: errorMessage(error) });
  });
  const events = accepted.events.map(acceptedEvent);
  const claimed = { ...reply(200, { ok: true, events }), background };
  if (settings.respond !== "sent" && !req.awaitSends) return claimed;
  const done = await within(accepted.done, remainingMs);
  if (done === TIMED_OUT) return claimed;
  if (settings.respond === "sent")
    return reply(200, { ok: true, events: done.outcomes.map(summary) });
  return claimed;
}
