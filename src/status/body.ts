import { BODY_PROBLEMS, parseJson, strictText } from "../core/body.js";
import { isRecord } from "../transport/json.js";

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
  const text = strictText(bytes);
  if (!text.ok) return text;
  const parsed = parseJson(text.text);
  if (!parsed.ok) return parsed;
  return isRecord(parsed.value)
    ? { ok: true, value: parsed.value }
    : { ok: false, detail: BODY_PROBLEMS.notObject(parsed.value) };
}
