import { HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { OtzovikError, ProviderError } from "../../src/core/errors.js";
import { createSmsRuClient } from "../../src/providers/sms-ru.js";
import type { SmsSender } from "../../src/providers/types.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type { ChannelSpec, Outcome } from "../../src/requester/types.js";
import { createFakeSmsRu } from "../../src/testing/sms-ru.js";
import { recordingSmsClient } from "../helpers/sms-clients.js";

const KEY = "test-webhook-key-0123456789";
const PHONE = "+79161234567";
const smsFake = createFakeSmsRu({ apiKey: "sms-key" });
const server = setupServer(...smsFake.handlers);

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => smsFake.reset());
afterAll(() => server.close());

/** Noon in Moscow: outside quiet hours. */
const NOON = Date.parse("2026-03-14T12:00:00+03:00");

function requester(channels: readonly ChannelSpec[]) {
  return createReviewRequester({
    keys: KEY,
    business: "Кофейня «Зерно»",
    reviewUrl: "https://yandex.ru/maps/org/zerno/1/reviews",
    channels,
    now: () => NOON,
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}

/** A user's own SMS client: a plain object, no cast, any provider name. */
function customSms(fail: (phone: string) => unknown) {
  const calls: string[] = [];
  const client: SmsSender = {
    provider: "my-sms",
    sendSms: async (phone, _text) => {
      calls.push(phone);
      throw fail(phone);
    },
  };
  return { client, calls };
}

/** SMS.ru's answer to a number in the stop-list (209), per recipient under a top-level OK. */
function smsRuStopList() {
  return HttpResponse.json({
    status: "OK",
    status_code: 100,
    sms: { "79161234567": { status: "ERROR", status_code: 209, status_text: "В стоп-листе" } },
    balance: 4122.56,
  });
}

async function first(promise: Promise<{ outcomes: readonly Outcome[] }>): Promise<Outcome> {
  const outcome = (await promise).outcomes[0];
  if (!outcome) throw new Error("no outcome");
  return outcome;
}

describe("custom provider clients", () => {
  it("a plain object with its own provider name is an SmsSender and sends", async () => {
    const client: SmsSender = {
      provider: "my-sms",
      sendSms: async (phone, _text) => ({
        provider: "my-sms",
        channel: "sms",
        messageId: "1",
        to: phone,
        dryRun: false,
      }),
    };
    const r = requester([{ type: "sms", client }]);
    expect(await first(r.request({ phone: "8 916 123-45-67", orderId: "o-1" }))).toMatchObject({
      status: "sent",
      channel: "sms",
      provider: "my-sms",
      messageId: "1",
    });
  });

  it.each([
    [
      "SMS.ru 209",
      () => {
        smsFake.enqueue(smsRuStopList);
        return {
          client: createSmsRuClient({ apiKey: "sms-key", retry: false }) as SmsSender,
          calls: () => smsFake.requests.length,
          provider: "sms.ru",
          code: "209",
        };
      },
    ],
    [
      "a custom client's opted_out ProviderError",
      () => {
        const custom = customSms(
          () =>
            new ProviderError("STOP", { provider: "my-sms", code: "stop", category: "opted_out" }),
        );
        return {
          client: custom.client,
          calls: () => custom.calls.length,
          provider: "my-sms",
          code: "stop",
        };
      },
    ],
  ])(
    "%s suppresses the phone: no other channel, later requests skipped opted_out",
    async (_name, make) => {
      const { client, calls, provider, code } = make();
      const backup = recordingSmsClient();
      const r = requester([
        { type: "sms", client },
        { type: "sms", client: backup.client },
      ]);
      expect(await first(r.request({ phone: PHONE, orderId: "o-1" }))).toEqual({
        tenantId: "default",
        source: "direct",
        orderId: "o-1",
        phone: PHONE,
        status: "skipped",
        reason: "opted_out",
        detail: `the provider reports a refusal (${provider} ${code})`,
      });
      expect(calls()).toBe(1);
      expect(backup.sent).toEqual([]);
      expect(await r.isOptedOut(PHONE)).toBe(true);
      expect(await first(r.request({ phone: "8 (916) 123-45-67", orderId: "o-2" }))).toMatchObject({
        status: "skipped",
        reason: "opted_out",
        orderId: "o-2",
      });
      expect(calls()).toBe(1);
      expect(backup.sent).toEqual([]);
    },
  );

  it("a custom client's not_on_channel error moves on to the next channel", async () => {
    const custom = customSms(
      () =>
        new ProviderError("No such subscriber", {
          provider: "my-sms",
          code: "absent",
          category: "not_on_channel",
        }),
    );
    const backup = recordingSmsClient();
    const r = requester([
      { type: "sms", client: custom.client },
      { type: "sms", client: backup.client },
    ]);
    expect(await first(r.request({ phone: PHONE, orderId: "o-1" }))).toMatchObject({
      status: "sent",
      provider: "sms.ru",
    });
    expect(custom.calls).toEqual([PHONE]);
    expect(backup.sent).toEqual([PHONE]);
    expect(await r.isOptedOut(PHONE)).toBe(false);
  });

  it("a plain Error from a custom client is an unknown outcome: failed, no fallback, never re-sent", async () => {
    const custom = customSms(() => new Error("gateway hung up"));
    const backup = recordingSmsClient();
    const r = requester([
      { type: "sms", client: custom.client },
      { type: "sms", client: backup.client },
    ]);
    const outcome = await first(r.request({ phone: PHONE, orderId: "o-1" }));
    expect(outcome).toMatchObject({ status: "failed", unknownOutcome: true });
    if (outcome.status !== "failed") throw new Error("unreachable");
    expect(outcome.error).toBeInstanceOf(OtzovikError);
    expect(outcome.error).toMatchObject({
      code: "send_failed",
      category: "unknown_outcome",
      provider: "my-sms",
      retryable: false,
    });
    expect(outcome.error.message).toContain("gateway hung up");
    expect((outcome.error as Error).cause).toBeInstanceOf(Error);
    expect(backup.sent).toEqual([]);
    expect(await first(r.request({ phone: PHONE, orderId: "o-1" }))).toMatchObject({
      status: "skipped",
      reason: "duplicate",
    });
    expect(custom.calls).toEqual([PHONE]);
    expect(backup.sent).toEqual([]);
  });
});
