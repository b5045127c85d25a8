import { ConfigError } from "../../src/core/errors.js";
import { normalizePhone } from "../../src/core/phone.js";
import { defineSource } from "../../src/sources/source.js";
import type { ParsedEvent } from "../../src/sources/types.js";

/**
 * A POS otzovik does not ship ("Quick Kassa"), in one file's worth of code: it posts
 * `{ "check": { "number": "A-17", "closed": true, "guestPhone": "8 916 123-45-67" } }`.
 */
export const quickKassa = defineSource({
  name: "quickkassa",
  checkOptions(options, path) {
    if (options !== undefined && (typeof options !== "object" || options === null))
      throw new ConfigError(`Invalid option \`${path}\`: expected an object.`);
  },
  parse(body) {
    let value: unknown = body;
    try {
      value = typeof body === "string" ? JSON.parse(body) : body;
    } catch {
      value = null;
    }
    const raw =
      typeof value === "object" && value !== null && Object.hasOwn(value, "check")
        ? (value as { check: unknown }).check
        : null;
    const check: Record<string, unknown> =
      typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
    const { phone, problem } = normalizePhone(check.guestPhone);
    const closed = check.closed === true;
    const reason = raw === null ? "invalid_payload" : !closed ? "status_not_final" : problem;
    const event: ParsedEvent = {
      source: "quickkassa",
      type: "check",
      id: typeof check.number === "string" ? check.number : null,
      status: closed ? "closed" : "open",
      phone,
      shouldSend: reason === null,
      reason,
      detail: reason === null ? null : "not a closed check with a guest phone",
      customerName: null,
      email: null,
      accountId: null,
      lookup: null,
      raw: check,
    };
    return {
      shouldSend: event.shouldSend,
      phone: event.shouldSend ? phone : null,
      events: [event],
      reason: event.reason,
      detail: event.detail,
    };
  },
});
