import { sha256Bytes, toHex } from "../../core/secret.js";

/** One `sms_status` entry of an SMS.ru callback, for {@link smsRuCallbackBody}. */
export interface SmsRuCallbackStatus {
  /** The SMS id the send returned (`000000-000001`). */
  readonly smsId: string;
  /** The status code: 100–102 on the way, 103 delivered, 104–108 and 150 not delivered. */
  readonly status: number;
  /** When it happened: a `Date`, or UNIX seconds. Default now. */
  readonly at?: Date | number;
}

/**
 * Builds the form body SMS.ru POSTs to a status callback: `data[0]`, `data[1]`, … (each entry's
 * lines joined by `\n`: `sms_status`, the SMS id, the status code, the UNIX time) and `hash`, the
 * hex SHA-256 of the `api_id` followed by the entries in order. Give a string to send an entry of
 * another kind as it is (`"callcheck_status\n…"`).
 *
 * @param entries - The statuses (or raw entries) in the order SMS.ru would send them.
 * @param apiKey - The `api_id` the client under test was given (`apiKey`).
 * @returns The `application/x-www-form-urlencoded` body.
 *
 * @example
 * const body = await smsRuCallbackBody([{ smsId: "000000-000001", status: 104 }], "test-key")
 * await fetch("http://localhost:3000/api/status/sms.ru", {
 *   method: "POST",
 *   headers: { "content-type": "application/x-www-form-urlencoded" },
 *   body,
 * }) // answers the plain text 100
 */
export async function smsRuCallbackBody(
  entries: readonly (SmsRuCallbackStatus | string)[],
  apiKey: string,
): Promise<string> {
  if (typeof apiKey !== "string" || apiKey === "")
    throw new TypeError("smsRuCallbackBody: apiKey must be a non-empty string");
  const now = Math.floor(Date.now() / 1000);
  const values = entries.map((entry) => {
    if (typeof entry === "string") return entry;
    const at = entry.at instanceof Date ? Math.floor(entry.at.getTime() / 1000) : (entry.at ?? now);
    return ["sms_status", entry.smsId, String(entry.status), String(at)].join("\n");
  });
  const form = new URLSearchParams();
  values.forEach((value, i) => {
    form.append(`data[${i}]`, value);
  });
  const hash = await sha256Bytes(new TextEncoder().encode(apiKey + values.join("")));
  form.append("hash", toHex(hash));
  return form.toString();
}
