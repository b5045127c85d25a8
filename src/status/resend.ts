import { bytesEqual, fromBase64, hmacSha256 } from "../core/secret.js";
import {
  accept,
  MAX_STATUS_BODY_BYTES,
  readByMethod,
  refuse,
  textAnswer,
  tooLarge,
} from "./answers.js";
import { jsonObjectOf } from "./body.js";
import {
  eventOf,
  field,
  isoTimeOf,
  listOf,
  messageIdOf,
  recipientOf,
  safeDetail,
} from "./fields.js";
import type {
  DeliveryMeaning,
  StatusReading,
  StatusRequest,
  StatusUpdate,
  StatusWebhooks,
} from "./types.js";

/**
 * Resend's webhooks (Resend → Webhooks), signed the Svix / Standard Webhooks way: headers
 * `svix-id`, `svix-timestamp` (UNIX seconds) and `svix-signature` (space-separated `v1,<base64>`,
 * several during a secret rotation); the signing secret is `whsec_` + base64 of the key; the
 * signature is HMAC-SHA256 over `${svix-id}.${svix-timestamp}.${raw body}`; a timestamp more than
 * 5 minutes away either way is refused, and the same `svix-id` delivered again is a replay.
 *
 * Written here rather than with the `standardwebhooks` package (which Resend's own SDK uses): its
 * `verify` takes the body as a string or a Node `Buffer` (a plain `Uint8Array`, what Deno, Bun and
 * Workers hand over, is rejected, and decoding to text first loses byte-exactness), throws instead
 * of saying why (stale and forged would have to be told apart by error message), parses the JSON
 * itself, and brings two more runtime dependencies for what is fifteen lines over the HMAC
 * otzovik already computes with `node:crypto` or Web Crypto. Checked against the Standard
 * Webhooks test vector in the tests.
 */

const PROVIDER = "resend";
/** How far the timestamp may be from now, either way. */
export const RESEND_TOLERANCE_MS = 5 * 60 * 1000;
/** Most signatures looked at in one header. */
const MAX_SIGNATURES = 16;
const encoder = new TextEncoder();

/**
 * What each Resend email event means; other `email.*` events are `info`. docs/delivery-tracking.md
 * lists every one; its test checks the list against this table.
 */
export const RESEND_EVENT_MEANINGS: Readonly<Record<string, DeliveryMeaning>> = {
  "email.sent": "progress",
  "email.scheduled": "progress",
  "email.delivery_delayed": "progress",
  "email.delivered": "delivered",
  // An open or a click proves delivery, as a WhatsApp `read` does: it counts when `delivered`
  // was lost or comes later.
  "email.opened": "delivered",
  "email.clicked": "delivered",
  "email.bounced": "undelivered",
  "email.failed": "undelivered",
  "email.suppressed": "undelivered",
  "email.complained": "info",
};

/**
 * The key of a Resend signing secret (`whsec_` + base64; the prefix may be left off), or `null`
 * when it is not one.
 */
export function resendSigningKey(secret: string): Uint8Array | null {
  const key = fromBase64(secret.startsWith("whsec_") ? secret.slice(6) : secret);
  return key !== null && key.length > 0 ? key : null;
}

/** Options of {@link createResendStatusWebhooks}. */
export interface ResendStatusOptions {
  /** The webhook's signing secret, `whsec_…`; without it every POST is refused (401). */
  readonly webhookSecret?: string | null;
  /** The clock, ms since the epoch (tests). Default `Date.now`. */
  readonly now?: () => number;
}

