/** Characters that can start a JSON number. */
const NUMBER_START = /[-0-9]/;
/** A JSON number literal at the start of the string. */
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/;

/**
 * Parses JSON without losing digits: integers beyond `Number.MAX_SAFE_INTEGER` (Exolve's 18-digit
 * `message_id`), and every number under one of `stringKeys` (money such as SMS.ru `balance`), come
 * back as their exact source text instead of a rounded number.
 *
 * @param text - JSON text.
 * @param stringKeys - Object keys whose numeric values are always kept as strings.
 * @returns The parsed value, or `undefined` when `text` is not valid JSON.
 */
export function parseJsonLossless(
  text: string,
  stringKeys: ReadonlySet<string> = new Set(),
): unknown {
  let out = "";
  let lastString: string | null = null;
  let keyForValue: string | null = null;
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text.charAt(j) !== '"') j += text.charAt(j) === "\\" ? 2 : 1;
      const literal = text.slice(i, j + 1);
      out += literal;
      lastString = literal;
      keyForValue = null;
      i = j + 1;
      continue;
    }
    if (ch === ":") {
      keyForValue = lastString;
      out += ch;
      i += 1;
      continue;
    }
    if (NUMBER_START.test(ch)) {
      const match = NUMBER.exec(text.slice(i, i + 400));
      if (!match) return undefined;
      const literal = match[0];
      const key = keyForValue === null ? null : decodeKey(keyForValue);
      const isBigInt = /^-?\d+$/.test(literal) && !Number.isSafeInteger(Number(literal));
      out += (key !== null && stringKeys.has(key)) || isBigInt ? `"${literal}"` : literal;
      keyForValue = null;
      i += literal.length;
      continue;
    }
    if (ch === "," || ch === "{" || ch === "[") keyForValue = null;
    out += ch;
    i += 1;
  }
  try {
    return JSON.parse(out);
  } catch {
    return undefined;
  }
}

/** Decodes a JSON string literal used as a key. */
function decodeKey(literal: string): string | null {
  try {
    const key: unknown = JSON.parse(literal);
    return typeof key === "string" ? key : null;
  } catch {
    return null;
  }
}

/** `true` for plain JSON objects (not arrays, not `null`). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads an id or code that may arrive as a string or a number, as a string.
 * Returns `null` for anything else or an empty string.
 */
export function idString(value: unknown): string | null {
  if (typeof value === "string") return value.trim() === "" ? null : value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}
