import * as z from "zod/mini";
import { type ErrorCategory, type OtzovikError, ProviderError } from "../core/errors.js";
import { optionsObject, parseOptions } from "../core/options.js";
import {
  createTransport,
  type HttpResponse,
  idString,
  invalidArgument,
  isRecord,
  optionalFlagArgument,
  type PhoneClientOptions,
  parseJsonLossless,
  phoneClientOptionFields,
  phoneForLog,
  type Recipient,
  redactedDetails,
  requireText,
  resolvePhoneClientOptions,
  secretOption,
  toRecipient,
  unexpectedResponse,
} from "../transport/index.js";
import type { SendResult, WhatsappSender } from "./types.js";

const PROVIDER = "meta";
/** The Graph API root. */
export const META_GRAPH_BASE_URL = "https://graph.facebook.com/";
/** Graph API version used when none is given (released 2025-05-29, expires 2027-10-08). */
export const META_DEFAULT_GRAPH_VERSION = "v23.0";
/** Longest free-form text Meta accepts. */
const MAX_TEXT = 4096;
/** Minimum wait after a pair-rate-limit error (131056), per Meta's throughput guidance. */
const PAIR_RATE_DELAY_MS = 6000;

/** Options of {@link createMetaWhatsappClient}. */
export interface MetaWhatsappClientOptions extends PhoneClientOptions {
  /** System-user or permanent access token (env `META_WHATSAPP_ACCESS_TOKEN`). */
  readonly accessToken: string;
  /** Phone number ID from WhatsApp → API Setup (env `META_WHATSAPP_PHONE_NUMBER_ID`), a string. */
  readonly phoneNumberId: string;
  /** Graph API version such as `"v23.0"`. Versions expire: pin one and review it yearly. */
  readonly graphVersion?: string;
}

/** Options of {@link MetaWhatsappClient.sendWhatsapp}. */
export interface MetaTextOptions {
  /** Let WhatsApp render a preview of the first URL in the text. Default `false`. */
  readonly previewUrl?: boolean;
  /** Up to 512 bytes echoed back in status webhooks, to match them to your records. */
  readonly bizOpaqueCallbackData?: string;
}

/** One parameter of a template component, as the Cloud API takes it. */
export interface MetaTemplateParameter {
  /** `"text"`, `"currency"`, `"date_time"`, `"image"`, … */
  readonly type: string;
  /** The value for `type: "text"`. */
  readonly text?: string;
  /** Other fields, passed through as given. */
  readonly [field: string]: unknown;
}

/** One component of a template message (`body`, `header`, `button`). */
export interface MetaTemplateComponent {
  /** `"header"`, `"body"` or `"button"`. */
  readonly type: string;
  /** For buttons: `"url"`, `"quick_reply"`, … */
  readonly sub_type?: string;
  /** For buttons: the button's position, `"0"` first. */
  readonly index?: string | number;
  /** Values for the template's placeholders, in order. */
  readonly parameters?: readonly MetaTemplateParameter[];
}

/** Options of {@link MetaWhatsappClient.sendTemplate}. */
export interface MetaTemplateOptions {
  /** Language of an approved translation, exactly as approved (`"ru"`, `"en_US"`). */
  readonly languageCode: string;
  /** Placeholder values. */
  readonly components?: readonly MetaTemplateComponent[];
  /** Up to 512 bytes echoed back in status webhooks. */
  readonly bizOpaqueCallbackData?: string;
}

/** Client for the WhatsApp Cloud API, made by {@link createMetaWhatsappClient}. */
export interface MetaWhatsappClient extends WhatsappSender {
  /** Always `"meta"`. */
  readonly provider: "meta";
  /** The Graph API version in use. */
  readonly graphVersion: string;
  /**
   * Sends a free-form text. Only works within 24 hours of the customer's last message to you;
   * otherwise Meta answers 131047 (not retried): send a template instead.
   */
  sendWhatsapp(phone: string, text: string, options?: MetaTextOptions): Promise<SendResult>;
  /**
   * Sends an approved template: the way to start a conversation, such as a review request.
   *
   * @example
   * await wa.sendTemplate("+79161234567", "review_request", {
   *   languageCode: "ru",
   *   components: [{ type: "body", parameters: [{ type: "text", text: "Кофейня" }] }],
   * })
   */
  sendTemplate(phone: string, name: string, options: MetaTemplateOptions): Promise<SendResult>;
}

