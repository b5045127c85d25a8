import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createMetaWhatsappClient } from "../../src/index.js";
import { createMetaStatusWebhooks } from "../../src/status/meta.js";
import { metaStatusPayload, signMetaStatus } from "../../src/testing/index.js";
import { fixture } from "../helpers/fixtures.js";
import { statusRequest } from "../helpers/status-request.js";

const APP_SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const VERIFY_TOKEN = "otzovik-verify-token-42";
const receiver = () =>
  createMetaStatusWebhooks({ appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN });

/** Meta's signature, computed here independently of the code under test. */
const sign = (body: string | Uint8Array, secret = APP_SECRET) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

const post = (body: string | Uint8Array, signature: string | null = sign(body)) =>
  statusRequest({
    method: "POST",
    headers: signature === null ? {} : { "X-Hub-Signature-256": signature },
    body,
  });

const handshake = (query: Record<string, string>) => statusRequest({ method: "GET", query });

describe("Meta status webhooks: the subscription handshake", () => {
  it("answers hub.challenge as plain text when hub.verify_token matches", async () => {
    const reading = await receiver().read(
      handshake({
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
      }),
    );
    expect(reading).toEqual({
      ok: "handshake",
      answer: { status: 200, contentType: "text/plain; charset=utf-8", body: "1158201444" },
    });
  });

  it.each([
    [
      "a wrong token",
      { "hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1" },
      "hub.verify_token does not match verifyToken",
    ],
    [
      "a token differing in case",
      {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN.toUpperCase(),
        "hub.challenge": "1",
      },
      "hub.verify_token does not match verifyToken",
    ],
    ["no token", { "hub.mode": "subscribe", "hub.challenge": "1" }, "hub.verify_token is missing"],
    [
      "another mode",
      { "hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1" },
      "hub.mode is not subscribe",
    ],
    [
      "no challenge",
      { "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN },
      "hub.challenge is missing or malformed",
    ],
    [
      "a challenge with markup",
      { "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "<script> x" },
      "hub.challenge is missing or malformed",
    ],
    [
      "a challenge of 513 characters",
      {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "9".repeat(513),
      },
      "hub.challenge is missing or malformed",
    ],
  ])("refuses %s with 403", async (_label, query, detail) => {
    const reading = await receiver().read(handshake(query));
    expect(reading).toEqual({
      ok: false,
      reason: "handshake_refused",
      detail,
      answer: { status: 403, contentType: "text/plain; charset=utf-8", body: "Forbidden" },
    });
  });

  it("refuses every handshake when no verifyToken is configured", async () => {
    const reading = await createMetaStatusWebhooks({ appSecret: APP_SECRET }).read(
      handshake({ "hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1" }),
    );
    expect(reading).toMatchObject({
      ok: false,
      reason: "handshake_refused",
      answer: { status: 403 },
    });
  });

  it("works with a verifyToken but no appSecret (subscribe first, sign later), and still refuses POSTs", async () => {
    const webhooks = createMetaStatusWebhooks({ verifyToken: VERIFY_TOKEN });
    expect(webhooks.configured).toBe(false);
    const ok = await webhooks.read(
      handshake({
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "77",
      }),
    );
    expect(ok).toMatchObject({ ok: "handshake", answer: { body: "77" } });
    const body = fixture("status", "meta-failed-131047.json");
    expect(await webhooks.read(post(body))).toMatchObject({
      ok: false,
      reason: "not_configured",
      answer: { status: 401 },
    });
  });
});

describe("Meta status webhooks: signatures", () => {
  const body = fixture("status", "meta-failed-131047.json");

  it("accepts the documented 131047 failure signed with the app secret, and reads it", async () => {
    const reading = await receiver().read(post(body));
    expect(reading).toEqual({
      ok: true,
      deliveryId: null,
      answer: { status: 200, contentType: "text/plain; charset=utf-8", body: "" },
      updates: [
        {
          provider: "meta",
          messageId: "wamid.TEST_OUT_0002",
          event: "failed",
          meaning: "undelivered",
          fallback: true,
          optOut: false,
          code: "131047",
          detail:
            "More than 24 hours since the customer last wrote: send a template (sendTemplate) or use another channel.",
          at: 1_790_503_200_000,
          recipient: "15550002222",
        },
      ],
    });
  });

  it("accepts the signature in upper-case hex and with surrounding spaces", async () => {
    const signature = sign(body);
    const upper = `  sha256=${signature.slice(7).toUpperCase()} `;
    expect((await receiver().read(post(body, upper))).ok).toBe(true);
  });

  const refusals: [string, string | Uint8Array, string | null, string, string][] = [
    ["no signature header", body, null, "unsigned", "the X-Hub-Signature-256 header is missing"],
    [
      "an empty signature header",
      body,
      "",
      "unsigned",
      "the X-Hub-Signature-256 header is missing",
    ],
    [
      "the wrong app secret",
      body,
      sign(body, "another-app-secret"),
      "bad_signature",
      "X-Hub-Signature-256 does not match the body and appSecret",
    ],
    [
      "the body altered by one byte",
      body.replace("131047", "131048"),
      sign(body),
      "bad_signature",
      "X-Hub-Signature-256 does not match the body and appSecret",
    ],
    [
      "re-serialised JSON",
      JSON.stringify(JSON.parse(body)),
      sign(body),
      "bad_signature",
      "X-Hub-Signature-256 does not match the body and appSecret",
    ],
    [
      "a sha1 signature",
      body,
      `sha1=${createHmac("sha1", APP_SECRET).update(body).digest("hex")}`,
      "bad_signature",
      "X-Hub-Signature-256 is not sha256=<64 hex digits>",
    ],
    [
      "a truncated signature",
      body,
      sign(body).slice(0, 40),
      "bad_signature",
      "X-Hub-Signature-256 is not sha256=<64 hex digits>",
    ],
    [
      "the bare hex without sha256=",
      body,
      sign(body).slice(7),
      "bad_signature",
      "X-Hub-Signature-256 is not sha256=<64 hex digits>",
    ],
  ];
  it.each(refusals)(
    "refuses %s with 401 and reads nothing",
    async (_label, sent, signature, reason, detail) => {
      const reading = await receiver().read(post(sent, signature));
      expect(reading).toEqual({
        ok: false,
        reason,
        detail,
        answer: { status: 401, contentType: "text/plain; charset=utf-8", body: "Unauthorized" },
      });
    },
  );

  it("refuses every POST with 401 when no appSecret is configured, never reading it unsigned", async () => {
    const webhooks = createMetaStatusWebhooks({});
    expect(webhooks.configured).toBe(false);
    for (const signature of [sign(body), null]) {
      expect(await webhooks.read(post(body, signature))).toEqual({
        ok: false,
        reason: "not_configured",
        detail: "no appSecret is configured: Meta status POSTs are refused",
        answer: { status: 401, contentType: "text/plain; charset=utf-8", body: "Unauthorized" },
      });
    }
  });

  it("answers 400 for a signed body that is not JSON, and 405 for other methods", async () => {
    expect(await receiver().read(post("entry=1"))).toMatchObject({
      ok: false,
      reason: "bad_request",
      answer: { status: 400 },
    });
    const bytes = Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d]);
    expect(await receiver().read(post(bytes))).toMatchObject({
      ok: false,
      reason: "bad_request",
      detail: "the body is not valid UTF-8",
      answer: { status: 400 },
    });
    expect(await receiver().read(statusRequest({ method: "PUT", body }))).toMatchObject({
      ok: false,
      reason: "bad_request",
      answer: { status: 405, body: "Method Not Allowed" },
    });
  });
});

