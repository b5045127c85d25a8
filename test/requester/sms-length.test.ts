import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMetaWhatsappClient } from "../../src/providers/meta-whatsapp.js";
import { createSmsRuClient } from "../../src/providers/sms-ru.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type { RequesterOptions, TenantSettings } from "../../src/requester/types.js";
import { createFakeMetaWhatsapp } from "../../src/testing/meta-whatsapp.js";
import { createFakeSmsRu } from "../../src/testing/sms-ru.js";

const smsFake = createFakeSmsRu({ apiKey: "sms-key" });
const metaFake = createFakeMetaWhatsapp({ accessToken: "meta-token" });
const server = setupServer(...smsFake.handlers, ...metaFake.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  smsFake.reset();
  metaFake.reset();
});
afterAll(() => server.close());

const NOON = Date.parse("2026-03-14T12:00:00+03:00");
const KEY = "test-webhook-key-0123456789";
const YANDEX = "https://yandex.ru/maps/org/kofeynya_zerno/1234567890/reviews/";
const SHORT = "https://clck.ru/3FaBcD";
const sms = () => createSmsRuClient({ apiKey: "sms-key", retry: false });
const smsSent = () => smsFake.requests.filter((q) => q.path.endsWith("/sms/send"));

function requester(overrides: Partial<RequesterOptions> = {}) {
  const warnings: { message: string; meta: unknown }[] = [];
  const r = createReviewRequester({
    keys: KEY,
    business: "Кофейня «Зерно»",
    reviewUrl: YANDEX,
    channels: [{ type: "sms", client: sms() }],
    now: () => NOON,
    frequencyCapMs: false,
    logger: {
      debug() {},
      info() {},
      warn: (message, meta) => warnings.push({ message, meta }),
      error() {},
    },
    ...overrides,
  });
  return { r, warnings };
}

const ask = (r: ReturnType<typeof requester>["r"], orderId: string, key?: string) =>
  r.request({ phone: "+79161234567", orderId, ...(key ? { key } : {}) });

describe("maxSmsSegments", () => {
  it("a text over it warns once per template, never blocks the send, and names the tenant, segments and encoding", async () => {
    const { r, warnings } = requester();
    expect((await ask(r, "1")).outcomes[0]?.status).toBe("sent");
    expect((await ask(r, "2")).outcomes[0]?.status).toBe("sent");
    expect(smsSent()).toHaveLength(2);
    expect(warnings).toEqual([
      {
        message:
          "the review request SMS is 2 segments (103 characters, UCS-2: 70 fit in one, 67 per segment once split), more than maxSmsSegments (1): each segment is billed as one SMS. Shorten the business name, the review link (a short link of about 22 characters: your own domain's redirect, or a shortener) or the message template; warned once per template",
        meta: {
          tenant: "default",
          source: "direct",
          segments: 2,
          encoding: "UCS-2",
          characters: 103,
          maxSmsSegments: 1,
          template: "requester",
        },
      },
    ]);
  });

  it("another template warns again; one that fits never warns", async () => {
    const tenants: Record<string, TenantSettings> = {
      "key-long-0123456789": { id: "long", business: "Кофейня «Зерно»", reviewUrl: YANDEX },
      "key-other-0123456789": {
        id: "long",
        business: "Кофейня «Зерно»",
        reviewUrl: YANDEX,
        message: "{business}: {reviewUrl} — будем благодарны за честный отзыв о нас!",
      },
      "key-short-0123456789": { id: "short", business: "Кофейня «Зерно»", reviewUrl: SHORT },
    };
    const { r, warnings } = requester({
      keys: undefined,
      business: undefined,
      reviewUrl: undefined,
      resolveTenant: (key) => tenants[key] ?? null,
    });
    for (const [i, key] of [
      "key-long-0123456789",
      "key-long-0123456789",
      "key-other-0123456789",
      "key-other-0123456789",
      "key-short-0123456789",
      "key-short-0123456789",
    ].entries()) {
      expect((await ask(r, String(i), key)).outcomes[0]?.status).toBe("sent");
    }
    expect(warnings.map((w) => w.meta)).toEqual([
      expect.objectContaining({ tenant: "long", segments: 2, template: "requester" }),
      expect.objectContaining({ tenant: "long", segments: 2, template: "tenant" }),
    ]);
    expect(
      smsSent()
        .map((q) => q.form?.msg)
        .at(-1),
    ).toBe("Кофейня «Зерно»: спасибо! Оставьте отзыв: https://clck.ru/3FaBcD");
  });

  it("a higher maxSmsSegments, or false, turns the warning off for that length", async () => {
    for (const maxSmsSegments of [2, false] as const) {
      const { r, warnings } = requester({ maxSmsSegments });
      expect((await ask(r, "1")).outcomes[0]?.status).toBe("sent");
      expect(warnings).toEqual([]);
    }
    const { r, warnings } = requester({
      maxSmsSegments: 2,
      message: `{business} ${"а".repeat(140)}`,
    });
    await ask(r, "1");
    expect(warnings.map((w) => w.meta)).toEqual([
      expect.objectContaining({ segments: 3, maxSmsSegments: 2 }),
    ]);
  });

  it("no warning when the text goes out over WhatsApp only", async () => {
    const { r, warnings } = requester({
      channels: [
        {
          type: "whatsapp",
          client: createMetaWhatsappClient({
            accessToken: "meta-token",
            phoneNumberId: "1234567890",
            retry: false,
          }),
        },
      ],
    });
    expect((await ask(r, "1")).outcomes[0]?.status).toBe("sent");
    expect(warnings).toEqual([]);
  });

  it("is validated at creation, naming the option", () => {
    for (const value of [0, 1.5, -1, "1", true, Number.POSITIVE_INFINITY]) {
      expect(() => requester({ maxSmsSegments: value as never })).toThrow(
        /^\[otzovik\] Invalid option `maxSmsSegments`: /,
      );
    }
  });
});
