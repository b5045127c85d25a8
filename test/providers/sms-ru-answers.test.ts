/**
 * SMS.ru's answers the fake never gives: odd but possible JSON (codes as strings, entries missing,
 * no status text), the per-recipient answers of sms/status and sms/cost, a balance answer without
 * a balance, and the argument checks of sendSms. Each answer is served by msw on sms.ru's real
 * URLs, to the real client.
 */
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DeliveryUnknownError, ProviderError, ValidationError } from "../../src/core/errors.js";
import { createSmsRuClient } from "../../src/providers/index.js";
import { FAST, SMSRU_KEY } from "../helpers/provider-harness.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const client = (extra: object = {}) => createSmsRuClient({ apiKey: SMSRU_KEY, ...FAST, ...extra });

/** Answers `path` with `body` (JSON), recording each form sent there. */
function answer(path: string, body: unknown): URLSearchParams[] {
  const forms: URLSearchParams[] = [];
  server.use(
    http.post(`https://sms.ru/${path}`, async ({ request }) => {
      forms.push(new URLSearchParams(await request.text()));
      return HttpResponse.json(body as Record<string, unknown>);
    }),
  );
  return forms;
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: unknown) => e,
  );

describe("sms/send answers", () => {
  it("a refusal with the code as a string and no status text: the code read, the hint from the table", async () => {
    answer("sms/send", {
      status: "OK",
      status_code: 100,
      sms: { "79161234567": { status: "ERROR", status_code: "207" } },
    });
    const error = await failure(client().sendSms("+79161234567", "hi"));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      message: "[otzovik] [sms.ru] Refused for +7916***4567: 207 No delivery route to this number.",
      code: "207",
      category: "permanent",
      httpStatus: 200,
      retryAfterMs: null,
    });
  });

  it("a code SMS.ru has not documented: permanent, said to be unknown", async () => {
    answer("sms/send", {
      status: "OK",
      sms: { "79161234567": { status: "ERROR", status_code: 777, status_text: "new" } },
    });
    expect(await failure(client().sendSms("+79161234567", "hi"))).toMatchObject({
      message: "[otzovik] [sms.ru] Refused for +7916***4567: 777 Unknown SMS.ru code. (new)",
      code: "777",
      category: "permanent",
    });
  });

  it("a refusal without a readable code: code unknown, permanent", async () => {
    answer("sms/send", { status: "ERROR", status_code: "2.5", status_text: "odd" });
    const error = await failure(client().sendSms("+79161234567", "hi"));
    expect(error).toMatchObject({
      message: "[otzovik] [sms.ru] Refused: ? Unknown error. (odd)",
      code: "unknown",
      category: "permanent",
      retryable: false,
    });
  });

  it.each([
    ["no status at all", { status_code: 100 }],
    ["no sms map", { status: "OK", status_code: 100 }],
    ["no entry for the number", { status: "OK", sms: { "79990000000": { status: "OK" } } }],
    ["an entry that is not an object", { status: "OK", sms: { "79161234567": "OK" } }],
  ])(
    "HTTP 200 with %s: the message may have gone out, not retried (DeliveryUnknownError)",
    async (_, body) => {
      const forms = answer("sms/send", body);
      const error = await failure(client().sendSms("+79161234567", "hi"));
      expect(error).toBeInstanceOf(DeliveryUnknownError);
      expect(error).toMatchObject({ reason: "no_message_id", httpStatus: 200 });
      expect(forms).toHaveLength(1);
    },
  );
});

describe("sendSms options", () => {
  it("time as a Date or in seconds, ttl, test, translit, daytime, ip and sender go on the form", async () => {
    const ok = {
      status: "OK",
      sms: { "79161234567": { status: "OK", status_code: 100, sms_id: "000-1" } },
    };
    const forms = answer("sms/send", ok);
    const sms = client({ sender: "Cafe" });
    await sms.sendSms("+79161234567", "hi", {
      time: new Date("2030-01-02T03:04:05.678Z"),
      ttl: 90,
      test: true,
      translit: true,
      daytime: true,
      ip: "203.0.113.7",
    });
    await sms.sendSms("+79161234567", "hi", { time: 1_900_000_000, sender: "Other" });
    const fields = forms.map((form) =>
      Object.fromEntries([...form].filter(([k]) => k !== "api_id")),
    );
    expect(fields).toEqual([
      {
        json: "1",
        to: "79161234567",
        msg: "hi",
        from: "Cafe",
        test: "1",
        translit: "1",
        daytime: "1",
        ip: "203.0.113.7",
        time: "1893553445",
        ttl: "90",
      },
      { json: "1", to: "79161234567", msg: "hi", from: "Other", time: "1900000000" },
    ]);
  });

  it.each([
    [null, "options", "must be an object"],
    ["tomorrow", "options", "must be an object"],
    [{ time: 0 }, "time", "must be a Date or a UNIX time in seconds"],
    [{ time: 1.5 }, "time", "must be a Date or a UNIX time in seconds"],
    [{ time: new Date("nonsense") }, "time", "must be a Date or a UNIX time in seconds"],
    [{ ttl: 0 }, "ttl", "must be a whole number of minutes from 1 to 1440"],
    [{ ttl: 1441 }, "ttl", "must be a whole number of minutes from 1 to 1440"],
    [{ ttl: 2.5 }, "ttl", "must be a whole number of minutes from 1 to 1440"],
  ])("%j: a ValidationError naming %s, nothing sent", async (options, field, why) => {
    const forms = answer("sms/send", {});
    const error = await failure(client().sendSms("+79161234567", "hi", options as never));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe(`[otzovik] [sms.ru] \`${field}\` ${why}.`);
    expect(forms).toHaveLength(0);
  });
});

