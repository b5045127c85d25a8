/**
 * What every adapter test file shares: a requester wired to SMS.ru and amoCRM faked by msw, a
 * fixed clock outside quiet hours, the adapters to run against, and small HTTP helpers.
 */
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import type { WebhookHandlerOptions } from "../../src/adapters/core.js";
import type { FetchContext, FetchHandlerOptions } from "../../src/adapters/fetch.js";
import { createSmsRuClient } from "../../src/providers/sms-ru.js";
import type { SmsSender } from "../../src/providers/types.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type { RequesterOptions, ReviewRequester } from "../../src/requester/types.js";
import { createAmocrmClient } from "../../src/sources/amocrm/client.js";
import { createFakeAmocrm } from "../../src/testing/amocrm.js";
import { createFakeSmsRu } from "../../src/testing/sms-ru.js";
import { fixture, fixtureJson } from "../helpers/fixtures.js";
import { bypassLoopback, type RunningServer, startExpress, startFetch } from "../helpers/http.js";

export const KEY = "test-webhook-key-0123456789";
export const AMO_TOKEN = "amoSECRETlongLivedToken.0123456789abcdef";
/** Noon in Moscow: outside quiet hours, so sends are not deferred. */
export const NOON = Date.parse("2026-03-14T12:00:00+03:00");
export const LIMIT_ERROR = { ok: false, error: "the body is larger than 1048576 bytes" };
export const UNAVAILABLE = { ok: false, error: "temporarily unavailable, retry later" };

export const smsFake = createFakeSmsRu({ apiKey: "sms-key" });
/** The won lead of `lead-status-won-docs.txt` (25399013, account `test`), with its contact. */
const lead = {
  ...fixtureJson<Record<string, unknown>>("amocrm", "api-v4-lead-3912171-with-contacts.json"),
  id: 25399013,
};
const contact = fixtureJson<Record<string, unknown>>("amocrm", "api-v4-contact-10971465.json");
export const amoFake = createFakeAmocrm({
  subdomain: "test",
  accessToken: AMO_TOKEN,
  leads: { "25399013": lead },
  contacts: { "10971465": contact },
});

/** Installs msw (loopback passes through) and resets the fakes after each test. */
export function useFakes(): void {
  const server = setupServer(...smsFake.handlers, ...amoFake.handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: bypassLoopback }));
  afterEach(() => {
    smsFake.reset();
    amoFake.reset();
  });
  afterAll(() => server.close());
}

/** SMS.ru `sms/send` calls the fake received. */
export function smsSent() {
  return smsFake.requests.filter((q) => q.path.endsWith("/sms/send"));
}

/** Phones SMS.ru was asked to message. */
export function smsPhones(): string[] {
  return smsSent().map((q) => q.form?.to ?? "");
}

export function smsClient(): SmsSender {
  return createSmsRuClient({ apiKey: "sms-key", sender: "Zerno", retry: false });
}

export const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** A requester like a real app's: SMS.ru, amoCRM phone lookup, fixed clock. */
export function makeRequester(overrides: Partial<RequesterOptions> = {}): ReviewRequester {
  return createReviewRequester({
    keys: KEY,
    business: "Кофейня «Зерно»",
    reviewUrl: "https://yandex.ru/maps/org/zerno/1/reviews",
    channels: [{ type: "sms", client: smsClient() }],
    amocrm: createAmocrmClient({ subdomain: "test", accessToken: AMO_TOKEN, retry: false }),
    now: () => NOON,
    logger: quietLogger,
    hashSecret: "test-hash-secret-0123456789",
    ...overrides,
  });
}

/** A promise resolved from outside. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

/** An SMS client whose sends wait until `release()`; `started` resolves when the first send begins. */
export function gatedSms() {
  const inner = smsClient();
  const gate = deferred();
  const started = deferred();
  const client: SmsSender = {
    provider: inner.provider,
    async sendSms(phone, text) {
      started.resolve();
      await gate.promise;
      return inner.sendSms(phone, text);
    },
  };
  return { client, release: () => gate.resolve(), started: started.promise };
}

/** Polls until `check()` is true (fails after `timeoutMs`). */
export async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Waits a few event-loop turns and some ms, for "nothing else happens" checks. */
export function settle(ms = 50): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Options a target passes to the handler it mounts. */
export type TargetOptions = WebhookHandlerOptions & Pick<FetchHandlerOptions, "waitUntil">;

/** One way of serving the webhook handler over HTTP. */
export interface Target {
  readonly name: string;
  readonly kind: "express" | "fetch";
  /** Express: a body parser that reads JSON bodies is mounted before the handler. */
  readonly json?: boolean;
  /** Express: `express.urlencoded()` is mounted before the handler. */
  readonly urlencoded?: boolean;
  /** Fetch: a `ctx.waitUntil` is passed per request. */
  readonly waitUntil?: boolean;
  start(requester: ReviewRequester, options?: TargetOptions): Promise<RunningServer>;
}

/** Collects what a Fetch handler hands to `waitUntil`. */
export const waitedOn: Promise<unknown>[] = [];

export const expressPlain: Target = {
  name: "Express without body parsers",
  kind: "express",
  start: (requester, options) => startExpress(requester, { options }),
};
export const expressParsed: Target = {
  name: "Express with express.json() and express.urlencoded()",
  kind: "express",
  json: true,
  urlencoded: true,
  start: (requester, options) => startExpress(requester, { json: true, urlencoded: true, options }),
};
export const fetchPlain: Target = {
  name: "Fetch handler without waitUntil",
  kind: "fetch",
  start: (requester, options) => startFetch(requester, options),
};
export const fetchWaitUntil: Target = {
  name: "Fetch handler with ctx.waitUntil",
  kind: "fetch",
  waitUntil: true,
  start: (requester, options) =>
    startFetch(requester, options, (): FetchContext => ({ waitUntil: (p) => waitedOn.push(p) })),
};

/** Every target: both adapters, each mounted both ways. */
export const allTargets: readonly Target[] = [
  expressPlain,
  expressParsed,
  fetchPlain,
  fetchWaitUntil,
];

/** A fixture body as sent on the wire. */
export const bodies = {
  iiko: fixture("iiko", "iiko-01-delivery-closed.json"),
  iikoTwice: fixture("iiko", "iiko-14-same-order-delivered-then-closed.json"),
  iikoStoplist: fixture("iiko", "iiko-11-stoplist-update.json"),
  rkeeper: fixture("rkeeper", "rk-02-order-delivered.json"),
  rkeeperKitchen: fixture("rkeeper", "rk-04-order-sent-to-kitchen.json"),
  yclients: fixture("yclients", "record-update-attended.json"),
  amocrmWon: fixture("amocrm", "lead-status-won-docs.txt"),
  amocrmAdd: fixture("amocrm", "lead-add.txt"),
};

export const JSON_TYPE = { "content-type": "application/json" };
export const FORM_TYPE = { "content-type": "application/x-www-form-urlencoded" };

/** A POST with `fetch` to `{origin}/api/webhook/{source}`; returns status, headers and parsed body. */
export async function post(
  server: RunningServer,
  source: string,
  body: BodyInit | null,
  init: { headers?: Record<string, string>; query?: string; method?: string } = {},
): Promise<{ status: number; headers: Headers; json: any; text: string }> {
  const query = init.query ?? `?key=${KEY}`;
  const response = await fetch(`${server.origin}/api/webhook/${source}${query}`, {
    method: init.method ?? "POST",
    headers: init.headers ?? JSON_TYPE,
    body,
  });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}
