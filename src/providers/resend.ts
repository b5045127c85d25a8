import * as z from "zod/mini";
import {
  type ErrorCategory,
  type OtzovikError,
  ProviderError,
  ValidationError,
} from "../core/errors.js";
import { guard, optionsObject, parseOptions } from "../core/options.js";
import { createResendStatusWebhooks, resendSigningKey } from "../status/resend.js";
import type { StatusWebhooks } from "../status/types.js";
import {
  type ClientOptions,
  clientOptionFields,
  createTransport,
  emailList,
  type HttpResponse,
  idString,
  invalidArgument,
  isEmailAddress,
  isRecord,
  optionalSecretOption,
  optionalStringArgument,
  optionalText,
  parseJsonLossless,
  parseRetryAfter,
  redactedDetails,
  requiredText,
  resolveClientOptions,
  secretOption,
  unexpectedResponse,
} from "../transport/index.js";
import type { EmailMessage, EmailSender, SendResult } from "./types.js";

const PROVIDER = "resend";
/** Resend's API root. */
export const RESEND_BASE_URL = "https://api.resend.com/";
/** `User-Agent` sent by default (Resend rejects requests without one). */
export const RESEND_USER_AGENT = "otzovik";
/** Most recipients Resend accepts in `to`. */
const MAX_TO = 50;
const TAG = /^[A-Za-z0-9_-]{1,256}$/;

/** Options of {@link createResendClient}. */
export interface ResendClientOptions extends ClientOptions {
  /** API key, `re_…` (env `RESEND_API_KEY`). */
  readonly apiKey: string;
  /** Default sender on a verified domain, `"Name <noreply@your.domain>"` (env `RESEND_FROM`). */
  readonly from: string;
  /** `User-Agent` header. Default `"otzovik"`. */
  readonly userAgent?: string;
  /**
   * The signing secret of your webhook (Resend → Webhooks → the endpoint → Signing secret,
   * `whsec_…`; keep it in an env variable such as `RESEND_WEBHOOK_SECRET`). Without it
   * {@link ResendClient.statusWebhooks} refuses every POST with 401.
   */
  readonly webhookSecret?: string;
}

/** Client for Resend, made by {@link createResendClient}. */
export interface ResendClient extends EmailSender {
  /** Always `"resend"`. */
  readonly provider: "resend";
  /**
   * Reads Resend's webhooks (signed with `webhookSecret`, Svix-style); `configured` is `false`
   * without it.
   */
  readonly statusWebhooks: StatusWebhooks;
  /**
   * Sends one email (`POST /emails`). Every call carries an `Idempotency-Key` (yours, or a fresh
   * one), so otzovik's retries can never send it twice. Rejects with a `DeliveryUnknownError`
   * when the email may have been accepted but no attempt could confirm it.
   */
  sendEmail(message: EmailMessage): Promise<SendResult>;
}

/** Category per Resend error `name`. */
const NAMES: Record<string, ErrorCategory> = {
  rate_limit_exceeded: "retryable",
  concurrent_idempotent_requests: "retryable",
  resource_locked: "retryable",
  application_error: "retryable",
  internal_server_error: "retryable",
  service_unavailable: "retryable",
  daily_quota_exceeded: "defer",
  monthly_quota_exceeded: "defer",
  missing_api_key: "auth",
  invalid_api_key: "auth",
  suspended_api_key: "auth",
  restricted_api_key: "config",
  invalid_permission: "config",
  invalid_from_address: "config",
  invalid_idempotency_key: "permanent",
  invalid_idempotent_request: "permanent",
  validation_error: "permanent",
  invalid_parameter: "permanent",
  invalid_attachment: "permanent",
  missing_required_field: "permanent",
  missing_required_parameter: "permanent",
  not_found: "permanent",
  method_not_allowed: "permanent",
};

/** Names of Resend's "unexpected error" answers, which do not say whether the email was taken. */
const UNEXPECTED = new Set(["application_error", "internal_server_error"]);

