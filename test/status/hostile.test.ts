/**
 * Hostile status webhooks: huge arrays, prototype keys, bodies that are not JSON or not UTF-8,
 * oversized headers. A receiver never throws, never reads more than it must, and never lets a key
 * such as `__proto__` reach an object's prototype.
 */
import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MAX_STATUS_BODY_BYTES, MAX_STATUS_UPDATES } from "../../src/status/answers.js";
import { createMetaStatusWebhooks } from "../../src/status/meta.js";
import { createResendStatusWebhooks } from "../../src/status/resend.js";
import { createSmsRuStatusWebhooks } from "../../src/status/sms-ru.js";
import type { StatusReading, StatusRequest } from "../../src/status/types.js";
import { statusRequest } from "../helpers/status-request.js";

const META_SECRET = "meta-app-secret";
const SMSRU_KEY = "smsru-api-id";
const RESEND_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const RESEND_KEY = Buffer.from(RESEND_SECRET.slice(6), "base64");
const NOW = 1_790_503_200_000;

const meta = createMetaStatusWebhooks({ appSecret: META_SECRET, verifyToken: "token" });
const smsRu = createSmsRuStatusWebhooks({ apiKey: SMSRU_KEY });
const resend = createResendStatusWebhooks({ webhookSecret: RESEND_SECRET, now: () => NOW });

const metaPost = (body: string | Uint8Array) =>
  statusRequest({
    headers: {
      "x-hub-signature-256": `sha256=${createHmac("sha256", META_SECRET).update(body).digest("hex")}`,
    },
    body,
  });

const resendPost = (body: string | Uint8Array, id = "msg_1") => {
  const ts = String(NOW / 1000);
  const content = Buffer.concat([Buffer.from(`${id}.${ts}.`), Buffer.from(body)]);
  const signature = `v1,${createHmac("sha256", RESEND_KEY).update(content).digest("base64")}`;
  return statusRequest({
    headers: { "svix-id": id, "svix-timestamp": ts, "svix-signature": signature },
    body,
  });
};

function smsRuPost(entries: string[], extra = ""): StatusRequest {
  const hash = createHash("sha256")
    .update(SMSRU_KEY + entries.join(""))
    .digest("hex");
  const data = entries.map((e, i) => `data[${i}]=${encodeURIComponent(e)}`).join("&");
  return statusRequest({ body: `${extra}${data}&hash=${hash}` });
}

const statusItem = (i: number) => ({
  id: `wamid.${i}`,
  status: "delivered",
  timestamp: "1790503200",
  recipient_id: "79161234567",
});

function expectPrototypeUntouched() {
  const probe: Record<string, unknown> = {};
  expect(probe.polluted).toBeUndefined();
  expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
  expect(Object.prototype).not.toHaveProperty("polluted");
}

