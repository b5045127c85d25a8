import {
  type CountryCode,
  isSupportedCountry as isSupportedByMetadata,
  Metadata,
  parsePhoneNumberFromString,
} from "libphonenumber-js/core";
import { PHONE_METADATA } from "./phone-metadata.generated.js";

export type { CountryCode } from "libphonenumber-js/core";

/** Why a value did not yield a phone number. */
export type PhoneProblem = "no_phone" | "invalid_phone";

/** Result of {@link normalizePhone}: an E.164 phone, or the reason there is none. */
export type NormalizedPhone = ValidPhone | NoValidPhone;

/** A phone number that normalised to E.164. */
export interface ValidPhone {
  /** The phone in E.164, e.g. `+79161234567`. */
  readonly phone: string;
  /** Always `null`. */
  readonly problem: null;
}

/** A value that gave no phone number. */
export interface NoValidPhone {
  /** Always `null`. */
  readonly phone: null;
  /** `no_phone` when the value was empty or absent, `invalid_phone` when it is not a valid number. */
  readonly problem: PhoneProblem;
}

/** Longest input treated as a phone number; anything longer is junk, not a phone. */
const MAX_PHONE_INPUT = 64;
/** Separators people and POS systems put inside phone numbers. */
const SEPARATORS = /[\s()\-.\u00a0]/g;
/**
 * Numbers under country code 7 as Russian POS systems write them: `+7`, `8` or `7`, then the ten
 * digits of the national number (`+7 495 …`, `8 916 …`, `77010000001`).
 */
const PLUS_SEVEN = /^(?:\+7|8|7)(\d{10})$/;
/** The test of {@link plusSevenNational}: `undefined` until first use, `null` when unavailable. */
let plusSevenValid: RegExp | null | undefined;

/** What {@link plusSevenNational} reads of libphonenumber-js's `Metadata` (not in its typings). */
interface MetadataInternals {
  getCountryCodesForCallingCode?: (code: string) => readonly CountryCode[] | undefined;
  numberingPlan?: { nationalNumberPattern?: () => string };
}

/**
 * The national-number patterns of every country under code 7, from libphonenumber-js's own
 * metadata (the "min" metadata its `isValid()` checks), as one regular expression. With that
 * metadata `isValid()` of a `+7` number is "the national number matches its country's pattern",
 * so one test of this expression gives the same answer without parsing: ~0.1 µs instead of
 * ~20 µs, which matters for bodies with thousands of phones (issue 9 item 1). The methods it reads
 * are not in libphonenumber-js's typings: where a version lacks them, this is `null` and every
 * number goes through `parsePhoneNumberFromString` as before. A property test in
 * test/core/phone.test.ts checks the two agree.
 */
function plusSevenNational(): RegExp | null {
  if (plusSevenValid !== undefined) return plusSevenValid;
  plusSevenValid = null;
  try {
    const metadata = new Metadata(PHONE_METADATA) as Metadata & MetadataInternals;
    const countries = metadata.getCountryCodesForCallingCode?.("7") ?? [];
    const patterns: string[] = [];
    for (const country of countries) {
      metadata.selectNumberingPlan(country);
      const pattern = metadata.numberingPlan?.nationalNumberPattern?.();
      if (typeof pattern !== "string") return plusSevenValid;
      patterns.push(`(?:${pattern})`);
    }
    if (patterns.length > 0) plusSevenValid = new RegExp(`^(?:${patterns.join("|")})$`);
  } catch {
    // A libphonenumber-js without these internals: no fast path.
  }
  return plusSevenValid;
}

/**
 * `true` when `code` is a country libphonenumber-js has numbering plans for (`"RU"`, `"KZ"`, …), so
 * it can be a default country.
 *
 * @param code - An ISO 3166-1 alpha-2 code, upper case.
 */
export function isSupportedCountry(code: string): code is CountryCode {
  return isSupportedByMetadata(code as CountryCode, PHONE_METADATA);
}

const NO_PHONE: NormalizedPhone = { phone: null, problem: "no_phone" };
const INVALID_PHONE: NormalizedPhone = { phone: null, problem: "invalid_phone" };

/**
 * Normalises a phone number as POS and CRM systems store it to E.164 (`+79161234567`).
 *
 * Accepts the usual Russian spellings (`8 (916) 123-45-67`, `89161234567`, `79161234567`,
 * `+7 916 123 45 67`), international numbers with `+`, and numbers given as JSON numbers. Numbers
 * without a country code are read as numbers of `defaultCountry`. Validation uses
 * libphonenumber-js metadata, so `2001`, `12` or `+7 666 …` are rejected.
 *
 * Never throws.
 *
 * @param value - Anything found where a phone was expected.
 * @param defaultCountry - ISO 3166-1 alpha-2 country for numbers without a country code. Default `RU`.
 * @returns `{ phone }` in E.164, or `{ phone: null, problem }`: `no_phone` when the value is empty
 *   or absent, `invalid_phone` when it is present but not a valid phone number.
 *
 * @example
 * normalizePhone("8 (916) 123-45-67") // { phone: "+79161234567", problem: null }
 * normalizePhone("2001")              // { phone: null, problem: "invalid_phone" }
 */
export function normalizePhone(
  value: unknown,
  defaultCountry: CountryCode = "RU",
): NormalizedPhone {
  let text: string;
  if (typeof value === "string") text = value.trim();
  else if (typeof value === "number" && Number.isSafeInteger(value) && value > 0)
    text = String(value);
  else if (value === null || value === undefined) return NO_PHONE;
  else return INVALID_PHONE;
  if (text === "") return NO_PHONE;
  if (text.length > MAX_PHONE_INPUT) return INVALID_PHONE;

  const compact = text.replace(SEPARATORS, "");
  const seven = PLUS_SEVEN.exec(compact);
  const valid =
    seven && (compact.startsWith("+") || defaultCountry === "RU") && plusSevenNational();
  if (seven && valid) {
    const national = seven[1] as string;
    return valid.test(national) ? { phone: `+7${national}`, problem: null } : INVALID_PHONE;
  }
  try {
    const parsed = parsePhoneNumberFromString(text, { defaultCountry }, PHONE_METADATA);
    if (parsed?.isValid()) return { phone: parsed.number, problem: null };
  } catch {
    // libphonenumber-js throws only on programming errors (unknown country); treat as invalid.
  }
  return INVALID_PHONE;
}

/**
 * Masks a phone number for logs: keeps the country and operator code and the last four digits,
 * `+79161234567` → `+7916***4567`. Short or odd values are masked entirely.
 *
 * @param phone - A phone number, normalised or not.
 */
export function maskPhone(phone: string | null | undefined): string {
  if (!phone) return "";
  const text = String(phone);
  if (text.length < 9) return "***";
  return `${text.slice(0, 5)}***${text.slice(-4)}`;
}
