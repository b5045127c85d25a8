import { describe, expect, it } from "vitest";
import { createMetaWhatsappClient } from "../../src/providers/meta-whatsapp.js";
import { createResendClient } from "../../src/providers/resend.js";
import { createSmsRuClient } from "../../src/providers/sms-ru.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type { SentOutcome } from "../../src/requester/types.js";
import { createMetaStatusWebhooks } from "../../src/status/meta.js";
import { createResendStatusWebhooks } from "../../src/status/resend.js";
import { createSmsRuStatusWebhooks } from "../../src/status/sms-ru.js";
import type { StatusRequest } from "../../src/status/types.js";
import type { FakeStatusWebhook } from "../../src/testing/index.js";
import { fixture } from "../helpers/fixtures.js";
import { providerFakes } from "../helpers/provider-fakes.js";

const APP_SECRET = "fake-status-app-secret-0123";
const WEBHOOK_SECRET = `whsec_${btoa("fake-status-webhook-secret-0123")}`;
const PHONE = "+79161234567";

const { metaFake, smsFake, resendFake, keep } = providerFakes({ metaAccessToken: "meta-token" });

const whatsapp = () =>
  createMetaWhatsappClient({
    accessToken: "meta-token",
    phoneNumberId: "106540352242922",
    appSecret: APP_SECRET,
    retry: false,
  });
const sms = (apiKey = "sms-key") =>
  createSmsRuClient({ apiKey, statusCallback: true, retry: false });
const email = () =>
  createResendClient({
    apiKey: "re_test_key",
    from: "Zerno <hello@zerno.example>",
    webhookSecret: WEBHOOK_SECRET,
    retry: false,
  });

/**
 * A webhook as a route would receive it: through `new Request(url, webhook)`, which shows it is a
 * `RequestInit` as it is, then read as an adapter hands requests to a receiver (raw bytes).
 */
async function received(webhook: FakeStatusWebhook, path: string): Promise<StatusRequest> {
  const request = new Request(`http://localhost:3000${path}`, webhook);
  const body = new Uint8Array(await request.arrayBuffer());
  return {
    method: request.method,
    headers: (name) => request.headers.get(name),
    query: new URL(request.url).searchParams,
    body,
  };
}

