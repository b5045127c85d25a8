/** What SMS.ru's message status codes mean, for `sms/status` and the status callback. */

/** The state of a sent SMS, as {@link smsRuMessageState} reports it. */
export type SmsRuMessageState = "pending" | "delivered" | "failed" | "not_found" | "unknown";

/** State and meaning of each SMS.ru message status code (`sms/status` and the status callback). */
const STATE: Record<number, readonly [SmsRuMessageState, string]> = {
  [-1]: ["not_found", "Message not found."],
  100: ["pending", "Queued at SMS.ru."],
  101: ["pending", "Being passed to the operator."],
  102: ["pending", "Sent, in transit."],
  103: ["delivered", "Delivered."],
  110: ["delivered", "Read (Viber)."],
  104: ["failed", "Not delivered: its lifetime expired."],
  105: ["failed", "Not delivered: deleted by the operator."],
  106: ["failed", "Not delivered: phone failure."],
  107: ["failed", "Not delivered: unknown reason."],
  108: ["failed", "Not delivered: rejected."],
  150: ["failed", "Not delivered: no route to this number."],
};

/**
 * The state and meaning of an SMS.ru message status code: `pending` (100–102), `delivered` (103,
 * 110), `failed` (104–108, 150), `not_found` (-1); `null` for a code otzovik does not know.
 */
export function smsRuMessageState(
  code: number,
): { readonly state: SmsRuMessageState; readonly text: string } | null {
  const known = Object.hasOwn(STATE, code) ? STATE[code] : undefined;
  return known ? { state: known[0], text: known[1] } : null;
}
