import { refuse, wrongMethod } from "./answers.js";
import { createMetaStatusWebhooks } from "./meta.js";
import { createResendStatusWebhooks } from "./resend.js";
import { createSmsRuStatusWebhooks } from "./sms-ru.js";
import type { StatusWebhooks } from "./types.js";

/**
 * The providers otzovik reads status webhooks from, the names they go by in a URL
 * (`/api/status/meta`, `/api/status/sms.ru` or `smsru`, `/api/status/resend`), and their readers.
 *
 * Exolve has none: its public docs describe no delivery-report callback for SMS (only polling,
 * `POST /messaging/v1/GetList` with a `delivery_status` filter), so `/api/status/exolve` is not a
 * status route.
 */

/** A provider otzovik reads status webhooks from. */
export type StatusProvider = "meta" | "sms.ru" | "resend";

/** Every spelling a route may use, lowercase, and the provider it names. */
const ALIASES: Readonly<Record<string, StatusProvider>> = {
  meta: "meta",
  whatsapp: "meta",
  "meta-whatsapp": "meta",
  "sms.ru": "sms.ru",
  smsru: "sms.ru",
  "sms-ru": "sms.ru",
  sms_ru: "sms.ru",
  resend: "resend",
};

/** Each provider's reader factory, given that provider's secrets. */
export const statusReceivers = {
  meta: createMetaStatusWebhooks,
  "sms.ru": createSmsRuStatusWebhooks,
  resend: createResendStatusWebhooks,
} as const;

/**
 * The provider a route segment or option names (`"smsru"` → `"sms.ru"`, any case, percent-escapes
 * decoded), or `null` when it names none.
 */
export function statusProviderOf(name: string): StatusProvider | null {
  if (typeof name !== "string" || name.length === 0 || name.length > 64) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    return null;
  }
  const key = decoded.trim().toLowerCase();
  return Object.hasOwn(ALIASES, key) ? (ALIASES[key] as StatusProvider) : null;
}

/**
 * A reader for a provider no client is configured for: every request is refused (a POST with 401
 * `not_configured`, Meta's handshake with 403), never accepted unsigned.
 */
export function unconfiguredStatusWebhooks(provider: string): StatusWebhooks {
  return {
    provider,
    configured: false,
    async read(request) {
      const method = typeof request?.method === "string" ? request.method.toUpperCase() : "";
      if (method === "GET" && provider === "meta")
        return refuse("handshake_refused", "no Meta client with a verifyToken is configured");
      if (method !== "POST")
        return wrongMethod(method, provider === "meta" ? "GET and POST" : "POST");
      return refuse("not_configured", `no ${provider} client is configured for status webhooks`);
    },
  };
}
