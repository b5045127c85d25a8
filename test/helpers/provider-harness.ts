import { expect } from "vitest";
import type { Logger, LogMeta } from "../../src/core/logger.js";
import {
  type ClientOptions,
  createExolveClient,
  createMetaWhatsappClient,
  createResendClient,
  createSmsRuClient,
  type SendResult,
} from "../../src/providers/index.js";
import {
  createFakeExolve,
  createFakeMetaWhatsapp,
  createFakeResend,
  createFakeSmsRu,
  type FakeProvider,
  type FakeRequest,
} from "../../src/testing/index.js";

export const SMSRU_KEY = "smsru-SECRET-api-id-0123456789";
export const META_TOKEN = "EAAGsecretMetaToken0123456789";
export const EXOLVE_KEY = "eyJhbGciOiJSUzI1NiJ9.exolveSECRET.sig";
export const RESEND_KEY = "re_SECRET_0123456789abcdef";
export const ALL_SECRETS = [SMSRU_KEY, META_TOKEN, EXOLVE_KEY, RESEND_KEY];

/** Options that keep the suite fast: tiny backoff, short timeout. */
export const FAST: ClientOptions = {
  logger: { warn: () => {}, error: () => {} },
  timeout: 150,
  retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 50, jitter: false },
};

/** A logger that records every line. */
export function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const write = (level: string) => (message: string, meta?: LogMeta) => {
    lines.push(`${level} ${message} ${JSON.stringify(meta ?? {})}`);
  };
  return {
    lines,
    logger: {
      debug: write("debug"),
      info: write("info"),
      warn: write("warn"),
      error: write("error"),
    },
  };
}

export const fakes = {
  smsRu: createFakeSmsRu({ apiKey: SMSRU_KEY, retryAfterSeconds: 0 }),
  meta: createFakeMetaWhatsapp({ accessToken: META_TOKEN, retryAfterSeconds: 0 }),
  exolve: createFakeExolve({ apiKey: EXOLVE_KEY, retryAfterSeconds: 0 }),
  resend: createFakeResend({ apiKey: RESEND_KEY, retryAfterSeconds: 0 }),
};

export const allHandlers = () => Object.values(fakes).flatMap((fake) => fake.handlers);

/** One client method under the conformance suite. */
export interface Driver {
  readonly name: string;
  readonly provider: SendResult["provider"];
  readonly channel: SendResult["channel"];
  readonly fake: FakeProvider<string>;
  readonly secret: string;
  /** `true` when a repeat cannot send twice (Resend, thanks to Idempotency-Key). */
  readonly idempotent: boolean;
  /** Sends one message to `to` with a client made from `options`. */
  send(to: string, options?: Partial<ClientOptions>): Promise<SendResult>;
  /** Creates a client with `overrides` on top of valid options (for config validation). */
  create(overrides: Record<string, unknown>): unknown;
  /** Options that are required: each must produce a ConfigError naming it. */
  readonly required: readonly string[];
  /** A recipient in a human spelling, what it must look like on the wire and in the result. */
  readonly recipient: { input: string; wire: string; result: string; invalid: string };
  /** Reads the recipient from a recorded request. */
  wireRecipient(request: FakeRequest): string;
  /** Asserts the exact request for a success. */
  assertRequest(request: FakeRequest): void;
  /** Scenario names and the provider codes they produce. */
  readonly scenarios: {
    readonly auth: [string, string];
    readonly rejected: [string, string];
    readonly rateLimited: [string, string];
    readonly unavailable: [string, string];
  };
}

const PHONE = {
  input: "8 (916) 123-45-67",
  wire: "79161234567",
  result: "+79161234567",
  invalid: "2001",
};
const TEXT = "Спасибо за визит! Оцените нас: https://otzovik.example/r/abc";