/** Category and hint per Meta `error.code`. */
const CODES: Record<number, readonly [ErrorCategory, string]> = {
  0: ["auth", "Authentication failed: check accessToken (META_WHATSAPP_ACCESS_TOKEN)."],
  190: ["auth", "Access token expired or invalid: generate a new permanent token."],
  1: ["retryable", "Unknown, possibly temporary, Meta error."],
  2: ["retryable", "Meta service temporarily unavailable."],
  3: ["config", "The app lacks a capability or permission."],
  4: ["retryable", "App API call rate limit."],
  10: ["config", "Permission missing or removed."],
  100: ["permanent", "Invalid parameter."],
  368: ["config", "Temporarily blocked for policy violations."],
  80007: ["retryable", "WhatsApp Business Account rate limit."],
  130429: ["retryable", "Cloud API throughput limit reached."],
  130472: ["permanent", "The user is in a Meta experiment group; not sent."],
  130497: ["config", "The business may not message users in this country."],
  131000: ["retryable", "Something went wrong at Meta."],
  131005: ["config", "Permission missing or removed."],
  131008: ["permanent", "A required parameter is missing."],
  131009: ["permanent", "A parameter value is invalid."],
  131016: ["retryable", "Service temporarily unavailable."],
  131021: ["permanent", "The recipient cannot be the sender."],
  131026: ["not_on_channel", "Undeliverable: not a WhatsApp user or an old app. Try SMS."],
  131030: ["config", "Recipient not in the test number's allowed list (sandbox)."],
  131031: ["config", "The business account is locked."],
  131037: ["config", "The business number lacks an approved display name."],
  131042: ["config", "Business payment issue."],
  131045: ["config", "Phone number registration or certificate error."],
  131047: [
    "not_on_channel",
    "More than 24 hours since the customer last wrote: send a template (sendTemplate) or use " +
      "another channel.",
  ],
  131048: ["defer", "Spam rate limit: pause this campaign."],
  131049: ["defer", "Meta limits marketing messages to this user: not for 24 hours."],
  131050: ["opted_out", "The user opted out of your marketing messages: do not message again."],
  131051: ["permanent", "Unsupported message type."],
  131056: ["retryable", "Pair rate limit: too many messages to this user; wait at least 6 s."],
  131057: ["defer", "The business account is in maintenance mode."],
  131064: ["defer", "Messaging limited after template classification violations."],
  132000: ["config", "Template parameter count does not match the approved template."],
  132001: ["config", "Template does not exist in this language or is not approved."],
  132005: ["config", "Template text too long after filling in parameters."],
  132007: ["config", "Template format character policy violated."],
  132012: ["config", "Template parameter format mismatch."],
  132015: ["config", "Template paused for low quality."],
  132016: ["config", "Template disabled."],
  133004: ["retryable", "Server temporarily unavailable."],
  133010: ["config", "Phone number not registered with the Cloud API."],
  135000: ["permanent", "Generic user error."],
};

/**
 * Category of a Meta `error.code`: 131050 (the user stopped your marketing messages) is
 * `opted_out`; 131026 (not a WhatsApp user) and 131047 (more than 24 hours since the customer
 * last wrote) are `not_on_channel`; rate limits and temporary errors `retryable`; token errors
 * `auth`; template, permission and account errors `config`. Codes otzovik does not know fall back
 * to the HTTP status (5xx and 429 retryable, 401 auth, others permanent); on a send, a 5xx answer
 * with such a code is then reported as an unknown outcome, since Meta may have taken the message.
 */
