import { HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DeliveryUnknownError, ProviderError, ValidationError } from "../../src/core/errors.js";
import { classifySmsRuCode, createSmsRuClient } from "../../src/providers/index.js";
import { createFakeSmsRu } from "../../src/testing/index.js";
import { FAST, SMSRU_KEY } from "../helpers/provider-harness.js";

const fake = createFakeSmsRu({ apiKey: SMSRU_KEY, retryAfterSeconds: 0, balance: "0.50" });
const server = setupServer(...fake.handlers);
beforeAll(() => {
  server.listen({ onUnhandledRequest: "error" });
});
afterAll(() => server.close());
beforeEach(() => fake.reset());

const client = (extra: object = {}) => createSmsRuClient({ apiKey: SMSRU_KEY, ...FAST, ...extra });

describe("SMS.ru specifics", () => {
  it("treats a per-recipient ERROR under a top-level OK as a failure (HTTP 200)", async () => {
    fake.enqueue("bad_number");
    const error = await client()
      .sendSms("+79161234567", "hi")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      code: "202",
      httpStatus: 200,
      category: "permanent",
      retryable: false,
    });
    expect((error as Error).message).toContain("+7916***4567");
    expect((error as Error).message).not.toContain("79161234567");
    expect(fake.requests).toHaveLength(1);
  });

  it("classifies by status_code although every answer is HTTP 200", async () => {
    for (const [scenario, code, category] of [
      ["auth", "200", "auth"],
      ["no_funds", "201", "config"],
      ["sender_not_approved", "204", "config"],
      ["duplicate", "231", "permanent"],
      ["daily_limit", "206", "defer"],
    ] as const) {
      fake.reset();
      fake.enqueue(scenario);
      const error = await client()
        .sendSms("+79161234567", "hi")
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code, category, httpStatus: 200 });
      expect(fake.requests).toHaveLength(1);
    }
  });

  it("never retries a duplicate (231) and marks a daily limit as defer, not auto-retried", () => {
    expect(classifySmsRuCode(231)).toBe("permanent");
    expect(classifySmsRuCode(232)).toBe("permanent");
    expect(classifySmsRuCode(220)).toBe("retryable");
    expect(classifySmsRuCode(500)).toBe("retryable");
    expect(classifySmsRuCode(508)).toBe("retryable");
    expect(classifySmsRuCode(230)).toBe("defer");
    expect(classifySmsRuCode(9999)).toBe("permanent");
  });

  it.each([
    [209, "Номер находится в стоп-листе"],
    [215, "Номер находится в стоп-листе SMS.RU"],
  ])("classifies stop-list code %i as opted_out, not retried", async (code, text) => {
    fake.enqueue(() =>
      HttpResponse.json({
        status: "OK",
        status_code: 100,
        sms: { "79161234567": { status: "ERROR", status_code: code, status_text: text } },
        balance: 4122.56,
      }),
    );
    const error = await client()
      .sendSms("+79161234567", "hi")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      provider: "sms.ru",
      code: String(code),
      category: "opted_out",
      retryable: false,
      httpStatus: 200,
    });
    expect(fake.requests).toHaveLength(1);
    expect(classifySmsRuCode(code)).toBe("opted_out");
  });

  it("retries a top-level 500 and succeeds", async () => {
    fake.enqueue("server_error");
    const result = await client().sendSms("+79161234567", "hi");
    expect(result.messageId).toMatch(/^000000-\d+$/);
    expect(fake.requests).toHaveLength(2);
  });

  it("sends test mode, sender, ttl, time, daytime and translit in the POST body", async () => {
    await client({ test: true, sender: "Brand", daytime: true }).sendSms("89161234567", "hi", {
      ttl: 60,
      time: new Date("2030-01-01T10:00:00Z"),
      translit: true,
      ip: "203.0.113.7",
    });
    expect(fake.requests[0]?.form).toEqual({
      api_id: SMSRU_KEY,
      json: "1",
      to: "79161234567",
      msg: "hi",
      from: "Brand",
      test: "1",
      daytime: "1",
      translit: "1",
      ip: "203.0.113.7",
      ttl: "60",
      time: String(Date.UTC(2030, 0, 1, 10) / 1000),
    });
    await client({ test: true }).sendSms("89161234567", "hi", { test: false });
    expect(fake.requests[1]?.form?.test).toBeUndefined();
  });

  it("rejects bad per-message options without sending", async () => {
    const error = await client()
      .sendSms("+79161234567", "hi", { ttl: 5000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain("`ttl`");
    expect(fake.requests).toHaveLength(0);
  });

  it("reads the balance as an exact decimal string, key in the body", async () => {
    const balance = await client().getBalance();
    expect(balance).toMatchObject({ provider: "sms.ru", balance: "0.50", dryRun: false });
    expect(fake.requests[0]?.path).toBe("/my/balance");
    expect(fake.requests[0]?.url.search).toBe("");
    expect(fake.requests[0]?.form).toEqual({ api_id: SMSRU_KEY, json: "1" });
  });

  it("retries read-only calls after a timeout (they cannot send twice)", async () => {
    fake.enqueue("timeout");
    const balance = await client().getBalance();
    expect(balance.balance).toBe("0.50");
    expect(fake.requests).toHaveLength(2);
  });

  it("reads message states from sms/status", async () => {
    const states = await client().getStatus(["000000-10000001", "123-456"]);
    expect(states).toEqual([
      {
        smsId: "000000-10000001",
        state: "delivered",
        statusCode: 103,
        statusText: "Сообщение доставлено",
        cost: "0.50",
      },
      {
        smsId: "123-456",
        state: "not_found",
        statusCode: -1,
        statusText: "Сообщение не найдено",
        cost: null,
      },
    ]);
    expect(fake.requests[0]?.form).toEqual({
      api_id: SMSRU_KEY,
      json: "1",
      sms_id: "000000-10000001,123-456",
    });
    await expect(client().getStatus([])).rejects.toBeInstanceOf(ValidationError);
  });

  it("prices a message with sms/cost", async () => {
    const cost = await client({ sender: "Brand" }).getCost("+7 916 123 45 67", "Привет");
    expect(cost).toMatchObject({ to: "+79161234567", cost: "2.45", parts: 1 });
    expect(fake.requests[0]?.form).toEqual({
      api_id: SMSRU_KEY,
      json: "1",
      to: "79161234567",
      msg: "Привет",
      from: "Brand",
    });
  });

  it("answers GET with code 210 and a wrong api_id with code 200, like SMS.ru", async () => {
    const get = await fetch("https://sms.ru/sms/send?json=1").then((r) => r.json());
    expect(get).toMatchObject({ status: "ERROR", status_code: 210 });
    const error = await createSmsRuClient({ apiKey: "wrong-key", ...FAST })
      .sendSms("+79161234567", "hi")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "200", category: "auth" });
  });

  it("refuses a wrong per-message argument as a ValidationError naming it, not a ConfigError", async () => {
    for (const options of [{ sender: 5 }, { ip: 127001 }]) {
      const error = await client()
        .sendSms("+79161234567", "hi", options as never)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: "invalid_option" });
      expect((error as Error).message).toContain(`\`${Object.keys(options)[0]}\` must be a string`);
    }
    await expect(
      client().getCost("+79161234567", "hi", { sender: 5 as never }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(fake.requests).toHaveLength(0);
  });
});

describe("SMS.ru: a 5xx on a send (issue 9, item 8)", () => {
  it("an HTTP 503 without Retry-After is an unknown outcome, never retried", async () => {
    fake.setDefault(() => new HttpResponse("<html>503</html>", { status: 503 }));
    const error = await client()
      .sendSms("+79161234567", "hi")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryUnknownError);
    expect(error).toMatchObject({ reason: "gateway_error", httpStatus: 503, retryable: false });
    expect(fake.requests).toHaveLength(1);
  });

  it("an HTTP 503 with Retry-After (refused for now) is retried", async () => {
    fake.enqueue(
      () => new HttpResponse("<html>busy</html>", { status: 503, headers: { "retry-after": "0" } }),
    );
    await client().sendSms("+79161234567", "hi");
    expect(fake.requests).toHaveLength(2);
  });

  it("reads (balance, status) are still retried after any 5xx", async () => {
    fake.enqueue(() => new HttpResponse("<html>503</html>", { status: 503 }));
    const balance = await client().getBalance();
    expect(balance.balance).toBe("0.50");
    expect(fake.requests).toHaveLength(2);
  });
});
