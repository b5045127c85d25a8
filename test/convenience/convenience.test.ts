import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { readEnv } from "../../src/convenience/env.js";
import {
  getSmsBalance,
  isWhatsappConfigured,
  sendEmail,
  sendSms,
  sendVerificationEmail,
  sendWhatsapp,
  sendWhatsappTemplate,
} from "../../src/convenience/index.js";
import { ConfigError } from "../../src/core/errors.js";
import {
  allHandlers,
  EXOLVE_KEY,
  fakes,
  META_TOKEN,
  RESEND_KEY,
  recordingLogger,
  SMSRU_KEY,
} from "../helpers/provider-harness.js";

const VARS = [
  "SMSRU_API_KEY",
  "SMSRU_SENDER",
  "META_WHATSAPP_ACCESS_TOKEN",
  "META_WHATSAPP_PHONE_NUMBER_ID",
  "EXOLVE_WHATSAPP_API_KEY",
  "EXOLVE_WHATSAPP_SENDER_ID",
  "EXOLVE_WHATSAPP_PATH",
  "RESEND_API_KEY",
  "RESEND_FROM",
];

const server = setupServer(...allHandlers());
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());
beforeEach(() => {
  for (const name of VARS) vi.stubEnv(name, "");
  for (const fake of Object.values(fakes)) fake.reset();
});
afterEach(() => vi.unstubAllEnvs());

const totalRequests = () => Object.values(fakes).reduce((n, f) => n + f.requests.length, 0);

function metaEnv() {
  vi.stubEnv("META_WHATSAPP_ACCESS_TOKEN", META_TOKEN);
  vi.stubEnv("META_WHATSAPP_PHONE_NUMBER_ID", "106540352242922");
}
function exolveEnv() {
  vi.stubEnv("EXOLVE_WHATSAPP_API_KEY", EXOLVE_KEY);
  vi.stubEnv("EXOLVE_WHATSAPP_SENDER_ID", "79991112233");
}

describe("sendSms / getSmsBalance", () => {
  it("runs dry without SMSRU_API_KEY: logs the masked phone, sends nothing", async () => {
    const { logger, lines } = recordingLogger();
    const result = await sendSms("79991234567", "Ваш код: 1234", { logger });
    expect(result).toMatchObject({
      provider: "sms.ru",
      channel: "sms",
      to: "+79991234567",
      dryRun: true,
    });
    expect(result.messageId).toMatch(/^dry-run-/);
    expect(totalRequests()).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("warn sms.ru: dry run (SMSRU_API_KEY not set)");
    expect(lines[0]).toContain("+7999***4567");
    expect(lines[0]).toContain("Ваш код: 1234");
    expect(lines[0]).not.toContain("79991234567");
  });

  it("reads SMSRU_API_KEY and SMSRU_SENDER at call time", async () => {
    vi.stubEnv("SMSRU_API_KEY", SMSRU_KEY);
    vi.stubEnv("SMSRU_SENDER", "Kofeynya");
    const result = await sendSms("79991234567", "Ваш код: 1234");
    expect(result.dryRun).toBe(false);
    expect(fakes.smsRu.requests[0]?.form).toMatchObject({
      api_id: SMSRU_KEY,
      from: "Kofeynya",
      to: "79991234567",
      msg: "Ваш код: 1234",
    });
    expect(await getSmsBalance()).toMatchObject({ balance: "4122.56", dryRun: false });
  });

  it("takes explicit config over the environment, including per-message options", async () => {
    vi.stubEnv("SMSRU_API_KEY", "env-key-that-is-wrong");
    await sendSms("79991234567", "hi", { apiKey: SMSRU_KEY, send: { test: true } });
    expect(fakes.smsRu.requests[0]?.form).toMatchObject({ api_id: SMSRU_KEY, test: "1" });
  });

  it("fails instead of running dry when dryRun is false", async () => {
    await expect(sendSms("79991234567", "hi", { dryRun: false })).rejects.toThrow(ConfigError);
    await expect(sendSms("79991234567", "hi", { dryRun: false })).rejects.toThrow("SMSRU_API_KEY");
  });

  it("runs dry on request even when configured, and still validates the phone", async () => {
    vi.stubEnv("SMSRU_API_KEY", SMSRU_KEY);
    const { logger } = recordingLogger();
    expect((await sendSms("79991234567", "hi", { dryRun: true, logger })).dryRun).toBe(true);
    await expect(sendSms("12", "hi", { logger })).rejects.toThrow("valid phone");
    expect(totalRequests()).toBe(0);
  });

  it("logs a dry run through a class-based logger, and survives a throwing one", async () => {
    class ClassLogger {
      readonly lines: string[] = [];
      warn(message: string) {
        this.lines.push(message);
      }
    }
    const logger = new ClassLogger();
    expect((await sendSms("79991234567", "hi", { logger })).dryRun).toBe(true);
    expect(logger.lines).toHaveLength(1);
    const broken = {
      warn: () => {
        throw new Error("log sink down");
      },
    };
    expect((await sendSms("79991234567", "hi", { logger: broken })).dryRun).toBe(true);
  });

  it("returns a dry-run balance without a key", async () => {
    const { logger } = recordingLogger();
    expect(await getSmsBalance({ logger })).toEqual({
      provider: "sms.ru",
      balance: null,
      dryRun: true,
    });
  });
});

