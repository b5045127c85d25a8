import { hmacSha256, toHex } from "../../core/secret.js";

/**
 * Meta's documented titles of the errors a `failed` status most often carries (Meta repeats the
 * title as `message`); other codes get a generic title.
 */
const TITLES: Record<number, readonly [string, string]> = {
  131026: ["Message undeliverable", "Unable to deliver message."],
  131047: [
    "Re-engagement message",
    "More than 24 hours have passed since the recipient last replied to the sender number.",
  ],
  131049: [
    "This message was not delivered to maintain healthy ecosystem engagement.",
    "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
  ],
  131050: [
    "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.",
    "The user has stopped marketing messages.",
  ],
};

/**
 * Signs a status webhook body the way Meta does: the value of the `X-Hub-Signature-256` header,
 * `sha256=` and the hex HMAC-SHA256 of the exact body bytes keyed with the app secret. Sign the
 * string you send: re-serialised JSON no longer matches.
 *
 * @param body - The body exactly as it will be sent.
 * @param appSecret - The app secret the client under test was given (`appSecret`).
 * @returns The header value, `sha256=<64 hex digits>`.
 *
 * @example
 * const body = JSON.stringify(metaStatusPayload({ messageId, status: "failed", errorCode: 131047, recipient: "79161234567" }))
 * const response = await fetch("http://localhost:3000/api/status/meta", {
 *   method: "POST",
 *   headers: { "content-type": "application/json", "x-hub-signature-256": await signMetaStatus(body, "app-secret") },
 *   body,
 * })
 */
export async function signMetaStatus(
  body: string | Uint8Array,
  appSecret: string,
): Promise<string> {
  if (typeof appSecret !== "string" || appSecret === "")
    throw new TypeError("signMetaStatus: appSecret must be a non-empty string");
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const mac = await hmacSha256(new TextEncoder().encode(appSecret), bytes);
  return `sha256=${toHex(mac)}`;
}

/** What {@link metaStatusPayload} builds a status of. */
export interface MetaStatusPayloadOptions {
  /** The `wamid.…` the send returned. */
  readonly messageId: string;
  /** The status: `sent`, `delivered`, `read`, `failed` (or any other Meta may add). */
  readonly status: "sent" | "delivered" | "read" | "failed" | (string & {});
  /** The recipient's phone, any spelling (`+7 916 …`); Meta reports its digits as `recipient_id`. */
  readonly recipient: string;
  /** For `failed`: the error code (131047, 131026, 131050, …). Default 131000 for `failed`. */
  readonly errorCode?: number;
  /** The business phone number's id (`metadata.phone_number_id`). Default `"100000000000001"`. */
  readonly phoneNumberId?: string;
  /** The business phone number as displayed (`metadata.display_phone_number`). Default `"15550001111"`. */
  readonly displayPhoneNumber?: string;
  /** The WhatsApp Business Account id (`entry[].id`). Default `"100000000000002"`. */
  readonly businessAccountId?: string;
  /** When it happened: a `Date`, or UNIX seconds. Default now. */
  readonly timestamp?: Date | number;
  /** The `bizOpaqueCallbackData` given at send, echoed back. */
  readonly bizOpaqueCallbackData?: string;
}

/** A Meta status webhook body, as {@link metaStatusPayload} builds it. */
export interface MetaStatusPayload {
  /** Always `"whatsapp_business_account"`. */
  readonly object: "whatsapp_business_account";
  /** One entry with one `messages` change holding one status. */
  readonly entry: readonly Record<string, unknown>[];
}

/**
 * Builds a status webhook body shaped like Meta's (one entry, one `messages` change, one status),
 * with `errors[]` for a `failed` status as Meta sends it asynchronously (131047 outside the
 * 24-hour window, 131026 undeliverable, …). Stringify it, sign the string with
 * {@link signMetaStatus}, and POST both.
 *
 * @example
 * const payload = metaStatusPayload({
 *   messageId: "wamid.HBgLNzkxNjEyMzQ1NjcVAgARGBI",
 *   status: "failed",
 *   errorCode: 131047,
 *   recipient: "+79161234567",
 * })
 * const body = JSON.stringify(payload)
 */
export function metaStatusPayload(options: MetaStatusPayloadOptions): MetaStatusPayload {
  const { messageId, status } = options;
  if (typeof messageId !== "string" || messageId === "")
    throw new TypeError("metaStatusPayload: messageId must be a non-empty string");
  const seconds =
    options.timestamp instanceof Date
      ? Math.floor(options.timestamp.getTime() / 1000)
      : (options.timestamp ?? Math.floor(Date.now() / 1000));
  const item: Record<string, unknown> = {
    id: messageId,
    status,
    timestamp: String(seconds),
    recipient_id: String(options.recipient).replace(/\D/g, ""),
  };
  if (options.bizOpaqueCallbackData !== undefined)
    item.biz_opaque_callback_data = options.bizOpaqueCallbackData;
  if (status === "sent") {
    item.conversation = {
      id: "a0000000000000000000000000000001",
      expiration_timestamp: String(seconds + 86_400),
      origin: { type: "utility" },
    };
    item.pricing = { billable: true, pricing_model: "PMP", category: "utility", type: "regular" };
  }
  if (status === "failed" || options.errorCode !== undefined) {
    const code = options.errorCode ?? 131000;
    const [title, details] = TITLES[code] ?? ["Message failed to send", "Message failed to send."];
    item.errors = [
      {
        code,
        title,
        message: title,
        error_data: { details },
        href: "/documentation/business-messaging/whatsapp/support/error-codes",
      },
    ];
  }
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: options.businessAccountId ?? "100000000000002",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: {
                display_phone_number: options.displayPhoneNumber ?? "15550001111",
                phone_number_id: options.phoneNumberId ?? "100000000000001",
              },
              statuses: [item],
            },
          },
        ],
      },
    ],
  };
}
