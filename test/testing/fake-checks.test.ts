/**
 * The checks otzovik/testing's fakes make on every request, as any HTTP client sees them (plain
 * `fetch`, not otzovik's clients, which never send such requests): a missing or wrong token, a
 * missing field, a bad recipient; amoCRM's scenarios and its `with=contacts` rule; what Resend's
 * and Meta's fakes record as sent for each kind of body.
 */
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createFakeAmocrm,
  createFakeMetaWhatsapp,
  createFakeResend,
} from "../../src/testing/index.js";

const lead = {
  id: 3912171,
  name: "Сделка",
  _embedded: { tags: [{ id: 1 }], contacts: [{ id: 10971465, is_main: true }] },
};
const amo = createFakeAmocrm({
  subdomain: "shop",
  accessToken: "amo-token",
  retryAfterSeconds: 7,
  leads: { "3912171": lead, "5": { id: 5 }, "6": "not an object" },
  contacts: { "10971465": { id: 10971465, name: "Анна" } },
});
const amo204 = createFakeAmocrm({ baseUrl: "https://crm.test", notFoundStatus: 204 });
const resend = createFakeResend({ apiKey: "re_key" });
const meta = createFakeMetaWhatsapp({ accessToken: "meta-token" });
const server = setupServer(
  ...amo.handlers,
  ...amo204.handlers,
  ...resend.handlers,
  ...meta.handlers,
);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  for (const fake of [amo, amo204, resend, meta]) fake.reset();
});
afterAll(() => server.close());

/** Status, content type and JSON body (or `null` for none) of an answer. */
async function read(response: Response) {
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    body: text === "" ? null : JSON.parse(text),
  };
}

const problem = (status: number, title: string, detail: string) => ({
  status,
  type: "application/problem+json",
  body: { title, type: `https://httpstatus.es/${status}`, status, detail },
});

describe("createFakeAmocrm", () => {
  const get = (path: string, token: string | null = "amo-token", base = "https://shop.amocrm.ru") =>
    fetch(`${base}/api/v4/${path}`, {
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
    }).then(read);

  it("a lead asked with=contacts keeps its contacts; without, they are left out as amoCRM does", async () => {
    expect(await get("leads/3912171?with=contacts")).toEqual({
      status: 200,
      type: "application/hal+json",
      body: lead,
    });
    expect((await get("leads/3912171?with=catalog_elements")).body).toEqual({
      id: 3912171,
      name: "Сделка",
      _embedded: { tags: [{ id: 1 }] },
    });
    expect((await get("leads/5")).body).toEqual({ id: 5 });
    expect((await get("leads/6")).body).toBe("not an object");
    expect((await get("contacts/10971465")).body).toEqual({ id: 10971465, name: "Анна" });
  });

  it("no Bearer token or another one: 401; an id not in the maps (or not a number): 404", async () => {
    const unauthorized = problem(401, "Unauthorized", "Unauthorized");
    expect(await get("contacts/10971465", null)).toEqual(unauthorized);
    expect(await get("contacts/10971465", "stolen")).toEqual(unauthorized);
    const missing = problem(404, "Not Found", "Not found");
    expect(await get("contacts/1")).toEqual(missing);
    expect(await get("leads/abc")).toEqual(missing);
    expect(await get("leads/hasOwnProperty")).toEqual(missing);
    expect(amo.requests.map((r) => r.path)).toEqual([
      "/api/v4/contacts/10971465",
      "/api/v4/contacts/10971465",
      "/api/v4/contacts/1",
      "/api/v4/leads/abc",
      "/api/v4/leads/hasOwnProperty",
    ]);
  });

  it("notFoundStatus 204 and a baseUrl of its own; any token accepted when none is given", async () => {
    expect(await get("leads/1", "anything", "https://crm.test")).toEqual({
      status: 204,
      type: null,
      body: null,
    });
  });

  it.each([
    ["auth", problem(401, "Unauthorized", "Unauthorized")],
    ["payment_required", problem(402, "Payment Required", "Account subscription has expired")],
    ["forbidden", problem(403, "Forbidden", "Access denied")],
    ["not_found", problem(404, "Not Found", "Not found")],
    ["no_content", { status: 204, type: null, body: null }],
    ["server_error", problem(500, "Internal Server Error", "Internal Server Error")],
  ] as const)("scenario %s: the answer amoCRM gives, once", async (scenario, expected) => {
    amo.enqueue(scenario);
    expect(await get("leads/3912171")).toEqual(expected);
    expect((await get("leads/3912171")).status).toBe(200);
  });

  it("scenario rate_limited: 429 with Retry-After from retryAfterSeconds; a function answers as it likes", async () => {
    amo.enqueue("rate_limited");
    const limited = await fetch("https://shop.amocrm.ru/api/v4/leads/5", {
      headers: { authorization: "Bearer amo-token" },
    });
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "7"]);
    amo.enqueue((req) => Response.json({ path: req.path }, { status: 418 }));
    expect(await get("leads/5")).toEqual({
      status: 418,
      type: "application/json",
      body: { path: "/api/v4/leads/5" },
    });
  });
});