describe("WhatsApp convenience", () => {
  it("reports which providers are configured", () => {
    expect(isWhatsappConfigured()).toEqual({ meta: false, exolve: false });
    metaEnv();
    expect(isWhatsappConfigured()).toEqual({ meta: true, exolve: false });
    exolveEnv();
    expect(isWhatsappConfigured()).toEqual({ meta: true, exolve: true });
    // An explicit empty value wins over the environment and counts as not configured.
    expect(isWhatsappConfigured({ meta: { accessToken: "" } }).meta).toBe(false);
    vi.stubEnv("META_WHATSAPP_PHONE_NUMBER_ID", "");
    expect(isWhatsappConfigured({ meta: { phoneNumberId: "1" } })).toEqual({
      meta: true,
      exolve: true,
    });
  });

  it("runs dry with neither provider configured", async () => {
    const { logger, lines } = recordingLogger();
    const result = await sendWhatsapp("79991234567", "Оставьте отзыв!", undefined, { logger });
    expect(result).toMatchObject({ provider: "meta", channel: "whatsapp", dryRun: true });
    expect(lines[0]).toContain("META_WHATSAPP_ACCESS_TOKEN");
    expect(lines[0]).toContain("+7999***4567");
    expect(totalRequests()).toBe(0);
  });

  it("auto-selects Exolve when only Exolve is configured, Meta when both are", async () => {
    exolveEnv();
    expect((await sendWhatsapp("79991234567", "Оставьте отзыв!")).provider).toBe("exolve");
    expect(fakes.exolve.requests[0]?.path).toBe("/messaging/v1/SendWhatsApp");
    metaEnv();
    expect((await sendWhatsapp("79991234567", "Оставьте отзыв!")).provider).toBe("meta");
    expect(fakes.meta.requests[0]?.path).toBe("/v23.0/106540352242922/messages");
  });

  it("honours a forced provider", async () => {
    metaEnv();
    exolveEnv();
    expect((await sendWhatsapp("79991234567", "Message", "exolve")).provider).toBe("exolve");
    expect((await sendWhatsapp("79991234567", "Message", "meta")).provider).toBe("meta");
    vi.stubEnv("EXOLVE_WHATSAPP_PATH", "messaging/v1/SendSMS");
    await sendWhatsapp("79991234567", "Message", "exolve");
    expect(fakes.exolve.requests.at(-1)?.path).toBe("/messaging/v1/SendSMS");
    const { logger } = recordingLogger();
    vi.stubEnv("META_WHATSAPP_ACCESS_TOKEN", "");
    expect((await sendWhatsapp("79991234567", "x", "meta", { logger })).dryRun).toBe(true);
    await expect(sendWhatsapp("79991234567", "x", "viber" as "meta")).rejects.toThrow(ConfigError);
  });

  it("sends templates through Meta", async () => {
    metaEnv();
    await sendWhatsappTemplate("79991234567", "review_request", {
      languageCode: "ru",
      components: [{ type: "body", parameters: [{ type: "text", text: "Кофейня" }] }],
    });
    expect(fakes.meta.requests[0]?.json).toMatchObject({
      to: "79991234567",
      type: "template",
      template: { name: "review_request", language: { code: "ru" } },
    });
  });

  it("refuses a template when only Exolve is configured, runs dry when nothing is", async () => {
    const { logger } = recordingLogger();
    const dry = await sendWhatsappTemplate(
      "79991234567",
      "review_request",
      { languageCode: "ru" },
      { logger },
    );
    expect(dry.dryRun).toBe(true);
    exolveEnv();
    await expect(
      sendWhatsappTemplate("79991234567", "review_request", { languageCode: "ru" }),
    ).rejects.toThrow(ConfigError);
  });
});

