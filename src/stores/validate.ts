import { ValidationError } from "../core/errors.js";
import type { BatchReceipt, StoreStep } from "./types.js";

/**
 * Argument checks every built-in store makes before it touches anything, with the same messages
 * (never the content of a key or value) and codes (`invalid_key`, `invalid_value`, `invalid_ttl`).
 * `provider` is the store's name, the errors' `provider`.
 */

/** Checks a TTL: a positive safe integer of milliseconds. */
export function checkTtl(ttlMs: unknown, provider: string): void {
  if (typeof ttlMs !== "number" || !Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new ValidationError(
      `\`ttlMs\` must be a positive integer number of milliseconds, got ${describe(ttlMs)}.`,
      { code: "invalid_ttl", provider },
    );
  }
}

/** Checks a key: a string. */
export function checkKey(key: unknown, provider: string): void {
  if (typeof key !== "string") {
    throw new ValidationError(`\`key\` must be a string, got ${describe(key)}.`, {
      code: "invalid_key",
      provider,
    });
  }
}

/** Checks a value: a string. */
export function checkValue(value: unknown, provider: string): void {
  if (typeof value !== "string") {
    throw new ValidationError(`\`value\` must be a string, got ${describe(value)}.`, {
      code: "invalid_value",
      provider,
    });
  }
}

/** Checks the `values` of an `expect` step: an array of strings. */
export function checkExpected(values: unknown, provider: string): void {
  if (!Array.isArray(values) || !values.every((v) => typeof v === "string")) {
    throw new ValidationError("`values` of an `expect` step must be an array of strings.", {
      code: "invalid_value",
      provider,
    });
  }
}

/** Checks an `incr` step's `by`: a safe integer. */
export function checkIncrement(by: unknown, provider: string): void {
  if (typeof by !== "number" || !Number.isSafeInteger(by)) {
    throw new ValidationError(
      `\`by\` of an \`incr\` step must be a safe integer, got ${describe(by)}.`,
      {
        code: "invalid_value",
        provider,
      },
    );
  }
}

const OPS: readonly string[] = ["claim", "absent", "expect", "get", "set", "delete", "incr"];

/**
 * Checks every step of a batch, so a bad one fails the batch before anything changed: `steps` an
 * array, each step's key, value, TTL and `values` as its `op` needs them, and a known `op`.
 */
export function checkSteps(steps: unknown, provider: string): asserts steps is StoreStep[] {
  if (!Array.isArray(steps)) {
    throw new ValidationError("`steps` must be an array of batch steps.", {
      code: "invalid_value",
      provider,
    });
  }
  for (const step of steps as StoreStep[]) {
    checkKey(step?.key, provider);
    if (step.op === "claim" || step.op === "set") checkValue(step.value, provider);
    if (
      step.op === "claim" ||
      step.op === "incr" ||
      (step.op === "set" && step.ttlMs !== undefined)
    )
      checkTtl(step.ttlMs, provider);
    if (step.op === "incr") checkIncrement(step.by, provider);
    if (step.op === "expect") checkExpected(step.values, provider);
    if (!OPS.includes(step.op)) {
      throw new ValidationError("Unknown batch step `op`.", { code: "invalid_value", provider });
    }
  }
}

/** Checks a batch's receipt, when there is one: an object with a string `key` and a valid `ttlMs`. */
export function checkReceipt(
  receipt: unknown,
  provider: string,
): asserts receipt is BatchReceipt | undefined {
  if (receipt === undefined) return;
  if (typeof receipt !== "object" || receipt === null) {
    throw new ValidationError("`receipt` must be an object with `key` and `ttlMs`.", {
      code: "invalid_value",
      provider,
    });
  }
  const { key, ttlMs } = receipt as Partial<BatchReceipt>;
  checkKey(key, provider);
  checkTtl(ttlMs, provider);
}

/** A short description of a bad argument for error messages (never the content of a string). */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return "a string";
  return typeof value;
}