describe("hostile status webhooks", () => {
  it("reads at most 1,000 statuses from a signed Meta body of 5,000", async () => {
    const statuses = Array.from({ length: 5000 }, (_, i) => statusItem(i));
    const body = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [{ changes: [{ value: { statuses } }] }],
    });
    const reading = await meta.read(metaPost(body));
    if (reading.ok !== true) throw new Error(JSON.stringify(reading));
    expect(reading.updates).toHaveLength(MAX_STATUS_UPDATES);
    expect(reading.updates.at(-1)?.messageId).toBe("wamid.999");
  });

  it("stops after 10,000 array items, however they are nested", async () => {
    const entry = Array.from({ length: 20_000 }, () => ({ changes: [] }));
    const body = JSON.stringify({
      entry: [...entry, { changes: [{ value: { statuses: [statusItem(1)] } }] }],
    });
    expect(await meta.read(metaPost(body))).toMatchObject({ ok: true, updates: [] });
  });

  it("ignores __proto__, constructor and prototype keys in a signed Meta body", async () => {
    const body = `{"__proto__":{"polluted":true,"entry":[{"changes":[{"value":{"statuses":[{"id":"wamid.P","status":"read"}]}}]}]},
      "constructor":{"prototype":{"polluted":true}},
      "entry":[{"changes":[{"value":{"statuses":[{"__proto__":{"id":"wamid.Q","status":"read"}},{"id":"wamid.R","status":"sent","__proto__":{"polluted":1}}]}}]}]}`;
    const reading = await meta.read(metaPost(body));
    expect(reading).toMatchObject({ ok: true, updates: [{ messageId: "wamid.R", event: "sent" }] });
    expectPrototypeUntouched();
  });

  it("reads a Resend event with __proto__ keys as data only", async () => {
    const body = `{"type":"email.bounced","__proto__":{"polluted":true},"data":{"__proto__":{"email_id":"e-proto"},"email_id":"e-1","to":["a@b.c"],"bounce":{"__proto__":{"type":"Transient"}}}}`;
    const reading = await resend.read(resendPost(body));
    expect(reading).toMatchObject({
      ok: true,
      updates: [{ messageId: "e-1", fallback: true, code: null }],
    });
    expectPrototypeUntouched();
  });

  it("ignores __proto__ form fields and data keys that are not data[N] in an SMS.ru callback", async () => {
    const entry = "sms_status\n000000-000001\n103\n1790503200";
    const reading = await smsRu.read(smsRuPost([entry], "__proto__[polluted]=1&data[x]=1&data=2&"));
    expect(reading).toMatchObject({ ok: true, updates: [{ messageId: "000000-000001" }] });
    expectPrototypeUntouched();
  });

  const junk: [string, string | Uint8Array][] = [
    ["empty", ""],
    ["not JSON", "<xml>status</xml>"],
    ["a JSON string", '"entry"'],
    ["a JSON array", "[1,2,3]"],
    ["null", "null"],
    ["invalid UTF-8", Uint8Array.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d])],
    [
      "a lone surrogate escape",
      '{"entry":[{"changes":[{"value":{"statuses":[{"id":"\\ud800","status":"read"}]}}]}]}',
    ],
    ["deep nesting", `${"[".repeat(50_000)}${"]".repeat(50_000)}`],
    ["a truncated document", '{"entry":[{"changes":[{"value":{"statuses":[{"id":"wamid.'],
  ];
  it.each(junk)("answers a signed Meta body that is %s without throwing", async (_label, body) => {
    const reading = await meta.read(metaPost(body));
    expect(reading.ok === true ? reading.updates : reading.answer.status).toEqual(
      reading.ok === true ? [] : 400,
    );
  });

  it.each(junk)(
    "answers a signed Resend body that is %s without throwing",
    async (_label, body) => {
      const reading = await resend.read(resendPost(body));
      expect(reading.ok === true ? reading.updates : reading.answer.status).toEqual(
        reading.ok === true ? [] : 400,
      );
    },
  );

  it("refuses a body over 4 MiB with 413 before hashing it", async () => {
    const big = new Uint8Array(MAX_STATUS_BODY_BYTES + 1).fill(0x20);
    for (const [webhooks, request] of [
      [
        meta,
        statusRequest({
          headers: { "x-hub-signature-256": `sha256=${"0".repeat(64)}` },
          body: big,
        }),
      ],
      [
        resend,
        statusRequest({
          headers: { "svix-id": "m", "svix-timestamp": "1", "svix-signature": "v1,AA==" },
          body: big,
        }),
      ],
      [smsRu, statusRequest({ body: big })],
    ] as const) {
      expect(await webhooks.read(request)).toMatchObject({
        ok: false,
        reason: "bad_request",
        answer: { status: 413, body: "Payload Too Large" },
      });
    }
  });

  it("refuses an SMS.ru body of more than 10,000 fields with 400", async () => {
    const body = `${"x=1&".repeat(10_001)}hash=${"0".repeat(64)}`;
    expect(await smsRu.read(statusRequest({ body }))).toMatchObject({
      ok: false,
      reason: "bad_request",
      detail: "the body has more than 10000 fields",
    });
  });

  it("reads at most 1,000 statuses from a signed SMS.ru callback of 3,000 entries", async () => {
    const entries = Array.from(
      { length: 3000 },
      (_, i) => `sms_status\n000000-${String(i).padStart(6, "0")}\n103\n1790503200`,
    );
    const reading = await smsRu.read(smsRuPost(entries));
    if (reading.ok !== true) throw new Error(JSON.stringify(reading));
    expect(reading.updates).toHaveLength(MAX_STATUS_UPDATES);
  });

  it("looks at no more than 16 signatures of a huge svix-signature header", async () => {
    const body = '{"type":"email.sent","data":{"email_id":"e-1"}}';
    const valid = resendPost(body).headers("svix-signature") as string;
    const signatures = `${"v1,AAAA ".repeat(100_000)}${valid}`;
    const request = statusRequest({
      headers: {
        "svix-id": "msg_1",
        "svix-timestamp": String(NOW / 1000),
        "svix-signature": signatures,
      },
      body,
    });
    expect(await resend.read(request)).toMatchObject({ ok: false, reason: "bad_signature" });
  });

  it("refuses an svix-id over 256 characters", async () => {
    const id = `msg_${"a".repeat(300)}`;
    expect(await resend.read(resendPost("{}", id))).toMatchObject({
      ok: false,
      reason: "bad_signature",
      detail: "svix-id is malformed",
    });
  });

  it("skips statuses whose ids are too long, not ASCII or not strings", async () => {
    const statuses = [
      { id: "wamid.".padEnd(300, "x"), status: "read" },
      { id: "wamid.кириллица", status: "read" },
      { id: { $ne: null }, status: "read" },
      { id: ["wamid.A"], status: "read" },
      { id: "wamid.OK", status: "read", timestamp: "99999999999999", recipient_id: "7 916" },
    ];
    const reading = await meta.read(
      metaPost(JSON.stringify({ entry: [{ changes: [{ value: { statuses } }] }] })),
    );
    expect(reading).toMatchObject({
      ok: true,
      updates: [{ messageId: "wamid.OK", at: null, recipient: null }],
    });
  });

  it("never throws, whatever the request object holds", async () => {
    const broken = [
      {
        method: undefined,
        headers: () => null,
        query: new URLSearchParams(),
        body: new Uint8Array(),
      },
      {
        method: "POST",
        headers: () => {
          throw new Error("adapter bug");
        },
        query: new URLSearchParams(),
        body: new Uint8Array([1]),
      },
      { method: "GET", headers: () => null, query: undefined, body: undefined },
      { method: "POST", headers: () => "x", query: new URLSearchParams(), body: "not bytes" },
    ] as unknown as StatusRequest[];
    for (const webhooks of [meta, smsRu, resend]) {
      for (const request of broken) {
        const reading: StatusReading = await webhooks.read(request);
        expect(reading.ok).toBe(false);
        expect([400, 401, 403, 405]).toContain(reading.answer.status);
      }
    }
  });
});
