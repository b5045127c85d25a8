import { createFetch } from "ofetch";
import { DeliveryUnknownError, NetworkError, OtzovikError, ProviderError } from "../core/errors.js";
import type { ResolvedClientOptions } from "./options.js";
import { redact } from "./redact.js";
import { backoffDelay, parseRetryAfter, sleep } from "./retry.js";

/** One HTTP call to a provider. */
export interface HttpRequest {
  readonly method: "GET" | "POST";
  /** Path relative to the client's `baseUrl`, without a leading slash (`sms/send`). */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Encoded body. Secrets may go here, never into `path`. */
  readonly body?: string;
  /**
   * `true` when repeating the call cannot message anyone twice (read-only calls, sends protected
   * by an idempotency key). Only idempotent calls are retried after a timeout or a lost connection.
   */
  readonly idempotent: boolean;
  /** Short name for log lines (`"send"`, `"balance"`). */
  readonly operation: string;
  /** `true` when the call sends a message (an answer without an id is then an unknown outcome). */
  readonly sendsMessage: boolean;
  /** Phone numbers this call is about, in every spelling used, to mask in errors and logs. */
  readonly phones?: readonly string[];
}

/** A provider's answer, body read as text. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** `Retry-After` in ms, when the header is present. */
  readonly retryAfterMs: number | null;
  /** Removes this client's secrets and masks the request's phones in a text. */
  readonly redact: (text: string) => string;
  /** Whether the request was idempotent (see {@link HttpRequest.idempotent}). */
  readonly idempotent: boolean;
  /** Whether the request sends a message (see {@link HttpRequest.sendsMessage}). */
  readonly sendsMessage: boolean;
}

/** Sends requests for one client, with timeout, safe retries, redaction and logging. */
export interface Transport {
  /**
   * Sends `request`, turns the answer into a value with `interpret` (which throws
   * {@link OtzovikError}s for refusals), and retries what is safe to retry.
   */
  request<T>(request: HttpRequest, interpret: (response: HttpResponse) => T): Promise<T>;
  /** The validated client options. */
  readonly options: ResolvedClientOptions;
}

/** Error codes of failures that happen before a request is sent (nothing reached the provider). */
const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Finds a Node/undici error code (`ECONNREFUSED`) anywhere in an error's `cause` chain. */
export function findErrorCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && code !== "") return code;
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      const inner = findErrorCode(errors[0]);
      if (inner) return inner;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

/** `true` when the error proves the request never left this machine (connection refused, DNS…). */
export function isConnectError(error: unknown): boolean {
  const code = findErrorCode(error);
  return code !== null && CONNECT_CODES.has(code);
}

/**
 * A plain copy of the innermost useful error: name, message (secrets removed) and code. Keeps
 * request objects, headers and options (which hold tokens) out of `cause`.
 */
function sanitizeCause(error: unknown, clean: (text: string) => string): Error {
  let current: unknown = error;
  // Skip ofetch's wrapper, whose getters expose the request options (and so the tokens).
  while (
    current instanceof Error &&
    current.name === "FetchError" &&
    (current as { cause?: unknown }).cause !== undefined
  ) {
    current = (current as { cause?: unknown }).cause;
  }
  const name = current instanceof Error ? current.name : "Error";
  // "fetch failed: other side closed": the wrapper's message plus what caused it.
  const messages: string[] = [];
  for (let e: unknown = current, depth = 0; e !== undefined && e !== null && depth < 3; depth++) {
    const text = e instanceof Error ? e.message : String(e);
    if (text && !messages.includes(text)) messages.push(text);
    e = e instanceof Error ? (e as { cause?: unknown }).cause : undefined;
  }
  const copy = new Error(clean(messages.join(": ")));
  copy.name = name;
  const code = findErrorCode(error);
  if (code) Object.assign(copy, { code });
  return copy;
}