describe("getStatus", () => {
  it("one id as a string or many: each id's state, code, text and cost; missing or odd entries unknown", async () => {
    const forms = answer("sms/status", {
      status: "OK",
      status_code: 100,
      sms: {
        "000-1": {
          status: "OK",
          status_code: 103,
          status_text: "Сообщение доставлено",
          cost: 2.45,
        },
        "000-2": { status: "OK", status_code: "104", cost: "1.5" },
        "000-3": { status: "ERROR", status_code: 9876 },
        "000-4": { status: "ERROR", status_code: null },
      },
    });
    const sms = client();
    expect(await sms.getStatus("000-1")).toEqual([
      {
        smsId: "000-1",
        state: "delivered",
        statusCode: 103,
        statusText: "Сообщение доставлено",
        cost: "2.45",
      },
    ]);
    expect(await sms.getStatus(["000-2", "000-3", "000-4", "000-5"])).toEqual([
      { smsId: "000-2", state: "failed", statusCode: 104, statusText: null, cost: "1.5" },
      { smsId: "000-3", state: "unknown", statusCode: 9876, statusText: null, cost: null },
      { smsId: "000-4", state: "unknown", statusCode: null, statusText: null, cost: null },
      { smsId: "000-5", state: "unknown", statusCode: null, statusText: null, cost: null },
    ]);
    expect(forms.map((form) => form.get("sms_id"))).toEqual(["000-1", "000-2,000-3,000-4,000-5"]);
  });

  it.each([
    [[], "empty"],
    [Array.from({ length: 101 }, (_, i) => `id-${i}`), "101 ids"],
    [["000-1", "a,b"], "a comma"],
  ])("%j (%s): a ValidationError, nothing asked", async (ids) => {
    const forms = answer("sms/status", {});
    const error = await failure(client().getStatus(ids));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe(
      "[otzovik] [sms.ru] `smsIds` must be 1 to 100 SMS ids such as 000000-10000000.",
    );
    expect(forms).toHaveLength(0);
  });
});

describe("getCost", () => {
  it("the entry's cost and parts, else the totals; translit from the call or the client", async () => {
    const forms = answer("sms/cost", {
      status: "OK",
      sms: { "79161234567": { status: "OK", status_code: 100 } },
      total_cost: 4.9,
      total_sms: 2,
    });
    expect(await client({ translit: true }).getCost("+79161234567", "Привет")).toEqual({
      to: "+79161234567",
      cost: "4.9",
      parts: 2,
      raw: expect.any(Object),
    });
    await client({ translit: true }).getCost("+79161234567", "Привет", {
      translit: false,
      sender: "Cafe",
    });
    expect(forms.map((form) => [form.get("translit"), form.get("from")])).toEqual([
      ["1", null],
      [null, "Cafe"],
    ]);
  });

  it("no cost anywhere: 0 and 0 parts", async () => {
    answer("sms/cost", { status: "OK", sms: { "79161234567": { status: "OK" } } });
    expect(await client().getCost("+79161234567", "hi")).toMatchObject({ cost: "0", parts: 0 });
  });

  it("a refused number: the ProviderError for it; no entry: an unreadable answer", async () => {
    answer("sms/cost", {
      status: "OK",
      sms: {
        "79161234567": { status: "ERROR", status_code: 202, status_text: "Неверно указан номер" },
      },
    });
    expect(await failure(client().getCost("+79161234567", "hi"))).toMatchObject({
      message:
        "[otzovik] [sms.ru] Refused for +7916***4567: 202 Invalid recipient number, or no route to it. (Неверно указан номер)",
      code: "202",
      category: "permanent",
    });
    answer("sms/cost", { status: "OK", sms: {} });
    const error = await failure(client().getCost("+79161234567", "hi"));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: "http_200", category: "permanent", httpStatus: 200 });
  });
});

describe("getBalance", () => {
  it("a number or a string; an answer without a balance is unreadable", async () => {
    answer("my/balance", { status: "OK", status_code: 100, balance: "12.50" });
    expect(await client().getBalance()).toMatchObject({ provider: "sms.ru", balance: "12.50" });
    answer("my/balance", { status: "OK", status_code: 100 });
    expect(await failure(client().getBalance())).toMatchObject({
      message: "[otzovik] [sms.ru] Unexpected answer (HTTP 200) the SDK cannot read.",
      code: "http_200",
      category: "permanent",
    });
  });
});