/**
 * Whether a failure carries a `name` Resend documents as a refusal or a temporary unavailability
 * (the email was not taken). `application_error` and `internal_server_error` ("an unexpected
 * error occurred") and unknown names are not: after the retries with the same idempotency key,
 * they are unknown outcomes.
 */
function documentedNotSent(failure: OtzovikError): boolean {
  return Object.hasOwn(NAMES, failure.code) && !UNEXPECTED.has(failure.code);
}

/**
 * Category of a Resend error `name`; `validation_error` with HTTP 403 (unverified domain or the
 * onboarding sender) is `config`; unknown names fall back to the HTTP status.
 */
export function classifyResendName(name: string | null, httpStatus: number): ErrorCategory {
  if (name === "validation_error" && httpStatus === 403) return "config";
  const known = name === null ? undefined : NAMES[name];
  if (known) return known;
  if (httpStatus >= 500 || httpStatus === 429) return "retryable";
  if (httpStatus === 401 || httpStatus === 403) return "auth";
  return "permanent";
}

function resendError(response: HttpResponse, body: Record<string, unknown>): ProviderError {
  const name = typeof body.name === "string" ? body.name : null;
  const category = classifyResendName(name, response.status);
  const message = typeof body.message === "string" ? body.message : `HTTP ${response.status}`;
  const hint =
    category === "auth"
      ? " Check apiKey (RESEND_API_KEY)."
      : category === "config" && response.status === 403
        ? " Verify your sending domain in Resend and use it in from (RESEND_FROM)."
        : "";
  const retryAfterMs =
    response.retryAfterMs ??
    (name === "rate_limit_exceeded"
      ? parseRetryAfter(response.headers.get("ratelimit-reset"))
      : null);
  return new ProviderError(response.redact(`${message}${hint}`), {
    provider: PROVIDER,
    code: name ?? `http_${response.status}`,
    category,
    httpStatus: response.status,
    retryAfterMs,
    details: redactedDetails(response, body),
  });
}

/** A fresh idempotency key. */
function newIdempotencyKey(): string {
  return `otzovik/${globalThis.crypto.randomUUID()}`;
}

/** What {@link createResendClient} accepts. */
const optionsSchema = optionsObject({
  apiKey: secretOption,
  from: requiredText.check(
    z.refine(isEmailAddress, 'must be an address or "Name <address>" on a verified domain'),
  ),
  userAgent: optionalText,
  webhookSecret: z.pipe(
    optionalSecretOption,
    guard<string | null | undefined>(
      (v) =>
        v === undefined || v === null || (typeof v === "string" && resendSigningKey(v) !== null),
      'must be the signing secret Resend shows for the webhook ("whsec_" and base64)',
    ),
  ),
  ...clientOptionFields,
});

/**
 * Creates a Resend client (`POST /emails`, Bearer key, `User-Agent`, `Idempotency-Key`). Errors are
 * classified by `name`: `rate_limit_exceeded` (429) is retried honouring `Retry-After`; quota
 * errors are `defer`; timeouts, lost connections, 5xx and unreadable proxy answers are retried
 * with the same key (safe: Resend returns the first result instead of sending again). When those
 * retries run out after an attempt that may have reached Resend (a timeout, a lost connection, a
 * 5xx other than `service_unavailable`), the outcome is unknown: the call rejects with a
 * `DeliveryUnknownError`, so the email is not sent on another channel. Pass an `idempotencyKey`
 * derived from your order so that a later retry of yours is deduplicated too.
 *
 * Webhooks (`statusWebhooks`) need `webhookSecret`, which the client keeps to itself.
 *
 * @throws {ConfigError} when `apiKey` or `from` is missing or an option is invalid.
 *
 * @example
 * const mail = createResendClient({ apiKey: process.env.RESEND_API_KEY!, from: "Кофейня <hi@kofe.ru>" })
 * await mail.sendEmail({ to: "anna@mail.ru", subject: "Оцените визит", html: "<p>…</p>",
 *   idempotencyKey: `review-request/${orderId}` })
 */
