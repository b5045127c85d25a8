import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSmsRuClient } from "../../src/index.js";
import { createSmsRuStatusWebhooks } from "../../src/status/sms-ru.js";
import { smsRuCallbackBody } from "../../src/testing/index.js";
import { statusRequest } from "../helpers/status-request.js";

const API_KEY = "F2D79B58-A5A2-2F9E-91C8-73D12CE2E102";
const receiver = () => createSmsRuStatusWebhooks({ apiKey: API_KEY });

/** SMS.ru's hash, computed here independently: sha256(api_id + data[0] + data[1] + …) in hex. */
const hashOf = (entries: string[], apiKey = API_KEY) =>
  createHash("sha256")
    .update(apiKey + entries.join(""))
    .digest("hex");

/** A callback body written out by hand: data[N] entries (brackets escaped as browsers do) and hash. */
function handWritten(entries: string[], hash = hashOf(entries)): string {
  const data = entries.map((e, i) => `data%5B${i}%5D=${encodeURIComponent(e)}`);
  return [...data, `hash=${hash}`].join("&");
}

const form = (body: string) =>
  statusRequest({ headers: { "content-type": "application/x-www-form-urlencoded" }, body });

const DELIVERED = "sms_status\n000000-000001\n103\n1790503200";
const NOT_DELIVERED = "sms_status\n000000-000002\n104\n1790503260";
const CALLCHECK = "callcheck_status\n201737-542\n401\n1790503300";

