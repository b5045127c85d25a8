import type { ErrorCategory, OtzovikError } from "../core/errors.js";

/**
 * Meta's `error.code`s, one table for the send's synchronous errors and the status webhooks'
 * asynchronous ones: what each means for the message, and otzovik's hint.
 */

/** Category and hint per Meta `error.code`. */
const CODES: Record<number, readonly [ErrorCategory, string]> = {
  0: ["auth", "Authentication failed: check accessToken (META_WHATSAPP_ACCESS_TOKEN)."],
  190: ["auth", "Access token expired or invalid: generate a new permanent token."],
  1: ["retryable", "Unknown, possibly temporary, Meta error."],
  2: ["retryable", "Meta service temporarily unavailable."],
  3: ["config", "The app lacks a capability or permission."],
  4: ["retryable", "App API call rate limit."],
  10: ["config", "Permission missing or removed."],
  100: ["permanent", "Invalid parameter."],
  368: ["config", "Temporarily blocked for policy violations."],
  80007: ["retryable", "WhatsApp Business Account rate limit."],
  130429: ["retryable", "Cloud API throughput limit reached."],
  130472: ["permanent", "The user is in a Meta experiment group; not sent."],
  130497: ["config", "The business may not message users in this country."],
  131000: ["retryable", "Something went wrong at Meta."],
  131005: ["config", "Permission missing or removed."],
  131008: ["permanent", "A required parameter is missing."],
  131009: ["permanent", "A parameter value is invalid."],
  131016: ["retryable", "Service temporarily unavailable."],
  131021: ["permanent", "The recipient cannot be the sender."],
  131026: ["not_on_channel", "Undeliverable: not a WhatsApp user or an old app. Try SMS."],
  131030: ["config", "Recipient not in the test number's allowed list (sandbox)."],
  131031: ["config", "The business account is locked."],
  131037: ["config", "The business number lacks an approved display name."],
  131042: ["config", "Business payment issue."],
  131045: ["config", "Phone number registration or certificate error."],
  131047: [
    "not_on_channel",
    "More than 24 hours since the customer last wrote: send a template (sendTemplate) or use " +
      "another channel.",
  ],
  131048: ["defer", "Spam rate limit: pause this campaign."],
  131049: ["defer", "Meta limits marketing messages to this user: not for 24 hours."],
  131050: ["opted_out", "The user opted out of your marketing messages: do not message again."],
  131051: ["permanent", "Unsupported message type."],
  131056: ["retryable", "Pair rate limit: too many messages to this user; wait at least 6 s."],
  131057: ["defer", "The business account is in maintenance mode."],
  131064: ["defer", "Messaging limited after template classification violations."],
  132000: ["config", "Template parameter count does not match the approved template."],
  132001: ["config", "Template does not exist in this language or is not approved."],
  132005: ["config", "Template text too long after filling in parameters."],
  132007: ["config", "Template format character policy violated."],
  132012: ["config", "Template parameter format mismatch."],
  132015: ["config", "Template paused for low quality."],
  132016: ["config", "Template disabled."],
  133004: ["retryable", "Server temporarily unavailable."],
  133010: ["config", "Phone number not registered with the Cloud API."],
  135000: ["permanent", "Generic user error."],
};

/**
 * Category of a Meta `error.code`: 131050 (the user stopped your marketing messages) is
 * `opted_out`; 131026 (not a WhatsApp user) and 131047 (more than 24 hours since the customer
 * last wrote) are `not_on_channel`; rate limits and temporary errors `retryable`; token errors
 * `auth`; template, permission and account errors `config`. Codes otzovik does not know fall back
 * to the HTTP status (5xx and 429 retryable, 401 auth, others permanent); on a send, a 5xx answer
 * with such a code is then reported as an unknown outcome, since Meta may have taken the message.
 */
export function classifyMetaCode(code: number | null, httpStatus: number): ErrorCategory {
  const known = code === null || !Object.hasOwn(CODES, code) ? undefined : CODES[code];
  if (known) return known[0];
  if (code !== null && code >= 200 && code <= 299) return "config";
  if (httpStatus >= 500 || httpStatus === 429) return "retryable";
  if (httpStatus === 401) return "auth";
  return "permanent";
}

/**
 * otzovik's one-line explanation of a Meta `error.code` (the same table {@link classifyMetaCode}
 * reads), or `null` for a code it does not know. Safe to log: it never quotes Meta's text.
 */
export function metaCodeHint(code: number): string | null {
  return Object.hasOwn(CODES, code) ? (CODES[code]?.[1] ?? null) : null;
}

/**
 * Whether a failure carries a code Meta documents, which says what happened even on a 5xx answer
 * (131000 "Message failed to send", 2 and 131016 "temporarily unavailable", rate limits, refusals).
 * Not 1 ("API Unknown: invalid request or possible server error"), and not codes otzovik does not
 * know: on a send those are unknown outcomes.
 */
export function documentedNotSent(failure: OtzovikError): boolean {
  if (!/^\d+$/.test(failure.code) || failure.code === "1") return false;
  const code = Number(failure.code);
  return CODES[code] !== undefined || (code >= 200 && code <= 299);
}