describe("createFakeResend: the checks before an email is accepted", () => {
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch("https://api.resend.com/emails", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "test",
        authorization: "Bearer re_key",
        ...headers,
      },
      body: JSON.stringify(body),
    }).then(read);
  const email = { from: "Cafe <hi@cafe.example>", to: "anna@mail.example", subject: "Отзыв" };
  const error = (statusCode: number, name: string, message: string) => ({
    status: statusCode,
    type: "application/json",
    body: { statusCode, name, message },
  });

  it.each([
    [
      "no Bearer token",
      email,
      { authorization: "Basic x" },
      error(401, "missing_api_key", "Missing API key in the authorization header."),
    ],
    [
      "another key",
      email,
      { authorization: "Bearer re_other" },
      error(403, "invalid_api_key", "API key is invalid"),
    ],
    [
      "no from",
      { ...email, from: "" },
      {},
      error(422, "missing_required_field", "Missing `from` field."),
    ],
    [
      "no subject",
      { ...email, subject: undefined },
      {},
      error(422, "missing_required_field", "Missing `subject` field."),
    ],
    [
      "a recipient at test.com",
      { ...email, to: ["ok@mail.example", "Bob <bob@test.com>"] },
      {},
      error(
        422,
        "validation_error",
        "Invalid `to` field: example.com and test.com are not allowed.",
      ),
    ],
    [
      "a recipient that is not a string",
      { ...email, to: [42] },
      {},
      error(
        422,
        "validation_error",
        "Invalid `to` field: example.com and test.com are not allowed.",
      ),
    ],
  ])("%s: Resend's error, nothing sent", async (_, body, headers, expected) => {
    const answer = await post(body, headers);
    expect({ ...answer, type: answer.type?.split(";")[0] }).toEqual(expected);
    expect(resend.sent()).toEqual([]);
  });

  it("no User-Agent: Cloudflare's 403 error code 1010, as text", async () => {
    const response = await fetch("https://api.resend.com/emails", {
      method: "POST",
      headers: { authorization: "Bearer re_key", "user-agent": "" },
      body: JSON.stringify(email),
    });
    expect([response.status, await response.text()]).toEqual([403, "error code: 1010"]);
  });

  it("sent(): the text part, else the HTML as text (tags dropped, entities read), else nothing; one entry per recipient", async () => {
    expect((await post({ ...email, text: "Спасибо", html: "<b>x</b>" })).status).toBe(200);
    await post({
      ...email,
      to: ["Anna <anna@mail.example>", "bob@mail.example"],
      html: "<p>Спасибо&nbsp;за&nbsp;визит!</p>\n<a href='#'>&lt;Оценить&gt; &quot;5&quot; &#39;★&#39; &amp; всё</a>",
    });
    await post(email);
    expect(resend.sent()).toEqual([
      { channel: "email", to: "anna@mail.example", text: "Спасибо" },
      {
        channel: "email",
        to: "anna@mail.example",
        text: "Спасибо за визит! <Оценить> \"5\" '★' & всё",
      },
      {
        channel: "email",
        to: "bob@mail.example",
        text: "Спасибо за визит! <Оценить> \"5\" '★' & всё",
      },
      { channel: "email", to: "anna@mail.example", text: "" },
    ]);
  });

  it("an Idempotency-Key: the same request gets the same id; another body with it a 409", async () => {
    const key = { "idempotency-key": "order-1" };
    const first = await post(email, key);
    expect(await post(email, key)).toEqual(first);
    expect(await post({ ...email, subject: "Другая" }, key)).toEqual(
      error(
        409,
        "invalid_idempotent_request",
        "Same idempotency key used with a different request payload.",
      ),
    );
    expect(resend.sent()).toHaveLength(1);
  });
});

