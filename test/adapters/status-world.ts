/**
 * What the status route tests share: a requester whose channels are Meta WhatsApp (appSecret,
 * verifyToken), SMS.ru (statusCallback) and Resend (webhookSecret), faked by msw; the status
 * routes served over real HTTP on 127.0.0.1 (Express, and a node:http bridge to the Fetch
 * handler); and status webhooks built and signed by `otzovik/testing` the way the providers do.
 */
import { createServer } from "node:http";
import express from "express";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import { statusHandler } from "../../src/adapters/express.js";
import {
  createFetchStatusHandler,
  type FetchContext,
  type FetchStatusHandlerOptions,
} from "../../src/adapters/fetch.js";
import type { StatusHandlerOptions } from "../../src/adapters/status.js";
import { createMetaWhatsappClient } from "../../src/providers/meta-whatsapp.js";
import { createResendClient } from "../../src/providers/resend.js";
import { createSmsRuClient } from "../../src/providers/sms-ru.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type {
  RequesterOptions,
  ReviewRequester,
  SentOutcome,
  StatusOutcome,
} from "../../src/requester/types.js";
import { memoryStore } from "../../src/stores/memory.js";
import type { Store } from "../../src/stores/types.js";
import { createFakeMetaWhatsapp } from "../../src/testing/meta-whatsapp.js";
import { createFakeResend } from "../../src/testing/resend.js";
import { createFakeSmsRu } from "../../src/testing/sms-ru.js";
import { metaStatusPayload, signMetaStatus } from "../../src/testing/status/meta.js";
import { bypassLoopback, listen, type RunningServer, startFetchServer } from "../helpers/http.js";

export const KEY = "status-routes-key-0123456789";
export const APP_SECRET = "meta-app-secret-0123456789";
export const VERIFY_TOKEN = "verify-me-0123";
export const SMS_KEY = "sms-key";
export const WEBHOOK_SECRET = `whsec_${btoa("resend-webhook-secret-0123456789")}`;
export const EMAIL = "guest@example.ru";
const NOON = Date.parse("2026-03-14T12:00:00+03:00");

export const smsFake = createFakeSmsRu({ apiKey: SMS_KEY });
export const metaFake = createFakeMetaWhatsapp({ accessToken: "meta-token" });
export const resendFake = createFakeResend();

const requesters: ReviewRequester[] = [];
const servers: RunningServer[] = [];

/** Installs msw (loopback passes through); closes servers and requesters after each test. */
export function useStatusFakes(): void {
  const server = setupServer(...smsFake.handlers, ...metaFake.handlers, ...resendFake.handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: bypassLoopback }));
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await Promise.all(requesters.splice(0).map((r) => r.close({ timeoutMs: 2_000 })));
    smsFake.reset();
    metaFake.reset();
    resendFake.reset();
  });
  afterAll(() => server.close());
}

/** SMS.ru `sms/send` calls so far. */
export const smsCount = () => smsFake.requests.filter((r) => r.path.endsWith("/sms/send")).length;

export const whatsapp = () =>
  createMetaWhatsappClient({
    accessToken: "meta-token",
    phoneNumberId: "1234567890",
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
    retry: false,
  });
export const sms = () =>
  createSmsRuClient({ apiKey: SMS_KEY, sender: "Zerno", statusCallback: true, retry: false });
export const email = () =>
  createResendClient({
    apiKey: "re_test_key",
    from: "Zerno <hello@zerno.example>",
    webhookSecret: WEBHOOK_SECRET,
    retry: false,
  });

/** Status outcomes the hooks reported. */
export const reported: StatusOutcome[] = [];
afterEach(() => {
  reported.length = 0;
});

/** A requester with WhatsApp, then SMS, then email (closed after the test). */
export function statusRequester(overrides: Partial<RequesterOptions> = {}): ReviewRequester {
  const r = createReviewRequester({
    keys: KEY,
    business: "Кофейня «Зерно»",
    reviewUrl: "https://yandex.ru/maps/org/zerno/1/reviews",
    channels: [
      { type: "whatsapp", client: whatsapp() },
      { type: "sms", client: sms() },
      { type: "email", client: email() },
    ],
    quietHours: false,
    now: () => NOON,
    hashSecret: "status-routes-secret-0123",
    logger: { warn: () => {}, error: () => {} },
    onDelivered: (outcome) => {
      reported.push(outcome);
    },
    onUndelivered: (outcome) => {
      reported.push(outcome);
    },
    ...overrides,
  });
  requesters.push(r);
  return r;
}

/** Sends order `order` to a customer of its own; the outcome of the first channel that took it. */
export async function sent(
  r: ReviewRequester,
  order: string,
  contact: { phone?: string; email?: string },
): Promise<SentOutcome> {
  const { outcomes } = await r.request({ ...contact, orderId: order });
  if (outcomes[0]?.status !== "sent") throw new Error(`not sent: ${JSON.stringify(outcomes)}`);
  return outcomes[0];
}

