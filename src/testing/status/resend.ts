import { hmacSha256, toBase64 } from "../../core/secret.js";
import { resendSigningKey } from "../../status/resend.js";

/** What {@link resendEventPayload} builds an event of. */
export interface ResendEventOptions {
  /** The event: `email.sent`, `email.delivered`, `email.bounced`, `email.complained`, … */
  readonly type: string;
  /** The id `POST /emails` returned (`data.email_id`). */
  readonly emailId: string;
  /** The recipient(s). Default `"delivered@resend.dev"`. */
  readonly to?: string | readonly string[];
  /** The sender. Default `"Acme <onboarding@resend.dev>"`. */
  readonly from?: string;
  /** The subject. Default `"Оцените визит"`. */
  readonly subject?: string;
  /** When the event happened. Default now. */
  readonly createdAt?: Date;
  /**
   * For `email.bounced`: the bounce. Default a permanent one (`Permanent`, `General`). `Transient`
   * is a soft bounce.
   */
  readonly bounce?: {
    /** `Permanent`, `Transient` or `Undetermined`. */
    readonly type: string;
    /** `General`, `NoEmail`, `Suppressed`, `MailboxFull`, … */
    readonly subType?: string;
    /** The receiving server's explanation. */
    readonly message?: string;
  };
}

/** A Resend webhook event, as {@link resendEventPayload} builds it. */
export interface ResendEventPayload {
  /** The event type. */
  readonly type: string;
  /** ISO 8601 time of the event. */
  readonly created_at: string;
  /** The email's fields (`email_id`, `from`, `to`, `subject`, `created_at`, and `bounce` for a bounce). */
  readonly data: Record<string, unknown>;
}

/**
 * Builds a webhook event shaped like Resend's (`{ type, created_at, data: { email_id, from, to,
 * subject, … } }`, with `data.bounce` for `email.bounced`). Sign it with {@link signResendEvent}.
 *
 * @example
 * const event = resendEventPayload({ type: "email.bounced", emailId: sent.messageId, to: "anna@mail.ru" })
 */
export function resendEventPayload(options: ResendEventOptions): ResendEventPayload {
  if (typeof options.emailId !== "string" || options.emailId === "")
    throw new TypeError("resendEventPayload: emailId must be a non-empty string");
  const at = (options.createdAt ?? new Date()).toISOString();
  const to = options.to ?? "delivered@resend.dev";
  const data: Record<string, unknown> = {
    created_at: at,
    email_id: options.emailId,
    from: options.from ?? "Acme <onboarding@resend.dev>",
    to: typeof to === "string" ? [to] : [...to],
    subject: options.subject ?? "Оцените визит",
  };
  if (options.type === "email.bounced") {
    const bounce = options.bounce ?? { type: "Permanent", subType: "General" };
    data.bounce = {
      message:
        bounce.message ??
        "The recipient's email provider sent a hard bounce message, but didn't specify the reason for the hard bounce.",
      subType: bounce.subType ?? "General",
      type: bounce.type,
    };
  }
  return { type: options.type, created_at: at, data };
}

/** A signed Resend webhook: the body to POST and the headers to send with it. */
export interface SignedResendEvent {
  /** The body, exactly as signed. */
  readonly body: string;
  /** `svix-id`, `svix-timestamp` and `svix-signature` (plus `content-type`). */
  readonly headers: {
    /** The delivery's id; the same id again is a replay. */
    readonly "svix-id": string;
    /** UNIX seconds. */
    readonly "svix-timestamp": string;
    /** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. */
    readonly "svix-signature": string;
    /** `application/json`. */
    readonly "content-type": string;
  };
}

/** Options of {@link signResendEvent}. */
export interface SignResendEventOptions {
  /** The `svix-id`. Default a fresh `msg_…`. Reuse one to test replays. */
  readonly id?: string;
  /** The `svix-timestamp`: a `Date`, or UNIX seconds. Default now. */
  readonly timestamp?: Date | number;
}

/**
 * Signs a webhook the way Resend does (Svix / Standard Webhooks): `svix-signature` is
 * `v1,` and the base64 HMAC-SHA256 of `${svix-id}.${svix-timestamp}.${body}`, keyed with the
 * base64 key after `whsec_`.
 *
 * @param payload - The event (stringified here) or the exact body string.
 * @param webhookSecret - The signing secret the client under test was given (`whsec_…`).
 * @throws {TypeError} when `webhookSecret` is not a `whsec_` secret.
 *
 * @example
 * const { body, headers } = await signResendEvent(
 *   resendEventPayload({ type: "email.complained", emailId }),
 *   "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
 * )
 * await fetch("http://localhost:3000/api/status/resend", { method: "POST", headers, body })
 */
export async function signResendEvent(
  payload: string | ResendEventPayload | Record<string, unknown>,
  webhookSecret: string,
  options: SignResendEventOptions = {},
): Promise<SignedResendEvent> {
  const key = typeof webhookSecret === "string" ? resendSigningKey(webhookSecret) : null;
  if (key === null)
    throw new TypeError('signResendEvent: webhookSecret must be a "whsec_…" signing secret');
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const id = options.id ?? `msg_${randomId()}`;
  const seconds =
    options.timestamp instanceof Date
      ? Math.floor(options.timestamp.getTime() / 1000)
      : (options.timestamp ?? Math.floor(Date.now() / 1000));
  const mac = await hmacSha256(key, new TextEncoder().encode(`${id}.${seconds}.${body}`));
  return {
    body,
    headers: {
      "svix-id": id,
      "svix-timestamp": String(seconds),
      "svix-signature": `v1,${toBase64(mac)}`,
      "content-type": "application/json",
    },
  };
}

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** 24 random base-62 characters, like Svix's message ids. */
function randomId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(24)), (b) => ALPHABET[b % 62]).join("");
}
