import { HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  ConfigError,
  NetworkError,
  OtzovikError,
  ProviderError,
  ValidationError,
} from "../../src/core/errors.js";
import type { Logger } from "../../src/core/logger.js";
import { createSmsRuClient } from "../../src/providers/sms-ru.js";
import type { ClientOptions } from "../../src/providers/types.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import { type AmocrmClientOptions, createAmocrmClient } from "../../src/sources/amocrm/client.js";
import { createFakeAmocrm } from "../../src/testing/amocrm.js";
import { createFakeSmsRu } from "../../src/testing/sms-ru.js";
import { fixture, fixtureJson } from "../helpers/fixtures.js";

const TOKEN = "amoSECRETlongLivedToken.0123456789abcdef";
const LEAD_ID = "3912171";
const CONTACT_ID = "10971465";
const lead = fixtureJson<Record<string, any>>("amocrm", "api-v4-lead-3912171-with-contacts.json");
const contact = fixtureJson<Record<string, any>>("amocrm", "api-v4-contact-10971465.json");

const leads: Record<string, unknown> = {};
const contacts: Record<string, unknown> = {};
const amo = createFakeAmocrm({
  subdomain: "test",
  accessToken: TOKEN,
  leads,
  contacts,
  retryAfterSeconds: 0,
});
const kommo = createFakeAmocrm({
  baseUrl: "https://kofe.kommo.com",
  accessToken: TOKEN,
  leads,
  contacts,
});
const proxy = createFakeAmocrm({ baseUrl: "http://127.0.0.1:8787/amo", leads, contacts });
const smsFake = createFakeSmsRu({ apiKey: "sms-key" });
const server = setupServer(
  ...amo.handlers,
  ...kommo.handlers,
  ...proxy.handlers,
  ...smsFake.handlers,
);

function resetData() {
  for (const map of [leads, contacts]) for (const key of Object.keys(map)) delete map[key];
  leads[LEAD_ID] = structuredClone(lead);
  contacts[CONTACT_ID] = structuredClone(contact);
}

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  for (const fake of [amo, kommo, proxy, smsFake]) fake.reset();
  resetData();
});
afterAll(() => server.close());
resetData();

/** A logger that records every line, with its meta. */
function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const write = (level: string) => (message: string, meta?: Record<string, unknown>) => {
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

const FAST: ClientOptions = {
  logger: { warn: () => {}, error: () => {} },
  timeout: 150,
  retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 50, jitter: false },
};

const client = (extra: Partial<AmocrmClientOptions> = {}) =>
  createAmocrmClient({ subdomain: "test", accessToken: TOKEN, ...FAST, ...extra });

async function failure(promise: Promise<unknown>): Promise<OtzovikError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OtzovikError);
  return error as OtzovikError;
}

/** Everything an error exposes, for secret checks. */
function dump(error: unknown): string {
  const e = error as Record<string, unknown> & Error;
  return [
    e.message,
    e.stack,
    JSON.stringify({ ...e, cause: undefined }),
    String((e.cause as Error | undefined)?.message ?? ""),
  ].join("\n");
}

function setLead(patch: (value: Record<string, any>) => void) {
  const value = structuredClone(lead);
  patch(value);
  leads[LEAD_ID] = value;
}

