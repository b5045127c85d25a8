import { OtzovikError } from "../../core/errors.js";

/**
 * The errors of the Redis store. Every failure to reach Redis or to get an answer from it is
 * `retryable` (the requester answers the webhook 503, or schedules the send again), carries the
 * client's error as `cause`, and never holds a key or a value: keys hold hashed phones and order
 * ids, values the requester's records. The client's own error is copied without the command's
 * arguments (ioredis keeps them on `command`) and with anything quoted in its message removed
 * (`unknown command 'X', with args beginning with: '…'`).
 */

/** The errors' `provider`: the store's name. */
export const PROVIDER = "redis";

/** Quoted text in a client or server message: it may repeat a command's arguments. */
const QUOTED = /'[^']*'|"[^"]*"/g;
/** The error code a Redis error reply starts with: `ERR`, `WRONGTYPE`, `OOM`, `NOSCRIPT`… */
const REPLY_CODE = /^([A-Z][A-Z_]*[A-Z])(?:\s|$)/;
/** A Node.js system error code (`ECONNREFUSED`), safe to show. */
const SYSTEM_CODE = /^E[A-Z]+$/;

/** A copy of `text` without anything quoted, at most 300 characters. */
function redact(text: string): string {
  const cleaned = text.replace(QUOTED, "'…'");
  return cleaned.length > 300 ? `${cleaned.slice(0, 300)}…` : cleaned;
}

/** A copy of a client error that keeps its name, code and (redacted) message only. */
export function safeCause(error: unknown): Error {
  const original = error instanceof Error ? error : new Error(String(error));
  const copy = new Error(redact(original.message));
  copy.name = original.name;
  copy.stack = original.stack === undefined ? undefined : redact(original.stack);
  const code = (original as { code?: unknown }).code;
  if (typeof code === "string" || typeof code === "number")
    Object.assign(copy, { code: redact(String(code)) });
  return copy;
}

/** The Redis error code of an error reply (`"NOSCRIPT"`), or `null` for any other error. */
export function replyCode(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  return REPLY_CODE.exec(error.message)?.[1] ?? null;
}

const HINTS: Readonly<Record<string, string>> = {
  OOM: " Redis is out of memory (`maxmemory`): give it more memory. Keep `maxmemory-policy noeviction`: evicting order claims would let a replayed webhook message a customer twice.",
  READONLY: " The client is connected to a replica: connect it to the primary.",
  NOPERM:
    " The Redis user may not run this command or touch this key: check its ACL (GET, SET, DEL, EVAL, EVALSHA on the prefix's keys).",
  CROSSSLOT:
    " A batch touched keys of several cluster slots: give the store a prefix with a hash tag, such as `{otzovik}`.",
};

/** Turns what a client threw into the store's error (an {@link OtzovikError} is kept as it is). */
export function storeError(error: unknown): OtzovikError {
  if (error instanceof OtzovikError) return error;
  const code = replyCode(error);
  if (code !== null) {
    return new OtzovikError(`Redis answered with an error (${code}).${HINTS[code] ?? ""}`, {
      code: "store_error",
      provider: PROVIDER,
      category: "retryable",
      cause: safeCause(error),
    });
  }
  const system = (error as { code?: unknown } | null)?.code;
  const detail = typeof system === "string" && SYSTEM_CODE.test(system) ? ` (${system})` : "";
  return new OtzovikError(
    `The connection to Redis failed or was lost${detail}; the command may or may not have run.`,
    {
      code: "store_unavailable",
      provider: PROVIDER,
      category: "retryable",
      cause: safeCause(error),
    },
  );
}

/** The client was closed, or (node-redis) never connected. */
export function clientClosed(): OtzovikError {
  return new OtzovikError(
    "The Redis client is not connected: it was closed, or (node-redis) `await client.connect()` was never called. The store does not open or close the client you pass.",
    { code: "store_unavailable", provider: PROVIDER, category: "retryable" },
  );
}

/** No answer within `timeoutMs`. */
export function timedOut(timeoutMs: number): OtzovikError {
  return new OtzovikError(
    `Redis did not answer within ${timeoutMs} ms (\`timeoutMs\`); the command may still run.`,
    { code: "store_timeout", provider: PROVIDER, category: "retryable" },
  );
}

/** A reply of a shape the store does not expect (a proxy or a client's reply transformer). */
export function unexpectedReply(): OtzovikError {
  return new OtzovikError("Redis answered with a reply of an unexpected type.", {
    code: "store_error",
    provider: PROVIDER,
    category: "retryable",
  });
}

/** The store was closed. */
export function storeClosed(): OtzovikError {
  return new OtzovikError("The Redis store is closed; create a new one.", {
    code: "store_closed",
    provider: PROVIDER,
  });
}
