import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import { createSmsRuClient } from "../../src/providers/sms-ru.js";
import { nearestName } from "../../src/requester/options.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type { RequesterOptions } from "../../src/requester/types.js";

const sms = createSmsRuClient({ apiKey: "sms-key" });
const base: RequesterOptions = {
  keys: "test-webhook-key-0123456789",
  business: "Кофейня «Зерно»",
  reviewUrl: "https://clck.ru/3FaBcD",
  channels: [{ type: "sms", client: sms }],
};

function create(extra: Record<string, unknown>, channels?: unknown[]) {
  return () =>
    createReviewRequester({
      ...base,
      ...(channels ? { channels } : {}),
      ...extra,
    } as unknown as RequesterOptions);
}

describe("unknown options are refused at creation, with the nearest known one", () => {
  it.each([
    ["delay", "2h", "Unknown option `delay`: did you mean `delayMs`?"],
    ["quiethours", false, "Unknown option `quiethours`: did you mean `quietHours`?"],
    ["frequencyCap", false, "Unknown option `frequencyCap`: did you mean `frequencyCapMs`?"],
    ["mesage", "Привет", "Unknown option `mesage`: did you mean `message`?"],
    [
      "resolveTennant",
      () => null,
      "Unknown option `resolveTennant`: did you mean `resolveTenant`?",
    ],
    ["onSend", () => {}, "Unknown option `onSend`: did you mean `onSent`?"],
    ["maxSegments", 2, "Unknown option `maxSegments`: did you mean `maxSmsSegments`?"],
    ["key", "x", "Unknown option `key`: did you mean `keys`?"],
  ])("%s", (name, value, message) => {
    const make = create({ [name]: value });
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(`[otzovik] ${message}`);
  });

  it("a name near none lists the options", () => {
    expect(create({ zzzzzzzz: 1 })).toThrow(
      /^\[otzovik\] Unknown option `zzzzzzzz`: the options are `keys`, `business`, .*`now`\.$/,
    );
  });

  it("channel entries: unknown keys of their type, with the nearest one", () => {
    expect(create({}, [{ type: "sms", client: sms, sender: "Zerno" }])).toThrow(
      "[otzovik] Unknown option `channels.0.sender`: the options are `type`, `client`.",
    );
    expect(
      create({}, [
        { type: "sms", client: sms },
        { type: "email", client: { sendEmail() {} }, subjet: "{business}" },
      ]),
    ).toThrow("[otzovik] Unknown option `channels.1.subjet`: did you mean `channels.1.subject`?");
    expect(
      create({}, [{ type: "whatsapp", client: { sendWhatsapp() {} }, templates: {} }]),
    ).toThrow(
      "[otzovik] Unknown option `channels.0.templates`: did you mean `channels.0.template`?",
    );
  });

  it("every documented option is known (the requester starts with all of them)", () => {
    expect(() =>
      createReviewRequester({
        ...base,
        tenantId: "t",
        message: "{business}: {reviewUrl}",
        maxSmsSegments: 2,
        delayMs: 0,
        quietHours: false,
        frequencyCapMs: false,
        retryDelaysMs: false,
        dedupeTtlMs: 1000,
        lookupPhone: async () => null,
        lookups: {},
        sources: [],
        parse: {},
        defaultCountry: "RU",
        dryRun: true,
        logger: {},
        onSent() {},
        onScheduled() {},
        onSkipped() {},
        onFailed() {},
        onDelivered() {},
        onUndelivered() {},
        now: Date.now,
      }),
    ).not.toThrow();
  });

  it("a misspelt option of no requester yet: the option's own check is not reached first", () => {
    // The unknown name is the mistake to report, even when other options are also wrong.
    expect(create({ delay: "2h", delayMs: -1 })).toThrow("Unknown option `delay`");
  });

  it("nearestName: a name it begins first, then edit distance within a third of the length", () => {
    const known = ["delayMs", "dedupeTtlMs", "dryRun", "keys"];
    expect(nearestName("delay", known)).toBe("delayMs");
    expect(nearestName("dryrun", known)).toBe("dryRun");
    expect(nearestName("keyz", known)).toBe("keys");
    expect(nearestName("colour", known)).toBeNull();
    // A short name inside a longer one is no match (`sms` is in `retryDelaysMs`).
    expect(nearestName("sms", ["retryDelaysMs", "maxSmsSegments", "keys"])).toBeNull();
  });
});