describe("createAmocrmClient: getLeadPhone", () => {
  it("finds the main contact's mobile phone with the two documented requests", async () => {
    const phone = await client().getLeadPhone(LEAD_ID, {
      subdomain: "test",
      baseUrl: "https://test.amocrm.ru",
    });
    expect(phone).toBe("+79000000004");
    expect(amo.requests.map((r) => [r.method, `${r.url.origin}${r.path}${r.url.search}`])).toEqual([
      ["GET", "https://test.amocrm.ru/api/v4/leads/3912171?with=contacts"],
      ["GET", "https://test.amocrm.ru/api/v4/contacts/10971465"],
    ]);
    for (const request of amo.requests) {
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(request.headers.accept).toBe("application/json");
      expect(request.body).toBe("");
    }
  });

  it("accepts numeric ids and no account", async () => {
    expect(await client().getLeadPhone(3912171)).toBe("+79000000004");
  });

  it("prefers the is_main contact, else the first one", async () => {
    contacts["111"] = { id: 111, custom_fields_values: [] };
    contacts["222"] = {
      id: 222,
      custom_fields_values: [{ field_code: "PHONE", values: [{ value: "+7 916 123-45-67" }] }],
    };
    setLead((l) => {
      l._embedded.contacts = [
        { id: 111, is_main: false },
        { id: 222, is_main: true },
      ];
    });
    expect(await client().getLeadPhone(LEAD_ID)).toBe("+79161234567");
    expect(amo.requests[1]?.path).toBe("/api/v4/contacts/222");

    amo.reset();
    setLead((l) => {
      l._embedded.contacts = [{ id: 222 }, { id: 111 }];
    });
    expect(await client().getLeadPhone(LEAD_ID)).toBe("+79161234567");
    expect(amo.requests[1]?.path).toBe("/api/v4/contacts/222");
  });

  it("resolves null for a lead without contacts, without asking for a contact", async () => {
    setLead((l) => {
      l._embedded.contacts = [];
    });
    expect(await client().getLeadPhone(LEAD_ID)).toBeNull();
    setLead((l) => {
      delete l._embedded;
    });
    expect(await client().getLeadPhone(LEAD_ID)).toBeNull();
    expect(amo.requests.map((r) => r.path)).toEqual([
      "/api/v4/leads/3912171",
      "/api/v4/leads/3912171",
    ]);
  });

  it("resolves null for a contact without a phone or with an invalid one", async () => {
    contacts[CONTACT_ID] = { ...contact, custom_fields_values: null };
    expect(await client().getLeadPhone(LEAD_ID)).toBeNull();
    contacts[CONTACT_ID] = {
      ...contact,
      custom_fields_values: [
        { field_code: "PHONE", values: [{ value: "2001", enum_code: "MOB" }] },
      ],
    };
    expect(await client().getLeadPhone(LEAD_ID)).toBeNull();
  });

  it("resolves null when the lead is gone (404, 204 or in the trash) and logs it", async () => {
    const { logger, lines } = recordingLogger();
    expect(await client({ logger }).getLeadPhone("999")).toBeNull();
    amo.enqueue("no_content");
    expect(await client({ logger }).getLeadPhone(LEAD_ID)).toBeNull();
    setLead((l) => {
      l.is_deleted = true;
    });
    expect(await client({ logger }).getLeadPhone(LEAD_ID)).toBeNull();
    expect(amo.requests.map((r) => r.path)).toEqual([
      "/api/v4/leads/999",
      "/api/v4/leads/3912171",
      "/api/v4/leads/3912171",
    ]);
    expect(lines.filter((l) => l.startsWith("warn") && l.includes("not found"))).toHaveLength(3);
  });

  it("resolves null when the contact is gone", async () => {
    delete contacts[CONTACT_ID];
    expect(await client().getLeadPhone(LEAD_ID)).toBeNull();
    expect(amo.requests).toHaveLength(2);
  });

  it("treats a 404 that is not amoCRM's answer as a wrong address, not a missing lead", async () => {
    amo.enqueue(() => new HttpResponse("<html>404 Not Found</html>", { status: 404 }));
    const error = await failure(client().getLeadPhone(LEAD_ID));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: "http_404", category: "config", retryable: false });
    expect(error.message).toContain("subdomain");
  });

  it("reports 401 as a non-retried auth error about the long-lived token", async () => {
    const error = await failure(
      client({ accessToken: "wrong-token-0123456789" }).getLeadPhone(LEAD_ID),
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      code: "unauthorized",
      category: "auth",
      httpStatus: 401,
      retryable: false,
      provider: "amocrm",
    });
    expect(error.message).toContain("long-lived token");
    expect(error.message).toContain("accessToken");
    expect(amo.requests).toHaveLength(1);
  });

  it("maps 402 and 403 to non-retryable config and auth errors", async () => {
    amo.enqueue("payment_required");
    expect(await failure(client().getLeadPhone(LEAD_ID))).toMatchObject({
      code: "payment_required",
      category: "config",
      retryable: false,
    });
    amo.enqueue("forbidden");
    expect(await failure(client().getLeadPhone(LEAD_ID))).toMatchObject({
      code: "forbidden",
      category: "auth",
      retryable: false,
    });
    expect(amo.requests).toHaveLength(2);
  });

  it("retries a 429 (honouring Retry-After), a 500 and a timeout, then succeeds", async () => {
    amo.enqueue("rate_limited", "success", "server_error");
    expect(await client().getLeadPhone(LEAD_ID)).toBe("+79000000004");
    expect(amo.requests.map((r) => r.path)).toEqual([
      "/api/v4/leads/3912171",
      "/api/v4/leads/3912171",
      "/api/v4/contacts/10971465",
      "/api/v4/contacts/10971465",
    ]);
    amo.reset();
    amo.enqueue("timeout");
    expect(await client().getLeadPhone(LEAD_ID)).toBe("+79000000004");
    expect(amo.requests).toHaveLength(3);
  });

  it("gives up with a retryable error when amoCRM keeps refusing", async () => {
    amo.setDefault("rate_limited");
    const limited = await failure(client().getLeadPhone(LEAD_ID));
    expect(limited).toMatchObject({ code: "rate_limited", category: "retryable", retryable: true });
    expect(amo.requests).toHaveLength(3);
    amo.reset();
    amo.setDefault("timeout");
    const timeout = await failure(client({ retry: 1 }).getLeadPhone(LEAD_ID));
    expect(timeout).toBeInstanceOf(NetworkError);
    expect(timeout).toMatchObject({ code: "timeout", retryable: true });
  });

  it("rejects an invalid lead id without sending anything", async () => {
    for (const id of ["../contacts/1", "12?x=1", "abc", "0", "", "-5"]) {
      const error = await failure(client().getLeadPhone(id));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.code).toBe("invalid_option");
    }
    expect(amo.requests).toHaveLength(0);
  });
});

