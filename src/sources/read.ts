/** Small, allocation-free readers for untrusted decoded JSON / form data. */

/** A plain object (not null, not an array). */
export type Obj = Record<string, unknown>;

/** `true` for a non-null, non-array object. */
export function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An own property of an object, or `undefined`; never reads the prototype chain. */
export function own(value: unknown, key: string): unknown {
  return isObj(value) && Object.hasOwn(value, key) ? value[key] : undefined;
}

/** The first own property among `keys` that is present and not null. */
export function ownAny(value: unknown, keys: readonly string[]): unknown {
  for (const key of keys) {
    const v = own(value, key);
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

/** A scalar as a non-empty string (numbers as their decimal text), else `null`. */
export function text(value: unknown): string | null {
  if (typeof value === "string") {
    const t = value.trim();
    return t === "" ? null : t;
  }
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "bigint") return value.toString();
  return null;
}

/** A scalar as an integer (`"142"` and `142` alike), else `null`. */
export function int(value: unknown): number | null {
  if (typeof value === "number") return Number.isInteger(value) ? value : null;
  if (typeof value === "string" && /^\s*-?\d{1,15}\s*$/.test(value)) return Number(value);
  return null;
}

/**
 * The elements of a list as sources send it: a JSON array, or an object with numeric keys
 * (`[0]`, `[1]`… in form bodies). Other values give an empty list.
 */
export function items(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isObj(value)) return Object.values(value);
  return [];
}

/** Joins the non-empty name parts with a space, or `null`. */
export function fullName(...parts: unknown[]): string | null {
  const names = parts.map(text).filter((p): p is string => p !== null);
  return names.length > 0 ? names.join(" ") : null;
}

/**
 * An own property matched without regard to case (`orderId`, `orderID`, `OrderId`), exact match
 * first. For sources whose documents disagree on key casing.
 */
export function ownIgnoreCase(value: unknown, key: string): unknown {
  if (!isObj(value)) return undefined;
  if (Object.hasOwn(value, key)) return value[key];
  const lower = key.toLowerCase();
  for (const k in value) {
    if (Object.hasOwn(value, k) && k.toLowerCase() === lower) return value[k];
  }
  return undefined;
}