describe("createFakeMetaWhatsapp().statusWebhook", () => {
  it("reports on the message it accepted as Meta does: its wamid, recipient, number id and biz_opaque_callback_data, signed", async () => {
    const sent = await whatsapp().sendWhatsapp(PHONE, "Оцените визит", {
      bizOpaqueCallbackData: "order-42",
    });
    const webhook = await metaFake.statusWebhook(sent.messageId, {
      status: "failed",
      errorCode: 131047,
      appSecret: APP_SECRET,
      timestamp: 1_790_503_200,
    });
    expect(webhook.method).toBe("POST");
    expect(webhook.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(webhook.body);
    expect(body.entry[0].changes[0].value.metadata.phone_number_id).toBe("106540352242922");
    expect(body.entry[0].changes[0].value.statuses[0]).toMatchObject({
      id: sent.messageId,
      status: "failed",
      timestamp: "1790503200",
      recipient_id: "79161234567",
      biz_opaque_callback_data: "order-42",
      errors: [{ code: 131047, title: "Re-engagement message" }],
    });

    const reading = await createMetaStatusWebhooks({ appSecret: APP_SECRET }).read(
      await received(webhook, "/api/status/meta"),
    );
    expect(reading).toMatchObject({
      ok: true,
      answer: { status: 200 },
      updates: [
        {
          provider: "meta",
          messageId: sent.messageId,
          event: "failed",
          meaning: "undelivered",
          fallback: true,
          optOut: false,
          code: "131047",
          at: 1_790_503_200_000,
          recipient: "79161234567",
        },
      ],
    });
  });

  it("delivered and read are delivered; 131050 opts out without falling back", async () => {
    const sent = await whatsapp().sendWhatsapp(PHONE, "Оцените визит");
    const receiver = createMetaStatusWebhooks({ appSecret: APP_SECRET });
    const read = async (options: Parameters<typeof metaFake.statusWebhook>[1]) => {
      const reading = await receiver.read(
        await received(await metaFake.statusWebhook(sent.messageId, options), "/api/status/meta"),
      );
      return reading.ok === true ? reading.updates : reading;
    };
    expect(await read({ status: "delivered", appSecret: APP_SECRET })).toMatchObject([
      { event: "delivered", meaning: "delivered", fallback: false, code: null },
    ]);
    expect(await read({ status: "read", appSecret: APP_SECRET })).toMatchObject([
      { event: "read", meaning: "delivered" },
    ]);
    expect(
      await read({ status: "failed", errorCode: 131050, appSecret: APP_SECRET }),
    ).toMatchObject([{ meaning: "undelivered", fallback: false, optOut: true, code: "131050" }]);
  });

  it("signed with another app secret, the receiver refuses it (401)", async () => {
    const sent = await whatsapp().sendWhatsapp(PHONE, "Оцените визит");
    const forged = await metaFake.statusWebhook(sent.messageId, {
      status: "failed",
      errorCode: 131047,
      appSecret: "not-the-app-secret",
    });
    const reading = await createMetaStatusWebhooks({ appSecret: APP_SECRET }).read(
      await received(forged, "/api/status/meta"),
    );
    expect(reading).toMatchObject({ ok: false, reason: "bad_signature", answer: { status: 401 } });
  });

  it("an id it never accepted (or accepted before reset()) rejects with a TypeError saying so", async () => {
    await expect(
      metaFake.statusWebhook("wamid.NOT_SENT", { status: "failed", appSecret: APP_SECRET }),
    ).rejects.toThrow(
      new TypeError(
        'statusWebhook: this fake accepted no message with id "wamid.NOT_SENT" (it accepted 0 since it was created or last reset()); pass the messageId of a send it answered',
      ),
    );
    const sent = await whatsapp().sendWhatsapp(PHONE, "Оцените визит");
    metaFake.reset();
    await expect(
      metaFake.statusWebhook(sent.messageId, { status: "failed", appSecret: APP_SECRET }),
    ).rejects.toThrow(TypeError);
  });

  it("refuses an empty app secret", async () => {
    const sent = await whatsapp().sendWhatsapp(PHONE, "Оцените визит");
    await expect(
      metaFake.statusWebhook(sent.messageId, { status: "delivered", appSecret: "" }),
    ).rejects.toThrow(/appSecret must be the non-empty app secret/);
  });
});

describe("createFakeSmsRu().statusCallback", () => {
  it("reports on the SMS it accepted, keyed with the api_id of its send; SMS.ru's answer is 100", async () => {
    const sent = await sms("account-key").sendSms(PHONE, "Оцените визит");
    const callback = await smsFake.statusCallback(sent.messageId, 104, { at: 1_790_503_200 });
    expect(callback.headers).toEqual({ "content-type": "application/x-www-form-urlencoded" });
    expect(new URLSearchParams(callback.body).get("data[0]")).toBe(
      `sms_status\n${sent.messageId}\n104\n1790503200`,
    );
    const reading = await createSmsRuStatusWebhooks({ apiKey: "account-key" }).read(
      await received(callback, "/api/status/sms.ru"),
    );
    expect(reading).toMatchObject({
      ok: true,
      answer: { status: 200, body: "100" },
      updates: [
        {
          provider: "sms.ru",
          messageId: sent.messageId,
          event: "104",
          meaning: "undelivered",
          fallback: true,
          code: "104",
          at: 1_790_503_200_000,
        },
      ],
    });
  });

  it("carries several statuses in one callback, in order", async () => {
    const client = sms();
    const first = await client.sendSms(PHONE, "Оцените визит");
    const second = await client.sendSms("+79161234568", "Оцените визит");
    const callback = await smsFake.statusCallback([
      { smsId: first.messageId, status: 103 },
      { smsId: second.messageId, status: 150 },
    ]);
    const reading = await createSmsRuStatusWebhooks({ apiKey: "sms-key" }).read(
      await received(callback, "/api/status/smsru"),
    );
    expect(reading.ok === true && reading.updates).toMatchObject([
      { messageId: first.messageId, event: "103", meaning: "delivered", fallback: false },
      { messageId: second.messageId, event: "150", meaning: "undelivered", fallback: true },
    ]);
  });

  it("keyed with another apiKey, the receiver refuses it (401)", async () => {
    const sent = await sms().sendSms(PHONE, "Оцените визит");
    const forged = await smsFake.statusCallback(sent.messageId, 103, { apiKey: "other-key" });
    const reading = await createSmsRuStatusWebhooks({ apiKey: "sms-key" }).read(
      await received(forged, "/api/status/sms.ru"),
    );
    expect(reading).toMatchObject({ ok: false, reason: "bad_signature", answer: { status: 401 } });
  });

  it("rejects with a TypeError: an unknown id, a test=1 send, a status that is not a code, mixed keys", async () => {
    await expect(smsFake.statusCallback("000000-99999999", 103)).rejects.toThrow(
      /statusCallback: this fake accepted no message with id "000000-99999999" \(it accepted 0/,
    );
    const test = await createSmsRuClient({ apiKey: "sms-key", test: true, retry: false }).sendSms(
      PHONE,
      "Оцените визит",
    );
    await expect(smsFake.statusCallback(test.messageId, 103)).rejects.toThrow(
      `statusCallback: ${test.messageId} was sent with test=1, which SMS.ru never delivers nor reports on`,
    );
    const one = await sms("key-one").sendSms(PHONE, "Оцените визит");
    const two = await sms("key-two").sendSms(PHONE, "Оцените визит");
    await expect(smsFake.statusCallback(one.messageId, Number.NaN)).rejects.toThrow(
      /must be an integer SMS\.ru code/,
    );
    await expect(
      smsFake.statusCallback([
        { smsId: one.messageId, status: 103 },
        { smsId: two.messageId, status: 103 },
      ]),
    ).rejects.toThrow(/different api_id values: pass \{ apiKey \}/);
    await expect(smsFake.statusCallback([])).rejects.toThrow(TypeError);
  });
});

describe("createFakeResend().event", () => {
  it("reports on the email it accepted: its id, from, to and subject, signed the Svix way", async () => {
    const sent = await email().sendEmail({
      to: "anna@mail.ru",
      subject: "Оцените визит",
      html: "<p>Спасибо!</p>",
    });
    const event = await resendFake.event(sent.messageId, "email.bounced", {
      webhookSecret: WEBHOOK_SECRET,
      svixId: "msg_fixed_delivery_id",
    });
    expect(event.headers["svix-id"]).toBe("msg_fixed_delivery_id");
    expect(JSON.parse(event.body)).toMatchObject({
      type: "email.bounced",
      data: {
        email_id: sent.messageId,
        from: "Zerno <hello@zerno.example>",
        to: ["anna@mail.ru"],
        subject: "Оцените визит",
        bounce: { type: "Permanent", subType: "General" },
      },
    });
    const reading = await createResendStatusWebhooks({ webhookSecret: WEBHOOK_SECRET }).read(
      await received(event, "/api/status/resend"),
    );
    expect(reading).toMatchObject({
      ok: true,
      deliveryId: "msg_fixed_delivery_id",
      updates: [
        {
          provider: "resend",
          messageId: sent.messageId,
          event: "email.bounced",
          meaning: "undelivered",
          fallback: true,
          code: "Permanent/General",
          recipient: "anna@mail.ru",
        },
      ],
    });
  });

  it("a complaint opts out; a transient bounce does not fall back", async () => {
    const sent = await email().sendEmail({ to: "anna@mail.ru", subject: "Отзыв", text: "…" });
    const receiver = createResendStatusWebhooks({ webhookSecret: WEBHOOK_SECRET });
    const read = async (type: string, bounce?: { type: string; subType?: string }) => {
      const event = await resendFake.event(sent.messageId, type, {
        webhookSecret: WEBHOOK_SECRET,
        ...(bounce ? { bounce } : {}),
      });
      const reading = await receiver.read(await received(event, "/api/status/resend"));
      return reading.ok === true ? reading.updates : reading;
    };
    expect(await read("email.complained")).toMatchObject([
      { meaning: "info", fallback: false, optOut: true },
    ]);
    expect(
      await read("email.bounced", { type: "Transient", subType: "MailboxFull" }),
    ).toMatchObject([{ meaning: "undelivered", fallback: false, code: "Transient/MailboxFull" }]);
  });

  it("signed with another secret or stale, the receiver refuses it (401)", async () => {
    const sent = await email().sendEmail({ to: "anna@mail.ru", subject: "Отзыв", text: "…" });
    const receiver = createResendStatusWebhooks({ webhookSecret: WEBHOOK_SECRET });
    const forged = await resendFake.event(sent.messageId, "email.delivered", {
      webhookSecret: `whsec_${btoa("another-secret-entirely")}`,
    });
    expect(await receiver.read(await received(forged, "/api/status/resend"))).toMatchObject({
      ok: false,
      reason: "bad_signature",
      answer: { status: 401 },
    });
    const stale = await resendFake.event(sent.messageId, "email.delivered", {
      webhookSecret: WEBHOOK_SECRET,
      timestamp: new Date(Date.now() - 10 * 60_000),
    });
    expect(await receiver.read(await received(stale, "/api/status/resend"))).toMatchObject({
      ok: false,
      reason: "stale",
    });
  });

  it("rejects with a TypeError: an unknown id, a secret that is not whsec_", async () => {
    await expect(
      resendFake.event("49a3999c-0000", "email.bounced", { webhookSecret: WEBHOOK_SECRET }),
    ).rejects.toThrow(/event: this fake accepted no message with id "49a3999c-0000"/);
    const sent = await email().sendEmail({ to: "anna@mail.ru", subject: "Отзыв", text: "…" });
    await expect(
      resendFake.event(sent.messageId, "email.bounced", { webhookSecret: "" }),
    ).rejects.toThrow(/webhookSecret must be the "whsec_…" signing secret/);
  });
});

describe("the fakes' webhooks through requester.handleStatus", () => {
  it("Meta accepts a WhatsApp, its fake then reports 131047: exactly one SMS, for three copies", async () => {
    const requester = createReviewRequester({
      keys: "fake-status-key-0123456789",
      business: "Кофейня «Зерно»",
      reviewUrl: "https://yandex.ru/maps/org/zerno/1/reviews",
      channels: [
        { type: "whatsapp", client: whatsapp() },
        { type: "sms", client: sms() },
      ],
      quietHours: false,
      hashSecret: "fake-status-hash-secret-0123",
      logger: { warn: () => {}, error: () => {} },
    });
    keep(requester);
    const handled = await requester.handle(
      "iiko",
      fixture("iiko", "iiko-01-delivery-closed.json"),
      { key: "fake-status-key-0123456789" },
    );
    const sent = handled.outcomes[0] as SentOutcome;
    expect(sent).toMatchObject({ status: "sent", channel: "whatsapp", provider: "meta" });

    const webhook = await metaFake.statusWebhook(sent.messageId, {
      status: "failed",
      errorCode: 131047,
      appSecret: APP_SECRET,
    });
    const copies = [];
    for (let i = 0; i < 3; i++) {
      const result = await requester.handleStatus(
        "meta",
        await received(webhook, "/api/status/meta"),
      );
      expect(result.answer.status).toBe(200);
      copies.push(await result.done);
    }
    expect(copies[0]).toMatchObject([
      { status: "undelivered", channel: "whatsapp", code: "131047", fallback: true, phone: PHONE },
      { status: "sent", channel: "sms", provider: "sms.ru" },
    ]);
    expect(copies.slice(1)).toEqual([[], []]);
    expect(smsFake.requests.filter((r) => r.path.endsWith("/sms/send"))).toHaveLength(1);

    // The fallback SMS is tracked too: its own fake callback says delivered.
    const fallback = copies[0]?.[1] as SentOutcome;
    const delivered = await requester.handleStatus(
      "sms.ru",
      await received(await smsFake.statusCallback(fallback.messageId, 103), "/api/status/sms.ru"),
    );
    expect(delivered.answer).toMatchObject({ status: 200, body: "100" });
    expect(await delivered.done).toMatchObject([
      { status: "delivered", channel: "sms", messageId: fallback.messageId },
    ]);
  });
});