describe("SMS.ru status callbacks", () => {
  it("reads a hand-written callback whose hash is sha256(api_id + entries), answering text/plain 100", async () => {
    const reading = await receiver().read(form(handWritten([DELIVERED, NOT_DELIVERED, CALLCHECK])));
    expect(reading).toEqual({
      ok: true,
      deliveryId: null,
      answer: { status: 200, contentType: "text/plain; charset=utf-8", body: "100" },
      updates: [
        {
          provider: "sms.ru",
          messageId: "000000-000001",
          event: "103",
          meaning: "delivered",
          fallback: false,
          optOut: false,
          code: "103",
          detail: "Delivered.",
          at: 1_790_503_200_000,
          recipient: null,
        },
        {
          provider: "sms.ru",
          messageId: "000000-000002",
          event: "104",
          meaning: "undelivered",
          fallback: true,
          optOut: false,
          code: "104",
          detail: "Not delivered: its lifetime expired.",
          at: 1_790_503_260_000,
          recipient: null,
        },
      ],
    });
  });

  it("accepts unescaped brackets, an upper-case hash and CRLF line ends", async () => {
    const entries = ["sms_status\r\n000000-000003\r\n103\r\n1790503200"];
    const body = `data[0]=${encodeURIComponent(entries[0] as string)}&hash=${hashOf(entries).toUpperCase()}`;
    const reading = await receiver().read(form(body));
    expect(reading).toMatchObject({
      ok: true,
      updates: [{ messageId: "000000-000003", event: "103" }],
    });
  });

  const refusals: [string, string, string, string][] = [
    [
      "no hash",
      `data%5B0%5D=${encodeURIComponent(DELIVERED)}`,
      "unsigned",
      "the callback has no hash field",
    ],
    [
      "an empty hash",
      `data%5B0%5D=${encodeURIComponent(DELIVERED)}&hash=`,
      "unsigned",
      "the callback has no hash field",
    ],
    [
      "a hash under another api_id",
      handWritten([DELIVERED], hashOf([DELIVERED], "another-api-id")),
      "bad_signature",
      "hash does not match the data and apiKey",
    ],
    [
      "an entry altered by one byte",
      handWritten([DELIVERED.replace("103", "104")], hashOf([DELIVERED])),
      "bad_signature",
      "hash does not match the data and apiKey",
    ],
    [
      "entries in another order",
      handWritten([NOT_DELIVERED, DELIVERED], hashOf([DELIVERED, NOT_DELIVERED])),
      "bad_signature",
      "hash does not match the data and apiKey",
    ],
    [
      "an entry added",
      handWritten([DELIVERED, NOT_DELIVERED], hashOf([DELIVERED])),
      "bad_signature",
      "hash does not match the data and apiKey",
    ],
    [
      "the hash with entries joined by newlines",
      handWritten(
        [DELIVERED, NOT_DELIVERED],
        createHash("sha256").update(`${API_KEY}${DELIVERED}\n${NOT_DELIVERED}`).digest("hex"),
      ),
      "bad_signature",
      "hash does not match the data and apiKey",
    ],
    [
      "a hash that is not hex",
      handWritten([DELIVERED], "z".repeat(64)),
      "bad_signature",
      "hash is not 64 hex digits",
    ],
    [
      "an MD5-length hash",
      handWritten([DELIVERED], "a".repeat(32)),
      "bad_signature",
      "hash is not 64 hex digits",
    ],
  ];
  it.each(refusals)(
    "refuses %s with 401 and reads nothing",
    async (_label, body, reason, detail) => {
      expect(await receiver().read(form(body))).toEqual({
        ok: false,
        reason,
        detail,
        answer: { status: 401, contentType: "text/plain; charset=utf-8", body: "Unauthorized" },
      });
    },
  );

  it("refuses every callback with 401 when no apiKey is configured", async () => {
    const webhooks = createSmsRuStatusWebhooks({});
    expect(webhooks.configured).toBe(false);
    expect(await webhooks.read(form(handWritten([DELIVERED])))).toMatchObject({
      ok: false,
      reason: "not_configured",
      answer: { status: 401 },
    });
  });

  it("answers 405 to a GET and 400 to a body that is not UTF-8", async () => {
    expect(await receiver().read(statusRequest({ method: "GET" }))).toMatchObject({
      ok: false,
      reason: "bad_request",
      answer: { status: 405 },
    });
    const bytes = Uint8Array.from([...new TextEncoder().encode("data[0]="), 0xc3, 0x28]);
    expect(await receiver().read(statusRequest({ body: bytes }))).toMatchObject({
      ok: false,
      reason: "bad_request",
      detail: "the body is not valid UTF-8",
      answer: { status: 400 },
    });
  });

  it("skips entries without a usable id or code, but still answers 100", async () => {
    const entries = [
      "sms_status\n\n103\n1790503200",
      "sms_status\n000000-000009\nabc\n1",
      "sms_status",
    ];
    expect(await receiver().read(form(handWritten(entries)))).toMatchObject({
      ok: true,
      updates: [],
      answer: { status: 200, body: "100" },
    });
  });

  it("round-trips what otzovik/testing builds, raw entries included", async () => {
    const body = await smsRuCallbackBody(
      [{ smsId: "000000-000010", status: 150, at: new Date("2026-03-01T12:00:00Z") }, CALLCHECK],
      API_KEY,
    );
    expect(await receiver().read(form(body))).toMatchObject({
      ok: true,
      updates: [
        {
          messageId: "000000-000010",
          meaning: "undelivered",
          fallback: true,
          at: Date.parse("2026-03-01T12:00:00Z"),
        },
      ],
    });
  });
});

describe("createSmsRuClient: statusWebhooks", () => {
  it("is off by default: callbacks refused (401) with a message naming `statusCallback`", async () => {
    const client = createSmsRuClient({ apiKey: API_KEY });
    expect(client.statusWebhooks.configured).toBe(false);
    expect(await client.statusWebhooks.read(form(handWritten([DELIVERED])))).toMatchObject({
      ok: false,
      reason: "not_configured",
      detail: expect.stringContaining("statusCallback: true"),
      answer: { status: 401 },
    });
  });

  it("with `statusCallback: true`: configured, keyed with the client's apiKey, which it never shows", async () => {
    const client = createSmsRuClient({ apiKey: API_KEY, statusCallback: true });
    expect(client.statusWebhooks.configured).toBe(true);
    expect(client.statusWebhooks.provider).toBe("sms.ru");
    expect((await client.statusWebhooks.read(form(handWritten([DELIVERED])))).ok).toBe(true);
    expect(JSON.stringify(client.statusWebhooks)).toBe('{"provider":"sms.ru","configured":true}');
    expect(JSON.stringify(client)).not.toContain(API_KEY);
  });
});
