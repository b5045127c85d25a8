import {
  DeliveryUnknownError,
  errorMessage,
  NetworkError,
  OtzovikError,
  ProviderError,
  type UnknownOutcomeReason,
} from "../core/errors.js";
import { discard, ResponseTooLarge, readBody } from "./body.js";
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
  /**
   * `true` when the call sends a message. Then a failure that may have happened after the
   * provider took the message (a timeout, a lost connection, a 5xx answer, an answer without an
   * id or too large to read) is an unknown outcome ({@link DeliveryUnknownError}), never a
   * retryable error: it must not be sent again, here or on another channel.
   */
  readonly sendsMessage: boolean;
  /**
   * For sends: whether the failure read from a 5xx answer is one the provider documents as "not
   * sent" (Meta 131000 "Message failed to send", Resend `service_unavailable`…). Every other 5xx
   * answer to a send is an unknown outcome, except a 503 with `Retry-After` (RFC 9110: the server
   * refuses the request for now). Default: none is.
   */
  readonly notSent?: (failure: OtzovikError, response: HttpResponse) => boolean;
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
   * {@link OtzovikError}s for refusals), and retries what is safe to retry. Never follows a
   * redirect; reads at most `maxResponseBytes` of an answer; the timeout covers the connection,
   * the whole body and `interpret`.
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
  // Skip a fetch wrapper's error (ofetch's FetchError), whose getters expose the request options.
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
    const text = errorMessage(e);
    if (text && !messages.includes(text)) messages.push(text);
    e = e instanceof Error ? (e as { cause?: unknown }).cause : undefined;
  }
  const copy = new Error(clean(messages.join(": ")));
  copy.name = name;
  const code = findErrorCode(error);
  if (code) Object.assign(copy, { code });
  return copy;
}

/** Where a redirect points, without its query, fragment or credentials (they may hold secrets). */
function redirectTarget(location: string | null, base: string): string | null {
  if (location === null || location.trim() === "") return null;
  try {
    const url = new URL(location, base);
    return `${url.protocol}//${url.host}${url.pathname}`.slice(0, 200);
  } catch {
    return null;
  }
}

/** A send attempt whose outcome is unknown: what happened, and the failure it produced. */
interface Uncertain {
  readonly reason: UnknownOutcomeReason;
  readonly failure: OtzovikError;
  readonly httpStatus: number | null;
}

/**
 * A failure that settles an idempotent send whose earlier attempt is uncertain: the provider
 * refused this very request (same idempotency key, same body), so it refused the earlier one too.
 */
function isRefusal(failure: OtzovikError): boolean {
  return (
    failure instanceof ProviderError &&
    failure.httpStatus !== null &&
    failure.httpStatus >= 400 &&
    failure.httpStatus < 500 &&
    !failure.retryable
  );
}