describe("Meta status webhooks: what is read", () => {
  it("reads sent, delivered and read of one wamid in the order sent", async () => {
    const body = fixture("status", "meta-sent-delivered-read.json");
    const reading = await receiver().read(post(body));
    if (reading.ok !== true) throw new Error(JSON.stringify(reading));
    expect(
      reading.updates.map((u) => [u.event, u.meaning, u.fallback, u.optOut, u.code, u.at]),
    ).toEqual([
      ["sent", "progress", false, false, null, 1_790_503_100_000],
      ["delivered", "delivered", false, false, null, 1_790_503_105_000],
      ["read", "delivered", false, false, null, 1_790_503_160_000],
    ]);
    expect(new Set(reading.updates.map((u) => u.messageId))).toEqual(
      new Set(["wamid.HBgLNzkxNjEyMzQ1NjcVAgARGBI5QjZGQzE2RkJFMzc2QTQ1NjkA"]),
    );
  });

  it("reads an inbound message as no update (it is not a status), and still answers 200", async () => {
    const reading = await receiver().read(post(fixture("status", "meta-inbound-message.json")));
    expect(reading).toEqual({
      ok: true,
      updates: [],
      deliveryId: null,
      answer: { status: 200, contentType: "text/plain; charset=utf-8", body: "" },
    });
  });

  it("reads statuses of several entries and changes, skipping items without an id or a status", async () => {
    const status = (id: unknown, s: unknown) => ({
      id,
      status: s,
      timestamp: "1790503200",
      recipient_id: "79161234567",
    });
    const body = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [
        {
          id: "1",
          changes: [
            {
              field: "messages",
              value: { statuses: [status("wamid.A", "sent"), status(null, "sent")] },
            },
          ],
        },
        {
          id: "2",
          changes: [
            {
              field: "messages",
              value: { statuses: [status("wamid.B", 5), status("wamid.C", "delivered")] },
            },
          ],
        },
      ],
    });
    const reading = await receiver().read(post(body));
    if (reading.ok !== true) throw new Error(JSON.stringify(reading));
    expect(reading.updates.map((u) => `${u.messageId}:${u.event}`)).toEqual([
      "wamid.A:sent",
      "wamid.C:delivered",
    ]);
  });

  it("round-trips what otzovik/testing builds and signs", async () => {
    const body = JSON.stringify(
      metaStatusPayload({
        messageId: "wamid.ROUNDTRIP",
        status: "failed",
        errorCode: 131050,
        recipient: "+7 916 123-45-67",
        timestamp: new Date("2026-03-01T12:00:00Z"),
      }),
    );
    const reading = await receiver().read(post(body, await signMetaStatus(body, APP_SECRET)));
    expect(reading).toMatchObject({
      ok: true,
      updates: [
        {
          messageId: "wamid.ROUNDTRIP",
          event: "failed",
          meaning: "undelivered",
          fallback: false,
          optOut: true,
          code: "131050",
          at: Date.parse("2026-03-01T12:00:00Z"),
          recipient: "79161234567",
        },
      ],
    });
  });

  it("never puts a phone number or an email from Meta's text into detail", async () => {
    const body = JSON.stringify(
      metaStatusPayload({
        messageId: "wamid.X",
        status: "failed",
        errorCode: 999_999,
        recipient: "79161234567",
      }),
    ).replace("Message failed to send.", "Recipient +7 (916) 123-45-67 / anna@mail.ru rejected it");
    const reading = await receiver().read(post(body));
    if (reading.ok !== true) throw new Error(JSON.stringify(reading));
    expect(reading.updates[0]?.detail).toBe("Recipient [number] / [email] rejected it");
  });
});

describe("createMetaWhatsappClient: statusWebhooks", () => {
  const base = { accessToken: "EAAG-token", phoneNumberId: "106540352242922" };

  it("is configured with appSecret, and reads what Meta signs with it", async () => {
    const client = createMetaWhatsappClient({
      ...base,
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
    });
    expect(client.statusWebhooks.provider).toBe("meta");
    expect(client.statusWebhooks.configured).toBe(true);
    const body = fixture("status", "meta-failed-131047.json");
    expect((await client.statusWebhooks.read(post(body))).ok).toBe(true);
  });

  it("is not configured without appSecret", () => {
    expect(createMetaWhatsappClient(base).statusWebhooks.configured).toBe(false);
  });

  it("keeps appSecret and verifyToken off the client: not in its keys, JSON or text", () => {
    const client = createMetaWhatsappClient({
      ...base,
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
    });
    const shown = [
      JSON.stringify(client),
      String(client),
      String(client.statusWebhooks),
      Object.keys(client).join(),
    ];
    for (const text of shown) {
      expect(text).not.toContain(APP_SECRET);
      expect(text).not.toContain(VERIFY_TOKEN);
    }
    expect(JSON.stringify(client.statusWebhooks)).toBe('{"provider":"meta","configured":true}');
  });
});
