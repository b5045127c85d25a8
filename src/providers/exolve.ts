import * as z from "zod/mini";
import {
  DeliveryUnknownError,
  type ErrorCategory,
  type OtzovikError,
  ProviderError,
} from "../core/errors.js";
import { callback, optionsObject, parseOptions } from "../core/options.js";
import { normalizePhone } from "../core/phone.js";
import {
  createTransport,
  type HttpResponse,
  idString,
  isRecord,
  type PhoneClientOptions,
  parseJsonLossless,
  phoneClientOptionFields,
  phoneForLog,
  redactedDetails,
  requiredText,
  requireText,
  resolvePhoneClientOptions,
  secretOption,
  toRecipient,
  unexpectedResponse,
} from "../transport/index.js";
import type { SendResult, SmsSender, WhatsappSender } from "./types.js";

const PROVIDER = "exolve";
/** Exolve's API root. */
export const EXOLVE_BASE_URL = "https://api.exolve.ru/";
/** The documented SMS method. */
export const EXOLVE_SMS_PATH = "messaging/v1/SendSMS";
/**
 * Default WhatsApp path. **Not documented by Exolve**: it follows the naming of the documented
 * `SendSMS` method. Confirm the path with Exolve (sales@exolve.ru) and set `whatsappPath`.
 */
export const EXOLVE_DEFAULT_WHATSAPP_PATH = "messaging/v1/SendWhatsApp";
/** Longest text accepted before asking Exolve. */
const MAX_TEXT = 10_000;
/** Keys whose numbers are kept as strings (18-digit ids exceed `Number.MAX_SAFE_INTEGER`). */
const ID_KEYS = new Set(["message_id", "template_resource_id"]);

/** What a WhatsApp body builder receives. */
export interface ExolveWhatsappMessage {
  /** The client's `senderId` (digits only when it is a phone number). */
  readonly sender: string;
  /** Recipient: 11 digits, no `+` (`79161234567`). */
  readonly destination: string;
  /** Message text. */
  readonly text: string;
}

/** Options of {@link createExolveClient}. */
export interface ExolveClientOptions extends PhoneClientOptions {
  /** Application API key (env `EXOLVE_WHATSAPP_API_KEY`), sent as a Bearer token. */
  readonly apiKey: string;
  /** Sender number or approved alpha name (env `EXOLVE_WHATSAPP_SENDER_ID`). */
  readonly senderId: string;
  /**
   * Path of the WhatsApp send method, relative to `baseUrl`. Exolve does not document one; the
   * default {@link EXOLVE_DEFAULT_WHATSAPP_PATH} is an assumption. Env `EXOLVE_WHATSAPP_PATH` for
   * the convenience functions.
   */
  readonly whatsappPath?: string;
  /**
   * Builds the JSON body of a WhatsApp send. Default, mirroring `SendSMS`:
   * `{ number: sender, destination, text }`.
   */
  readonly buildWhatsappBody?: (message: ExolveWhatsappMessage) => unknown;
}

/** Client for MTS Exolve, made by {@link createExolveClient}. */
export interface ExolveClient extends SmsSender, WhatsappSender {
  /** Always `"exolve"`. */
  readonly provider: "exolve";
  /** Sends an SMS via the documented `POST /messaging/v1/SendSMS`. */
  sendSms(phone: string, text: string): Promise<SendResult>;
  /** Sends a WhatsApp text via the configured (undocumented) path and body builder. */
  sendWhatsapp(phone: string, text: string): Promise<SendResult>;
}

/** gRPC status codes (Exolve's API is gRPC-gateway based) and what they mean for a send. */
const GRPC: Record<number, ErrorCategory | "unknown"> = {
  2: "unknown", // UNKNOWN
  3: "permanent", // INVALID_ARGUMENT, e.g. a destination that fails the regex check
  4: "unknown", // DEADLINE_EXCEEDED: the server may have acted
  5: "permanent", // NOT_FOUND
  7: "config", // PERMISSION_DENIED
  8: "retryable", // RESOURCE_EXHAUSTED
  9: "permanent", // FAILED_PRECONDITION
  13: "unknown", // INTERNAL
  14: "retryable", // UNAVAILABLE
  16: "auth", // UNAUTHENTICATED
};