export function createResendClient(options: ResendClientOptions): ResendClient {
  const valid = parseOptions(optionsSchema, options, { provider: PROVIDER });
  const { apiKey, from } = valid;
  const userAgent = valid.userAgent ?? RESEND_USER_AGENT;
  const resolved = resolveClientOptions(PROVIDER, valid, RESEND_BASE_URL);
  const transport = createTransport(resolved, [apiKey]);

  function buildBody(message: EmailMessage): Record<string, unknown> {
    if (typeof message !== "object" || message === null)
      invalidArgument(PROVIDER, "message", "must be { to, subject, html | text }");
    const to = emailList(PROVIDER, "to", message.to, MAX_TO);
    if (to === null) invalidArgument(PROVIDER, "to", "is required");
    const sender = optionalStringArgument(PROVIDER, "from", message.from) ?? from;
    if (!isEmailAddress(sender)) invalidArgument(PROVIDER, "from", "must be an email address");
    if (typeof message.subject !== "string" || message.subject.trim() === "")
      throw new ValidationError("'subject' must be a non-empty string.", {
        code: "invalid_message",
        provider: PROVIDER,
      });
    const html = optionalStringArgument(PROVIDER, "html", message.html);
    const text = optionalStringArgument(PROVIDER, "text", message.text);
    if (html === null && text === null)
      throw new ValidationError("An email needs 'html' or 'text'.", {
        code: "invalid_message",
        provider: PROVIDER,
      });
    const tags = message.tags ?? [];
    if (!Array.isArray(tags) || tags.some((t) => !TAG.test(t?.name) || !TAG.test(t?.value)))
      invalidArgument(PROVIDER, "tags", "names and values must be ASCII letters, digits, _ or -");
    if (
      message.headers !== undefined &&
      (typeof message.headers !== "object" || message.headers === null)
    )
      invalidArgument(PROVIDER, "headers", "must be an object of strings");
    const body: Record<string, unknown> = { from: sender, to, subject: message.subject };
    if (html !== null) body.html = message.html;
    if (text !== null) body.text = message.text;
    const cc = emailList(PROVIDER, "cc", message.cc, MAX_TO);
    const bcc = emailList(PROVIDER, "bcc", message.bcc, MAX_TO);
    const replyTo = emailList(PROVIDER, "replyTo", message.replyTo, MAX_TO);
    if (cc) body.cc = cc;
    if (bcc) body.bcc = bcc;
    if (replyTo) body.reply_to = replyTo.length === 1 ? replyTo[0] : replyTo;
    if (tags.length > 0) body.tags = tags.map((t) => ({ name: t.name, value: t.value }));
    if (message.headers) body.headers = message.headers;
    return body;
  }

  const statusWebhooks = createResendStatusWebhooks({ webhookSecret: valid.webhookSecret ?? null });

  return {
    provider: PROVIDER,
    statusWebhooks,

    async sendEmail(message) {
      const body = buildBody(message);
      const key = message.idempotencyKey ?? newIdempotencyKey();
      if (typeof key !== "string" || key.length < 1 || key.length > 256)
        invalidArgument(PROVIDER, "idempotencyKey", "must be 1 to 256 characters");
      const to = (body.to as string[]).join(", ");
      const result = await transport.request(
        {
          method: "POST",
          path: "emails",
          headers: {
            authorization: `Bearer ${apiKey}`,
            "content-type": "application/json",
            "user-agent": userAgent,
            "idempotency-key": key,
          },
          body: JSON.stringify(body),
          idempotent: true,
          sendsMessage: true,
          notSent: documentedNotSent,
          operation: "send",
        },
        (response): SendResult => {
          const parsed = parseJsonLossless(response.text);
          if (!isRecord(parsed)) throw unexpectedResponse(PROVIDER, response);
          if (response.status >= 400) throw resendError(response, parsed);
          const messageId = idString(parsed.id);
          if (messageId === null) throw unexpectedResponse(PROVIDER, response);
          return {
            provider: PROVIDER,
            channel: "email",
            messageId,
            to,
            dryRun: false,
            raw: parsed,
          };
        },
      );
      resolved.logger.info(`${PROVIDER}: email accepted`, {
        provider: PROVIDER,
        messageId: result.messageId,
        recipients: (body.to as string[]).length,
      });
      return result;
    },
  };
}
