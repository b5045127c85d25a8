import { ConfigError, errorMessage } from "../core/errors.js";
import { createLogger, type Logger } from "../core/logger.js";
import type { ReviewRequester, StatusHandled } from "../requester/types.js";
import { MAX_STATUS_BODY_BYTES } from "../status/answers.js";
import { type StatusProvider, statusProviderOf } from "../status/registry.js";
import {
  DEFAULT_ANSWER_TIMEOUT_MS,
  DEFAULT_BODY_TIMEOUT_MS,
  positiveInteger,
  queryOrHeaderKey,
  readRequestBody,
  TIMED_OUT,
  type WebhookRequest,
  type WebhookResponse,
  within,
} from "./core.js";

/**
 * Options of the status webhook handlers (`statusHandler`, `createFetchStatusHandler`).
 *
 * @example
 * ```ts
 * app.all("/hooks/wa-status", statusHandler(requester, { provider: "meta", answerTimeoutMs: 1_000 }));
 * ```
 */
export interface StatusHandlerOptions {
  /**
   * The provider this route serves: `"meta"` (or `"whatsapp"`), `"sms.ru"` (or `"smsru"`),
   * `"resend"`. Default: the `:provider` route parameter, or the last path segment
   * (`/api/status/meta`).
   */
  readonly provider?: string;
  /**
   * Largest body accepted, in bytes; larger ones get 413. Default 4 MiB, also the most the
   * status readers accept (Meta batches up to 1,000 statuses in one webhook).
   */
  readonly maxBodyBytes?: number;
  /**
   * Longest time to receive the whole body, in ms: a client still sending after that gets 408
   * and the connection is closed. Default 10 s.
   */
  readonly bodyTimeoutMs?: number;
  /**
   * Longest time to answer once the body is in, in ms: when the statuses are not recorded by
   * then (a slow store), the answer is 503 and the provider sends the webhook again; whatever was
   * recorded stays recorded, and the copy changes nothing. Default 1,500 ms, as for webhooks.
   */
  readonly answerTimeoutMs?: number;
  /** Where to log internal faults. Bodies, signatures, secrets and phones are never logged. */
  readonly logger?: Partial<Logger>;
}

/**
 * Default {@link StatusHandlerOptions.maxBodyBytes}: 4 MiB, what the status readers accept.
 *
 * @example
 * ```ts
 * statusHandler(requester, { maxBodyBytes: DEFAULT_STATUS_MAX_BODY_BYTES / 4 }); // 1 MiB
 * ```
 */
export const DEFAULT_STATUS_MAX_BODY_BYTES = MAX_STATUS_BODY_BYTES;

/** The built-in providers' names, for messages. */
const PROVIDERS = "meta (or whatsapp), sms.ru (or smsru), resend";

/** The options of {@link createStatusProcessor}, checked, with defaults filled in. */
interface Settings {
  readonly provider: StatusProvider | null;
  readonly maxBodyBytes: number;
  readonly bodyTimeoutMs: number;
  readonly answerTimeoutMs: number;
  readonly logger: Logger;
}

/**
 * What a status adapter adds to a webhook request: whether a body parser already read it.
 *
 * @example
 * ```ts
 * run({ method: "POST", url: "/api/status/meta", header, readBody, bodyConsumed: null });
 * ```
 */
export interface StatusWebhookRequest extends WebhookRequest {
  /**
   * Set when the raw body is gone (a body parser mounted before the route read and parsed it):
   * the signature cannot be checked. Names the fix, for the answer and the log.
   */
  readonly bodyConsumed?: string | null;
}

function text(
  status: number,
  body: string,
  headers: Record<string, string> = {},
  contentType = "text/plain; charset=utf-8",
): WebhookResponse {
  return {
    status,
    headers: { "content-type": contentType, ...headers },
    body,
    background: null,
    close: false,
  };
}

const unavailable = () => text(503, "Service Unavailable: retry later", { "retry-after": "30" });

/** A route segment as it may be shown back: lower case, `[a-z0-9._-]` only, at most 24 characters. */
function shown(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, "")
    .slice(0, 24);
}

/** Checks the handler options once, at creation; throws a `ConfigError` naming a wrong one. */
function resolveSettings(options: StatusHandlerOptions): Settings {
  if (typeof options !== "object" || options === null)
    throw new ConfigError("The status handler's options must be an object.");
  let provider: StatusProvider | null = null;
  if (options.provider !== undefined) {
    provider = typeof options.provider === "string" ? statusProviderOf(options.provider) : null;
    if (provider === null)
      throw new ConfigError(`Option \`provider\` must be one of: ${PROVIDERS}.`);
  }
  const maxBodyBytes = positiveInteger(
    "maxBodyBytes",
    options.maxBodyBytes,
    DEFAULT_STATUS_MAX_BODY_BYTES,
  );
  if (maxBodyBytes > MAX_STATUS_BODY_BYTES)
    throw new ConfigError(
      `Option \`maxBodyBytes\` must be at most ${MAX_STATUS_BODY_BYTES} bytes: the status readers refuse larger bodies.`,
    );
  return {
    provider,
    maxBodyBytes,
    bodyTimeoutMs: positiveInteger("bodyTimeoutMs", options.bodyTimeoutMs, DEFAULT_BODY_TIMEOUT_MS),
    answerTimeoutMs: positiveInteger(
      "answerTimeoutMs",
      options.answerTimeoutMs,
      DEFAULT_ANSWER_TIMEOUT_MS,
    ),
    logger: createLogger(options.logger),
  };
}

