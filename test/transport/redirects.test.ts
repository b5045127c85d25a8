import { afterEach, describe, expect, it } from "vitest";
import { OtzovikError, ProviderError } from "../../src/core/errors.js";
import {
  createExolveClient,
  createMetaWhatsappClient,
  createResendClient,
  createSmsRuClient,
} from "../../src/providers/index.js";
import { createAmocrmClient } from "../../src/sources/amocrm/client.js";
import { type Loopback, loopback } from "./loopback.js";

// Issue 9, item 9: a provider call never follows a redirect. Two real loopback servers: the
// first answers every request with a redirect to the second, which must never be asked anything.

const SECRET = "SECRETkey0123456789abcdef";
const quiet = { warn() {}, error() {} };
const options = (baseUrl: string) => ({
  baseUrl,
  logger: quiet,
  timeout: 5000,
  retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 10, jitter: false },
});

/** Each client call that goes over HTTP, with whether it sends a message. */
const calls: [string, boolean, (baseUrl: string) => Promise<unknown>][] = [
  [
    "sms.ru sendSms",
    true,
    (b) => createSmsRuClient({ apiKey: SECRET, ...options(b) }).sendSms("+79161234567", "hi"),
  ],
  [
    "sms.ru getBalance",
    false,
    (b) => createSmsRuClient({ apiKey: SECRET, ...options(b) }).getBalance(),
  ],
  [
    "meta sendWhatsapp",
    true,
    (b) =>
      createMetaWhatsappClient({
        accessToken: SECRET,
        phoneNumberId: "1",
        ...options(b),
      }).sendWhatsapp("+79161234567", "hi"),
  ],
  [
    "exolve sendSms",
    true,
    (b) =>
      createExolveClient({ apiKey: SECRET, senderId: "Kofe", ...options(b) }).sendSms(
        "+79161234567",
        "hi",
      ),
  ],
  [
    "resend sendEmail",
    true,
    (b) =>
      createResendClient({ apiKey: SECRET, from: "hi@kofe.example.org", ...options(b) }).sendEmail({
        to: "anna@mail.example.org",
        subject: "s",
        text: "t",
      }),
  ],
  [
    "amoCRM getLead",
    false,
    (b) =>
      createAmocrmClient({
        accessToken: SECRET,
        allowAnyBaseUrl: true,
        subdomain: "kofe",
        ...options(b),
      }).getLead("3912171"),
  ],
];

const servers: Loopback[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function redirecting(status: number) {
  const target = await loopback((_request, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"status":"OK","status_code":100,"balance":1.5}');
  });
  const location = `${target.url}moved/here?api_id=${SECRET}&token=LEAKME#frag`;
  const origin = await loopback((_request, res) => {
    res.writeHead(status, { location, "content-type": "text/html" });
    res.end(`<a href="${location}">moved</a>`);
  });
  servers.push(target, origin);
  return { origin, target };
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => new Error("expected a rejection"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("provider calls never follow a redirect", () => {
  it.each(calls)(
    "%s: a 307 is a redirect error; the other host gets nothing",
    async (_name, _sends, call) => {
      const { origin, target } = await redirecting(307);
      const error = await failure(call(origin.url));
      expect(error).toMatchObject({ code: "redirect", httpStatus: 307, retryable: false });
      expect(error.category).toBe("config");
      expect(target.requests).toHaveLength(0);
      // Not retried either: a redirect is a wrong address, not a passing fault.
      expect(origin.requests).toHaveLength(1);
      // It says where it would have gone, without the query (which may hold secrets).
      expect(error.message).toContain(`redirect (HTTP 307) to ${target.url}moved/here.`);
      expect(error.message).toContain("never follows redirects");
      for (const text of [error.message, JSON.stringify(error)]) {
        expect(text).not.toContain("LEAKME");
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain("#frag");
      }
    },
  );

  it.each([301, 302, 303, 307, 308])(
    "HTTP %i to a read: a config error, nothing re-posted",
    async (status) => {
      const { origin, target } = await redirecting(status);
      const error = await failure(calls[1]?.[2](origin.url) as Promise<unknown>);
      expect(error).toMatchObject({ code: "redirect", httpStatus: status, category: "config" });
      expect(target.requests).toHaveLength(0);
      expect(origin.requests).toHaveLength(1);
    },
  );

  it.each(calls.filter(([, sends]) => sends))(
    "%s: a 303 (the POST was processed elsewhere) is an unknown outcome, never re-sent",
    async (_name, _sends, call) => {
      const { origin, target } = await redirecting(303);
      const error = await failure(call(origin.url));
      expect(error).toMatchObject({
        code: "redirect",
        httpStatus: 303,
        category: "unknown_outcome",
      });
      expect(error.retryable).toBe(false);
      expect(target.requests).toHaveLength(0);
      expect(origin.requests).toHaveLength(1);
    },
  );

  it("refuses an answer that a custom fetch got by following a redirect itself", async () => {
    const { origin, target } = await redirecting(307);
    const following: typeof fetch = (input, init) =>
      globalThis.fetch(input, { ...init, redirect: "follow" });
    const error = await failure(
      createSmsRuClient({ apiKey: SECRET, ...options(origin.url), fetch: following }).sendSms(
        "+79161234567",
        "hi",
      ),
    );
    // The other host was asked (by the user's fetch), so the SMS may have gone out there.
    expect(target.requests).toHaveLength(1);
    expect(error).toMatchObject({ code: "redirect", category: "unknown_outcome" });
    expect(error).toBeInstanceOf(OtzovikError);
    expect(error.message).toContain(`${target.url}moved/here`);
    expect(error.message).not.toContain("LEAKME");
  });
});
