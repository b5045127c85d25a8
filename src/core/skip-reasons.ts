/**
 * Every reason an event leads to no review request, in one table: the parsers' reasons and the
 * requester's own. The requester's outcomes, the webhook handlers' answers, the logs and the
 * `otzovik explain` command all describe a reason with this table, so a reason reads the same
 * everywhere. The descriptions never contain a value from a body (no phone, no status label).
 */

/**
 * Every skip reason → a short description that never contains a phone or a value from the body.
 * The codes are stable across versions; the descriptions may be reworded. The first ten are the
 * parsers' reasons ({@link SkipReason}), the last four the requester's own.
 *
 * @example
 * SKIP_REASONS.status_not_final; // "the order is not finished yet, or did not end in a visit or a sale"
 */
export const SKIP_REASONS = Object.freeze({
  /** The body (or this event) is not in any format the source sends. */
  invalid_payload: "the body (or this event) is not in a format this source sends",
  /** The body is well-formed but holds no events (e.g. an empty iiko array). */
  no_events: "the body holds no events",
  /** An event type that never triggers a review (stop lists, reservations, contact updates…). */
  ignored_event: "this type of event never asks for a review",
  /** The order/visit/deal is not finished yet (or finished badly: no-show, lost deal). */
  status_not_final: "the order is not finished yet, or did not end in a visit or a sale",
  /** iiko reports the order as still being created, or failed to create it. */
  not_created: "the order is still being created, or could not be created",
  /** The order was cancelled. */
  cancelled: "the order was cancelled",
  /** The order/record was deleted. */
  deleted: "the order was deleted",
  /** The event has no customer phone (or a lookup found none). */
  no_phone: "the event carries no customer phone",
  /** The event has a phone field, but its value is not a valid phone number. */
  invalid_phone: "the customer phone is not a valid phone number",
  /** The event would send, but has no order/lead id to deduplicate or look up by. */
  missing_id: "the event has no order id to deduplicate by",
  /** This order was already handled (a webhook sent twice; iiko's `Delivered`, then `Closed`). */
  duplicate: "a review request for this order was already handled",
  /** This customer was asked recently (`frequencyCapMs`). */
  frequency_capped: "this customer was asked for a review recently",
  /** The customer opted out, or a provider reports they refuse messages. */
  opted_out: "the customer opted out",
  /** No configured channel can reach this customer. */
  no_channel: "no configured channel can reach this customer",
} as const);

/**
 * Why an event was skipped: a parser's {@link SkipReason} or one of the requester's
 * (`duplicate`, `frequency_capped`, `opted_out`, `no_channel`). See {@link SKIP_REASONS}.
 */
export type SkippedReason = keyof typeof SKIP_REASONS;

/**
 * Why an event does not lead to a review request, as a parser says. Machine-readable; stable
 * across versions. See {@link SKIP_REASONS} for each one's meaning.
 */
export type SkipReason = Exclude<
  SkippedReason,
  "duplicate" | "frequency_capped" | "opted_out" | "no_channel"
>;

/**
 * The short, value-free description of a skip reason from {@link SKIP_REASONS}; `null` for a
 * code that is not one (say, from a custom source's parser).
 *
 * @param reason - A skip reason code, such as an outcome's or a parsed event's `reason`.
 * @example
 * describeSkip("no_phone"); // "the event carries no customer phone"
 */
export function describeSkip(reason: string): string | null {
  return Object.hasOwn(SKIP_REASONS, reason) ? SKIP_REASONS[reason as SkippedReason] : null;
}
