import { maskPhone } from "../core/phone.js";

/** What replaces a secret in messages, logs and error details. */
export const REDACTED = "[redacted]";

/**
 * Removes secrets (API keys, tokens) from a text, and masks phone numbers given in `phones`.
 * Secrets shorter than 4 characters are ignored (they would match ordinary text).
 *
 * @param text - Any text about to leave the SDK (error message, log line, provider answer).
 * @param secrets - Secrets to remove.
 * @param phones - Phone numbers to mask, in the spellings they may appear in (`+7…`, `7…`).
 */
export function redact(
  text: string,
  secrets: readonly string[],
  phones: readonly string[] = [],
): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  for (const phone of phones) {
    if (phone.length < 9) continue;
    const masked = phone.startsWith("+") ? maskPhone(phone) : maskPhone(`+${phone}`).slice(1);
    out = out.split(phone).join(masked);
  }
  return out;
}

/**
 * Masks an email address for logs: `anna.petrova@mail.ru` → `a***@mail.ru`.
 *
 * @param address - An address, or `Name <address>`.
 */
export function maskEmail(address: string): string {
  const match = /([^\s<>@]+)@([^\s<>@]+)/.exec(address);
  if (!match) return "***";
  return `${(match[1] ?? "").slice(0, 1)}***@${match[2]}`;
}
