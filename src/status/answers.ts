import type {
  StatusAnswer,
  StatusReading,
  StatusRefusal,
  StatusRequest,
  StatusUpdate,
} from "./types.js";

/** Largest status webhook body read, in bytes; a bigger one is refused (413) before any hashing. */
export const MAX_STATUS_BODY_BYTES = 4 * 1024 * 1024;
/** Most statuses read from one request; the rest are ignored (providers send far fewer). */
export const MAX_STATUS_UPDATES = 1000;

const TEXT = "text/plain; charset=utf-8";

/** The HTTP status of each refusal. */
const REFUSAL_STATUS: Record<StatusRefusal, number> = {
  unsigned: 401,
  bad_signature: 401,
  stale: 401,
  not_configured: 401,
  handshake_refused: 403,
  bad_request: 400,
};

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  405: "Method Not Allowed",
  413: "Payload Too Large",
};

/** A plain-text answer. */
export function textAnswer(status: number, body: string): StatusAnswer {
  return { status, contentType: TEXT, body };
}

/**
 * A refusal: nothing in the request may be acted on. The answer's body is the bare HTTP reason
 * phrase; `detail` is for the log and never holds a secret, a phone or an email.
 *
 * @param status - Overrides the refusal's usual status (405 for a wrong method, 413 too large).
 */
export function refuse(reason: StatusRefusal, detail: string, status?: number): StatusReading {
  const code = status ?? REFUSAL_STATUS[reason];
  return { ok: false, reason, detail, answer: textAnswer(code, STATUS_TEXT[code] ?? "Refused") };
}

/** An accepted request and the updates read from it. */
export function accept(
  updates: readonly StatusUpdate[],
  answer: StatusAnswer,
  deliveryId: string | null = null,
): StatusReading {
  return { ok: true, updates, answer, deliveryId };
}

/** The refusal of a request whose method the provider never uses. */
export function wrongMethod(method: string, allowed: string): StatusReading {
  const shown = /^[A-Za-z]{1,16}$/.test(method) ? method.toUpperCase() : "this method";
  return refuse("bad_request", `${shown} is not used for status webhooks (${allowed} only)`, 405);
}

/** The refusal of a body over {@link MAX_STATUS_BODY_BYTES}. */
export function tooLarge(bytes: number): StatusReading {
  return refuse(
    "bad_request",
    `the body has ${bytes} bytes, more than ${MAX_STATUS_BODY_BYTES}`,
    413,
  );
}

/**
 * Reads a request with the handler of its method (`GET`, `POST`), refusing any other method
 * (405) and anything a handler throws (400): a receiver never throws on what it is sent.
 *
 * @param request - The request.
 * @param handlers - One function per method the provider uses.
 */
export async function readByMethod(
  request: StatusRequest,
  handlers: Partial<Record<"GET" | "POST", (request: StatusRequest) => Promise<StatusReading>>>,
): Promise<StatusReading> {
  try {
    const method = String(request.method).toUpperCase();
    const handler = method === "GET" || method === "POST" ? handlers[method] : undefined;
    if (handler) return await handler(request);
    return wrongMethod(method, Object.keys(handlers).join(" and "));
  } catch {
    return refuse("bad_request", "the request could not be read");
  }
}