/**
 * gRPC codes that refuse the request (INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED,
 * RESOURCE_EXHAUSTED, FAILED_PRECONDITION, UNAUTHENTICATED): nothing was sent, whatever the HTTP
 * status. UNAVAILABLE (14) is not among them: gRPC warns that it is not always safe to repeat a
 * non-idempotent call after it, so on a 5xx it is an unknown outcome unless `Retry-After` says
 * "come back later".
 */
const GRPC_NOT_SENT = new Set(["3", "5", "7", "8", "9", "16"]);

/** Whether a failure read from a 5xx answer is a gRPC refusal (see {@link GRPC_NOT_SENT}). */
function documentedNotSent(failure: OtzovikError): boolean {
  return GRPC_NOT_SENT.has(failure.code);
}

/** Reads Exolve's undocumented error shapes: `{error:{message,code}}`, `{code,message}`, `{message}`. */
function readError(body: Record<string, unknown>): {
  code: string | null;
  grpc: number | null;
  message: string | null;
} {
  const nested = isRecord(body.error) ? body.error : null;
  const message =
    (typeof nested?.message === "string" && nested.message) ||
    (typeof body.error === "string" && body.error) ||
    (typeof body.message === "string" && body.message) ||
    null;
  const grpc = typeof body.code === "number" && Number.isInteger(body.code) ? body.code : null;
  const code = idString(nested?.code) ?? idString(body.code);
  return { code, grpc, message };
}

/**
 * Turns an Exolve refusal into an error. HTTP 401/403/429/503 decide first; then the gRPC code of
 * a gRPC-gateway body; then the HTTP status. Server errors other than 503 may have been acted on:
 * they become {@link DeliveryUnknownError} (Exolve has no idempotency key). A 503 is retryable
 * here; the transport still reports it as an unknown outcome unless it carries `Retry-After`.
 */
function exolveError(response: HttpResponse, body: Record<string, unknown>) {
  const { status } = response;
  const { code, grpc, message } = readError(body);
  let category: ErrorCategory | "unknown";
  if (status === 401) category = "auth";
  else if (status === 403) category = "config";
  else if (status === 429 || status === 503) category = "retryable";
  else if (grpc !== null && GRPC[grpc]) category = GRPC[grpc] ?? "permanent";
  else if (status >= 500) category = "unknown";
  else category = "permanent";
  if (category === "unknown") {
    return new DeliveryUnknownError(
      `Server error (HTTP ${status}): the message may or may not have been accepted. It was ` +
        "not retried; check the message list before sending again.",
      { provider: PROVIDER, reason: "gateway_error", httpStatus: status },
    );
  }
  const hint =
    category === "auth"
      ? " Check apiKey (EXOLVE_WHATSAPP_API_KEY)."
      : message?.includes("Destination")
        ? " The recipient must be 11 digits without +."
        : "";
  return new ProviderError(response.redact(`${message ?? `HTTP ${status}`}.${hint}`), {
    provider: PROVIDER,
    code: code ?? `http_${status}`,
    category,
    httpStatus: status,
    retryAfterMs: response.retryAfterMs,
    details: redactedDetails(response, body),
  });
}

/** What {@link createExolveClient} accepts. */
const optionsSchema = optionsObject({
  apiKey: secretOption,
  senderId: requiredText,
  whatsappPath: z.nullish(
    z.string("must be a string").check(
      z.trim(),
      z.overwrite((path) => path.replace(/^\/+/, "")),
      z.refine(
        (path) => /^[\w./-]+$/.test(path) && !path.includes(".."),
        "must be a plain path such as messaging/v1/SendWhatsApp",
      ),
    ),
  ),
  buildWhatsappBody: z.nullish(callback<(message: ExolveWhatsappMessage) => unknown>()),
  ...phoneClientOptionFields,
});

