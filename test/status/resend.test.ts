import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, createResendClient } from "../../src/index.js";
import { createResendStatusWebhooks } from "../../src/status/resend.js";
import { resendEventPayload, signResendEvent } from "../../src/testing/index.js";
import { fixture } from "../helpers/fixtures.js";
import { statusRequest } from "../helpers/status-request.js";

/** The secret of the Standard Webhooks test suite. */
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const KEY = Buffer.from("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "base64");
const NOW = Date.parse("2026-03-01T12:00:00Z");
const NOW_S = NOW / 1000;
const receiver = (now = NOW) =>
  createResendStatusWebhooks({ webhookSecret: SECRET, now: () => now });

/** A Svix signature, computed here independently of the code under test. */
const sign = (id: string, timestamp: number | string, body: string, key: Buffer = KEY) =>
  `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;

function post(
  body: string,
  headers: Partial<Record<"id" | "timestamp" | "signature", string>> = {},
) {
  const id = headers.id ?? "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
  const timestamp = headers.timestamp ?? String(NOW_S);
  return statusRequest({
    headers: {
      "content-type": "application/json",
      "svix-id": id,
      "svix-timestamp": timestamp,
      "svix-signature": headers.signature ?? sign(id, timestamp, body),
    },
    body,
  });
}

const UNAUTHORIZED = {
  status: 401,
  contentType: "text/plain; charset=utf-8",
  body: "Unauthorized",
};

describe("Resend webhooks: signatures", () => {
  const body = fixture("status", "resend-email-bounced.json");

  it("accepts the documented bounce and reads a hard bounce as undelivered with fallback", async () => {
    const reading = await receiver().read(post(body));
    expect(reading).toEqual({
      ok: true,
      deliveryId: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
      answer: { status: 200, contentType: "text/plain; charset=utf-8", body: "" },
      updates: [
        {
          provider: "resend",
          messageId: "56761188-7520-42d8-8898-ff6fc54ce618",
          event: "email.bounced",
          meaning: "undelivered",
          fallback: true,
          optOut: false,
          code: "Permanent/Suppressed",
          detail:
            "The recipient's email address is on the suppression list because it has a recent history of producing hard bounces.",
          at: Date.parse("2024-11-22T23:41:12.126Z"),
          recipient: "delivered@resend.dev",
        },
      ],
    });
  });

  it("accepts several signatures when one is valid (rotation), ignoring other versions", async () => {
    const valid = sign("msg_1", NOW_S, body);
    const signature = [
      "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
      `v2,${valid.slice(3)}`,
      valid,
      "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
    ].join(" ");
    expect((await receiver().read(post(body, { id: "msg_1", signature }))).ok).toBe(true);
  });

  it("accepts the Standard Webhooks header names (webhook-id, webhook-timestamp, webhook-signature)", async () => {
    const request = statusRequest({
      headers: {
        "webhook-id": "msg_std",
        "webhook-timestamp": String(NOW_S),
        "webhook-signature": sign("msg_std", NOW_S, body),
      },
      body,
    });
    expect(await receiver().read(request)).toMatchObject({ ok: true, deliveryId: "msg_std" });
  });

  it("accepts timestamps up to 5 minutes away either way", async () => {
    for (const timestamp of [NOW_S - 300, NOW_S + 300]) {
      const reading = await receiver().read(
        post(body, {
          timestamp: String(timestamp),
          signature: sign("msg_t", timestamp, body),
          id: "msg_t",
        }),
      );
      expect(reading.ok).toBe(true);
    }
  });

  it.each([
    ["5 minutes and 1 second old", NOW_S - 301, "svix-timestamp is 301 s old, more than 300 s"],
    ["5 minutes and 1 second ahead", NOW_S + 301, "svix-timestamp is 301 s ahead, more than 300 s"],
    ["a day old", NOW_S - 86_400, "svix-timestamp is 86400 s old, more than 300 s"],
  ])("refuses a correctly signed body %s as stale", async (_label, timestamp, detail) => {
    const reading = await receiver().read(
      post(body, {
        id: "msg_s",
        timestamp: String(timestamp),
        signature: sign("msg_s", timestamp, body),
      }),
    );
    expect(reading).toEqual({ ok: false, reason: "stale", detail, answer: UNAUTHORIZED });
  });

  const otherKey = Buffer.from("c2VjcmV0LW9mLWFub3RoZXItd2ViaG9vaw==", "base64");
  const refusals: [string, ReturnType<typeof post>, string, string][] = [
    [
      "no svix-signature",
      statusRequest({ headers: { "svix-id": "msg_1", "svix-timestamp": String(NOW_S) }, body }),
      "unsigned",
      "svix-id, svix-timestamp or svix-signature is missing",
    ],
    [
      "no svix-id",
      statusRequest({
        headers: { "svix-timestamp": String(NOW_S), "svix-signature": sign("", NOW_S, body) },
        body,
      }),
      "unsigned",
      "svix-id, svix-timestamp or svix-signature is missing",
    ],
    [
      "no svix-timestamp",
      statusRequest({
        headers: { "svix-id": "msg_1", "svix-signature": sign("msg_1", "", body) },
        body,
      }),
      "unsigned",
      "svix-id, svix-timestamp or svix-signature is missing",
    ],
    [
      "the wrong secret",
      post(body, { signature: sign("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", NOW_S, body, otherKey) }),
      "bad_signature",
      "no v1 signature matches the body and webhookSecret",
    ],
    [
      "the body altered by one byte",
      post(body.replace("Permanent", "Permanenu"), {
        signature: sign("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", NOW_S, body),
      }),
      "bad_signature",
      "no v1 signature matches the body and webhookSecret",
    ],
    [
      "re-serialised JSON",
      post(JSON.stringify(JSON.parse(body)), {
        signature: sign("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", NOW_S, body),
      }),
      "bad_signature",
      "no v1 signature matches the body and webhookSecret",
    ],
    [
      "another svix-id than signed",
      post(body, {
        id: "msg_other",
        signature: sign("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", NOW_S, body),
      }),
      "bad_signature",
      "no v1 signature matches the body and webhookSecret",
    ],
    [
      "a stale timestamp swapped in under the old signature",
      post(body, {
        timestamp: String(NOW_S - 10),
        signature: sign("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", NOW_S, body),
      }),
      "bad_signature",
      "no v1 signature matches the body and webhookSecret",
    ],
    [
      "only a v2 signature",
      post(body, {
        signature: `v2,${sign("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", NOW_S, body).slice(3)}`,
      }),
      "bad_signature",
      "no v1 signature matches the body and webhookSecret",
    ],
    [
      "a partial signature",
      post(body, { signature: sign("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", NOW_S, body).slice(0, 8) }),
      "bad_signature",
      "no v1 signature matches the body and webhookSecret",
    ],
    [
      "an empty v1 signature",
      post(body, { signature: "v1," }),
      "bad_signature",
      "no v1 signature matches the body and webhookSecret",
    ],
    [
      "a timestamp that is not a number",
      post(body, { timestamp: "hello" }),
      "bad_signature",
      "svix-timestamp is not UNIX seconds",
    ],
    [
      "an svix-id with spaces",
      post(body, { id: "msg 1" }),
      "bad_signature",
      "svix-id is malformed",
    ],
  ];
  it.each(refusals)("refuses %s with 401", async (_label, request, reason, detail) => {
    expect(await receiver().read(request)).toEqual({
      ok: false,
      reason,
      detail,
      answer: UNAUTHORIZED,
    });
  });

  it("refuses every POST with 401 when no webhookSecret is configured", async () => {
    const webhooks = createResendStatusWebhooks({});
    expect(webhooks.configured).toBe(false);
    expect(await webhooks.read(post(body))).toMatchObject({
      ok: false,
      reason: "not_configured",
      answer: UNAUTHORIZED,
    });
  });

  it("answers 400 for a signed body that is not JSON", async () => {
    expect(await receiver().read(post("not json"))).toMatchObject({
      ok: false,
      reason: "bad_request",
      detail: "the body is not valid JSON",
      answer: { status: 400 },
    });
  });
});

describe("Resend webhooks: what each event means", () => {
  const cases: [string, Record<string, unknown>, Partial<Record<string, unknown>>][] = [
    ["email.sent", {}, { meaning: "progress", fallback: false, optOut: false }],
    ["email.scheduled", {}, { meaning: "progress", fallback: false, optOut: false }],
    ["email.delivery_delayed", {}, { meaning: "progress", fallback: false, optOut: false }],
    ["email.delivered", {}, { meaning: "delivered", fallback: false, optOut: false }],
    ["email.opened", {}, { meaning: "delivered", fallback: false, optOut: false }],
    [
      "email.clicked",
      { click: { link: "https://example.com/r" } },
      { meaning: "delivered", fallback: false },
    ],
    [
      "email.bounced",
      {
        bounce: {
          type: "Permanent",
          subType: "General",
          message: "550 5.1.1 <anna@mail.ru> unknown",
        },
      },
      {
        meaning: "undelivered",
        fallback: true,
        code: "Permanent/General",
        detail: "550 5.1.1 <[email]> unknown",
      },
    ],
    [
      "email.bounced",
      { bounce: { type: "Transient", subType: "MailboxFull", message: "Mailbox full" } },
      { meaning: "undelivered", fallback: false, code: "Transient/MailboxFull" },
    ],
    [
      "email.bounced",
      { bounce: { type: "Undetermined" } },
      { meaning: "undelivered", fallback: true, code: "Undetermined" },
    ],
    ["email.bounced", {}, { meaning: "undelivered", fallback: true, code: null, detail: null }],
    [
      "email.failed",
      { failed: { reason: "reached_daily_quota" } },
      { meaning: "undelivered", fallback: true, detail: "reached_daily_quota" },
    ],
    [
      "email.suppressed",
      { suppressed: { type: "OnAccountSuppressionList", message: "On the suppression list" } },
      { meaning: "undelivered", fallback: true, code: "OnAccountSuppressionList" },
    ],
    [
      "email.complained",
      {},
      {
        meaning: "info",
        fallback: false,
        optOut: true,
        detail: "The recipient marked the email as spam.",
      },
    ],
    ["email.something_new", {}, { meaning: "info", fallback: false, optOut: false }],
  ];
  it.each(cases)("%s %j", async (type, extra, expected) => {
    const data = {
      created_at: "2026-03-01T11:59:59.000Z",
      email_id: "4ef9a417-02e9-4d39-ad75-9611e0fcc33c",
      from: "Кофейня <hi@kofe.ru>",
      to: ["anna@mail.ru"],
      subject: "Оцените визит",
      ...extra,
    };
    const body = JSON.stringify({ type, created_at: "2026-03-01T12:00:00.000Z", data });
    const reading = await receiver().read(post(body));
    expect(reading).toMatchObject({
      ok: true,
      updates: [
        {
          provider: "resend",
          messageId: "4ef9a417-02e9-4d39-ad75-9611e0fcc33c",
          event: type,
          at: NOW,
          recipient: "anna@mail.ru",
          ...expected,
        },
      ],
    });
  });

  it.each([
    [
      "email.received (an inbound email)",
      { type: "email.received", created_at: "x", data: { email_id: "e1" } },
    ],
    [
      "contact.created",
      { type: "contact.created", created_at: "x", data: { id: "c1", email: "a@b.c" } },
    ],
    ["an email event without email_id", { type: "email.delivered", created_at: "x", data: {} }],
    ["an event without type", { created_at: "x", data: { email_id: "e1" } }],
  ])("reads %s as no update, answering 200", async (_label, event) => {
    expect(await receiver().read(post(JSON.stringify(event)))).toMatchObject({
      ok: true,
      updates: [],
      answer: { status: 200 },
    });
  });

  it("reads the documented complaint as an opt-out", async () => {
    const reading = await receiver().read(post(fixture("status", "resend-email-complained.json")));
    expect(reading).toMatchObject({
      ok: true,
      updates: [{ event: "email.complained", optOut: true }],
    });
  });

  it("round-trips what otzovik/testing builds and signs, and gives svix-id as deliveryId", async () => {
    const signed = await signResendEvent(
      resendEventPayload({
        type: "email.bounced",
        emailId: "e-42",
        to: "anna@mail.ru",
        createdAt: new Date(NOW),
      }),
      SECRET,
      { id: "msg_replay", timestamp: new Date(NOW) },
    );
    const request = statusRequest({ headers: signed.headers, body: signed.body });
    expect(await receiver().read(request)).toMatchObject({
      ok: true,
      deliveryId: "msg_replay",
      updates: [
        { messageId: "e-42", meaning: "undelivered", fallback: true, code: "Permanent/General" },
      ],
    });
  });
});

describe("createResendClient: webhookSecret and statusWebhooks", () => {
  const base = { apiKey: "re_123", from: "Кофейня <hi@kofe.ru>" };

  it("is configured with webhookSecret and reads what Resend signs now", async () => {
    const client = createResendClient({ ...base, webhookSecret: SECRET });
    expect(client.statusWebhooks.configured).toBe(true);
    const signed = await signResendEvent(
      resendEventPayload({ type: "email.delivered", emailId: "e-1" }),
      SECRET,
    );
    const reading = await client.statusWebhooks.read(
      statusRequest({ headers: signed.headers, body: signed.body }),
    );
    expect(reading).toMatchObject({
      ok: true,
      updates: [{ messageId: "e-1", meaning: "delivered" }],
    });
  });

  it("accepts the secret without its whsec_ prefix, and is not configured without one", () => {
    expect(
      createResendClient({ ...base, webhookSecret: SECRET.slice(6) }).statusWebhooks.configured,
    ).toBe(true);
    expect(createResendClient(base).statusWebhooks.configured).toBe(false);
  });

  it.each([
    ["", "Option `webhookSecret` must be a non-empty string without spaces."],
    ["whsec_ abc", "Option `webhookSecret` must be a non-empty string without spaces."],
    [
      "whsec_not*base64",
      'Option `webhookSecret` must be the signing secret Resend shows for the webhook ("whsec_" and base64).',
    ],
    [
      "whsec_",
      'Option `webhookSecret` must be the signing secret Resend shows for the webhook ("whsec_" and base64).',
    ],
    [42, "Option `webhookSecret` must be a string."],
  ])(
    "refuses webhookSecret %j at creation, naming the option and not the value",
    (value, message) => {
      const create = () => createResendClient({ ...base, webhookSecret: value as string });
      expect(create).toThrow(ConfigError);
      expect(create).toThrow(message);
    },
  );

  it("keeps webhookSecret off the client", () => {
    const client = createResendClient({ ...base, webhookSecret: SECRET });
    expect(JSON.stringify(client)).not.toContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    expect(JSON.stringify(client.statusWebhooks)).toBe('{"provider":"resend","configured":true}');
  });
});