describe("createAmocrmClient: the webhook's account", () => {
  it("refuses another account without sending any request", async () => {
    for (const account of [
      { subdomain: "evil", baseUrl: "https://evil.amocrm.ru" },
      { subdomain: "evil", baseUrl: null },
      { subdomain: null, baseUrl: "https://evil.kommo.com" },
      { subdomain: "test", baseUrl: "https://evil.amocrm.ru" },
      { subdomain: "test", baseUrl: "https://test.amocrm.ru.evil.example" },
      { subdomain: null, baseUrl: "http://test.amocrm.ru" },
      { subdomain: null, baseUrl: "not a url" },
    ]) {
      const error = await failure(client().getLeadPhone(LEAD_ID, account));
      expect(error.code).toBe("account_mismatch");
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('"test"');
      expect(dump(error)).not.toContain(TOKEN);
    }
    expect(amo.requests).toHaveLength(0);
  });

  it("accepts the same account on amoCRM's and Kommo's domains, in any case", async () => {
    for (const account of [
      { subdomain: "TEST", baseUrl: null },
      { subdomain: "test", baseUrl: "https://test.amocrm.com" },
      { subdomain: null, baseUrl: "https://test.kommo.com" },
      { subdomain: null, baseUrl: null },
    ]) {
      expect(await client().getLeadPhone(LEAD_ID, account)).toBe("+79000000004");
    }
  });

  it("serves a Kommo account configured by baseUrl", async () => {
    const kommoClient = createAmocrmClient({
      baseUrl: "https://kofe.kommo.com",
      accessToken: TOKEN,
      ...FAST,
    });
    expect(kommoClient.baseUrl).toBe("https://kofe.kommo.com/");
    expect(
      await kommoClient.getLeadPhone(LEAD_ID, {
        subdomain: "kofe",
        baseUrl: "https://kofe.kommo.com",
      }),
    ).toBe("+79000000004");
    expect(kommo.requests).toHaveLength(2);
    await expect(kommoClient.getLeadPhone(LEAD_ID, { subdomain: "test" })).rejects.toMatchObject({
      code: "account_mismatch",
    });
  });

  it("with a custom baseUrl, checks accounts only against an explicit subdomain", async () => {
    const base = { baseUrl: "http://127.0.0.1:8787/amo", accessToken: TOKEN, ...FAST };
    const anonymous = createAmocrmClient({ ...base, allowAnyBaseUrl: true });
    expect(await anonymous.getLeadPhone(LEAD_ID)).toBe("+79000000004");
    expect(proxy.requests.map((r) => r.url.href)).toEqual([
      "http://127.0.0.1:8787/amo/api/v4/leads/3912171?with=contacts",
      "http://127.0.0.1:8787/amo/api/v4/contacts/10971465",
    ]);
    const error = await failure(anonymous.getLeadPhone(LEAD_ID, { subdomain: "test" }));
    expect(error.code).toBe("account_mismatch");
    expect(error.message).toContain("pass subdomain");

    const named = createAmocrmClient({ ...base, allowAnyBaseUrl: true, subdomain: "test" });
    expect(
      await named.getLeadPhone(LEAD_ID, { subdomain: "test", baseUrl: "https://test.amocrm.ru" }),
    ).toBe("+79000000004");
    await expect(named.getLeadPhone(LEAD_ID, { subdomain: "evil" })).rejects.toMatchObject({
      code: "account_mismatch",
    });
  });
});

