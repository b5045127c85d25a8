/**
 * Every status each provider documents, and what otzovik reads it as: the table of the closing
 * note of issue 11, checked row by row through the receivers.
 */
import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createMetaStatusWebhooks } from "../../src/status/meta.js";
import { createSmsRuStatusWebhooks } from "../../src/status/sms-ru.js";
import type { StatusUpdate } from "../../src/status/types.js";
import { statusRequest } from "../helpers/status-request.js";

type Row = Pick<StatusUpdate, "meaning" | "fallback" | "optOut">;
const row = (meaning: StatusUpdate["meaning"], fallback = false, optOut = false): Row => ({
  meaning,
  fallback,
  optOut,
});

describe("Meta: each status and error code", () => {
  const SECRET = "meta-app-secret";
  const webhooks = createMetaStatusWebhooks({ appSecret: SECRET });

  async function read(status: string, code?: number): Promise<StatusUpdate> {
    const item: Record<string, unknown> = {
      id: "wamid.T",
      status,
      timestamp: "1790503200",
      recipient_id: "79161234567",
    };
    if (code !== undefined) item.errors = [{ code, title: "t", message: "t" }];
    const body = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [{ changes: [{ value: { statuses: [item] } }] }],
    });
    const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
    const reading = await webhooks.read(
      statusRequest({ headers: { "x-hub-signature-256": signature }, body }),
    );
    if (reading.ok !== true || reading.updates.length !== 1)
      throw new Error(JSON.stringify(reading));
    return reading.updates[0] as StatusUpdate;
  }

  const statuses: [string, Row][] = [
    ["sent", row("progress")],
    ["delivered", row("delivered")],
    ["read", row("delivered")],
    ["played", row("delivered")],
    ["deleted", row("info")],
    ["warning", row("info")],
    ["something_new", row("info")],
  ];
  it.each(statuses)("status %s", async (status, expected) => {
    expect(await read(status)).toMatchObject({
      ...expected,
      event: status,
      code: null,
      detail: null,
    });
  });

  // A failed status is final: every code but the opt-out means "try the next channel".
  const failures: [number | undefined, Row & { code: string | null }][] = [
    [131047, { ...row("undelivered", true), code: "131047" }],
    [131026, { ...row("undelivered", true), code: "131026" }],
    [131049, { ...row("undelivered", true), code: "131049" }],
    [131048, { ...row("undelivered", true), code: "131048" }],
    [130472, { ...row("undelivered", true), code: "130472" }],
    [131000, { ...row("undelivered", true), code: "131000" }],
    [131056, { ...row("undelivered", true), code: "131056" }],
    [132001, { ...row("undelivered", true), code: "132001" }],
    [131030, { ...row("undelivered", true), code: "131030" }],
    [131050, { ...row("undelivered", false, true), code: "131050" }],
    [999_999, { ...row("undelivered", true), code: "999999" }],
    [undefined, { ...row("undelivered", true), code: null }],
  ];
  it.each(failures)("failed with error %s", async (code, expected) => {
    const update = await read("failed", code);
    expect(update).toMatchObject({ ...expected, event: "failed" });
    expect(update.detail === null || update.detail.length <= 200).toBe(true);
  });

  it("gives otzovik's hint as detail for known codes", async () => {
    expect((await read("failed", 131026)).detail).toBe(
      "Undeliverable: not a WhatsApp user or an old app. Try SMS.",
    );
    expect((await read("failed", 131050)).detail).toBe(
      "The user opted out of your marketing messages: do not message again.",
    );
  });
});

describe("SMS.ru: each status code", () => {
  const API_KEY = "smsru-api-id";
  const webhooks = createSmsRuStatusWebhooks({ apiKey: API_KEY });

  async function read(code: string): Promise<StatusUpdate> {
    const entry = `sms_status\n000000-000001\n${code}\n1790503200`;
    const hash = createHash("sha256")
      .update(API_KEY + entry)
      .digest("hex");
    const body = `data[0]=${encodeURIComponent(entry)}&hash=${hash}`;
    const reading = await webhooks.read(statusRequest({ body }));
    if (reading.ok !== true || reading.updates.length !== 1)
      throw new Error(JSON.stringify(reading));
    return reading.updates[0] as StatusUpdate;
  }

  const codes: [string, Row, string][] = [
    ["-1", row("info"), "Message not found."],
    ["100", row("progress"), "Queued at SMS.ru."],
    ["101", row("progress"), "Being passed to the operator."],
    ["102", row("progress"), "Sent, in transit."],
    ["103", row("delivered"), "Delivered."],
    ["110", row("delivered"), "Read (Viber)."],
    ["104", row("undelivered", true), "Not delivered: its lifetime expired."],
    ["105", row("undelivered", true), "Not delivered: deleted by the operator."],
    ["106", row("undelivered", true), "Not delivered: phone failure."],
    ["107", row("undelivered", true), "Not delivered: unknown reason."],
    ["108", row("undelivered", true), "Not delivered: rejected."],
    ["150", row("undelivered", true), "Not delivered: no route to this number."],
    ["109", row("info"), "A status code otzovik does not know."],
    ["200", row("info"), "A status code otzovik does not know."],
  ];
  it.each(codes)("code %s", async (code, expected, detail) => {
    expect(await read(code)).toMatchObject({ ...expected, event: code, code, detail });
  });
});
