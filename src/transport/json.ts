/** Whether a text holds a run of digits long enough to exceed `Number.MAX_SAFE_INTEGER`. */
const LONG_DIGITS = /\d{16}/;
/** Runs of 16 or more digits, found with `test` and `lastIndex` (no match arrays). */
const DIGIT_RUNS = /\d{16,}/g;
/** Longest escaped spelling of a key worth decoding (64 characters, each as `\uXXXX`). */
const MAX_ESCAPED_KEY = 6 * 64 + 2;
const QUOTE = '"';
/** `Number.MAX_SAFE_INTEGER` as text: 16 digits. */
const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER);
const BACKSLASH = 92;
const COLON = 58;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;
const PLUS = 43;
const DOT = 46;
const LOWER_E = 101;
const UPPER_E = 69;

/**
 * Parses JSON without losing digits: integers beyond `Number.MAX_SAFE_INTEGER` (Exolve's 18-digit
 * `message_id`), and every number under one of `stringKeys` (money such as SMS.ru `balance`), come
 * back as their exact source text instead of a rounded number.
 *
 * Linear and allocation-light on any input: a text without candidates (a run of 16 or more
 * digits, or one of `stringKeys`) goes to `JSON.parse` as it is. Otherwise only the candidates
 * outside string literals are quoted; strings are skipped by jumping from quote to quote with
 * `indexOf`, never by walking the text character by character.
 *
 * @param text - JSON text.
 * @param stringKeys - Object keys whose numeric values are always kept as strings.
 * @returns The parsed value, or `undefined` when `text` is not valid JSON.
 */
export function parseJsonLossless(
  text: string,
  stringKeys: ReadonlySet<string> = new Set(),
): unknown {
  try {
    return JSON.parse(losslessSource(text, stringKeys));
  } catch {
    return undefined;
  }
}

/**
 * `text` with every lossy number quoted: numbers that are the value of one of `keys`, and unsafe
 * integers outside strings. `text` itself when nothing needs quoting (the usual case). The result
 * is built by concatenation, which V8 flattens once, in `JSON.parse` (on Node 20 an array of the
 * pieces joined costs several times more, and `+=` of each piece alone doubles the parse).
 */