describe("createAmocrmClient: getLead and getContact", () => {
  it("return the parsed answers, or null for unknown ids", async () => {
    const c = client();
    expect(await c.getLead(LEAD_ID)).toEqual(lead);
    expect(await c.getContact(CONTACT_ID)).toEqual(contact);
    expect(await c.getLead("1")).toBeNull();
    expect(await c.getContact("1")).toBeNull();
    amo.enqueue("no_content");
    expect(await c.getContact(CONTACT_ID)).toBeNull();
  });

  it("reads 204 for unknown ids when the fake is told to answer so", async () => {
    const fake = createFakeAmocrm({ subdomain: "empty", notFoundStatus: 204 });
    server.use(...fake.handlers);
    const c = createAmocrmClient({ subdomain: "empty", accessToken: TOKEN, ...FAST });
    expect(await c.getLead("5")).toBeNull();
    expect(fake.requests.map((r) => r.path)).toEqual(["/api/v4/leads/5"]);
  });

  it("throws a permanent error for a 2xx answer that is not JSON", async () => {
    amo.enqueue(() => new HttpResponse("<html>ok</html>", { status: 200 }));
    expect(await failure(client().getLead(LEAD_ID))).toMatchObject({
      code: "http_200",
      retryable: false,
    });
  });
});

describe("createAmocrmClient: options", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["no accessToken", { subdomain: "test" }, "`accessToken` is required"],
    ["a blank accessToken", { subdomain: "test", accessToken: "  " }, "`accessToken`"],
    ["neither subdomain nor baseUrl", { accessToken: TOKEN }, "`subdomain` is required"],
    [
      "both subdomain and baseUrl",
      { accessToken: TOKEN, subdomain: "test", baseUrl: "https://test.amocrm.ru" },
      "`baseUrl` cannot be combined with subdomain",
    ],
    [
      "a full address as subdomain",
      { accessToken: TOKEN, subdomain: "test.amocrm.ru" },
      "`subdomain` must be the account subdomain only",
    ],
    [
      "a non-string subdomain",
      { accessToken: TOKEN, subdomain: 42 },
      "`subdomain` must be a string",
    ],
    ["an http baseUrl", { accessToken: TOKEN, baseUrl: "http://test.amocrm.ru" }, "`baseUrl`"],
    ["a foreign host", { accessToken: TOKEN, baseUrl: "https://evil.example.com" }, "`baseUrl`"],
    [
      "a look-alike host",
      { accessToken: TOKEN, baseUrl: "https://test.amocrm.ru.evil.example" },
      "`baseUrl`",
    ],
    ["the bare domain", { accessToken: TOKEN, baseUrl: "https://amocrm.ru" }, "`baseUrl`"],
    ["a path", { accessToken: TOKEN, baseUrl: "https://test.amocrm.ru/api/v4" }, "`baseUrl`"],
    ["a port", { accessToken: TOKEN, baseUrl: "https://test.amocrm.ru:8443" }, "`baseUrl`"],
    ["not a URL", { accessToken: TOKEN, baseUrl: "test" }, "`baseUrl`"],
    [
      "a custom URL with query",
      { accessToken: TOKEN, baseUrl: "http://127.0.0.1/?a=1", allowAnyBaseUrl: true },
      "Option `baseUrl` must not contain a query string or credentials.",
    ],
    [
      "a custom URL that is not http(s)",
      { accessToken: TOKEN, baseUrl: "ftp://127.0.0.1/", allowAnyBaseUrl: true },
      "Option `baseUrl` must be an http(s) URL",
    ],
    [
      "a non-boolean allowAnyBaseUrl",
      { accessToken: TOKEN, subdomain: "test", allowAnyBaseUrl: "yes" },
      "`allowAnyBaseUrl`",
    ],
    [
      "a bad defaultCountry",
      { accessToken: TOKEN, subdomain: "test", defaultCountry: "ru" },
      "`defaultCountry`",
    ],
    ["a bad timeout", { accessToken: TOKEN, subdomain: "test", timeout: -1 }, "`timeout`"],
  ];
  it.each(cases)("rejects %s with a ConfigError naming the option", (_, options, message) => {
    let error: unknown;
    try {
      createAmocrmClient(options as unknown as AmocrmClientOptions);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).toContain("[amocrm]");
    expect(dump(error)).not.toContain(TOKEN);
  });

  it("rejects a missing options object", () => {
    expect(() => createAmocrmClient(undefined as unknown as AmocrmClientOptions)).toThrow(
      ConfigError,
    );
  });

  it("takes any http(s) baseUrl with allowAnyBaseUrl, and null as an absent option", () => {
    expect(
      createAmocrmClient({
        accessToken: TOKEN,
        baseUrl: " http://127.0.0.1:8080 ",
        allowAnyBaseUrl: true,
      }).baseUrl,
    ).toBe("http://127.0.0.1:8080/");
    expect(
      createAmocrmClient({
        accessToken: TOKEN,
        subdomain: "test",
        baseUrl: null as never,
        allowAnyBaseUrl: null as never,
      }).baseUrl,
    ).toBe("https://test.amocrm.ru/");
  });

  it("builds the address from subdomain and accepts the three domains as baseUrl", () => {
    expect(client({ subdomain: "Kofe" }).baseUrl).toBe("https://kofe.amocrm.ru/");
    for (const url of [
      "https://kofe.amocrm.ru",
      "https://kofe.amocrm.com/",
      "https://KOFE.kommo.com",
    ]) {
      const c = createAmocrmClient({ baseUrl: url, accessToken: TOKEN });
      expect(c.baseUrl).toBe(`${new URL(url).origin}/`);
      expect(c.provider).toBe("amocrm");
    }
  });
});

