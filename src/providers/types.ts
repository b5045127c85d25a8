import type { StatusWebhooks } from "../status/types.js";

export type { ClientOptions, PhoneClientOptions, RetryOptions } from "../transport/types.js";

/** The channel a message went out on. */
export type Channel = "sms" | "whatsapp" | "email";

/**
 * The names of otzovik's built-in providers. A sender's `provider` is any string: your own client
 * (`"my-sms"`) works wherever a built-in one does.
 */
export type ProviderName = "sms.ru" | "meta" | "exolve" | "resend";

/**
 * What a successful send resolves to. A success means the provider **accepted** the message;
 * delivery is reported later (SMS.ru `sms/status`, Meta status webhooks, Resend events).
 */
export interface SendResult {
  /** The provider that accepted the message: a {@link ProviderName} or your own client's name. */
  readonly provider: string;
  /** The channel it went out on. */
  readonly channel: Channel;
  /**
   * The provider's message id, always a string (Exolve's 18-digit ids do not fit a JS number).
   * In a dry run, a generated `dry-run-…` id.
   */
  readonly messageId: string;
  /** The recipient: an E.164 phone (`+79161234567`) or the email address(es), comma-separated. */
  readonly to: string;
  /** `true` when nothing was sent because the provider is not configured (dev mode). */
  readonly dryRun: boolean;
  /** The provider's parsed answer (ids and money as strings), for debugging and auditing. */
  readonly raw?: unknown;
}

/**
 * Anything that can send an SMS: `SmsRuClient`, `ExolveClient`, or your own client.
 *
 * A client of your own reports failures by throwing an `OtzovikError` (usually a `ProviderError`)
 * whose `category` says what happened: `opted_out` for a stop list, `not_on_channel` when the
 * number cannot be reached this way, `unknown_outcome` when the message may have gone out. Any
 * other thrown value counts as `unknown_outcome`: it is never sent again.
 *
 * @example
 * const mySms: SmsSender = {
 *   provider: "my-sms",
 *   async sendSms(phone, text) {
 *     const id = await myGateway.send(phone, text)
 *     return { provider: "my-sms", channel: "sms", messageId: id, to: phone, dryRun: false }
 *   },
 * }
 */
export interface SmsSender {
  /** The provider's name: a {@link ProviderName} or your own (`"my-sms"`). */
  readonly provider: string;
  /**
   * Reads this provider's status webhooks (delivery reports), when it has them: built-in clients
   * do (Exolve excepted); a client of your own may.
   */
  readonly statusWebhooks?: StatusWebhooks;
  /**
   * Sends one SMS.
   *
   * @param phone - Recipient in any common spelling (`+7 916 …`, `8 (916) …`, `79161234567`).
   * @param text - Message text.
   */
  sendSms(phone: string, text: string): Promise<SendResult>;
}

/**
 * Anything that can send a free-form WhatsApp text: `MetaWhatsappClient`, `ExolveClient`, or your
 * own client (errors as for {@link SmsSender}).
 */
export interface WhatsappSender {
  /** The provider's name: a {@link ProviderName} or your own. */
  readonly provider: string;
  /**
   * Reads this provider's status webhooks (delivery reports), when it has them: built-in clients
   * do (Exolve excepted); a client of your own may.
   */
  readonly statusWebhooks?: StatusWebhooks;
  /**
   * Sends a free-form WhatsApp text. Meta accepts it only within 24 hours of the customer's last
   * message to you; otherwise use a template.
   *
   * @param phone - Recipient in any common spelling.
   * @param text - Message text.
   */
  sendWhatsapp(phone: string, text: string): Promise<SendResult>;
}

/** A Resend tag, for analytics. */
export interface EmailTag {
  /** Tag name: ASCII letters, digits, `_` and `-`. */
  readonly name: string;
  /** Tag value: ASCII letters, digits, `_` and `-`. */
  readonly value: string;
}

/** One email, as {@link EmailSender.sendEmail} takes it. */
export interface EmailMessage {
  /** Recipient address, or up to 50 of them. */
  readonly to: string | readonly string[];
  /** Subject line. */
  readonly subject: string;
  /** HTML body. At least one of `html` and `text` is required. */
  readonly html?: string;
  /** Plain-text body. */
  readonly text?: string;
  /** Sender, `"Name <address>"` or an address. Defaults to the client's `from`. */
  readonly from?: string;
  /** Reply-To address(es). */
  readonly replyTo?: string | readonly string[];
  /** Carbon-copy address(es). */
  readonly cc?: string | readonly string[];
  /** Blind-copy address(es). */
  readonly bcc?: string | readonly string[];
  /** Tags for analytics; names and values: ASCII letters, digits, `_` and `-` only. */
  readonly tags?: readonly EmailTag[];
  /** Extra email headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Deduplication key kept by the provider for 24 h (1–256 characters), e.g.
   * `review-request/<order id>`: a repeated send with the same key and body is not sent twice.
   * Derive it from the order, so that a retry from another process or a later attempt is
   * deduplicated too. Default: a fresh key per call, which covers otzovik's in-client retries only.
   */
  readonly idempotencyKey?: string;
}

/** Anything that can send an email: `ResendClient`, or your own client (errors as for {@link SmsSender}). */
export interface EmailSender {
  /** The provider's name: a {@link ProviderName} or your own. */
  readonly provider: string;
  /**
   * Reads this provider's status webhooks (delivery reports), when it has them: built-in clients
   * do (Exolve excepted); a client of your own may.
   */
  readonly statusWebhooks?: StatusWebhooks;
  /** Sends one email. */
  sendEmail(message: EmailMessage): Promise<SendResult>;
}
