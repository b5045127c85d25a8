import { describe, expect, it } from "vitest";
import {
  statusProviderOf,
  statusReceivers,
  unconfiguredStatusWebhooks,
} from "../../src/status/registry.js";
import { statusRequest } from "../helpers/status-request.js";

describe("status provider names", () => {
  it.each([
    ["meta", "meta"],
    ["Meta", "meta"],
    ["whatsapp", "meta"],
    ["meta-whatsapp", "meta"],
    ["sms.ru", "sms.ru"],
    ["SMS.RU", "sms.ru"],
    ["smsru", "sms.ru"],
    ["sms-ru", "sms.ru"],
    ["sms_ru", "sms.ru"],
    ["sms%2Eru", "sms.ru"],
    ["resend", "resend"],
  ])("%s names %s", (segment, provider) => {
    expect(statusProviderOf(segment)).toBe(provider);
  });

  it.each([
    "exolve",
    "",
    "twilio",
    "__proto__",
    "constructor",
    "toString",
    "%E0%A4%A",
    "meta/extra",
    "x".repeat(65),
  ])("%j names no status provider", (segment) => {
    expect(statusProviderOf(segment)).toBeNull();
  });

  it("has a receiver factory for each provider, each reading its own provider's webhooks", () => {
    expect(Object.keys(statusReceivers).sort()).toEqual(["meta", "resend", "sms.ru"]);
    expect(statusReceivers.meta({}).provider).toBe("meta");
    expect(statusReceivers["sms.ru"]({}).provider).toBe("sms.ru");
    expect(statusReceivers.resend({}).provider).toBe("resend");
  });
});

describe("unconfiguredStatusWebhooks", () => {
  it("refuses a POST with 401 not_configured, and Meta's handshake with 403", async () => {
    const webhooks = unconfiguredStatusWebhooks("meta");
    expect(webhooks.configured).toBe(false);
    expect(await webhooks.read(statusRequest({ body: "{}" }))).toEqual({
      ok: false,
      reason: "not_configured",
      detail: "no meta client is configured for status webhooks",
      answer: { status: 401, contentType: "text/plain; charset=utf-8", body: "Unauthorized" },
    });
    expect(
      await webhooks.read(
        statusRequest({ method: "GET", query: { "hub.mode": "subscribe", "hub.challenge": "1" } }),
      ),
    ).toMatchObject({ ok: false, reason: "handshake_refused", answer: { status: 403 } });
    expect(
      await unconfiguredStatusWebhooks("resend").read(statusRequest({ method: "GET" })),
    ).toMatchObject({
      ok: false,
      answer: { status: 405 },
    });
  });
});
