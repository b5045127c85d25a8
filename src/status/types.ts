/**
 * Status webhooks (delivery reports): what a provider tells after the send, read into
 * {@link StatusUpdate}s by the client that sent (its {@link StatusWebhooks}).
 */

/** What a provider's status report means for the order. */
export type DeliveryMeaning = "progress" | "delivered" | "undelivered" | "info";

/** One status a provider reported for one message. */
export interface StatusUpdate {
  /** The provider: `"meta"`, `"sms.ru"`, `"resend"` or your own client's name. */
  readonly provider: string;
  /** The message id the send returned (`SendResult.messageId`). */
  readonly messageId: string;
  /** The provider's own name for it: `"failed"`, `"delivered"`, `"104"`, `"email.bounced"`. */
  readonly event: string;
  /**
   * `progress`: accepted, queued, sent on; `delivered`: delivered (or read); `undelivered`: it
   * will not arrive; `info`: anything else (opened, clicked, a complaint).
   */
  readonly meaning: DeliveryMeaning;
  /** `true` when it did not arrive and the next channel should be tried (WhatsApp 131047, SMS.ru 104, a hard bounce). */
  readonly fallback: boolean;
  /** `true` when the person refused messages (WhatsApp 131050, a spam complaint): opt them out. */
  readonly optOut: boolean;
  /** The provider's code (`"131047"`, `"104"`, a bounce type), or `null`. */
  readonly code: string | null;
  /** A short explanation (at most 200 characters, never a phone or an address), or `null`. */
  readonly detail: string | null;
  /** When the provider says it happened, ms since the epoch, or `null`. */
  readonly at: number | null;
  /**
   * The recipient as the provider reports it (Meta's `recipient_id` digits, Resend's first `to`),
   * or `null`: only ever compared with a hash, never logged.
   */
  readonly recipient: string | null;
}

/** A status webhook request, as an adapter hands it over. */
export interface StatusRequest {
  /** `"GET"` (Meta's subscription check) or `"POST"`. */
  readonly method: string;
  /** A header's value (case-insensitive name), or `null`. */
  readonly headers: (name: string) => string | null;
  /** The query string. */
  readonly query: URLSearchParams;
  /** The raw body bytes: signatures are over them, not over parsed and re-serialised JSON. */
  readonly body: Uint8Array;
}

/** The HTTP answer for the provider. */
export interface StatusAnswer {
  /** HTTP status. */
  readonly status: number;
  /** `Content-Type` of the body. */
  readonly contentType: string;
  /** The body (SMS.ru expects `100`). */
  readonly body: string;
}

/** What reading one status webhook request came to. */
export type StatusReading =
  | {
      /** Verified and read. */
      readonly ok: true;
      /** The statuses it carried (none for an event that is not about a message). */
      readonly updates: readonly StatusUpdate[];
      /** What to answer once they are recorded. */
      readonly answer: StatusAnswer;
      /** The provider's delivery id (Resend's `svix-id`), or `null`. */
      readonly deliveryId: string | null;
    }
  | {
      /** Refused: nothing may change. */
      readonly ok: false;
      /** The refusal (401 for a signature, 403 for a refused subscription check, 400 for a body). */
      readonly answer: StatusAnswer;
      /** Why, for logs. */
      readonly reason:
        | "unsigned"
        | "bad_signature"
        | "stale"
        | "not_configured"
        | "bad_request"
        | "handshake_refused";
      /** A short explanation for logs (no secret, no body content). */
      readonly detail: string;
    }
  | {
      /** Meta's subscription check, answered. */
      readonly ok: "handshake";
      /** The challenge, echoed. */
      readonly answer: StatusAnswer;
    };

/**
 * How a provider client reads its status webhooks. The built-in clients have it (given their
 * secret); a client of your own may implement it.
 */
export interface StatusWebhooks {
  /** The provider whose webhooks these are. */
  readonly provider: string;
  /** `false` when no secret is configured: every request is refused (401), never read unsigned. */
  readonly configured: boolean;
  /** Verifies and reads one request. Never throws on a hostile body: it refuses it. */
  read(request: StatusRequest): Promise<StatusReading>;
}
