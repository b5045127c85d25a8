import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createExolveClient } from "../../src/providers/exolve.js";
import { createMetaWhatsappClient } from "../../src/providers/meta-whatsapp.js";
import { createResendClient } from "../../src/providers/resend.js";
import { createSmsRuClient } from "../../src/providers/sms-ru.js";
import {
  createFakeExolve,
  createFakeMetaWhatsapp,
  createFakeResend,
  createFakeSmsRu,
} from "../../src/testing/index.js";

const smsFake = createFakeSmsRu();
const metaFake = createFakeMetaWhatsapp();
const exolveFake = createFakeExolve();
const resendFake = createFakeResend();
const server = setupServer(
  ...smsFake.handlers,
  ...metaFake.handlers,
  ...exolveFake.handlers,
  ...resendFake.handlers,
);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  for (const fake of [smsFake, metaFake, exolveFake, resendFake]) fake.reset();
});
afterAll(() => server.close());

const sms = (options: { test?: boolean } = {}) =>
  createSmsRuClient({ apiKey: "sms-key", retry: false, ...options });
const whatsapp = () =>
  createMetaWhatsappClient({ accessToken: "meta-token", phoneNumberId: "1065403", retry: false });
const exolve = () => createExolveClient({ apiKey: "exolve-key", senderId: "Zerno", retry: false });
const email = () =>
  createResendClient({ apiKey: "re_test_key", from: "Zerno <hello@zerno.example>", retry: false });

describe("sent(): what each fake accepted, as { channel, to, text }", () => {
  it("SMS.ru: the E.164 recipient and the msg text, in order; refused and test=1 sends are not in it", async () => {
    await sms().sendSms("+79161234567", "Спасибо! Оцените визит: https://ya.cc/t/ab");
    smsFake.enqueue("no_route");
    await expect(sms().sendSms("+79160000000", "refused")).rejects.toThrow();
    await sms({ test: true }).sendSms("+79160000001", "a test=1 send");
    await sms().sendSms("89037654321", "Второе");
    expect(smsFake.sent()).toEqual([
      { channel: "sms", to: "+79161234567", text: "Спасибо! Оцените визит: https://ya.cc/t/ab" },
      { channel: "sms", to: "+79037654321", text: "Второе" },
    ]);
    expect(smsFake.requests).toHaveLength(4);
  });

  it("Meta: a text message's body; a template as its name and parameters in order", async () => {
    await whatsapp().sendWhatsapp("+79161234567", "Оцените визит");
    await whatsapp().sendTemplate("+79037654321", "review_request", {
      languageCode: "ru",
      components: [
        {
          type: "body",
          parameters: [
            { type: "text", text: "Анна" },
            { type: "text", text: "https://ya.cc/t/ab" },
          ],
        },
        {
          type: "button",
          sub_type: "quick_reply",
          index: "0",
          parameters: [{ type: "payload", payload: "stop" }],
        },
      ],
    });
    await whatsapp().sendTemplate("+79037654321", "hello_world", { languageCode: "en_US" });
    expect(metaFake.sent()).toEqual([
      { channel: "whatsapp", to: "+79161234567", text: "Оцените визит" },
      {
        channel: "whatsapp",
        to: "+79037654321",
        text: "review_request: Анна | https://ya.cc/t/ab | stop",
      },
      { channel: "whatsapp", to: "+79037654321", text: "hello_world" },
    ]);
  });

  it("Exolve: SMS and WhatsApp by the path they came to", async () => {
    await exolve().sendSms("+79161234567", "Оцените визит");
    await exolve().sendWhatsapp("+79037654321", "Оцените визит в WhatsApp");
    exolveFake.enqueue("bad_destination");
    await expect(exolve().sendSms("+79160000000", "refused")).rejects.toThrow();
    expect(exolveFake.sent()).toEqual([
      { channel: "sms", to: "+79161234567", text: "Оцените визит" },
      { channel: "whatsapp", to: "+79037654321", text: "Оцените визит в WhatsApp" },
    ]);
  });

  it("Resend: one entry per recipient address; the text part, or the HTML without tags", async () => {
    await email().sendEmail({
      to: "Анна <anna@mail.ru>",
      subject: "Оцените визит",
      text: "Спасибо!",
    });
    await email().sendEmail({
      to: ["ivan@mail.ru", "olga@mail.ru"],
      subject: "Оцените визит",
      html: '<p>Спасибо, что зашли!</p>\n<p><a href="https://ya.cc/t/ab">Оставить отзыв</a> &amp; скидка</p>',
    });
    expect(resendFake.sent()).toEqual([
      { channel: "email", to: "anna@mail.ru", text: "Спасибо!" },
      { channel: "email", to: "ivan@mail.ru", text: "Спасибо, что зашли! Оставить отзыв & скидка" },
      { channel: "email", to: "olga@mail.ru", text: "Спасибо, что зашли! Оставить отзыв & скидка" },
    ]);
  });

  it("returns copies, and reset() empties it", async () => {
    await sms().sendSms("+79161234567", "Оцените визит");
    const first = smsFake.sent();
    first.length = 0;
    expect(smsFake.sent()).toHaveLength(1);
    smsFake.reset();
    expect(smsFake.sent()).toEqual([]);
  });
});