export function classifyMetaCode(code: number | null, httpStatus: number): ErrorCategory {
  const known = code === null ? undefined : CODES[code];
  if (known) return known[0];
  if (code !== null && code >= 200 && code <= 299) return "config";
  if (httpStatus >= 500 || httpStatus === 429) return "retryable";
  if (httpStatus === 401) return "auth";
  return "permanent";
}

/**
 * Whether a failure carries a code Meta documents, which says what happened even on a 5xx answer
 * (131000 "Message failed to send", 2 and 131016 "temporarily unavailable", rate limits, refusals).
 * Not 1 ("API Unknown: invalid request or possible server error"), and not codes otzovik does not
 * know: on a send those are unknown outcomes.
 */
function documentedNotSent(failure: OtzovikError): boolean {
  if (!/^\d+$/.test(failure.code) || failure.code === "1") return false;
  const code = Number(failure.code);
  return CODES[code] !== undefined || (code >= 200 && code <= 299);
}

function metaError(response: HttpResponse, body: Record<string, unknown>): ProviderError {
  const error = isRecord(body.error) ? body.error : {};
  const code = typeof error.code === "number" ? error.code : null;
  const category = classifyMetaCode(code, response.status);
  const hint = (code !== null && CODES[code]?.[1]) || "";
  const message = typeof error.message === "string" ? error.message : "Unknown error";
  const data = isRecord(error.error_data) ? error.error_data : {};
  const details = typeof data.details === "string" ? ` ${data.details}` : "";
  const retryAfterMs = response.retryAfterMs ?? (code === 131056 ? PAIR_RATE_DELAY_MS : null);
  return new ProviderError(response.redact(`${message}.${details} ${hint}`.trim()), {
    provider: PROVIDER,
    code: code === null ? `http_${response.status}` : String(code),
    category,
    httpStatus: response.status,
    retryAfterMs,
    details: redactedDetails(response, body),
  });
}

/** What {@link createMetaWhatsappClient} accepts. */
const optionsSchema = optionsObject({
  accessToken: secretOption,
  phoneNumberId: z
    .string({
      error: ({ input }) =>
        input === undefined || input === null
          ? "is required"
          : typeof input === "number"
            ? "must be a string (large ids lose digits as numbers)"
            : "must be a string",
    })
    .check(
      z.trim(),
      z.minLength(1, "is required"),
      z.regex(/^\d+$/, "must contain digits only (WhatsApp → API Setup)"),
    ),
  graphVersion: z.nullish(
    z.string("must be a string").check(z.trim(), z.regex(/^v\d+\.\d+$/, 'must look like "v23.0"')),
  ),
  ...phoneClientOptionFields,
});

/**
 * Creates a WhatsApp Cloud API client (`POST /{version}/{phone-number-id}/messages`, Bearer
 * token). Errors are classified by `error.code`, not by HTTP status (Meta sends rate limits as
 * 400 or 429): rate limits (4, 80007, 130429, 131056) and temporary errors (1, 2, 131000, 131016,
 * 133004) are retried; 131047 (outside the 24-hour window) and template errors never are.
 * 131026 and 131047 are `not_on_channel` (try another channel), 131050 is `opted_out`.
 * Meta has no idempotency key: a timeout, and a 5xx answer whose code Meta does not document as
 * "not sent" (an unknown code, or 1 "API Unknown"), are reported as `DeliveryUnknownError`, never
 * retried.
 *
 * @throws {ConfigError} when `accessToken` or `phoneNumberId` is missing or an option is invalid.
 */