/**
 * Creates an MTS Exolve client.
 *
 * **Documented** (docs.exolve.ru, SMS API): `POST /messaging/v1/SendSMS` with
 * `Authorization: Bearer <API key>` and JSON `{ number, destination, text }`, answering
 * `{ message_id }`. `message_id` is an 18-digit integer that sometimes arrives unquoted; otzovik
 * reads it from the raw text and keeps every digit as a string.
 *
 * **Not documented** (assumptions, configurable): Exolve's error body (both `{error:{message}}` and
 * gRPC-gateway `{code,message,details}` are handled), its rate limits, and **any WhatsApp method**:
 * `sendWhatsapp` posts `{ number, destination, text }` to `whatsappPath` (default
 * `messaging/v1/SendWhatsApp`); set `whatsappPath` and `buildWhatsappBody` to what Exolve gives you.
 *
 * Exolve has no idempotency key: a timeout, and a 5xx answer other than a gRPC refusal or a 503
 * with `Retry-After`, are a `DeliveryUnknownError`, never retried.
 *
 * @throws {ConfigError} when `apiKey` or `senderId` is missing or an option is invalid.
 */
export function createExolveClient(options: ExolveClientOptions): ExolveClient {
  const valid = parseOptions(optionsSchema, options, { provider: PROVIDER });
  const { apiKey, senderId: rawSender } = valid;
  const resolved = resolvePhoneClientOptions(PROVIDER, valid, EXOLVE_BASE_URL);
  // A sender number goes out like a recipient: country code and digits (`8 999 …` → `7999…`).
  const sender = /^\+?[\d\s()-]+$/.test(rawSender)
    ? (normalizePhone(rawSender, resolved.defaultCountry).phone?.slice(1) ??
      rawSender.replace(/\D/g, ""))
    : rawSender;
  const whatsappPath = valid.whatsappPath ?? EXOLVE_DEFAULT_WHATSAPP_PATH;
  const buildWhatsappBody =
    valid.buildWhatsappBody ??
    ((m: ExolveWhatsappMessage) => ({
      number: m.sender,
      destination: m.destination,
      text: m.text,
    }));
  const transport = createTransport(resolved, [apiKey]);

  async function send(
    channel: "sms" | "whatsapp",
    path: string,
    phone: string,
    text: string,
    build: (m: ExolveWhatsappMessage) => unknown,
  ): Promise<SendResult> {
    const to = toRecipient(PROVIDER, phone, resolved.defaultCountry);
    const message = requireText(PROVIDER, text, MAX_TEXT);
    const body = build({ sender, destination: to.digits, text: message });
    const result = await transport.request(
      {
        method: "POST",
        path,
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
        body: JSON.stringify(body),
        idempotent: false,
        sendsMessage: true,
        notSent: documentedNotSent,
        operation: "send",
        phones: [to.e164, to.digits],
      },
      (response): SendResult => {
        const parsed = parseJsonLossless(response.text, ID_KEYS);
        if (!isRecord(parsed)) throw unexpectedResponse(PROVIDER, response);
        if (response.status >= 400) throw exolveError(response, parsed);
        const messageId = idString(parsed.message_id);
        if (messageId === null) throw unexpectedResponse(PROVIDER, response);
        return { provider: PROVIDER, channel, messageId, to: to.e164, dryRun: false, raw: parsed };
      },
    );
    resolved.logger.info(`${PROVIDER}: ${channel === "sms" ? "SMS" : "WhatsApp"} accepted`, {
      provider: PROVIDER,
      to: phoneForLog(resolved, to.e164),
      messageId: result.messageId,
    });
    return result;
  }

  return {
    provider: PROVIDER,
    sendSms: (phone, text) =>
      send("sms", EXOLVE_SMS_PATH, phone, text, (m) => ({
        number: m.sender,
        destination: m.destination,
        text: m.text,
      })),
    sendWhatsapp: (phone, text) => send("whatsapp", whatsappPath, phone, text, buildWhatsappBody),
  };
}
