import { decodeForm, type FormObject, hasBracketKeys, nestEntries } from "./form.js";

/**
 * The one place webhook bodies are decoded, for the HTTP adapters ({@link decodeRequestBody}) and
 * for the parsers ({@link decodeJsonBody}, {@link decodeJsonOrFormBody}), with the same sniffing
 * and the same messages.
 */

/** Largest body a parser decodes; bigger ones are rejected as `invalid_payload`. */
export const MAX_BODY_CHARS = 8 * 1024 * 1024;

/**
 * Why a body could not be decoded. Safe to send back or log: never quotes the body (which carries
 * phone numbers).
 */
export const BODY_PROBLEMS = {
  empty: "the body is empty",
  notUtf8: "the body is not valid UTF-8",
  notJson: "the body is not valid JSON",
  neitherJsonNorForm: "the body is neither JSON nor form data",
  tooLong: `the body is larger than ${MAX_BODY_CHARS} characters`,
  notObject: (value: unknown) => `expected a JSON object or array, got ${describe(value)}`,
} as const;

/** Outcome of decoding a webhook body. */
export type Decoded =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly detail: string };

const lenient = new TextDecoder("utf-8");
const strict = new TextDecoder("utf-8", { fatal: true });

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function bytesToText(body: unknown): string | null {
  if (body instanceof Uint8Array) return lenient.decode(body);
  if (body instanceof ArrayBuffer) return lenient.decode(new Uint8Array(body));
  return null;
}

/** `text` without surrounding whitespace or byte-order mark, and whether it looks like JSON. */
function sniff(text: string): { readonly text: string; readonly json: boolean } {
  // `trim` also removes U+FEFF, the byte-order mark some POS systems put first.
  const trimmed = text.trim();
  return { text: trimmed, json: trimmed.startsWith("{") || trimmed.startsWith("[") };
}

/** Form text has at least one `name=value` pair. */
function looksLikeForm(text: string): boolean {
  return text.includes("=");
}

/**
 * The bytes as UTF-8 text, or why they are not (invalid UTF-8 is refused, never replaced): the one
 * strict decoding of request bodies, for webhooks and status webhooks alike.
 */
export function strictText(
  bytes: Uint8Array,
): { readonly ok: true; readonly text: string } | { readonly ok: false; readonly detail: string } {
  try {
    return { ok: true, text: strict.decode(bytes) };
  } catch {
    return { ok: false, detail: BODY_PROBLEMS.notUtf8 };
  }
}

/** `JSON.parse`, with a failure detail that never quotes the text. */
export function parseJson(text: string): Decoded {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // The engine's message quotes the body (and so phones): do not pass it on.
    return { ok: false, detail: BODY_PROBLEMS.notJson };
  }
}

/**
 * Decodes the raw bytes of a webhook request by content type, sniffing when a POS sends the wrong
 * one: JSON text becomes a value; form text (amoCRM) is passed on as text, for the parser to
 * decode with {@link decodeJsonOrFormBody}. The failure detail is the HTTP adapters' 400 answer.
 *
 * @param bytes - The body as received.
 * @param contentType - The `Content-Type` header, or `null`.
 */
export function decodeRequestBody(bytes: Uint8Array, contentType: string | null): Decoded {
  if (bytes.length === 0) return { ok: false, detail: BODY_PROBLEMS.empty };
  const raw = strictText(bytes);
  if (!raw.ok) return raw;
  const { text, json } = sniff(raw.text);
  const isForm = (contentType ?? "").toLowerCase().includes("application/x-www-form-urlencoded");
  if (json || !isForm) {
    const decoded = parseJson(text);
    if (decoded.ok || json) return decoded;
  }
  if (looksLikeForm(text)) return { ok: true, value: text };
  return { ok: false, detail: BODY_PROBLEMS.neitherJsonNorForm };
}

/**
 * Decodes a JSON webhook body: a JSON string, bytes, or a value a framework already parsed.
 * Only objects and arrays are accepted.
 */
export function decodeJsonBody(body: unknown): Decoded {
  const text = typeof body === "string" ? body : bytesToText(body);
  let decoded: Decoded = { ok: true, value: body };
  if (text !== null) {
    if (text.length > MAX_BODY_CHARS) return { ok: false, detail: BODY_PROBLEMS.tooLong };
    decoded = parseJson(sniff(text).text);
  }
  if (!decoded.ok) return decoded;
  if (typeof decoded.value !== "object" || decoded.value === null) {
    return { ok: false, detail: BODY_PROBLEMS.notObject(decoded.value) };
  }
  return decoded;
}

/**
 * Decodes a body that may be JSON or `application/x-www-form-urlencoded` (amoCRM): JSON text,
 * form text, `URLSearchParams`, bytes, or an object a framework already parsed (`express.json()`,
 * `express.urlencoded()` with or without `extended`). Form data becomes null-prototype objects.
 */
export function decodeJsonOrFormBody(body: unknown): Decoded {
  if (body instanceof URLSearchParams) return { ok: true, value: decodeForm(body) };
  const text = typeof body === "string" ? body : bytesToText(body);
  if (text !== null) {
    if (sniff(text).json) return decodeJsonBody(text);
    if (text.length > MAX_BODY_CHARS) return { ok: false, detail: BODY_PROBLEMS.tooLong };
    if (!looksLikeForm(text)) return { ok: false, detail: BODY_PROBLEMS.neitherJsonNorForm };
    return { ok: true, value: decodeForm(text) };
  }
  const decoded = decodeJsonBody(body);
  if (decoded.ok && !Array.isArray(decoded.value) && hasBracketKeys(decoded.value as object)) {
    return { ok: true, value: flatToForm(decoded.value as Record<string, unknown>) };
  }
  return decoded;
}

/** Re-nests a flat `{ "a[b]": "1" }` object (Express `urlencoded({ extended: false })`). */
function flatToForm(flat: Record<string, unknown>): FormObject {
  const entries: [string, string][] = [];
  for (const key of Object.keys(flat)) {
    const value = flat[key];
    if (typeof value === "string") entries.push([key, value]);
    else if (Array.isArray(value))
      for (const v of value) if (typeof v === "string") entries.push([key, v]);
  }
  return nestEntries(entries);
}
