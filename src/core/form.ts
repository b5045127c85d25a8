/**
 * `application/x-www-form-urlencoded` bodies with bracket keys (`leads[status][0][id]=1`), decoded
 * into nested null-prototype objects, so keys such as `__proto__` or `constructor` are plain data.
 * Numeric segments stay object keys (no sparse arrays); readers treat such objects as lists.
 */

/** A decoded form value: a string, or a null-prototype object of further values. */
export type FormValue = string | FormObject;
/** A null-prototype object produced by {@link decodeForm}. */
export interface FormObject {
  [key: string]: FormValue;
}

/** Limits that bound the work a hostile body can cause. */
export interface FormLimits {
  /** Most parameters read; the rest are ignored. Default 10,000. */
  readonly maxParams?: number;
  /** Most bracket segments in one key; deeper keys keep the rest as one literal segment. Default 16. */
  readonly maxDepth?: number;
}

const DEFAULT_MAX_PARAMS = 10_000;
const DEFAULT_MAX_DEPTH = 16;

function emptyObject(): FormObject {
  return Object.create(null) as FormObject;
}

/** Splits `a[b][c]` into `["a", "b", "c"]`, at most `maxDepth` segments. */
export function splitKey(key: string, maxDepth: number): string[] {
  const open = key.indexOf("[");
  if (open <= 0) return [key];
  const segments = [key.slice(0, open)];
  let rest = key.slice(open);
  while (rest.startsWith("[") && segments.length < maxDepth) {
    const close = rest.indexOf("]");
    if (close < 0) break;
    segments.push(rest.slice(1, close));
    rest = rest.slice(close + 1);
  }
  if (rest !== "") segments.push(rest);
  return segments;
}

/**
 * Nests `[key, value]` pairs with bracket keys into null-prototype objects. An empty segment
 * (`a[]=x`) appends. When a key is both a value and a container (`a=1&a[b]=2`), the first wins.
 */
export function nestEntries(
  entries: Iterable<readonly [string, string]>,
  limits: FormLimits = {},
): FormObject {
  const maxParams = limits.maxParams ?? DEFAULT_MAX_PARAMS;
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  const root = emptyObject();
  const appended = new Map<FormObject, number>();
  let count = 0;
  for (const [key, value] of entries) {
    if (++count > maxParams) break;
    const path = splitKey(key, maxDepth);
    let node = root;
    for (let i = 0; i < path.length; i++) {
      let segment = path[i] as string;
      if (segment === "") {
        const index = appended.get(node) ?? 0;
        appended.set(node, index + 1);
        segment = String(index);
      }
      if (i === path.length - 1) {
        if (!(segment in node)) node[segment] = value;
        break;
      }
      const next = node[segment];
      if (next === undefined) {
        const child = emptyObject();
        node[segment] = child;
        node = child;
      } else if (typeof next === "string") {
        break;
      } else {
        node = next;
      }
    }
  }
  return root;
}

/**
 * Decodes a form body (string or `URLSearchParams`) into nested null-prototype objects. Never
 * throws: malformed percent-escapes are kept as written, as `URLSearchParams` does.
 */
export function decodeForm(body: string | URLSearchParams, limits?: FormLimits): FormObject {
  const params = typeof body === "string" ? new URLSearchParams(body) : body;
  return nestEntries(params, limits);
}

/** `true` when an object's keys look like undecoded bracket keys (`{"leads[status][0][id]": …}`). */
export function hasBracketKeys(value: object): boolean {
  for (const key in value) {
    if (Object.hasOwn(value, key) && key.includes("[")) return true;
  }
  return false;
}
