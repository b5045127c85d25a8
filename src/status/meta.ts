import type { ErrorCategory } from "../core/errors.js";
import { bytesEqual, fromHex, hmacSha256, secretMatcher } from "../core/secret.js";
import { classifyMetaCode, metaCodeHint } from "../providers/meta-codes.js";
import {
  accept,
  MAX_STATUS_BODY_BYTES,
  MAX_STATUS_UPDATES,
  readByMethod,
  refuse,
  textAnswer,
  tooLarge,
} from "./answers.js";
import { jsonObjectOf } from "./body.js";
import {
  eventOf,
  field,
  listOf,
  messageIdOf,
  recipientOf,
  safeDetail,
  unixSecondsOf,
} from "./fields.js";
import type {
  DeliveryMeaning,
  StatusReading,
  StatusRequest,
  StatusUpdate,
  StatusWebhooks,
} from "./types.js";

/**
 * Meta WhatsApp Cloud API status webhooks ("Webhooks" of the app in Meta's App Dashboard, field
 * `messages`):
 * - the subscription check is a GET with `hub.mode=subscribe`, `hub.verify_token` (the token you
 *   chose) and `hub.challenge`, answered with the challenge as plain text when the token matches,
 *   403 otherwise;
 * - every POST carries `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the raw body keyed
 *   with the app secret (App Dashboard → Settings → Basic); re-serialised JSON would not match;
 * - the body is `{ object: "whatsapp_business_account", entry: [{ changes: [{ field: "messages",
 *   value: { statuses: [...] } }] }] }`; each status has the `wamid` as `id`, `status` (`sent`,
 *   `delivered`, `read`, `failed`), `timestamp` (UNIX seconds, a string), `recipient_id`, and for
 *   `failed` an `errors[]` of `{ code, title, message, error_data.details }`. Inbound `messages[]`
 *   are not statuses and are skipped. Statuses come out of order and more than once.
 */

const PROVIDER = "meta";
/** The header carrying the signature. */
const SIGNATURE_HEADER = "x-hub-signature-256";
/** Most array items (entries, changes, statuses) looked at in one body. */
const MAX_VISITS = 10_000;
/** Longest `hub.challenge` echoed (Meta sends a number). */
const MAX_CHALLENGE = 512;

/**
 * What each Meta status means (any other is `info`). `played` is a voice message listened to.
 * docs/delivery-tracking.md lists every one; its test checks the list against this table.
 */
export const META_STATUS_MEANINGS: Readonly<Record<string, DeliveryMeaning>> = {
  sent: "progress",
  delivered: "delivered",
  read: "delivered",
  played: "delivered",
  failed: "undelivered",
};

/** Options of {@link createMetaStatusWebhooks}. */
export interface MetaStatusOptions {
  /** The app secret that signs POSTs; without it every POST is refused (401). */
  readonly appSecret?: string | null;
  /** The token you typed in Meta's webhook setup; without it the handshake is refused (403). */
  readonly verifyToken?: string | null;
}

/**
 * The reader of Meta's status webhooks for one app. Secrets are kept in the closure, never on
 * the returned object.
 */
