import { describe, expect, it } from "vitest";
import { createMetaWhatsappClient } from "../../src/providers/meta-whatsapp.js";
import { createResendClient } from "../../src/providers/resend.js";
import { createSmsRuClient } from "../../src/providers/sms-ru.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type { RequesterOptions, ReviewRequester, SentOutcome } from "../../src/requester/types.js";
import type { StatusRequest } from "../../src/status/types.js";
import { metaStatusPayload, signMetaStatus } from "../../src/testing/status/meta.js";
import { resendEventPayload, signResendEvent } from "../../src/testing/status/resend.js";
import { smsRuCallbackBody } from "../../src/testing/status/sms-ru.js";
import { fixture } from "../helpers/fixtures.js";
import { providerFakes } from "../helpers/provider-fakes.js";

const KEY = "status-providers-key-0123456789";
const PHONE = "+79161234567";
const EMAIL = "guest@example.ru";
const APP_SECRET = "meta-app-secret-0123456789";
const WEBHOOK_SECRET = `whsec_${btoa("resend-webhook-secret-0123456789")}`;
const NOON = Date.parse("2026-03-14T12:00:00+03:00");

const { smsFake, resendFake, keep } = providerFakes({
  metaAccessToken: "meta-token",
  smsApiKey: "sms-key",
});

const sms = () =>
  createSmsRuClient({ apiKey: "sms-key", sender: "Zerno", statusCallback: true, retry: false });
const whatsapp = () =>
  createMetaWhatsappClient({
    accessToken: "meta-token",
    phoneNumberId: "1234567890",
    appSecret: APP_SECRET,
    verifyToken: "verify-me",
    retry: false,
  });
const email = () =>
  createResendClient({
    apiKey: "re_test_key",
    from: "Zerno <hello@zerno.example>",
    webhookSecret: WEBHOOK_SECRET,
    retry: false,
  });

function requester(channels: RequesterOptions["channels"]) {
  const r = createReviewRequester({
    keys: KEY,
    business: "Кофейня «Зерно»",
    reviewUrl: "https://yandex.ru/maps/org/zerno/1/reviews",
    channels,
    quietHours: false,
    now: () => NOON,
    hashSecret: "status-providers-secret-0123",
    logger: { warn: () => {}, error: () => {} },
  });
  return keep(r);
}

/** A status request as an adapter hands it over. */
function post(body: string, headers: Record<string, string>): StatusRequest {
  const h = new Headers(headers);
  return {
    method: "POST",
    headers: (name) => h.get(name),
    query: new URLSearchParams(),
    body: new TextEncoder().encode(body),
  };
}

const smsCount = () => smsFake.requests.filter((r) => r.path.endsWith("/sms/send")).length;

/** Sends order `order` to a customer of its own (the frequency cap is per customer). */
async function sentOf(r: ReviewRequester, order: string, n: number): Promise<SentOutcome> {
  const phone = `+7916123450${n}`;
  const { outcomes } = await r.request({ phone, email: EMAIL, orderId: order });
  expect(outcomes, JSON.stringify(outcomes)).toMatchObject([{ status: "sent" }]);
  return outcomes[0] as SentOutcome;
}

