import { ValidationError } from "../core/errors.js";
import { type CountryCode, maskPhone, normalizePhone } from "../core/phone.js";

/** A recipient phone in the forms providers need. */
export interface Recipient {
  /** E.164, `+79161234567`. */
  readonly e164: string;
  /** Digits with the country code and no `+`, `79161234567` (SMS.ru, Exolve, Meta). */
  readonly digits: string;
}

/**
 * Normalises a recipient phone or throws a {@link ValidationError} (`invalid_phone`). The message
 * shows the number masked.
 */
export function toRecipient(provider: string, phone: unknown, country: CountryCode): Recipient {
  const result = normalizePhone(phone, country);
  if (result.phone === null) {
    const shown = typeof phone === "string" ? maskPhone(phone) : typeof phone;
    throw new ValidationError(
      `Not a valid phone number: ${shown || "(empty)"}. Pass a number with its country code, ` +
        "e.g. +79161234567.",
      { code: "invalid_phone", provider },
    );
  }
  return { e164: result.phone, digits: result.phone.slice(1) };
}

/** Checks message text: a non-empty string of at most `max` characters. */
export function requireText(provider: string, text: unknown, max: number, what = "text"): string {
  if (typeof text !== "string" || text.trim() === "") {
    throw new ValidationError(`Message ${what} must be a non-empty string.`, {
      code: "invalid_message",
      provider,
    });
  }
  if (text.length > max) {
    throw new ValidationError(
      `Message ${what} is ${text.length} characters; the provider accepts at most ${max}.`,
      { code: "invalid_message", provider },
    );
  }
  return text;
}

/** A plausible email address: something@domain.tld, optionally as `Name <address>`. */
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const NAMED_EMAIL = /^[^<>]*<([^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)>$/;

/** `true` when `value` is `a@b.c` or `Name <a@b.c>`. */
export function isEmailAddress(value: string): boolean {
  const text = value.trim();
  return EMAIL.test(text) || NAMED_EMAIL.test(text);
}

/**
 * Reads one address or a list of them, checking each. Throws a {@link ValidationError}
 * (`invalid_email`) naming the field.
 */
export function emailList(
  provider: string,
  field: string,
  value: unknown,
  max: number,
): string[] | null {
  if (value === undefined || value === null) return null;
  const list = typeof value === "string" ? [value] : Array.isArray(value) ? value : null;
  if (list === null || list.length === 0 || list.length > max) {
    throw new ValidationError(
      `\`${field}\` must be an email address or a list of 1 to ${max} addresses.`,
      { code: "invalid_email", provider },
    );
  }
  return list.map((item) => {
    if (typeof item !== "string" || !isEmailAddress(item)) {
      throw new ValidationError(`\`${field}\` contains something that is not an email address.`, {
        code: "invalid_email",
        provider,
      });
    }
    return item.trim();
  });
}