/** Creates the {@link Transport} of one client. */
export function createTransport(
  options: ResolvedClientOptions,
  secrets: readonly string[],
): Transport {
  const $fetch = createFetch({ fetch: (input, init) => options.fetch(input, init) });
  const { provider, logger, retry } = options;

  async function attempt(request: HttpRequest, clean: (text: string) => string) {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      const reason = new Error(`No answer within ${options.timeout} ms`);
      reason.name = "TimeoutError";
      controller.abort(reason);
    }, options.timeout);
    const started = Date.now();
    try {
      const response = await $fetch.raw<string, "text">(
        new URL(request.path, options.baseUrl).href,
        {
          method: request.method,
          headers: { accept: "application/json", ...request.headers },
          body: request.body,
          responseType: "text",
          ignoreResponseError: true,
          retry: false,
          signal: controller.signal,
        },
      );
      logger.debug(`${provider} ${request.operation}: HTTP ${response.status}`, {
        provider,
        operation: request.operation,
        status: response.status,
        ms: Date.now() - started,
      });
      const text = typeof response._data === "string" ? response._data : "";
      return {
        status: response.status,
        headers: response.headers,
        text,
        retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
        redact: clean,
        idempotent: request.idempotent,
        sendsMessage: request.sendsMessage,
      } satisfies HttpResponse;
    } catch (error) {
      throw networkFailure(error, timedOut, request, clean);
    } finally {
      clearTimeout(timer);
    }
  }

  function networkFailure(
    error: unknown,
    timedOut: boolean,
    request: HttpRequest,
    clean: (text: string) => string,
  ): OtzovikError {
    const cause = sanitizeCause(error, clean);
    if (!timedOut && isConnectError(error)) {
      return new NetworkError(
        `Could not connect (${cause.message}); nothing was sent. Check the network or baseUrl.`,
        { provider, code: "connection_failed", cause },
      );
    }
    const what = timedOut
      ? `No answer within ${options.timeout} ms`
      : `Connection lost before the answer arrived (${cause.message})`;
    if (request.idempotent) {
      return new NetworkError(`${what}.`, {
        provider,
        code: timedOut ? "timeout" : "connection_lost",
        cause,
      });
    }
    return new DeliveryUnknownError(
      `${what}: the message may or may not have been accepted. It was not retried, so the ` +
        "customer cannot get it twice; check the delivery status before sending again.",
      { provider, reason: timedOut ? "timeout" : "connection_lost", cause },
    );
  }

  /** The wait before the next attempt, or `null` when the error must be thrown now. */
  function retryDelay(error: OtzovikError, attemptIndex: number): number | null {
    if (attemptIndex >= retry.retries) return null;
    const automatic =
      error instanceof NetworkError ||
      (error instanceof ProviderError && error.category === "retryable");
    if (!automatic) return null;
    const wanted = error instanceof ProviderError ? error.retryAfterMs : null;
    if (wanted !== null) return wanted <= retry.maxDelayMs ? wanted : null;
    return backoffDelay(attemptIndex, retry);
  }

  return {
    options,
    async request<T>(request: HttpRequest, interpret: (response: HttpResponse) => T): Promise<T> {
      const clean = (text: string) => redact(text, secrets, request.phones ?? []);
      for (let index = 0; ; index++) {
        let failure: OtzovikError;
        try {
          return interpret(await attempt(request, clean));
        } catch (error) {
          failure =
            error instanceof OtzovikError
              ? error
              : new OtzovikError(clean(error instanceof Error ? error.message : String(error)), {
                  code: "internal_error",
                  provider,
                  cause: sanitizeCause(error, clean),
                });
        }
        failure.message = clean(failure.message);
        const delay = retryDelay(failure, index);
        if (delay === null) throw failure;
        logger.warn(
          `${provider} ${request.operation} failed (${failure.code}); retrying in ${delay} ms ` +
            `(attempt ${index + 2} of ${retry.retries + 1})`,
          { provider, operation: request.operation, code: failure.code, delayMs: delay },
        );
        await sleep(delay);
      }
    },
  };
}

/**
 * The generic reading of an answer a provider's own parser could not understand (HTML from a
 * proxy, an empty body, an unknown shape):
 *
 * - 429 and 503: `provider_unavailable`, retryable (the request was turned away);
 * - other 5xx: retryable on idempotent requests, else {@link DeliveryUnknownError} (a gateway may
 *   have forwarded the request before failing);
 * - 2xx: {@link DeliveryUnknownError} for sends (accepted, but no id to prove it);
 * - 401/403: `auth`; anything else: permanent `http_<status>`.
 */
export function unexpectedResponse(provider: string, response: HttpResponse): OtzovikError {
  const { status } = response;
  const details = response.redact(response.text).slice(0, 500);
  const base = { provider, httpStatus: status, details, retryAfterMs: response.retryAfterMs };
  if (status === 429 || status === 503) {
    return new ProviderError(`Provider unavailable (HTTP ${status}); try again later.`, {
      ...base,
      code: "provider_unavailable",
      category: "retryable",
    });
  }
  if (status >= 500) {
    if (response.idempotent) {
      return new ProviderError(`Provider error (HTTP ${status}) with an unreadable answer.`, {
        ...base,
        code: "provider_unavailable",
        category: "retryable",
      });
    }
    return new DeliveryUnknownError(
      `Gateway error (HTTP ${status}) with an unreadable answer: the message may or may not have ` +
        "been accepted. It was not retried; check the delivery status before sending again.",
      { provider, reason: "gateway_error", httpStatus: status },
    );
  }
  if (status >= 200 && status < 300 && response.sendsMessage) {
    return new DeliveryUnknownError(
      `HTTP ${status} without a message id: the message may have been accepted. It was not ` +
        "retried; check the delivery status before sending again.",
      { provider, reason: "no_message_id", httpStatus: status },
    );
  }
  const auth = status === 401 || status === 403;
  return new ProviderError(
    auth
      ? `Access denied (HTTP ${status}); check the API key or token.`
      : `Unexpected answer (HTTP ${status}) the SDK cannot read.`,
    { ...base, code: `http_${status}`, category: auth ? "auth" : "permanent" },
  );
}

/** Redacted copy of a parsed JSON answer, for {@link ProviderError.details}. */
export function redactedDetails(response: HttpResponse, value: unknown): unknown {
  try {
    return JSON.parse(response.redact(JSON.stringify(value)));
  } catch {
    return undefined;
  }
}