const smsRuBase = { apiKey: SMSRU_KEY, sender: "Kofeynya" };
const metaBase = {
  accessToken: META_TOKEN,
  phoneNumberId: "123456789012345",
  graphVersion: "v23.0",
};
const exolveBase = { apiKey: EXOLVE_KEY, senderId: "+7 999 111-22-33" };
const resendBase = { apiKey: RESEND_KEY, from: "Кофейня <hi@kofe.example.org>" };

function bearer(request: FakeRequest, secret: string) {
  expect(request.headers.authorization).toBe(`Bearer ${secret}`);
  expect(request.headers["content-type"]).toBe("application/json");
}

export const drivers: Driver[] = [
  {
    name: "sms.ru sendSms",
    provider: "sms.ru",
    channel: "sms",
    fake: fakes.smsRu,
    secret: SMSRU_KEY,
    idempotent: false,
    send: (to, o) => createSmsRuClient({ ...smsRuBase, ...FAST, ...o }).sendSms(to, TEXT),
    create: (over) => createSmsRuClient({ ...smsRuBase, ...over } as never),
    required: ["apiKey"],
    recipient: PHONE,
    wireRecipient: (r) => r.form?.to ?? "",
    assertRequest(r) {
      expect(r.method).toBe("POST");
      expect(r.path).toBe("/sms/send");
      expect(r.url.search).toBe("");
      expect(r.headers["content-type"]).toBe("application/x-www-form-urlencoded");
      expect(r.form).toEqual({
        api_id: SMSRU_KEY,
        json: "1",
        to: "79161234567",
        msg: TEXT,
        from: "Kofeynya",
      });
    },
    scenarios: {
      auth: ["auth", "200"],
      rejected: ["no_route", "207"],
      rateLimited: ["rate_limited", "508"],
      unavailable: ["unavailable", "220"],
    },
  },
  {
    name: "meta sendWhatsapp",
    provider: "meta",
    channel: "whatsapp",
    fake: fakes.meta,
    secret: META_TOKEN,
    idempotent: false,
    send: (to, o) =>
      createMetaWhatsappClient({ ...metaBase, ...FAST, ...o }).sendWhatsapp(to, TEXT),
    create: (over) => createMetaWhatsappClient({ ...metaBase, ...over } as never),
    required: ["accessToken", "phoneNumberId"],
    recipient: PHONE,
    wireRecipient: (r) => (r.json as { to: string }).to,
    assertRequest(r) {
      expect(r.method).toBe("POST");
      expect(r.path).toBe("/v23.0/123456789012345/messages");
      bearer(r, META_TOKEN);
      expect(r.json).toEqual({
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: "79161234567",
        type: "text",
        text: { preview_url: false, body: TEXT },
      });
    },
    scenarios: {
      auth: ["auth", "190"],
      rejected: ["undeliverable", "131026"],
      rateLimited: ["rate_limited", "130429"],
      unavailable: ["unavailable", "2"],
    },
  },
  {
    name: "meta sendTemplate",
    provider: "meta",
    channel: "whatsapp",
    fake: fakes.meta,
    secret: META_TOKEN,
    idempotent: false,
    send: (to, o) =>
      createMetaWhatsappClient({ ...metaBase, ...FAST, ...o }).sendTemplate(to, "review_request", {
        languageCode: "ru",
        components: [{ type: "body", parameters: [{ type: "text", text: "Кофейня" }] }],
      }),
    create: (over) => createMetaWhatsappClient({ ...metaBase, ...over } as never),
    required: ["accessToken", "phoneNumberId"],
    recipient: PHONE,
    wireRecipient: (r) => (r.json as { to: string }).to,
    assertRequest(r) {
      expect(r.method).toBe("POST");
      expect(r.path).toBe("/v23.0/123456789012345/messages");
      bearer(r, META_TOKEN);
      expect(r.json).toEqual({
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: "79161234567",
        type: "template",
        template: {
          name: "review_request",
          language: { policy: "deterministic", code: "ru" },
          components: [{ type: "body", parameters: [{ type: "text", text: "Кофейня" }] }],
        },
      });
    },
    scenarios: {
      auth: ["auth", "190"],
      rejected: ["template_missing", "132001"],
      rateLimited: ["rate_limited_429", "130429"],
      unavailable: ["unavailable", "2"],
    },
  },
  {
    name: "exolve sendSms",
    provider: "exolve",
    channel: "sms",
    fake: fakes.exolve,
    secret: EXOLVE_KEY,
    idempotent: false,
    send: (to, o) => createExolveClient({ ...exolveBase, ...FAST, ...o }).sendSms(to, TEXT),
    create: (over) => createExolveClient({ ...exolveBase, ...over } as never),
    required: ["apiKey", "senderId"],
    recipient: PHONE,
    wireRecipient: (r) => (r.json as { destination: string }).destination,
    assertRequest(r) {
      expect(r.method).toBe("POST");
      expect(r.path).toBe("/messaging/v1/SendSMS");
      bearer(r, EXOLVE_KEY);
      expect(r.json).toEqual({ number: "79991112233", destination: "79161234567", text: TEXT });
    },
    scenarios: {
      auth: ["auth", "16"],
      rejected: ["bad_destination", "3"],
      rateLimited: ["rate_limited", "8"],
      unavailable: ["unavailable", "14"],
    },
  },
  {
    name: "exolve sendWhatsapp",
    provider: "exolve",
    channel: "whatsapp",
    fake: fakes.exolve,
    secret: EXOLVE_KEY,
    idempotent: false,
    send: (to, o) => createExolveClient({ ...exolveBase, ...FAST, ...o }).sendWhatsapp(to, TEXT),
    create: (over) => createExolveClient({ ...exolveBase, ...over } as never),
    required: ["apiKey", "senderId"],
    recipient: PHONE,
    wireRecipient: (r) => (r.json as { destination: string }).destination,
    assertRequest(r) {
      expect(r.method).toBe("POST");
      expect(r.path).toBe("/messaging/v1/SendWhatsApp");
      bearer(r, EXOLVE_KEY);
      expect(r.json).toEqual({ number: "79991112233", destination: "79161234567", text: TEXT });
    },
    scenarios: {
      auth: ["auth", "16"],
      rejected: ["error_nested", "http_400"],
      rateLimited: ["rate_limited", "8"],
      unavailable: ["unavailable", "14"],
    },
  },
  {
    name: "resend sendEmail",
    provider: "resend",
    channel: "email",
    fake: fakes.resend,
    secret: RESEND_KEY,
    idempotent: true,
    send: (to, o) =>
      createResendClient({ ...resendBase, ...FAST, ...o }).sendEmail({
        to,
        subject: "Оцените визит",
        html: "<p>Спасибо!</p>",
      }),
    create: (over) => createResendClient({ ...resendBase, ...over } as never),
    required: ["apiKey", "from"],
    recipient: {
      input: " anna@mail.example.org ",
      wire: "anna@mail.example.org",
      result: "anna@mail.example.org",
      invalid: "anna-at-mail",
    },
    wireRecipient: (r) => ((r.json as { to: string[] }).to[0] ?? "") as string,
    assertRequest(r) {
      expect(r.method).toBe("POST");
      expect(r.path).toBe("/emails");
      bearer(r, RESEND_KEY);
      expect(r.headers["user-agent"]).toBe("otzovik");
      expect(r.headers["idempotency-key"]).toMatch(/^otzovik\/[0-9a-f-]{36}$/);
      expect(r.json).toEqual({
        from: "Кофейня <hi@kofe.example.org>",
        to: ["anna@mail.example.org"],
        subject: "Оцените визит",
        html: "<p>Спасибо!</p>",
      });
    },
    scenarios: {
      auth: ["auth", "invalid_api_key"],
      rejected: ["validation_error", "validation_error"],
      rateLimited: ["rate_limited", "rate_limit_exceeded"],
      unavailable: ["unavailable", "service_unavailable"],
    },
  },
];
