import { BODY_PROBLEMS } from "../core/body.js";
import { isRecord } from "../transport/json.js";

const strict = new TextDecoder("utf-8", { fatal: true });

/**
 * A verified status webhook body as a JSON object, or why it is not one (safe to log: never quotes
 * the body). `JSON.parse` makes `__proto__` an own data property, never a prototype.
 */
export function jsonObjectOf(
  bytes: Uint8Array,
):
  | { readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly ok: false; readonly detail: string } {
  if (bytes.length === 0) return { ok: false, detail: BODY_PROBLEMS.empty };
  let text: string;
  try {
    text = strict.decode(bytes);
  } catch {
    return { ok: false, detail: BODY_PROBLEMS.notUtf8 };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The engine's message quotes the body: it is not passed on.
    return { ok: false, detail: BODY_PROBLEMS.notJson };
  }
  return isRecord(value)
    ? { ok: true, value }
    : { ok: false, detail: BODY_PROBLEMS.notObject(value) };
}
