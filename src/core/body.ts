import { decodeForm, type FormObject, hasBracketKeys, nestEntries } from "./form.js";

/** Largest body a parser decodes; bigger ones are rejected as `invalid_payload`. */
export const MAX_BODY_CHARS = 8 * 1024 * 1024;

/** Outcome of decoding a webhook body. */
export type Decoded =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly detail: string };

const utf8 = new TextDecoder("utf-8");

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function bytesToText(body: unknown): string | null {
  if (body instanceof Uint8Array) return utf8.decode(body);
  if (body instanceof ArrayBuffer) return utf8.decode(new Uint8Array(body));
  return null;
}

function parseJson(text: string): Decoded {
  if (text.length > MAX_BODY_CHARS)
    return { ok: false, detail: `body is larger than ${MAX_BODY_CHARS} characters` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // The engine's message quotes the body (and so phones): do not pass it on.
    return { ok: false, detail: "body is not valid JSON" };
  }
}

/**
 * Decodes a JSON webhook body: a JSON string, bytes, or a value a framework already parsed.
 * Only objects and arrays are accepted.
 */
export function decodeJsonBody(body: unknown): Decoded {
  const bytes = bytesToText(body);
  const decoded =
    typeof body === "string" || bytes !== null
      ? parseJson(bytes ?? (body as string))
      : { ok: true as const, value: body };
  if (!decoded.ok) return decoded;
  if (typeof decoded.value !== "object" || decoded.value === null) {
    return { ok: false, detail: `expected a JSON object or array, got ${describe(decoded.value)}` };
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
    const start = text.trimStart()[0];
    if (start === "{" || start === "[") return decodeJsonBody(text);
    if (text.length > MAX_BODY_CHARS)
      return { ok: false, detail: `body is larger than ${MAX_BODY_CHARS} characters` };
    if (!text.includes("=")) return { ok: false, detail: "body is neither JSON nor form data" };
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