/** Promises handed to a Fetch handler's `ctx.waitUntil`. */
export const waitedOn: Promise<unknown>[] = [];
afterEach(() => {
  waitedOn.length = 0;
});

/** One way of serving the status route over HTTP. */
export interface StatusTarget {
  readonly name: string;
  readonly kind: "express" | "fetch";
  /** Fetch: a `ctx.waitUntil` is passed per request. */
  readonly waitUntil?: boolean;
  start(requester: ReviewRequester, options?: StatusHandlerOptions): Promise<RunningServer>;
}

/** How the Express status route is mounted. */
export interface StatusMount {
  /** What is mounted before the route: nothing, `express.json()`, or `express.raw()` on it. */
  readonly before?: "json" | "raw";
  /** Handler options. */
  readonly options?: StatusHandlerOptions;
}

/** `app.all("/api/status/:provider", statusHandler(requester, options))` on 127.0.0.1. */
export async function startStatusExpress(
  requester: ReviewRequester,
  mount: StatusMount = {},
): Promise<RunningServer> {
  const app = express();
  if (mount.before === "json") app.use(express.json());
  const route = statusHandler(requester, mount.options);
  if (mount.before === "raw") app.all("/api/status/:provider", express.raw({ type: "*/*" }), route);
  else app.all("/api/status/:provider", route);
  const server = await listen(createServer(app));
  servers.push(server);
  return server;
}

/** `createFetchStatusHandler(requester, options)` behind a node:http bridge on 127.0.0.1. */
export async function startStatusFetch(
  requester: ReviewRequester,
  options: FetchStatusHandlerOptions = {},
  context?: () => FetchContext | undefined,
): Promise<RunningServer> {
  const server = await startFetchServer(createFetchStatusHandler(requester, options), context);
  servers.push(server);
  return server;
}

export const statusTargets: readonly StatusTarget[] = [
  {
    name: "Express (statusHandler)",
    kind: "express",
    start: (requester, options) => startStatusExpress(requester, options ? { options } : {}),
  },
  {
    name: "Fetch (createFetchStatusHandler) with ctx.waitUntil",
    kind: "fetch",
    waitUntil: true,
    start: (requester, options) =>
      startStatusFetch(requester, options, () => ({ waitUntil: (p) => waitedOn.push(p) })),
  },
  {
    name: "Fetch (createFetchStatusHandler) without waitUntil",
    kind: "fetch",
    start: (requester, options) => startStatusFetch(requester, options),
  },
];

/** An HTTP answer: status, headers and the body as text. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** A request to `{origin}/api/status/{provider}{query}`. */
export async function call(
  server: RunningServer,
  provider: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; query?: string } = {},
): Promise<Answer> {
  const response = await fetch(`${server.origin}/api/status/${provider}${init.query ?? ""}`, {
    method: init.method ?? "POST",
    headers: init.headers ?? {},
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** A Meta status webhook for `messageId` (`failed` with `errorCode`, else `status`), signed. */
export async function metaStatus(
  messageId: string,
  options: { status?: string; errorCode?: number; secret?: string; recipient?: string } = {},
): Promise<{ body: string; headers: Record<string, string> }> {
  const body = JSON.stringify(
    metaStatusPayload({
      messageId,
      status: options.status ?? "failed",
      recipient: options.recipient ?? "+79161234501",
      ...(options.errorCode === undefined ? {} : { errorCode: options.errorCode }),
    }),
  );
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-hub-signature-256": await signMetaStatus(body, options.secret ?? APP_SECRET),
    },
  };
}

/** Polls until `check()` is true (fails after `timeoutMs`: generous, the machine may be loaded). */
export async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits a little, for "nothing else happens" checks. */
export function settle(ms = 100): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A promise resolved from outside. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

/**
 * A memory store whose reads of tracked messages (`msg` keys) can be made to hang (`hang()`,
 * until `release()`) or fail (`fail()`): a store down or slow while a status webhook is read.
 */
export function faultyStore() {
  const inner = memoryStore();
  let mode: "ok" | "hang" | "fail" = "ok";
  const gate = deferred();
  const reached = deferred();
  const isMessage = (key: string) => key.includes(":msg:");
  const store: Store = {
    name: "faulty",
    inProcess: true,
    claim: (key, value, ttl) => inner.claim(key, value, ttl),
    async get(key) {
      if (isMessage(key) && mode !== "ok") {
        reached.resolve();
        if (mode === "fail") throw new Error("store unavailable (test)");
        await gate.promise;
      }
      return inner.get(key);
    },
    set: (key, value, ttl) => inner.set(key, value, ttl),
    delete: (key) => inner.delete(key),
    batch: (steps) => (inner.batch as NonNullable<Store["batch"]>)(steps),
  };
  return {
    store,
    hang: () => {
      mode = "hang";
    },
    fail: () => {
      mode = "fail";
    },
    release: () => {
      mode = "ok";
      gate.resolve();
    },
    reached: reached.promise,
  };
}
