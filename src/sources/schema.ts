import * as z from "zod/mini";

/** Shared field schemas for webhook payloads: lenient where sources are inconsistent. */

/** An optional, nullable string. */
export const optText = z.nullish(z.string());
/** An id sources send as a string or a number. */
export const optId = z.nullish(z.union([z.string(), z.number()]));
/** A flag some sources send as a boolean and others as 0/1. */
export const optFlag = z.nullish(z.union([z.boolean(), z.number(), z.string()]));
/** Any value: phones are checked by `normalizePhone`, not by the schema. */
export const anything = z.optional(z.unknown());

/** `true` for `true`, `1`, `"1"`, `"true"`. */
export function isTrue(value: unknown): boolean {
  return value === true || value === 1 || value === "1" || value === "true";
}