/** The reader of Resend's webhooks for one signing secret, kept in the closure. */
export function createResendStatusWebhooks(options: ResendStatusOptions = {}): StatusWebhooks {
  const secret = options.webhookSecret ?? null;
  const key = secret === null ? null : resendSigningKey(secret);
  const now = options.now ?? Date.now;

  async function post(request: StatusRequest): Promise<StatusReading> {
    if (key === null)
      return refuse(
        "not_configured",
        "no valid webhookSecret is configured: Resend webhooks are refused",
      );
    if (request.body.length > MAX_STATUS_BODY_BYTES) return tooLarge(request.body.length);
    const id = header(request, "id");
    const timestamp = header(request, "timestamp");
    const signatures = header(request, "signature");
    if (id === null || timestamp === null || signatures === null)
      return refuse("unsigned", "svix-id, svix-timestamp or svix-signature is missing");
    if (messageIdOf(id) !== id) return refuse("bad_signature", "svix-id is malformed");
    if (!/^\d{1,12}$/.test(timestamp))
      return refuse("bad_signature", "svix-timestamp is not UNIX seconds");

    const prefix = encoder.encode(`${id}.${timestamp}.`);
    const content = new Uint8Array(prefix.length + request.body.length);
    content.set(prefix);
    content.set(request.body, prefix.length);
    const expected = await hmacSha256(key, content);
    let matched = false;
    for (const candidate of signatures.split(" ").slice(0, MAX_SIGNATURES)) {
      const comma = candidate.indexOf(",");
      if (comma < 0 || candidate.slice(0, comma) !== "v1") continue;
      const presented = fromBase64(candidate.slice(comma + 1));
      // Every candidate is compared, so the time taken does not tell which one matched.
      if (presented !== null && bytesEqual(expected, presented)) matched = true;
    }
    if (!matched)
      return refuse("bad_signature", "no v1 signature matches the body and webhookSecret");
    const skew = now() - Number(timestamp) * 1000;
    if (Math.abs(skew) > RESEND_TOLERANCE_MS)
      return refuse(
        "stale",
        `svix-timestamp is ${Math.round(Math.abs(skew) / 1000)} s ${skew > 0 ? "old" : "ahead"}, more than 300 s`,
      );

    const decoded = jsonObjectOf(request.body);
    if (!decoded.ok) return refuse("bad_request", decoded.detail);
    const update = updateOf(decoded.value);
    return accept(update ? [update] : [], textAnswer(200, ""), id);
  }

  return {
    provider: PROVIDER,
    configured: key !== null,
    read: (request) => readByMethod(request, { POST: post }),
  };
}

/** A signature header by its Svix name, or its Standard Webhooks name (`webhook-…`). */
function header(request: StatusRequest, name: "id" | "timestamp" | "signature"): string | null {
  const value = request.headers(`svix-${name}`) ?? request.headers(`webhook-${name}`);
  const trimmed = value?.trim() ?? "";
  return trimmed === "" ? null : trimmed;
}

/**
 * The update an event carries: `email.*` events about a sent email (`data.email_id`); `null` for
 * `email.received` (an inbound email), other kinds (`contact.*`, `domain.*`) and unusable bodies.
 */
function updateOf(body: Record<string, unknown>): StatusUpdate | null {
  const event = eventOf(field(body, "type"));
  if (event === null || !event.startsWith("email.") || event === "email.received") return null;
  const data = field(body, "data");
  const messageId = messageIdOf(field(data, "email_id"));
  if (messageId === null) return null;
  const meaning = Object.hasOwn(RESEND_EVENT_MEANINGS, event)
    ? (RESEND_EVENT_MEANINGS[event] as DeliveryMeaning)
    : "info";
  const outcome = outcomeOf(event, data);
  return {
    provider: PROVIDER,
    messageId,
    event,
    meaning,
    fallback: outcome.fallback,
    optOut: event === "email.complained",
    code: outcome.code,
    detail: outcome.detail,
    at: isoTimeOf(field(body, "created_at")),
    recipient: recipientOf(listOf(field(data, "to"))[0]),
  };
}

/** Fallback, code and detail of an event. */
function outcomeOf(
  event: string,
  data: unknown,
): { fallback: boolean; code: string | null; detail: string | null } {
  if (event === "email.bounced") {
    const bounce = field(data, "bounce");
    const type = eventOf(field(bounce, "type"));
    const subType = eventOf(field(bounce, "subType"));
    // Resend sends `email.bounced` when the receiving server "permanently rejected the email";
    // only a bounce it marks `Transient` (soft: mailbox full, message too large) may still get
    // through another time, so that one alone does not move to the next channel.
    return {
      fallback: type !== "Transient",
      code: type === null ? null : subType === null ? type : `${type}/${subType}`,
      detail: safeDetail(field(bounce, "message")),
    };
  }
  if (event === "email.failed")
    return {
      fallback: true,
      code: null,
      detail: safeDetail(field(field(data, "failed"), "reason")),
    };
  if (event === "email.suppressed") {
    const suppressed = field(data, "suppressed");
    return {
      fallback: true,
      code: eventOf(field(suppressed, "type")),
      detail: safeDetail(field(suppressed, "message")),
    };
  }
  if (event === "email.complained")
    return { fallback: false, code: null, detail: "The recipient marked the email as spam." };
  return { fallback: false, code: null, detail: null };
}