export function createMetaWhatsappClient(options: MetaWhatsappClientOptions): MetaWhatsappClient {
  const valid = parseOptions(optionsSchema, options, { provider: PROVIDER });
  const { accessToken, phoneNumberId } = valid;
  const graphVersion = valid.graphVersion ?? META_DEFAULT_GRAPH_VERSION;
  const resolved = resolvePhoneClientOptions(PROVIDER, valid, META_GRAPH_BASE_URL);
  const transport = createTransport(resolved, [accessToken]);

  async function send(
    to: Recipient,
    type: string,
    payload: Record<string, unknown>,
  ): Promise<SendResult> {
    const body = {
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: to.digits,
      type,
      ...payload,
    };
    const result = await transport.request(
      {
        method: "POST",
        path: `${graphVersion}/${phoneNumberId}/messages`,
        headers: {
          authorization: `Bearer ${accessToken}`,
          "content-type": "application/json",
        },
        body: JSON.stringify(body),
        idempotent: false,
        sendsMessage: true,
        notSent: documentedNotSent,
        operation: "send",
        phones: [to.e164, to.digits],
      },
      (response): SendResult => {
        const parsed = parseJsonLossless(response.text);
        if (!isRecord(parsed)) throw unexpectedResponse(PROVIDER, response);
        if (parsed.error !== undefined || response.status >= 400) {
          if (isRecord(parsed.error)) throw metaError(response, parsed);
          throw unexpectedResponse(PROVIDER, response);
        }
        const messages = Array.isArray(parsed.messages) ? parsed.messages : [];
        const first: unknown = messages[0];
        const messageId = isRecord(first) ? idString(first.id) : null;
        if (messageId === null) throw unexpectedResponse(PROVIDER, response);
        return {
          provider: PROVIDER,
          channel: "whatsapp",
          messageId,
          to: to.e164,
          dryRun: false,
          raw: parsed,
        };
      },
    );
    resolved.logger.info(`${PROVIDER}: WhatsApp ${type} accepted`, {
      provider: PROVIDER,
      to: phoneForLog(resolved, to.e164),
      messageId: result.messageId,
    });
    return result;
  }

  function callbackData(value: unknown): Record<string, string> {
    if (value === undefined) return {};
    if (typeof value !== "string" || new TextEncoder().encode(value).length > 512)
      invalidArgument(PROVIDER, "bizOpaqueCallbackData", "must be a string of at most 512 bytes");
    return { biz_opaque_callback_data: value };
  }

  return {
    provider: PROVIDER,
    graphVersion,

    async sendWhatsapp(phone, text, opts = {}) {
      const to = toRecipient(PROVIDER, phone, resolved.defaultCountry);
      const body = requireText(PROVIDER, text, MAX_TEXT);
      const previewUrl = optionalFlagArgument(PROVIDER, "previewUrl", opts.previewUrl) ?? false;
      return send(to, "text", {
        text: { preview_url: previewUrl, body },
        ...callbackData(opts.bizOpaqueCallbackData),
      });
    },

    async sendTemplate(phone, name, opts) {
      const to = toRecipient(PROVIDER, phone, resolved.defaultCountry);
      if (typeof name !== "string" || !/^[a-z0-9_]{1,512}$/.test(name))
        invalidArgument(PROVIDER, "name", "must be a template name (lowercase, digits, _)");
      if (typeof opts !== "object" || opts === null)
        invalidArgument(PROVIDER, "options", "must be { languageCode, components? }");
      if (
        typeof opts.languageCode !== "string" ||
        !/^[a-z]{2,3}(?:_[A-Za-z]{2,4})?$/.test(opts.languageCode)
      )
        invalidArgument(PROVIDER, "languageCode", 'must be an approved language code such as "ru"');
      if (opts.components !== undefined && !Array.isArray(opts.components))
        invalidArgument(PROVIDER, "components", "must be an array of components");
      const components = (opts.components ?? []).map((c) =>
        c.index === undefined ? c : { ...c, index: String(c.index) },
      );
      return send(to, "template", {
        template: {
          name,
          language: { policy: "deterministic", code: opts.languageCode },
          ...(components.length > 0 ? { components } : {}),
        },
        ...callbackData(opts.bizOpaqueCallbackData),
      });
    },
  };
}
