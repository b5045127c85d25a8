import * as z from "zod/mini";
import { ProviderError } from "../core/errors.js";
import { optionsObject, parseOptions } from "../core/options.js";
import { createMetaStatusWebhooks } from "../status/meta.js";
import type { StatusWebhooks } from "../status/types.js";
import {
  createTransport,
  type HttpResponse,
  idString,
  invalidArgument,
  isRecord,
  optionalFlagArgument,
  optionalSecretOption,
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
import { classifyMetaCode, documentedNotSent, metaCodeHint } from "./meta-codes.js";
import type { SendResult, WhatsappSender } from "./types.js";

export { classifyMetaCode } from "./meta-codes.js";

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
  /**
   * The app secret (App Dashboard → Settings → Basic → App secret; keep it in an env variable
   * such as `META_APP_SECRET`) that signs status webhooks (`X-Hub-Signature-256`). Without it
   * {@link MetaWhatsappClient.statusWebhooks} refuses every POST with 401.
   */
  readonly appSecret?: string;
  /**
   * The verify token you type in the app's webhook settings (WhatsApp → Configuration → Webhook),
   * for Meta's subscription check (`hub.verify_token`). Without it the check is refused (403).
   */
  readonly verifyToken?: string;
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
   * Reads this app's status webhooks: Meta's subscription check (GET, with `verifyToken`) and
   * signed status POSTs (with `appSecret`); `configured` is `false` without `appSecret`.
   */
  readonly statusWebhooks: StatusWebhooks;
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

function metaError(response: HttpResponse, body: Record<string, unknown>): ProviderError {
  const error = isRecord(body.error) ? body.error : {};
  const code = typeof error.code === "number" ? error.code : null;
  const category = classifyMetaCode(code, response.status);
  const hint = (code !== null && metaCodeHint(code)) || "";
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
  appSecret: optionalSecretOption,
  verifyToken: optionalSecretOption,
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
 * Status webhooks (`statusWebhooks`) need `appSecret` (and `verifyToken` for Meta's subscription
 * check); the client keeps them to itself: they are not on the returned object.
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

  const statusWebhooks = createMetaStatusWebhooks({
    appSecret: valid.appSecret ?? null,
    verifyToken: valid.verifyToken ?? null,
  });

  return {
    provider: PROVIDER,
    graphVersion,
    statusWebhooks,

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