/** Creates the {@link Transport} of one client. */
export function createTransport(
  options: ResolvedClientOptions,
  secrets: readonly string[],
): Transport {
  const { provider, logger, retry, maxResponseBytes } = options;

  /** One attempt: request, body (capped) and `interpret`, all within the timeout. */
  async function attempt<T>(
    request: HttpRequest,
    clean: (text: string) => string,
    interpret: (response: HttpResponse) => T,
  ): Promise<T> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      const reason = new Error(`No answer within ${options.timeout} ms`);
      reason.name = "TimeoutError";
      controller.abort(reason);
    }, options.timeout);
    const started = Date.now();
    const url = new URL(request.path, options.baseUrl).href;
    try {
      let response: Response;
      try {
        response = await options.fetch(url, {
          method: request.method,
          headers: { accept: "application/json", ...request.headers },
          body: request.body,
          redirect: "manual",
          signal: controller.signal,
        });
      } catch (error) {
        throw networkFailure(error, timedOut, request, clean);
      }
      logger.debug(`${provider} ${request.operation}: HTTP ${response.status}`, {
        provider,
        operation: request.operation,
        status: response.status,
        ms: Date.now() - started,
      });
      if (isRedirect(response)) {
        await discard(response);
        throw redirectError(response, url, request, clean);
      }
      let text: string;
      try {
        text = await readBody(response, maxResponseBytes, controller.signal);
      } catch (error) {
        if (error instanceof ResponseTooLarge) throw tooLargeError(response.status, request);
        throw networkFailure(error, timedOut, request, clean);
      }
      return interpret({
        status: response.status,
        headers: response.headers,
        text,
        retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
        redact: clean,
        idempotent: request.idempotent,
        sendsMessage: request.sendsMessage,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** A 3xx, an opaque redirect (browsers, workers), or a fetch that followed one anyway. */
  function isRedirect(response: Response): boolean {
    return (
      (response.status >= 300 && response.status < 400) ||
      response.type === "opaqueredirect" ||
      response.redirected === true
    );
  }

  function redirectError(
    response: Response,
    url: string,
    request: HttpRequest,
    clean: (text: string) => string,
  ): ProviderError {
    const followed =
      response.redirected === true && !(response.status >= 300 && response.status < 400);
    const status = response.status >= 300 && response.status < 400 ? response.status : null;
    const target = redirectTarget(followed ? response.url : response.headers.get("location"), url);
    const where = target === null ? "" : ` to ${clean(target)}`;
    // A 303 answers a processed POST; a followed redirect re-sent the request elsewhere.
    const maybeSent = request.sendsMessage && (status === 303 || followed);
    return new ProviderError(
      `${followed ? "The fetch function followed a redirect" : `The provider answered with a redirect (HTTP ${status ?? "3xx"})`}${where}. otzovik never follows redirects: the request, key included, would go to another address. Check baseUrl (the provider may have moved its API, or a proxy redirects).${maybeSent ? " The message may have been accepted: it was not sent again; check the delivery status." : ""}`,
      {
        provider,
        code: "redirect",
        category: maybeSent ? "unknown_outcome" : "config",
        httpStatus: status,
      },
    );
  }

  function tooLargeError(status: number, request: HttpRequest): ProviderError {
    return new ProviderError(
      `The answer (HTTP ${status}) is larger than maxResponseBytes (${maxResponseBytes} bytes); ` +
        `reading stopped there.${request.sendsMessage ? " The provider answered, so the message may have been accepted: it was not sent again; check the delivery status." : ""}`,
      {
        provider,
        code: "response_too_large",
        category: request.sendsMessage ? "unknown_outcome" : "permanent",
        httpStatus: status,
      },
    );
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

  /** Why a failed attempt of a send may still have sent the message, or `null`. */
  function maybeSent(
    request: HttpRequest,
    failure: OtzovikError,
    response: HttpResponse | null,
  ): UnknownOutcomeReason | null {
    if (!request.sendsMessage || failure.category === "unknown_outcome") return null;
    if (failure instanceof NetworkError) {
      if (failure.code === "timeout") return "timeout";
      return failure.code === "connection_lost" ? "connection_lost" : null;
    }
    if (response === null || response.status < 500) return null;
    if (response.status === 503 && response.retryAfterMs !== null) return null;
    if (request.notSent?.(failure, response) === true) return null;
    return "gateway_error";
  }

  /** The error for a send whose outcome cannot be known, after `attempts` attempts. */
  function unknownOutcome(
    request: HttpRequest,
    uncertain: Uncertain,
    attempts: number,
  ): DeliveryUnknownError {
    const { reason, failure, httpStatus } = uncertain;
    const what =
      reason === "gateway_error"
        ? `Server error (HTTP ${httpStatus}, ${failure.code}) that the provider does not document as "not sent"`
        : reason === "timeout"
          ? `No answer within ${options.timeout} ms`
          : "Connection lost before the answer arrived";
    const after = request.idempotent
      ? ` All ${attempts} attempts carried the same idempotency key, so it cannot have gone out ` +
        "twice; do not send it on another channel."
      : " It was not retried, so the customer cannot get it twice.";
    return new DeliveryUnknownError(
      `${what}: the message may or may not have been accepted.${after} Check the delivery ` +
        "status before sending again.",
      { provider, reason, httpStatus, cause: failure },
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
      let uncertain: Uncertain | null = null;
      for (let index = 0; ; index++) {
        let answered: HttpResponse | null = null;
        let failure: OtzovikError;
        try {
          return await attempt(request, clean, (response) => {
            answered = response;
            return interpret(response);
          });
        } catch (error) {
          failure =
            error instanceof OtzovikError
              ? error
              : new OtzovikError(clean(errorMessage(error)), {
                  code: "internal_error",
                  provider,
                  cause: sanitizeCause(error, clean),
                });
        }
        failure.message = clean(failure.message);
        const reason = maybeSent(request, failure, answered);
        if (reason !== null && uncertain === null) {
          uncertain = {
            reason,
            failure,
            httpStatus: (answered as HttpResponse | null)?.status ?? null,
          };
        }
        // A send without an idempotency key is never repeated once it may have gone out.
        const delay = uncertain !== null && !request.idempotent ? null : retryDelay(failure, index);
        if (delay === null) {
          throw uncertain !== null && !isRefusal(failure)
            ? unknownOutcome(request, uncertain, index + 1)
            : failure;
        }
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
 * - 429 and 5xx: `provider_unavailable`, retryable. On a send, the transport then makes a 5xx an
 *   unknown outcome (a gateway may have forwarded the request before failing), except a 503 with
 *   `Retry-After`;
 * - 2xx: {@link DeliveryUnknownError} for sends (accepted, but no id to prove it);
 * - 401/403: `auth`; anything else: permanent `http_<status>`.
 */
export function unexpectedResponse(provider: string, response: HttpResponse): OtzovikError {
  const { status } = response;
  const details = response.redact(response.text).slice(0, 500);
  const base = { provider, httpStatus: status, details, retryAfterMs: response.retryAfterMs };
  if (status === 429 || status >= 500) {
    return new ProviderError(
      status === 429 || status === 503
        ? `Provider unavailable (HTTP ${status}); try again later.`
        : `Provider error (HTTP ${status}) with an unreadable answer.`,
      { ...base, code: "provider_unavailable", category: "retryable" },
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