function losslessSource(text: string, keys: ReadonlySet<string>): string {
  const runs = LONG_DIGITS.test(text) ? digitRuns(text) : [];
  // A key spelled with escapes (`"bal\u0061nce"`) is not found by its plain spelling: then every
  // string literal followed by a colon is decoded and compared.
  const escapedKeys = keys.size > 0 && text.includes(escapesThatSpell(keys));
  const keyLiterals = keys.size > 0 && !escapedKeys ? keyPositions(text, keys) : [];
  if (runs.length === 0 && keyLiterals.length === 0 && !escapedKeys) return text;

  let out = "";
  let copied = 0;
  const quote = (start: number, end: number) => {
    out += `${text.slice(copied, start)}"${text.slice(start, end)}"`;
    copied = end;
  };
  let run = 0;
  let keyIndex = 0;
  let position = 0; // outside any string literal
  let open = -2; // the first quote at or after `position` (-1: none), found lazily
  while (escapedKeys || run < runs.length || keyIndex < keyLiterals.length) {
    const nextRun = run < runs.length ? (runs[run] as number) : Number.POSITIVE_INFINITY;
    if (open !== -1 && open < position) open = text.indexOf(QUOTE, position);
    if (open === -1 || open > nextRun) {
      // The digit run lies between string literals: a number, or part of one.
      if (nextRun === Number.POSITIVE_INFINITY) break;
      run += 1;
      const span = unsafeInteger(text, nextRun);
      if (span !== null && span[0] >= copied) quote(span[0], span[1]);
      position = Math.max(position, nextRun + 1);
      continue;
    }
    const close = stringEnd(text, open);
    if (close === -1) return text; // unterminated: JSON.parse reports it
    while (run < runs.length && (runs[run] as number) < close) run += 1;
    while (keyIndex < keyLiterals.length && (keyLiterals[keyIndex] as number) < open) keyIndex += 1;
    const plainKey = keyLiterals[keyIndex] === open;
    if (plainKey) keyIndex += 1;
    position = close + 1;
    if (!plainKey && !(escapedKeys && isKey(text, open, close, keys))) continue;
    let value = skipSpace(text, position);
    if (text.charCodeAt(value) !== COLON) continue;
    value = skipSpace(text, value + 1);
    const end = numberEnd(text, value);
    if (end === value) continue;
    quote(value, end);
    position = end;
    while (run < runs.length && (runs[run] as number) < end) run += 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * Sorted positions of the literals `"key"` of every key (inside strings too; sorted out later):
 * one `indexOf` scan per key, merged.
 */
function keyPositions(text: string, keys: ReadonlySet<string>): number[] {
  let merged: number[] = [];
  for (const key of keys) {
    const literal = `"${key}"`;
    const found: number[] = [];
    for (let at = text.indexOf(literal); at !== -1; at = text.indexOf(literal, at + 1)) {
      found.push(at);
    }
    merged = merged.length === 0 ? found : mergeSorted(merged, found);
  }
  return merged;
}

/** Two ascending lists as one. */
function mergeSorted(a: number[], b: number[]): number[] {
  if (b.length === 0) return a;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length)
    out.push((a[i] as number) < (b[j] as number) ? (a[i++] as number) : (b[j++] as number));
  while (i < a.length) out.push(a[i++] as number);
  while (j < b.length) out.push(b[j++] as number);
  return out;
}

/** Start indices of the runs of 16 or more digits (inside strings too; sorted out later). */
function digitRuns(text: string): number[] {
  const found: number[] = [];
  DIGIT_RUNS.lastIndex = 0;
  while (DIGIT_RUNS.test(text)) {
    let start = DIGIT_RUNS.lastIndex - 16;
    for (let code = text.charCodeAt(start - 1); code >= 48 && code <= 57; ) {
      start -= 1;
      code = text.charCodeAt(start - 1);
    }
    found.push(start);
  }
  return found;
}

/** The closing quote of the string literal that opens at `open`, or -1. */
function stringEnd(text: string, open: number): number {
  let close = open;
  for (;;) {
    close = text.indexOf(QUOTE, close + 1);
    if (close === -1 || text.charCodeAt(close - 1) !== BACKSLASH) return close;
    let before = close - 2;
    while (text.charCodeAt(before) === BACKSLASH) before -= 1;
    // An even number of backslashes escape each other, not the quote.
    if ((close - 1 - before) % 2 === 0) return close;
  }
}

/**
 * The escape that must appear in a text for one of `keys` to be spelled with escapes: `\u` for
 * keys of letters, digits, `_` and `$` (no other escape yields those), else any backslash.
 */
function escapesThatSpell(keys: ReadonlySet<string>): string {
  for (const key of keys) if (!/^[\w$]*$/.test(key)) return "\\";
  return "\\u";
}

/** Whether the string literal `text[open..close]` decodes to one of `keys`. */
function isKey(text: string, open: number, close: number, keys: ReadonlySet<string>): boolean {
  if (close - open > MAX_ESCAPED_KEY) return false;
  const backslash = text.indexOf("\\", open);
  if (backslash === -1 || backslash > close) return keys.has(text.slice(open + 1, close));
  try {
    const key: unknown = JSON.parse(text.slice(open, close + 1));
    return typeof key === "string" && keys.has(key);
  } catch {
    return false;
  }
}

/**
 * The end of the JSON number literal starting at `start` (`start` itself when there is none):
 * `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, read with `charCodeAt` (a regular
 * expression per number costs more than the whole scan).
 */
function numberEnd(text: string, start: number): number {
  let at = start;
  if (text.charCodeAt(at) === MINUS) at += 1;
  const first = text.charCodeAt(at);
  if (first === ZERO) at += 1;
  else if (first > ZERO && first <= NINE) at = digitsEnd(text, at + 1);
  else return start;
  if (text.charCodeAt(at) === DOT) {
    const fraction = digitsEnd(text, at + 1);
    if (fraction === at + 1) return start;
    at = fraction;
  }
  const e = text.charCodeAt(at);
  if (e === LOWER_E || e === UPPER_E) {
    let exponent = at + 1;
    const sign = text.charCodeAt(exponent);
    if (sign === PLUS || sign === MINUS) exponent += 1;
    const digits = digitsEnd(text, exponent);
    if (digits === exponent) return start;
    at = digits;
  }
  return at;
}

/** The first index at or after `index` that is not a digit. */
function digitsEnd(text: string, index: number): number {
  let at = index;
  for (let code = text.charCodeAt(at); code >= ZERO && code <= NINE; code = text.charCodeAt(at)) {
    at += 1;
  }
  return at;
}

/** The first index at or after `index` that is not JSON whitespace. */
function skipSpace(text: string, index: number): number {
  let at = index;
  for (;;) {
    const code = text.charCodeAt(at);
    if (code !== 32 && code !== 10 && code !== 13 && code !== 9) return at;
    at += 1;
  }
}

/**
 * The span (sign included) of the integer whose digits start at `start`, when it is a whole JSON
 * integer beyond `Number.MAX_SAFE_INTEGER`; `null` for a fraction, an exponent or a safe integer.
 */
function unsafeInteger(text: string, start: number): [number, number] | null {
  const end = digitsEnd(text, start);
  const after = text.charCodeAt(end);
  if (after === DOT || after === LOWER_E || after === UPPER_E) return null;
  const first = text.charCodeAt(start - 1) === MINUS ? start - 1 : start;
  const before = text.charCodeAt(first - 1);
  // `1e-12345678901234567`: the digits of an exponent.
  if (before === DOT || before === LOWER_E || before === UPPER_E || before === PLUS) return null;
  // JSON integers have no leading zeros (a run with one stays as it is, and JSON.parse rejects it):
  // 17 digits or more are beyond 2^53 - 1, and 16 digits compare as text (no number parsed).
  const digits = end - start;
  if (digits < 16 || text.charCodeAt(start) === ZERO) return null;
  return digits > 16 || text.slice(start, end) > MAX_SAFE_DIGITS ? [first, end] : null;
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
