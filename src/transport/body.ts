/** Thrown by {@link readBody} when an answer exceeds its size limit. */
export class ResponseTooLarge extends Error {
  /** Bytes received before reading stopped (or the declared `Content-Length`). */
  readonly received: number;

  constructor(received: number) {
    super(`answer larger than the limit (${received} bytes received)`);
    this.name = "ResponseTooLarge";
    this.received = received;
  }
}

/**
 * Reads an answer's body as UTF-8 text, at most `limit` bytes, counted while streaming: a
 * `Content-Length` over the limit is refused before reading, and a body that grows past it is
 * cancelled (the connection is dropped, so the server stops sending). Stops with `signal`'s reason
 * when it aborts mid-body.
 *
 * @throws {ResponseTooLarge} when the body is larger than `limit` bytes.
 */
export async function readBody(
  response: Response,
  limit: number,
  signal: AbortSignal,
): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await discard(response);
    throw new ResponseTooLarge(declared);
  }
  const stream = response.body;
  if (stream === null) return "";
  if (stream === undefined || typeof stream.getReader !== "function") {
    // A fetch without streams (an old polyfill): the cap can only be checked afterwards.
    const text = await response.text();
    const bytes = new TextEncoder().encode(text).byteLength;
    if (bytes > limit) throw new ResponseTooLarge(bytes);
    return text;
  }
  const reader = stream.getReader();
  const stop = () => {
    reader.cancel(signal.reason).catch(() => {});
  };
  signal.addEventListener("abort", stop, { once: true });
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let received = 0;
  try {
    for (;;) {
      if (signal.aborted) throw signal.reason;
      const { done, value } = await reader.read();
      if (signal.aborted) throw signal.reason;
      if (done) break;
      received += value.byteLength;
      if (received > limit) {
        await reader.cancel().catch(() => {});
        throw new ResponseTooLarge(received);
      }
      parts.push(decoder.decode(value, { stream: true }));
    }
    parts.push(decoder.decode());
    return parts.join("");
  } finally {
    signal.removeEventListener("abort", stop);
    try {
      reader.releaseLock();
    } catch {
      // Nothing to release on a stream that already errored.
    }
  }
}

/** Drops a body that will not be read, so the connection is not held open for it. */
export async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Already consumed or errored: nothing to release.
  }
}
