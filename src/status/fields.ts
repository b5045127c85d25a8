import { isRecord } from "../transport/json.js";

/**
 * Readers for the fields of status webhook bodies: each takes `unknown`, checks type and length,
 * and gives `null` for anything else, so hostile values never reach an update.
 */

/** Longest message id kept (WhatsApp ids are about 60 characters, SMS.ru's 15, Resend's 36). */
const MAX_ID = 256;
/** Longest event name kept. */
const MAX_EVENT = 64;
/** Longest recipient kept (an email address is at most 320 characters). */
const MAX_RECIPIENT = 320;
/** Longest detail kept. */
export const MAX_DETAIL = 200;
/** Latest time accepted: year 3000. Anything later is not a real timestamp. */
const MAX_TIME_MS = 32_503_680_000_000;

const PRINTABLE_ID = /^[\x21-\x7e]+$/;
const EMAIL = /[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+/g;
/** Runs of 7 or more digits, possibly split by spaces, dashes, dots or brackets: phone numbers. */
const DIGIT_RUN = /\+?\d(?:[\s().-]*\d){6,}/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A provider's message id: a non-empty string of printable ASCII, at most 256 characters. */
export function messageIdOf(value: unknown): string | null {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_ID) return null;
  return PRINTABLE_ID.test(value) ? value : null;
}

/** A provider's event or status name: printable ASCII, at most 64 characters. */
export function eventOf(value: unknown): string | null {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_EVENT) return null;
  return PRINTABLE_ID.test(value) ? value : null;
}

/** A recipient as reported: a string of at most 320 printable characters without spaces. */
export function recipientOf(value: unknown): string | null {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_RECIPIENT) return null;
  return /\s/.test(value) || HAS_CONTROL.test(value) ? null : value;
}

/**
 * Text from a provider, safe to log and show: control characters become spaces, email addresses
 * and runs of seven or more digits (phone numbers) are replaced, and it is cut to 200 characters.
 * `null` for anything but a non-blank string.
 */
export function safeDetail(value: unknown): string | null {
  if (typeof value !== "string") return null;
  // Bounded before the expressions run, so a huge string costs no more than a short one.
  const text = value
    .slice(0, 4 * MAX_DETAIL)
    .replace(CONTROL, " ")
    .replace(EMAIL, "[email]")
    .replace(DIGIT_RUN, "[number]")
    .replace(/\s+/g, " ")
    .trim();
  if (text === "") return null;
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text;
}

/** A UNIX time in seconds (number or digit string) as ms since the epoch, or `null`. */
export function unixSecondsOf(value: unknown): number | null {
  const seconds =
    typeof value === "number"
      ? value
      : typeof value === "string" && /^\d{1,12}$/.test(value)
        ? Number(value)
        : Number.NaN;
  if (!Number.isInteger(seconds) || seconds <= 0) return null;
  const ms = seconds * 1000;
  return ms <= MAX_TIME_MS ? ms : null;
}

/** An ISO 8601 date-time as ms since the epoch, or `null`. */
export function isoTimeOf(value: unknown): number | null {
  if (typeof value !== "string" || value.length > 64) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms > 0 && ms <= MAX_TIME_MS ? ms : null;
}

/** An array's items, or none for anything else. */
export function listOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** An object's own property, or `undefined` (never one inherited from a prototype). */
export function field(value: unknown, key: string): unknown {
  return isRecord(value) && Object.hasOwn(value, key) ? value[key] : undefined;
}
