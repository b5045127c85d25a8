import { strictText } from "../core/body.js";
import { bytesEqual, fromHex, sha256Bytes } from "../core/secret.js";
import { smsRuMessageState } from "../providers/sms-ru-states.js";
import {
  accept,
  MAX_STATUS_BODY_BYTES,
  MAX_STATUS_UPDATES,
  readByMethod,
  refuse,
  textAnswer,
  tooLarge,
} from "./answers.js";
import { messageIdOf, unixSecondsOf } from "./fields.js";
import type {
  DeliveryMeaning,
  StatusReading,
  StatusRequest,
  StatusUpdate,
  StatusWebhooks,
} from "./types.js";

/**
 * SMS.ru's status callback ("api callback", set up on SMS.ru's page for programmers,
 * https://sms.ru/?panel=api&subpanel=cb). SMS.ru POSTs a form body with `data[0]`, `data[1]`, …
 * and `hash`. Each `data` entry is lines joined by `\n`: the kind (`sms_status`; also
 * `callcheck_status` for call authorisation, which otzovik skips), the message id
 * (`000000-000001`), the status code (100–102 on the way, 103 delivered, 110 read, 104–108 and 150
 * not delivered, -1 unknown id) and the UNIX time. SMS.ru asks for the plain answer `100` to every
 * request ("на любой запрос этот скрипт должен отвечать цифрой 100"); anything else makes it send
 * again.
 *
 * The `hash` is the lowercase hex SHA-256 of the account's `api_id` (the client's `apiKey`)
 * followed by the raw `data[N]` values in the order sent, with no separator:
 * `sha256(api_id + data[0] + data[1] + …)`. Source: the callback view of iredun/django-smsru
 * (`smsru/service.py`, `validate_callback`: `hashlib.sha256((api_id + "".join(data))
 * .encode("utf-8")).hexdigest()` over the `data[…]` values in request order), the only code found
 * that checks it; the stored copy of SMS.ru's callback page ends before it describes `hash`.
 * Not yet checked against a live SMS.ru account.
 */

const PROVIDER = "sms.ru";
/** Most form fields read from one body; more is not a callback SMS.ru sends. */
const MAX_FIELDS = 10_000;
const DATA_KEY = /^data\[\d{0,6}\]$/;
const encoder = new TextEncoder();

/** What each state of a status code means. */
const MEANINGS = {
  pending: "progress",
  delivered: "delivered",
  failed: "undelivered",
  not_found: "info",
  unknown: "info",
} as const satisfies Record<string, DeliveryMeaning>;

/** Options of {@link createSmsRuStatusWebhooks}. */
export interface SmsRuStatusOptions {
  /**
   * The account's `api_id` (the client's `apiKey`), which keys the callback's `hash`; `null`:
   * callbacks are not read (the client's `statusCallback` is off).
   */
  readonly apiKey?: string | null;
}

/** The reader of SMS.ru's status callbacks for one account. The key stays in the closure. */
export function createSmsRuStatusWebhooks(options: SmsRuStatusOptions = {}): StatusWebhooks {
  const apiKey = options.apiKey ?? null;

  async function post(request: StatusRequest): Promise<StatusReading> {
    if (apiKey === null)
      return refuse(
        "not_configured",
        "SMS.ru callbacks are refused: create the SMS.ru client with `statusCallback: true`",
      );
    if (request.body.length > MAX_STATUS_BODY_BYTES) return tooLarge(request.body.length);
    const decoded = strictText(request.body);
    if (!decoded.ok) return refuse("bad_request", decoded.detail);
    const text = decoded.text;
    const entries: string[] = [];
    let hash: string | null = null;
    let fields = 0;
    for (const [name, value] of new URLSearchParams(text)) {
      if (++fields > MAX_FIELDS)
        return refuse("bad_request", `the body has more than ${MAX_FIELDS} fields`);
      if (DATA_KEY.test(name)) entries.push(value);
      else if (name === "hash" && hash === null) hash = value;
    }
    if (hash === null || hash.trim() === "")
      return refuse("unsigned", "the callback has no hash field");
    const presented = /^[0-9a-fA-F]{64}$/.test(hash.trim()) ? fromHex(hash.trim()) : null;
    if (presented === null) return refuse("bad_signature", "hash is not 64 hex digits");
    const expected = await sha256Bytes(encoder.encode(apiKey + entries.join("")));
    if (!bytesEqual(expected, presented))
      return refuse("bad_signature", "hash does not match the data and apiKey");

    const updates: StatusUpdate[] = [];
    for (const entry of entries) {
      if (updates.length >= MAX_STATUS_UPDATES) break;
      const update = updateOf(entry);
      if (update) updates.push(update);
    }
    return accept(updates, textAnswer(200, "100"));
  }

  return {
    provider: PROVIDER,
    configured: apiKey !== null,
    read: (request) => readByMethod(request, { POST: post }),
  };
}

/** One `data[N]` entry as an update, or `null` for another kind or an unusable entry. */
function updateOf(entry: string): StatusUpdate | null {
  // Four short lines: never split more than that, whatever the entry holds.
  const lines = entry.split("\n", 5).map((line) => line.replace(/\r$/, ""));
  if (lines[0] !== "sms_status") return null;
  const messageId = messageIdOf(lines[1]);
  const raw = lines[2] ?? "";
  if (messageId === null || !/^-?\d{1,4}$/.test(raw)) return null;
  const code = Number(raw);
  const known = smsRuMessageState(code);
  const meaning: DeliveryMeaning = MEANINGS[known?.state ?? "unknown"];
  return {
    provider: PROVIDER,
    messageId,
    event: String(code),
    meaning,
    fallback: meaning === "undelivered",
    optOut: false,
    code: String(code),
    detail: known?.text ?? "A status code otzovik does not know.",
    at: unixSecondsOf(lines[3]),
    recipient: null,
  };
}
