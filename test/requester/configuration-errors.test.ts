import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type { RequesterOptions } from "../../src/requester/types.js";
import { memoryStore } from "../../src/stores/memory.js";
import { countingStore } from "../helpers/counting-store.js";
import { fixture } from "../helpers/fixtures.js";
import { recordingSmsClient } from "../helpers/sms-clients.js";

const KEY = "config-errors-key-0123456789";

function options(overrides: Partial<RequesterOptions> = {}): RequesterOptions {
  return {
    keys: KEY,
    business: "B",
    reviewUrl: "https://r.example",
    channels: [{ type: "sms", client: recordingSmsClient().client }],
    logger: { warn() {}, error() {} },
    ...overrides,
  };
}

const email = {
  provider: "resend",
  sendEmail: async () => ({
    provider: "resend",
    channel: "email" as const,
    messageId: "e1",
    to: "a@b.c",
    dryRun: false,
  }),
};
const whatsapp = {
  provider: "meta",
  sendWhatsapp: async () => {
    throw new Error("not used");
  },
  sendTemplate: async () => {
    throw new Error("not used");
  },
};

describe("every template is compiled when the requester is created", () => {
  it.each([
    ["message", { message: "Спасибо! {reviewURL}" }, "`message`", "{reviewURL}"],
    [
      "an email subject",
      { channels: [{ type: "email" as const, client: email, subject: "{busines}: отзыв" }] },
      "`channels.0.subject`",
      "{busines}",
    ],
    [
      "a WhatsApp template parameter",
      {
        channels: [
          { type: "sms" as const, client: recordingSmsClient().client },
          {
            type: "whatsapp" as const,
            client: whatsapp,
            template: { name: "review", language: "ru", parameters: ["{business}", "{url}"] },
          },
        ],
      },
      "`channels.1.template.parameters.1`",
      "{url}",
    ],
  ])(
    "a placeholder typo in %s fails createReviewRequester, naming the option",
    (_what, overrides, option, placeholder) => {
      let error: unknown;
      try {
        createReviewRequester(options(overrides as Partial<RequesterOptions>));
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(
        `Option ${option} uses an unknown placeholder ${placeholder}`,
      );
    },
  );
});

describe("unknown sources", () => {
  it.each(["toString", "__proto__", "constructor", "hasOwnProperty", "poster", "IIKO"])(
    "handle(%j) rejects with a ConfigError naming the sources, never a TypeError",
    async (name) => {
      const r = createReviewRequester(options());
      const body = fixture("iiko", "iiko-01-delivery-closed.json");
      await expect(r.handle(name as never, body, { key: KEY })).rejects.toBeInstanceOf(ConfigError);
      await expect(r.accept(name as never, body, { key: KEY })).rejects.toThrow(
        "use one of iiko, rkeeper, yclients, amocrm",
      );
    },
  );
});

describe("store keys never carry a phone", () => {
  it("a store other than the memory store needs `hashSecret`", () => {
    const inner = memoryStore();
    const store = { ...inner, name: "mine" };
    expect(() => createReviewRequester(options({ store }))).toThrow(
      'Set `hashSecret` (a random string of at least 16 characters, the same on every instance) to use the "mine" store',
    );
    expect(() => createReviewRequester(options({ store, hashSecret: "short" }))).toThrow(
      "Invalid option `hashSecret`: must be at least 16 characters",
    );
    expect(() =>
      createReviewRequester(options({ store, hashSecret: "a-long-enough-secret" })),
    ).not.toThrow();
  });

  it("dedupe, cap and opt-out keys hold a keyed hash, stable for one secret and different for another", async () => {
    const keysSeen = async (hashSecret: string) => {
      const { store, keys } = countingStore();
      const r = createReviewRequester(options({ store, hashSecret, quietHours: false }));
      await r.handle("iiko", fixture("iiko", "iiko-01-delivery-closed.json"), { key: KEY });
      await r.optOut("+7 916 765-43-21");
      return [...new Set(keys)];
    };
    const first = await keysSeen("first-secret-0123456789");
    for (const key of first) {
      expect(key).not.toMatch(/916|\+7|%2B7/);
    }
    expect(first.some((k) => k.startsWith("otzovik:optout:default:"))).toBe(true);
    expect(first.some((k) => k.startsWith("otzovik:cap:default:"))).toBe(true);
    expect(first).toContain("otzovik:dedupe:default:iiko:9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805");
    expect(await keysSeen("first-secret-0123456789")).toEqual(first);
    const other = await keysSeen("other-secret-0123456789");
    expect(other.filter((k) => k.startsWith("otzovik:cap:"))).not.toEqual(
      first.filter((k) => k.startsWith("otzovik:cap:")),
    );
  });
});

describe("options checked where they are given", () => {
  it("invalid parser options fail at creation, naming the option (not on every webhook with a 503)", () => {
    expect(() =>
      createReviewRequester({ ...options(), parse: { iiko: { finalStatuses: 5 as never } } }),
    ).toThrow("Invalid option `parse.iiko.finalStatuses`");
    expect(() =>
      createReviewRequester({
        ...options(),
        parse: { amocrm: { defaultCountry: "QQ" as never } },
      }),
    ).toThrow("Invalid option `parse.amocrm.defaultCountry`");
    expect(() => createReviewRequester({ ...options(), parse: { iko: {} } as never })).toThrow(
      "Invalid option `parse.iko`: unknown source",
    );
    expect(() =>
      createReviewRequester({ ...options(), parse: { amocrm: { finalStatuses: [142, 555] } } }),
    ).not.toThrow();
  });

  it("an unsupported defaultCountry fails at creation instead of rejecting every phone", () => {
    expect(() => createReviewRequester({ ...options(), defaultCountry: "XX" as never })).toThrow(
      "Invalid option `defaultCountry`",
    );
    expect(() => createReviewRequester({ ...options(), defaultCountry: "KZ" })).not.toThrow();
  });

  it.each([
    ["frequencyCapMs", 0],
    ["frequencyCapMs", 1.5],
    ["delayMs", -1],
    ["delayMs", "2h"],
  ] as const)(
    "a tenant's invalid %s (%s) fails naming the setting, and claims nothing",
    async (name, value) => {
      const { client, sent } = recordingSmsClient();
      let broken = true;
      const r = createReviewRequester({
        ...options({ quietHours: false }),
        keys: undefined,
        business: undefined,
        reviewUrl: undefined,
        resolveTenant: () => ({
          id: "t",
          business: "B",
          reviewUrl: "https://r.example",
          ...(broken ? { [name]: value } : {}),
        }),
        channels: [{ type: "sms", client }],
      });
      const first = (
        await r.handle("iiko", fixture("iiko", "iiko-01-delivery-closed.json"), { key: "k" })
      ).outcomes[0];
      expect(first).toMatchObject({ status: "failed", error: { code: "config_invalid" } });
      expect(first?.status === "failed" && first.error.message).toContain(`\`tenant.${name}\``);
      broken = false;
      expect(
        (await r.handle("iiko", fixture("iiko", "iiko-01-delivery-closed.json"), { key: "k" }))
          .outcomes[0],
      ).toMatchObject({
        status: "sent",
      });
      expect(sent).toEqual(["+79161234567"]);
    },
  );
});
