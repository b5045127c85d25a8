/**
 * What a provider's status webhook (delivery report) says, once read and verified: the shapes the
 * receivers in this folder produce and the requester consumes.
 */

/**
 * What a provider's status report means for the order:
 * - `progress`: on its way (sent, accepted, queued, delayed);
 * - `delivered`: it reached the person (delivered, read, opened, clicked);
 * - `undelivered`: it will not reach them (failed, bounced, expired, rejected);
 * - `info`: anything else (a complaint, a status otzovik does not know).
 */
export type DeliveryMeaning = "progress" | "delivered" | "undelivered" | "info";

/** One status a provider reported for one message, as read from a verified status webhook. */
export interface StatusUpdate {
  /** The provider that reported it: `"meta"`, `"sms.ru"` or `"resend"`. */
  readonly provider: string;
  /**
   * The provider's id of the message, as the send returned it: a WhatsApp `wamid.…`, an SMS.ru
   * `000000-000001`, a Resend `email_id`. Printable ASCII, at most 256 characters.
   */
  readonly messageId: string;
  /** The provider's own name for the status: `"failed"`, `"delivered"`, `"104"`, `"email.bounced"`. */
  readonly event: string;
  /** What the status means for the order. */
  readonly meaning: DeliveryMeaning;
  /**
   * `true` when the message will not arrive and another channel should be tried: a WhatsApp
   * `failed` status (131047 outside the 24-hour window, 131026 not a WhatsApp user, 131049 and the
   * like; not 131050), SMS.ru 104–108 and 150, a Resend hard bounce, a failed or suppressed email.
   * `false` for everything else, including a soft (transient) bounce.
   */
  readonly fallback: boolean;
  /** `true` when the person refused messages: WhatsApp 131050, a Resend spam complaint. */
  readonly optOut: boolean;
  /** The provider's code: `"131047"`, `"104"`, `"Permanent/General"`; `null` when none. */
  readonly code: string | null;
  /** A short explanation (at most 200 characters); never a phone number or an email address. */
  readonly detail: string | null;
  /** When the provider says it happened, in ms since the epoch; `null` when it does not say. */
  readonly at: number | null;
  /**
   * The recipient as the provider reports it (Meta `recipient_id` digits, Resend `to[0]`), to
   * compare with a hash of the recipient the message was sent to. Never log it.
   */
  readonly recipient: string | null;
}

/** An HTTP request carrying a status webhook, as an adapter hands it to a receiver. */
export interface StatusRequest {
  /** `"GET"`, `"POST"`, … */
  readonly method: string;
  /** A header's value by name (any case), or `null` when absent. */
  readonly headers: (name: string) => string | null;
  /** The URL's query parameters. */
  readonly query: URLSearchParams;
  /** The body exactly as received: signatures are over these bytes. */
  readonly body: Uint8Array;
}

/** The HTTP answer a receiver wants sent back to the provider. */
export interface StatusAnswer {
  /** HTTP status code. */
  readonly status: number;
  /** `Content-Type` of the answer. */
  readonly contentType: string;
  /** The answer's body. */
  readonly body: string;
}

/** Why a status webhook was refused. */
export type StatusRefusal =
  | "unsigned"
  | "bad_signature"
  | "stale"
  | "not_configured"
  | "bad_request"
  | "handshake_refused";

/**
 * What a receiver made of a request: verified updates (`ok: true`), a refusal (`ok: false`,
 * nothing in it may be acted on), or Meta's subscription handshake answered (`ok: "handshake"`).
 */
export type StatusReading =
  | {
      /** Verified and read. */
      readonly ok: true;
      /** The statuses read, in the order the provider sent them (at most 1,000 a request). */
      readonly updates: readonly StatusUpdate[];
      /** What to answer the provider. */
      readonly answer: StatusAnswer;
      /** The provider's id of this delivery, for replay dedupe (Resend `svix-id`); else `null`. */
      readonly deliveryId: string | null;
    }
  | {
      /** Refused: act on nothing in it. */
      readonly ok: false;
      /** What to answer: 401 unsigned or unverifiable, 403 refused handshake, 400 unreadable. */
      readonly answer: StatusAnswer;
      /** Why it was refused. */
      readonly reason: StatusRefusal;
      /** A short explanation for a log line; never a secret, a phone or an email. */
      readonly detail: string;
    }
  | {
      /** Meta's subscription check, answered. */
      readonly ok: "handshake";
      /** The answer to Meta's subscription check: the challenge, as plain text. */
      readonly answer: StatusAnswer;
    };

/**
 * How a provider client reads its status webhooks (delivery reports). Built-in clients have one
 * (`client.statusWebhooks`); a client of your own may implement it.
 *
 * @example
 * const wa = createMetaWhatsappClient({ accessToken, phoneNumberId, appSecret, verifyToken })
 * const reading = await wa.statusWebhooks.read({ method, headers, query, body })
 * if (reading.ok === true) for (const update of reading.updates) console.log(update.meaning)
 */
export interface StatusWebhooks {
  /** The provider whose webhooks it reads: `"meta"`, `"sms.ru"`, `"resend"`. */
  readonly provider: string;
  /**
   * `false` when no signing secret is configured: every status POST is then refused with 401,
   * never accepted unsigned.
   */
  readonly configured: boolean;
  /** Verifies and reads one request. Never throws: a hostile request gives a refusal. */
  read(request: StatusRequest): Promise<StatusReading>;
}