/**
 * The one place status webhook HTTP handling lives; `statusHandler` (`otzovik/express`) and
 * `createFetchStatusHandler` (`otzovik/fetch`) only adapt their frameworks to it. Checks the
 * options once (a `ConfigError` names a wrong one) and returns what the adapters call per request.
 *
 * Per request: 404 for a provider it does not know; for a POST, the raw body read under
 * `maxBodyBytes` (413) and `bodyTimeoutMs` (408), or 500 when a body parser already consumed it;
 * then `requester.handleStatus()`, whose answer is sent as soon as it resolves (the statuses are
 * recorded by then): 200 (SMS.ru's `100`), Meta's challenge, 401 for a bad or missing signature,
 * 403 for a refused subscription check, 405 for a method the provider does not use. 503 when it
 * rejects (the store failed) or has not resolved within `answerTimeoutMs`: the provider retries.
 *
 * @param requester - The requester whose channel clients verify and read the webhooks.
 * @param options - Provider, body limit and deadlines, logger.
 * @throws ConfigError naming the option when an option is invalid.
 *
 * @example
 * ```ts
 * const run = createStatusProcessor(requester, { provider: "meta" });
 * const response = await run(adaptedRequest); // { status, headers, body, background, close }
 * ```
 */
export function createStatusProcessor(
  requester: ReviewRequester,
  options: StatusHandlerOptions = {},
): (req: StatusWebhookRequest) => Promise<WebhookResponse> {
  const settings = resolveSettings(options);
  let warnedConsumed = false;
  return async (req) => {
    try {
      const url = new URL(req.url, "http://localhost");
      const name =
        settings.provider ??
        req.routeSource ??
        url.pathname.split("/").filter(Boolean).at(-1) ??
        "";
      const provider = settings.provider ?? statusProviderOf(name);
      if (provider === null) {
        const echo = shown(name);
        return text(
          404,
          `Not Found: ${echo ? `"${echo}" is not a status provider` : "no status provider in the path"}; use ${PROVIDERS}`,
        );
      }
      const method = String(req.method).toUpperCase();
      let body: Uint8Array = new Uint8Array(0);
      if (method === "POST") {
        if (req.bodyConsumed) {
          if (!warnedConsumed) {
            warnedConsumed = true;
            settings.logger.error(req.bodyConsumed, { provider });
          }
          return text(500, `otzovik status route misconfigured: ${req.bodyConsumed}`);
        }
        const bytes = await readRequestBody(req, settings);
        if (bytes === "too_large")
          return text(413, `Payload Too Large: more than ${settings.maxBodyBytes} bytes`);
        if (bytes === "incomplete") {
          settings.logger.warn("the client closed the connection before sending the whole body", {
            provider,
          });
          return text(400, "Bad Request: the body was not received completely");
        }
        if (bytes === "timed_out") {
          settings.logger.warn("the body was not received in time; answered 408 and closed", {
            provider,
            bodyTimeoutMs: settings.bodyTimeoutMs,
          });
          return {
            ...text(408, `Request Timeout: the body took over ${settings.bodyTimeoutMs} ms`, {
              connection: "close",
            }),
            close: true,
          };
        }
        body = bytes;
      }
      // The deadline counts from the body being in: a slow uplink must not turn into 503s.
      const deadline = Date.now() + settings.answerTimeoutMs;
      const remaining = () => Math.max(0, deadline - Date.now());
      const key = queryOrHeaderKey(url, (header) => req.header(header));
      const handling = requester.handleStatus(
        provider,
        { method, headers: (header) => req.header(header), query: url.searchParams, body },
        { key },
      );
      const handled = await within(handling, remaining());
      if (handled === TIMED_OUT) {
        settings.logger.warn(
          `the status webhook was not recorded within answerTimeoutMs (${settings.answerTimeoutMs} ms); answered 503 so the provider retries`,
          { provider },
        );
        // What it still records stays recorded, and its fallbacks still run.
        return { ...unavailable(), background: settle(handling, settings.logger, provider) };
      }
      const background = settle(Promise.resolve(handled), settings.logger, provider);
      if (req.awaitSends) await within(background, remaining());
      return {
        ...text(handled.answer.status, handled.answer.body, {}, handled.answer.contentType),
        background,
      };
    } catch (error) {
      settings.logger.error(
        "status webhook could not be processed; answered 503 so the provider retries",
        { error: errorMessage(error) },
      );
      return unavailable();
    }
  };
}

/** The fallbacks of a status webhook, never rejecting (a late failure is logged). */
function settle(handling: Promise<StatusHandled>, logger: Logger, provider: string) {
  return handling
    .then((handled) => handled.done)
    .catch((error: unknown) => {
      logger.error("status webhook could not be processed after the answer", {
        provider,
        error: errorMessage(error),
      });
    });
}