export function createMetaStatusWebhooks(options: MetaStatusOptions = {}): StatusWebhooks {
  const appSecret = options.appSecret ?? null;
  const key = appSecret === null ? null : new TextEncoder().encode(appSecret);
  const verifyToken = options.verifyToken ?? null;
  // Made on the first handshake, not here: Workers allow no crypto while a module loads.
  let tokenMatcher: ((presented: string) => Promise<number>) | null = null;

  async function handshake(query: URLSearchParams): Promise<StatusReading> {
    if (verifyToken === null)
      return refuse("handshake_refused", "no verifyToken is configured for Meta webhooks");
    if (query.get("hub.mode") !== "subscribe")
      return refuse("handshake_refused", "hub.mode is not subscribe");
    const challenge = query.get("hub.challenge") ?? "";
    if (!/^[\x21-\x7e]+$/.test(challenge) || challenge.length > MAX_CHALLENGE)
      return refuse("handshake_refused", "hub.challenge is missing or malformed");
    const token = query.get("hub.verify_token");
    if (token === null) return refuse("handshake_refused", "hub.verify_token is missing");
    tokenMatcher ??= secretMatcher([verifyToken]);
    if ((await tokenMatcher(token)) !== 0)
      return refuse("handshake_refused", "hub.verify_token does not match verifyToken");
    return { ok: "handshake", answer: textAnswer(200, challenge) };
  }

  async function post(request: StatusRequest): Promise<StatusReading> {
    if (key === null)
      return refuse("not_configured", "no appSecret is configured: Meta status POSTs are refused");
    if (request.body.length > MAX_STATUS_BODY_BYTES) return tooLarge(request.body.length);
    const header = request.headers(SIGNATURE_HEADER);
    if (header === null || header.trim() === "")
      return refuse("unsigned", "the X-Hub-Signature-256 header is missing");
    const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
    const presented = match ? fromHex(match[1] as string) : null;
    if (presented === null)
      return refuse("bad_signature", "X-Hub-Signature-256 is not sha256=<64 hex digits>");
    const expected = await hmacSha256(key, request.body);
    if (!bytesEqual(expected, presented))
      return refuse("bad_signature", "X-Hub-Signature-256 does not match the body and appSecret");

    const decoded = jsonObjectOf(request.body);
    if (!decoded.ok) return refuse("bad_request", decoded.detail);
    return accept(statusesOf(decoded.value), textAnswer(200, ""));
  }

  return {
    provider: PROVIDER,
    configured: key !== null,
    read: (request) => readByMethod(request, { GET: (r) => handshake(r.query), POST: post }),
  };
}

/** The statuses of a verified body, in order, at most {@link MAX_STATUS_UPDATES}. */
function statusesOf(body: Record<string, unknown>): StatusUpdate[] {
  const updates: StatusUpdate[] = [];
  let visits = 0;
  for (const entry of listOf(field(body, "entry"))) {
    if (++visits > MAX_VISITS) break;
    for (const change of listOf(field(entry, "changes"))) {
      if (++visits > MAX_VISITS) break;
      // Inbound `messages[]` sit beside `statuses[]` in the same value: they are not statuses.
      for (const status of listOf(field(field(change, "value"), "statuses"))) {
        if (++visits > MAX_VISITS || updates.length >= MAX_STATUS_UPDATES) return updates;
        const update = updateOf(status);
        if (update) updates.push(update);
      }
    }
  }
  return updates;
}

/** One `statuses[]` item as an update, or `null` when it has no usable id or status. */
function updateOf(status: unknown): StatusUpdate | null {
  const messageId = messageIdOf(field(status, "id"));
  const event = eventOf(field(status, "status"));
  if (messageId === null || event === null) return null;
  const meaning = Object.hasOwn(META_STATUS_MEANINGS, event)
    ? (META_STATUS_MEANINGS[event] as DeliveryMeaning)
    : "info";
  const error = listOf(field(status, "errors"))[0];
  const rawCode = field(error, "code");
  const code =
    typeof rawCode === "number" && Number.isSafeInteger(rawCode)
      ? rawCode
      : typeof rawCode === "string" && /^\d{1,9}$/.test(rawCode)
        ? Number(rawCode)
        : null;
  // A failed status is final for that message (Meta does not send it again): every failure but an
  // opt-out means "try the next channel". Categories come from the send's own table.
  const category: ErrorCategory | null =
    meaning === "undelivered" ? classifyMetaCode(code, 200) : null;
  return {
    provider: PROVIDER,
    messageId,
    event,
    meaning,
    fallback: meaning === "undelivered" && category !== "opted_out",
    optOut: category === "opted_out",
    code: code === null ? null : String(code),
    detail: meaning === "undelivered" ? failureDetail(code, error) : null,
    at: unixSecondsOf(field(status, "timestamp")),
    recipient: recipientOf(field(status, "recipient_id")),
  };
}

/** otzovik's hint for a known code, else Meta's title or details, made safe to log. */
function failureDetail(code: number | null, error: unknown): string | null {
  const hint = code === null ? null : metaCodeHint(code);
  if (hint !== null) return hint;
  return (
    safeDetail(field(field(error, "error_data"), "details")) ??
    safeDetail(field(error, "title")) ??
    safeDetail(field(error, "message"))
  );
}