describe("createAmocrmClient: secrets", () => {
  it("never puts the token into errors or log lines", async () => {
    const { logger, lines } = recordingLogger();
    const c = client({ logger });
    const errors: unknown[] = [];
    const echo = (status: number) => (req: { headers: Readonly<Record<string, string>> }) =>
      HttpResponse.json(
        { title: "Echo", status, detail: `you sent ${req.headers.authorization}` },
        { status },
      );
    amo.setDefault(echo(500));
    errors.push(await failure(c.getLeadPhone(LEAD_ID)));
    amo.setDefault(echo(400));
    errors.push(await failure(c.getLeadPhone(LEAD_ID)));
    amo.setDefault(echo(401));
    errors.push(await failure(c.getLeadPhone(LEAD_ID)));
    amo.setDefault(echo(404));
    expect(await c.getLeadPhone(LEAD_ID)).toBeNull();
    amo.setDefault(
      (req) => new HttpResponse(`<html>${req.headers.authorization}</html>`, { status: 404 }),
    );
    errors.push(await failure(c.getLeadPhone(LEAD_ID)));
    amo.setDefault("timeout");
    errors.push(await failure(c.getLeadPhone(LEAD_ID)));

    expect(errors.map((e) => (e as OtzovikError).code)).toEqual([
      "provider_unavailable",
      "http_400",
      "unauthorized",
      "http_404",
      "timeout",
    ]);
    expect(JSON.stringify((errors[1] as ProviderError).details)).toContain("[redacted]");
    for (const error of errors) expect(dump(error)).not.toContain(TOKEN);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toContain(TOKEN);
  });

  it("masks the phone in its log lines", async () => {
    const { logger, lines } = recordingLogger();
    await client({ logger }).getLeadPhone(LEAD_ID);
    expect(lines.join("\n")).not.toContain("+79000000004");
    expect(lines.join("\n")).not.toContain(TOKEN);
  });
});

describe("createAmocrmClient with createReviewRequester", () => {
  it("looks up the phone of a won lead from a status webhook and sends one SMS", async () => {
    const WEBHOOK_KEY = "amocrm-webhook-key-0123456789";
    leads["25399013"] = { ...structuredClone(lead), id: 25399013 };
    const r = createReviewRequester({
      keys: WEBHOOK_KEY,
      business: "Кофейня «Зерно»",
      reviewUrl: "https://yandex.ru/maps/org/zerno/1/reviews",
      channels: [
        {
          type: "sms",
          client: createSmsRuClient({ apiKey: "sms-key", sender: "Zerno", ...FAST }),
        },
      ],
      amocrm: createAmocrmClient({ subdomain: "test", accessToken: TOKEN, ...FAST }),
      now: () => Date.parse("2026-03-14T12:00:00+03:00"),
      logger: { warn: () => {}, error: () => {} },
    });
    try {
      const result = await r.handle("amocrm", fixture("amocrm", "lead-status-won-docs.txt"), {
        key: WEBHOOK_KEY,
      });
      expect(result.authorized).toBe(true);
      expect(result.outcomes).toHaveLength(1);
      expect(result.outcomes[0]).toMatchObject({
        status: "sent",
        source: "amocrm",
        orderId: "25399013",
        channel: "sms",
        provider: "sms.ru",
      });
      expect(amo.requests.map((q) => `${q.path}${q.url.search}`)).toEqual([
        "/api/v4/leads/25399013?with=contacts",
        "/api/v4/contacts/10971465",
      ]);
      const sent = smsFake.requests.filter((q) => q.path.endsWith("/sms/send"));
      expect(sent).toHaveLength(1);
      expect(sent[0]?.form?.to).toBe("79000000004");
    } finally {
      await r.close();
    }
  });
});
