import type { CountryCode } from "../core/phone.js";
import type { SkipReason } from "../core/skip-reasons.js";

// The parsers' reasons live in the one table of skip reasons (src/core/skip-reasons.ts).
export type { SkipReason } from "../core/skip-reasons.js";
// Derived from the registry (src/sources/registry.ts); re-exported here for existing imports.
export type { SourceName } from "./registry.js";

/**
 * What a caller needs to look a customer's phone up when the webhook does not carry it (amoCRM
 * status webhooks never do). The source's {@link SourceLookup} reads it; for amoCRM, pass it to
 * the amoCRM API client. A source's lookup may carry more fields than these.
 */
export interface PhoneLookup {
  /** What to look up, prefixed with the source's name: `"amocrm_lead"` for amoCRM. */
  readonly kind: string;
  /** The id of the record whose phone is looked up: for amoCRM, the lead (deal) id. */
  readonly leadId: string;
  /** The account subdomain from the body (amoCRM: `account[subdomain]`), or `null`. */
  readonly subdomain: string | null;
  /**
   * The account's API origin from the body (amoCRM: `https://{subdomain}.amocrm.ru`,
   * `.amocrm.com` or `.kommo.com`), or `null`. amoCRM reports only origins on amoCRM's and
   * Kommo's own domains, so a forged body cannot point your token at another host; still prefer
   * the base URL you configured.
   */
  readonly baseUrl: string | null;
  /** Whatever else a source's lookup needs. */
  readonly [field: string]: unknown;
}

/** One event of a webhook body, as read by a parser. */
export interface ParsedEvent {
  /** The system the event came from: a {@link SourceName}, or a custom source's name. */
  readonly source: string;
  /**
   * The source's own event type: iiko `eventType` (`DeliveryOrderUpdate`), YCLIENTS
   * `resource.status` (`record.update`), amoCRM `entity.action` (`leads.status`), R-Keeper
   * `order` (or White Server's `eventType`). `null` when the body does not say.
   */
  readonly type: string | null;
  /**
   * Order, record or lead id as a string (the key to deduplicate by), or `null`. The built-in
   * parsers report at most 200 characters, without control, line-separator or bidi characters
   * (they are removed); an event whose id is longer is `invalid_payload`.
   */
  readonly id: string | null;
  /** The status as the source gave it (`Delivered`, `Выполнен`, `1`, `142`), or `null`. */
  readonly status: string | null;
  /** The customer's phone in E.164 (`+79161234567`), or `null`. */
  readonly phone: string | null;
  /** `true` when this event should produce a review request. */
  readonly shouldSend: boolean;
  /** Why not, when `shouldSend` is `false`; `null` when sending. */
  readonly reason: SkipReason | null;
  /** A short human-readable explanation for `reason`, or `null`. Never contains the phone. */
  readonly detail: string | null;
  /** The customer's name as the source has it, or `null`. */
  readonly customerName: string | null;
  /** The customer's email, where the source has one, or `null`. */
  readonly email: string | null;
  /**
   * The business the event belongs to: iiko `organizationId`, R-Keeper `restaurantId`, YCLIENTS
   * `company_id`, amoCRM `account[subdomain]` (the name a business knows its account by; `account[id]`
   * when the body has no subdomain). `null` when absent.
   */
  readonly accountId: string | null;
  /**
   * Set when the event should send but its phone is not in the body and must be looked up
   * (`shouldSend: true`, `phone: null`). `null` otherwise.
   */
  readonly lookup: PhoneLookup | null;
  /** The event exactly as it was in the body (after decoding), for fields otzovik does not map. */
  readonly raw: unknown;
}

/** What a {@link LookupPhone} function is told besides the event. */
export interface LookupPhoneContext {
  /** The tenant (business) the event belongs to. */
  readonly tenantId: string;
  /** 1 for the first attempt, 2 for the first retry… */
  readonly attempt: number;
  /**
   * The source's built-in lookup: amoCRM's API through the requester's `amocrm` option (or the
   * tenant's own client), for an event with `lookup.kind === "amocrm_lead"`. Rejects with a
   * `ConfigError` when the event's source has no built-in lookup or no client is configured.
   */
  readonly sourceLookup: () => Promise<string | null>;
}

/**
 * Finds the phone of an event that would send but carries none (the requester's `lookupPhone`
 * option). Returns the phone (any common format; it is normalised and checked), or `null` when
 * there is none.
 *
 * @param event - The event: `source`, `id`, `accountId`, `customerName`, `email` and `lookup`
 *   (`kind` `"amocrm_lead"` with `leadId` for amoCRM; `"<source>_order"` with `leadId` = the
 *   order id for an event skipped for `no_phone`, e.g. `"rkeeper_order"`); `raw` is `null`.
 * @param context - The tenant, the attempt, and the built-in lookup.
 */
export type LookupPhone = (
  event: ParsedEvent,
  context: LookupPhoneContext,
) => Promise<string | null> | string | null;

/** The result of every `parse*` function. */
export interface ParseResult {
  /** `true` when at least one event should send. */
  readonly shouldSend: boolean;
  /**
   * The phone of the first event that should send; `null` when none should, or when that event's
   * phone must still be looked up (see {@link ParsedEvent.lookup}).
   */
  readonly phone: string | null;
  /** One entry per event in the body, in body order, including ignored ones. */
  readonly events: readonly ParsedEvent[];
  /** `null` when `shouldSend`; otherwise the first event's reason (or `invalid_payload` / `no_events`). */
  readonly reason: SkipReason | null;
  /** A short explanation of `reason`, or `null`. */
  readonly detail: string | null;
}

/** Options every parser takes. */
export interface BaseParseOptions {
  /**
   * Country for phone numbers written without a country code (`8 916 …`, `916 …`), as an ISO
   * 3166-1 alpha-2 code. Default `"RU"`.
   */
  readonly defaultCountry?: CountryCode;
}