describe("status webhooks of the built-in providers", () => {
  it("Meta: a signed 131047 status → exactly one SMS, for three copies of the webhook; a bad signature → 401", async () => {
    const r = requester([
      { type: "whatsapp", client: whatsapp() },
      { type: "sms", client: sms() },
    ]);
    const handled = await r.handle("iiko", fixture("iiko", "iiko-01-delivery-closed.json"), {
      key: KEY,
    });
    const sent = handled.outcomes[0] as SentOutcome;
    expect(sent).toMatchObject({ status: "sent", channel: "whatsapp", provider: "meta" });
    const body = JSON.stringify(
      metaStatusPayload({
        messageId: sent.messageId,
        status: "failed",
        errorCode: 131047,
        recipient: PHONE,
      }),
    );

    const forged = await r.handleStatus(
      "meta",
      post(body, { "x-hub-signature-256": await signMetaStatus(body, "not-the-app-secret") }),
    );
    expect(forged.answer.status).toBe(401);
    expect(await forged.done).toEqual([]);
    expect(smsCount()).toBe(0);

    const signature = await signMetaStatus(body, APP_SECRET);
    const copies = [];
    for (let i = 0; i < 3; i++) {
      const result = await r.handleStatus(
        "whatsapp",
        post(body, { "x-hub-signature-256": signature }),
      );
      expect(result.answer.status).toBe(200);
      copies.push(await result.done);
    }
    expect(copies[0]).toMatchObject([
      {
        status: "undelivered",
        channel: "whatsapp",
        provider: "meta",
        code: "131047",
        fallback: true,
        phone: PHONE,
      },
      { status: "sent", channel: "sms", provider: "sms.ru" },
    ]);
    expect(copies.slice(1)).toEqual([[], []]);
    expect(smsCount()).toBe(1);
  });

  it("Meta: the GET subscription check answers the challenge with the verify token, 403 without it", async () => {
    const r = requester([{ type: "whatsapp", client: whatsapp() }]);
    const check = (token: string) =>
      r.handleStatus("meta", {
        method: "GET",
        headers: () => null,
        query: new URLSearchParams({
          "hub.mode": "subscribe",
          "hub.verify_token": token,
          "hub.challenge": "1158201444",
        }),
        body: new Uint8Array(0),
      });
    expect((await check("verify-me")).answer).toMatchObject({ status: 200, body: "1158201444" });
    expect((await check("wrong")).answer.status).toBe(403);
  });

  it("SMS.ru: 103 → delivered; 104 → undelivered and the email fallback; the answer is `100`", async () => {
    const r = requester([
      { type: "sms", client: sms() },
      { type: "email", client: email() },
    ]);
    const first = await sentOf(r, "A-1", 1);
    const second = await sentOf(r, "A-2", 2);
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const delivered = await r.handleStatus(
      "smsru",
      post(await smsRuCallbackBody([{ smsId: first.messageId, status: 103 }], "sms-key"), form),
    );
    expect(delivered.answer).toMatchObject({ status: 200, body: "100" });
    expect(await delivered.done).toMatchObject([
      { status: "delivered", channel: "sms", messageId: first.messageId },
    ]);
    const undelivered = await r.handleStatus(
      "sms.ru",
      post(await smsRuCallbackBody([{ smsId: second.messageId, status: 104 }], "sms-key"), form),
    );
    expect(undelivered.answer.body).toBe("100");
    expect(await undelivered.done).toMatchObject([
      { status: "undelivered", code: "104", fallback: true },
      { status: "sent", channel: "email", provider: "resend" },
    ]);
    expect(resendFake.requests).toHaveLength(1);
    // A callback with the wrong hash changes nothing.
    const forged = await r.handleStatus(
      "sms.ru",
      post(await smsRuCallbackBody([{ smsId: first.messageId, status: 104 }], "other-key"), form),
    );
    expect(forged.answer.status).toBe(401);
    expect(resendFake.requests).toHaveLength(1);
  });

  it("Resend: a bounce → undelivered; a complaint → the address opted out; a replayed svix-id changes nothing", async () => {
    const r = requester([{ type: "email", client: email() }]);
    const bounced = await sentOf(r, "B-1", 3);
    const event = await signResendEvent(
      resendEventPayload({
        type: "email.bounced",
        emailId: bounced.messageId,
        to: EMAIL,
        bounce: { type: "Permanent", subType: "General", message: "mailbox does not exist" },
      }),
      WEBHOOK_SECRET,
    );
    const first = await r.handleStatus("resend", post(event.body, event.headers));
    expect(await first.done).toMatchObject([
      { status: "undelivered", channel: "email", provider: "resend" },
    ]);
    const replay = await r.handleStatus("resend", post(event.body, event.headers));
    expect(replay.answer.status).toBe(200);
    expect(await replay.done).toEqual([]);

    const complained = await sentOf(r, "B-2", 4);
    const complaint = await signResendEvent(
      resendEventPayload({ type: "email.complained", emailId: complained.messageId, to: EMAIL }),
      WEBHOOK_SECRET,
    );
    await (await r.handleStatus("resend", post(complaint.body, complaint.headers))).done;
    const after = await r.request({ email: EMAIL, orderId: "B-3" });
    expect(after.outcomes).toMatchObject([{ status: "skipped", reason: "opted_out" }]);
    expect(resendFake.requests).toHaveLength(2);
  });
});
