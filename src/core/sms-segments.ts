/**
 * How many SMS segments a text costs (3GPP TS 23.038 / 23.040): in the GSM 7-bit alphabet, 160
 * septets in a single SMS and 153 per segment once it is split (the rest is the concatenation
 * header); any character outside that alphabet makes the whole text UCS-2, 70 UTF-16 code units
 * single and 67 per segment. Written by hand: it is a small table and a loop, and the npm
 * packages for it are unmaintained or count characters, not septets and code units.
 */

/** The GSM 7-bit default alphabet: one septet each. */
const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/** The extension table: an escape and the character, two septets each. */
const GSM_EXTENSION = "\f^{}\\[~]|€";

const BASIC = new Set(GSM_BASIC);
const EXTENSION = new Set(GSM_EXTENSION);

/** What {@link smsSegments} reports. */
export interface SmsSegments {
  /** `"GSM-7"` when every character is in the GSM alphabet, else `"UCS-2"`. */
  readonly encoding: "GSM-7" | "UCS-2";
  /** Segments the text is sent as (each billed as one SMS); `0` for an empty text. */
  readonly segments: number;
  /** Characters, as a reader counts them (an emoji is one). */
  readonly characters: number;
  /** Units the encoding counts: septets (GSM-7; `€`, `[`, … are two) or UTF-16 code units (UCS-2; an emoji is two). */
  readonly units: number;
  /** Units per segment at this length: 160 or 70 for a single SMS, 153 or 67 once split. */
  readonly perSegment: number;
  /** Units still free in the last segment. */
  readonly remaining: number;
}

/**
 * Counts the SMS segments of `text`, as the operator bills them.
 *
 * @param text - The message as it will be sent.
 * @returns The encoding, segments, characters and units used and left.
 *
 * @example
 * smsSegments("Спасибо за заказ! Оцените нас: https://clck.ru/3Abc")
 * // { encoding: "UCS-2", segments: 1, characters: 50, units: 50, perSegment: 70, remaining: 20 }
 */
export function smsSegments(text: string): SmsSegments {
  const characters = [...text];
  const gsm = characters.every((c) => BASIC.has(c) || EXTENSION.has(c));
  // The size of each character in units: an extension character or a surrogate pair is never split.
  const sizes = characters.map((c) => (gsm ? (EXTENSION.has(c) ? 2 : 1) : c.length));
  const units = sizes.reduce((sum, size) => sum + size, 0);
  const single = gsm ? 160 : 70;
  const split = gsm ? 153 : 67;
  const encoding = gsm ? "GSM-7" : "UCS-2";
  if (units === 0)
    return { encoding, segments: 0, characters: 0, units, perSegment: single, remaining: single };
  if (units <= single) {
    return {
      encoding,
      segments: 1,
      characters: characters.length,
      units,
      perSegment: single,
      remaining: single - units,
    };
  }
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > split) {
      segments++;
      used = 0;
    }
    used += size;
  }
  return {
    encoding,
    segments,
    characters: characters.length,
    units,
    perSegment: split,
    remaining: split - used,
  };
}