describe("createFakeMetaWhatsapp: the checks before a message is accepted", () => {
  const post = (body: unknown, { token = "meta-token", version = "v21.0" } = {}) =>
    fetch(`https://graph.facebook.com/${version}/1065403/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    }).then(read);
  const text = {
    messaging_product: "whatsapp",
    to: "79161234567",
    type: "text",
    text: { body: "Hi" },
  };
  const metaError = (status: number, code: number, message: string, details: string) => ({
    status,
    code,
    message: `(#${code}) ${message}`,
    details,
  });
  const brief = (answer: Awaited<ReturnType<typeof read>>) => ({
    status: answer.status,
    code: answer.body?.error?.code,
    message: answer.body?.error?.message,
    details: answer.body?.error?.error_data?.details,
  });

  it.each([
    [
      "a version that is not vNN.N",
      text,
      { version: "latest" },
      metaError(400, 2500, "Unknown path components", "Unknown version latest"),
    ],
    ["another token", text, { token: "stolen" }, { status: 401, code: 190 }],
    [
      "no messaging_product",
      { ...text, messaging_product: undefined },
      {},
      metaError(400, 100, "Invalid parameter", "messaging_product is required"),
    ],
    [
      "a to with a plus",
      { ...text, to: "+79161234567" },
      {},
      metaError(400, 131009, "Parameter value is not valid", "Invalid 'to' phone number"),
    ],
    [
      "no to",
      { ...text, to: undefined },
      {},
      metaError(400, 131009, "Parameter value is not valid", "Invalid 'to' phone number"),
    ],
  ])("%s: Meta's error, nothing sent", async (_, body, options, expected) => {
    expect(brief(await post(body, options))).toMatchObject(expected);
    expect(meta.sent()).toEqual([]);
  });

  it("sent(): a template's parameters as text, button payloads, fallback values, else [type]", async () => {
    const answer = await post({
      messaging_product: "whatsapp",
      to: "79161234567",
      type: "template",
      template: {
        name: "review_request",
        components: [
          {
            type: "body",
            parameters: [
              { type: "text", text: "Анна" },
              {
                type: "currency",
                currency: { fallback_value: "100 ₽", code: "RUB", amount_1000: 100000 },
              },
              { type: "date_time", date_time: {} },
              null,
            ],
          },
          {
            type: "button",
            sub_type: "quick_reply",
            index: "0",
            parameters: [{ type: "payload", payload: "five" }],
          },
          { type: "header" },
        ],
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.messages[0].message_status).toBe("accepted");
    await post({
      messaging_product: "whatsapp",
      to: "79161234568",
      type: "template",
      template: {},
    });
    await post({ messaging_product: "whatsapp", to: "79161234569", type: "image", image: {} });
    expect(meta.sent()).toEqual([
      {
        channel: "whatsapp",
        to: "+79161234567",
        text: "review_request: Анна | 100 ₽ | [date_time] | [undefined] | five",
      },
      { channel: "whatsapp", to: "+79161234568", text: "" },
      { channel: "whatsapp", to: "+79161234569", text: "" },
    ]);
  });
});