describe("email convenience", () => {
  it("runs dry without RESEND_API_KEY and masks the address", async () => {
    const { logger, lines } = recordingLogger();
    const result = await sendEmail(
      { to: "user@mail.example.org", subject: "Hello", html: "<p>Content</p>" },
      { logger },
    );
    expect(result).toMatchObject({ provider: "resend", channel: "email", dryRun: true });
    expect(lines[0]).toContain("u***@mail.example.org");
    expect(lines[0]).not.toContain("user@");
    expect(totalRequests()).toBe(0);
  });

  it("reads RESEND_API_KEY and RESEND_FROM at call time", async () => {
    vi.stubEnv("RESEND_API_KEY", RESEND_KEY);
    vi.stubEnv("RESEND_FROM", "noreply@kofe.example.org");
    const result = await sendEmail({
      to: "user@mail.example.org",
      subject: "Hello",
      html: "<p>Content</p>",
    });
    expect(result).toMatchObject({ dryRun: false, to: "user@mail.example.org" });
    expect(fakes.resend.requests[0]?.json).toMatchObject({ from: "noreply@kofe.example.org" });
  });

  it("sends a verification link with escaped HTML and a text part", async () => {
    vi.stubEnv("RESEND_API_KEY", RESEND_KEY);
    vi.stubEnv("RESEND_FROM", "noreply@kofe.example.org");
    await sendVerificationEmail("user@mail.example.org", "https://kofe.example.org/v?t=1&u=2", {
      productName: "Кофейня <Ромашка>",
      expiresInMinutes: 30,
      idempotencyKey: "verify/1",
    });
    const request = fakes.resend.requests[0];
    const body = request?.json as { html: string; text: string; subject: string };
    expect(request?.headers["idempotency-key"]).toBe("verify/1");
    expect(body.subject).toBe("Подтверждение адреса электронной почты");
    expect(body.html).toContain('href="https://kofe.example.org/v?t=1&amp;u=2"');
    expect(body.html).toContain("Кофейня &lt;Ромашка&gt;");
    expect(body.text).toContain("https://kofe.example.org/v?t=1&u=2");
    expect(body.text).toContain("30 мин");
  });

  it("sends a verification code, and runs dry in dev mode", async () => {
    const { logger, lines } = recordingLogger();
    const dry = await sendVerificationEmail("user@mail.example.org", "493817", { logger });
    expect(dry.dryRun).toBe(true);
    expect(lines[0]).toContain("493817");
    vi.stubEnv("RESEND_API_KEY", RESEND_KEY);
    await sendVerificationEmail("user@mail.example.org", "493817", {
      from: "Кофейня <hi@kofe.example.org>",
      subject: "Код",
    });
    expect(fakes.resend.requests[0]?.json).toMatchObject({
      from: "Кофейня <hi@kofe.example.org>",
      subject: "Код",
    });
    const sent = fakes.resend.requests[0]?.json as { html: string } | undefined;
    expect(sent?.html).toContain("<b");
  });
});

describe("readEnv", () => {
  it("returns undefined where there is no process", () => {
    const original = Object.getOwnPropertyDescriptor(globalThis, "process");
    vi.stubEnv("SMSRU_API_KEY", "present");
    let value: string | undefined = "unset";
    Object.defineProperty(globalThis, "process", { value: undefined, configurable: true });
    try {
      value = readEnv("SMSRU_API_KEY");
    } finally {
      if (original) Object.defineProperty(globalThis, "process", original);
    }
    expect(value).toBeUndefined();
    expect(readEnv("SMSRU_API_KEY")).toBe("present");
  });

  it("returns undefined when reading the environment throws (Deno without --allow-env)", () => {
    const original = Object.getOwnPropertyDescriptor(globalThis, "process");
    let value: string | undefined = "unset";
    Object.defineProperty(globalThis, "process", {
      get() {
        throw new Error("PermissionDenied");
      },
      configurable: true,
    });
    try {
      value = readEnv("SMSRU_API_KEY");
    } finally {
      if (original) Object.defineProperty(globalThis, "process", original);
    }
    expect(value).toBeUndefined();
  });
});
