/**
 * Issue 11, "Adapters": the status webhook routes of `otzovik/express` (`statusHandler`) and
 * `otzovik/fetch` (`createFetchStatusHandler`) over real HTTP on 127.0.0.1, with the built-in
 * clients, the providers faked by msw and status webhooks signed by `otzovik/testing`. Timing
 * bounds are generous (the deadline plus seconds): the machine may be loaded.
 */
import { createServer } from "node:http";
import express from "express";
import { describe, expect, it } from "vitest";
import { statusHandler } from "../../src/adapters/express.js";
import { createFetchStatusHandler } from "../../src/adapters/fetch.js";
import { ConfigError } from "../../src/core/errors.js";
import { resendEventPayload, signResendEvent } from "../../src/testing/status/resend.js";
import { smsRuCallbackBody } from "../../src/testing/status/sms-ru.js";
import { listen } from "../helpers/http.js";
import {
  call,
  EMAIL,
  email,
  faultyStore,
  KEY,
  metaStatus,
  reported,
  resendFake,
  SMS_KEY,
  sent,
  settle,
  sms,
  smsCount,
  startStatusExpress,
  startStatusFetch,
  statusRequester,
  statusTargets,
  until,
  useStatusFakes,
  VERIFY_TOKEN,
  WEBHOOK_SECRET,
  waitedOn,
} from "./status-world.js";

useStatusFakes();

const PHONE = "+79161234501";
const TEXT = "text/plain; charset=utf-8";
const SLACK_MS = 3_000;

describe.each(statusTargets)("status route: $name", (target) => {
  it("Meta's GET subscription check: 200 with the challenge; a wrong verify token gets 403", async () => {
    const server = await target.start(statusRequester());
    const check = (token: string) =>
      call(server, "meta", {
        method: "GET",
        query: `?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`,
      });
    const ok = await check(VERIFY_TOKEN);
    expect(ok.status).toBe(200);
    expect(ok.text).toBe("1158201444");
    expect((await check("wrong")).status).toBe(403);
  });

  it("a signed Meta 131047 after a WhatsApp send: 200 and exactly one SMS, also for three copies; a bad signature first: 401, no SMS", {
    timeout: 20_000,
  }, async () => {
    const r = statusRequester();
    const server = await target.start(r);
    const whatsappSent = await sent(r, "M-1", { phone: PHONE });
    expect(whatsappSent).toMatchObject({ channel: "whatsapp", provider: "meta" });

    const forged = await metaStatus(whatsappSent.messageId, {
      errorCode: 131047,
      secret: "not-the-app-secret",
    });
    const refused = await call(server, "meta", forged);
    expect(refused.status).toBe(401);
    const unsigned = await call(server, "meta", {
      body: forged.body,
      headers: { "content-type": "application/json" },
    });
    expect(unsigned.status).toBe(401);
    await settle();
    expect(smsCount()).toBe(0);
    expect(reported).toEqual([]);

    const signed = await metaStatus(whatsappSent.messageId, { errorCode: 131047 });
    for (let i = 0; i < 3; i++) {
      const answer = await call(server, "whatsapp", signed);
      expect(answer.status).toBe(200);
    }
    await until(() => smsCount() === 1);
    await Promise.all(waitedOn);
    await settle();
    expect(smsCount()).toBe(1);
    expect(reported).toMatchObject([
      { status: "undelivered", channel: "whatsapp", code: "131047", fallback: true },
    ]);
  });

  it("an SMS.ru callback is answered with the plain text 100; 103 → delivered", async () => {
    const r = statusRequester({ channels: [{ type: "sms", client: sms() }] });
    const server = await target.start(r);
    const smsSent = await sent(r, "S-1", { phone: PHONE });
    const body = await smsRuCallbackBody([{ smsId: smsSent.messageId, status: 103 }], SMS_KEY);
    for (const segment of ["sms.ru", "smsru"]) {
      const answer = await call(server, segment, {
        body,
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expect(answer.status).toBe(200);
      expect(answer.text).toBe("100");
      expect(answer.headers.get("content-type")).toBe(TEXT);
    }
    await until(() => reported.length === 1);
    expect(reported).toMatchObject([
      { status: "delivered", channel: "sms", messageId: smsSent.messageId },
    ]);
  });

  it("a signed Resend event: 200; a bounce → undelivered", async () => {
    const r = statusRequester({ channels: [{ type: "email", client: email() }] });
    const server = await target.start(r);
    const emailSent = await sent(r, "R-1", { email: EMAIL });
    const event = await signResendEvent(
      resendEventPayload({
        type: "email.bounced",
        emailId: emailSent.messageId,
        to: EMAIL,
        bounce: { type: "Permanent", subType: "General", message: "mailbox does not exist" },
      }),
      WEBHOOK_SECRET,
    );
    const answer = await call(server, "resend", { body: event.body, headers: event.headers });
    expect(answer.status).toBe(200);
    await until(() => reported.length === 1);
    expect(reported).toMatchObject([{ status: "undelivered", channel: "email" }]);
    expect(resendFake.requests).toHaveLength(1);
  });

  it("an unknown provider segment: 404 naming the valid ones, the input shown only cleaned and short", async () => {
    const server = await target.start(statusRequester());
    const exolve = await call(server, "exolve", { body: "{}" });
    expect(exolve.status).toBe(404);
    expect(exolve.text).toBe(
      'Not Found: "exolve" is not a status provider; use meta (or whatsapp), sms.ru (or smsru), resend',
    );
    const hostile = await call(server, `%3Cscript%3E${"x".repeat(100)}`, { body: "{}" });
    expect(hostile.status).toBe(404);
    expect(hostile.text).not.toContain("<");
    expect(hostile.text).not.toContain("x".repeat(25));
  });

  it("a body over maxBodyBytes: 413, nothing read", async () => {
    const r = statusRequester();
    const server = await target.start(r, { maxBodyBytes: 100 });
    const whatsappSent = await sent(r, "M-2", { phone: PHONE });
    const signed = await metaStatus(whatsappSent.messageId, { errorCode: 131047 });
    expect(signed.body.length).toBeGreaterThan(100);
    const answer = await call(server, "meta", signed);
    expect(answer.status).toBe(413);
    expect(answer.text).toBe("Payload Too Large: more than 100 bytes");
    await settle();
    expect(smsCount()).toBe(0);
  });

  it("a store that hangs: 503 with Retry-After at the deadline; once it answers, the status is recorded and its one SMS goes out, and the provider's retry changes nothing", {
    timeout: 20_000,
  }, async () => {
    const faulty = faultyStore();
    const logged: string[] = [];
    const r = statusRequester({ store: faulty.store });
    const server = await target.start(r, {
      answerTimeoutMs: 300,
      logger: { warn: (m) => logged.push(m), error: (m) => logged.push(m) },
    });
    const whatsappSent = await sent(r, "M-3", { phone: PHONE });
    const signed = await metaStatus(whatsappSent.messageId, { errorCode: 131047 });
    faulty.hang();
    const started = Date.now();
    const answer = await call(server, "meta", signed);
    expect(answer.status).toBe(503);
    expect(answer.headers.get("retry-after")).toBe("30");
    expect(Date.now() - started).toBeLessThan(300 + SLACK_MS);
    expect(logged).toEqual([
      "the status webhook was not recorded within answerTimeoutMs (300 ms); answered 503 so the provider retries",
    ]);
    if (target.waitUntil) expect(waitedOn).toHaveLength(1);

    faulty.release();
    await until(() => smsCount() === 1);
    const retry = await call(server, "meta", signed);
    expect(retry.status).toBe(200);
    await settle();
    expect(smsCount()).toBe(1);
    expect(reported).toMatchObject([{ status: "undelivered", code: "131047", fallback: true }]);
  });

  it("a store that fails: 503, the failure logged without the body or the signature", async () => {
    const faulty = faultyStore();
    const logged: string[] = [];
    const r = statusRequester({ store: faulty.store });
    const server = await target.start(r, {
      logger: {
        warn: (m, meta) => logged.push(m + JSON.stringify(meta)),
        error: (m, meta) => logged.push(m + JSON.stringify(meta)),
      },
    });
    const whatsappSent = await sent(r, "M-4", { phone: PHONE });
    const signed = await metaStatus(whatsappSent.messageId, { errorCode: 131047 });
    faulty.fail();
    const answer = await call(server, "meta", signed);
    expect(answer.status).toBe(503);
    expect(logged).toEqual([
      'status webhook could not be processed; answered 503 so the provider retries{"error":"store unavailable (test)"}',
    ]);
    expect(logged.join("")).not.toContain(signed.headers["x-hub-signature-256"]);
    expect(logged.join("")).not.toContain(whatsappSent.messageId);
    await settle();
    expect(smsCount()).toBe(0);
  });

  it("the tenant key: ?key= or X-Api-Key reaches handleStatus; an unknown one gets 401 and changes nothing", async () => {
    const r = statusRequester();
    const server = await target.start(r);
    const whatsappSent = await sent(r, "M-5", { phone: PHONE });
    const signed = await metaStatus(whatsappSent.messageId, { status: "delivered" });
    expect((await call(server, "meta", { ...signed, query: "?key=wrong-key" })).status).toBe(401);
    expect(
      (
        await call(server, "meta", {
          ...signed,
          headers: { ...signed.headers, "x-api-key": "nope" },
        })
      ).status,
    ).toBe(401);
    await settle();
    expect(reported).toEqual([]);
    expect((await call(server, "meta", { ...signed, query: `?key=${KEY}` })).status).toBe(200);
    await until(() => reported.length === 1);
    expect(reported).toMatchObject([{ status: "delivered", channel: "whatsapp" }]);
  });

  it("a method the provider does not use: 405", async () => {
    const server = await target.start(statusRequester());
    expect((await call(server, "resend", { method: "PUT", body: "{}" })).status).toBe(405);
    expect((await call(server, "resend", { method: "GET" })).status).toBe(405);
  });
});

describe("statusHandler (Express) specifics", () => {
  it("express.json() mounted before the route: 500 saying how to mount it, logged once; nothing re-serialised, nothing changes", async () => {
    const logged: string[] = [];
    const r = statusRequester();
    const server = await startStatusExpress(r, {
      before: "json",
      options: { logger: { error: (m) => logged.push(m), warn: (m) => logged.push(m) } },
    });
    const whatsappSent = await sent(r, "E-1", { phone: PHONE });
    const signed = await metaStatus(whatsappSent.messageId, { errorCode: 131047 });
    const first = await call(server, "meta", signed);
    const second = await call(server, "meta", signed);
    const problem =
      'a body parser mounted before the status route (express.json(), express.urlencoded()) has already read and parsed the body, so its signature cannot be checked: the signature is over the raw bytes. Mount the status route before express.json(), or give it express.raw({ type: "*/*" }).';
    for (const answer of [first, second]) {
      expect(answer.status).toBe(500);
      expect(answer.text).toBe(`otzovik status route misconfigured: ${problem}`);
    }
    expect(logged).toEqual([problem]);
    await settle();
    expect(smsCount()).toBe(0);
    // The GET check has no body, so it works all the same.
    const check = await call(server, "meta", {
      method: "GET",
      query: `?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=42`,
    });
    expect(check.text).toBe("42");
  });

  it("express.raw({ type: '*/*' }) on the route: the raw bytes reach the verifier (200, one SMS)", async () => {
    const r = statusRequester();
    const server = await startStatusExpress(r, { before: "raw" });
    const whatsappSent = await sent(r, "E-2", { phone: PHONE });
    const answer = await call(
      server,
      "meta",
      await metaStatus(whatsappSent.messageId, { errorCode: 131047 }),
    );
    expect(answer.status).toBe(200);
    await until(() => smsCount() === 1);
  });

  it("{ provider } serves one provider on any path", async () => {
    const r = statusRequester();
    const app = express();
    app.all("/hooks/wa", statusHandler(r, { provider: "WhatsApp" }));
    const server = await listen(createServer(app));
    try {
      const response = await fetch(
        `${server.origin}/hooks/wa?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=7`,
      );
      expect(response.status).toBe(200);
      expect(await response.text()).toBe("7");
    } finally {
      await server.close();
    }
  });
});

describe("createFetchStatusHandler specifics", () => {
  it("ctx.waitUntil gets the fallback send; the answer does not wait for it", async () => {
    const r = statusRequester();
    const handed: Promise<unknown>[] = [];
    const server = await startStatusFetch(r, {}, () => ({
      waitUntil: (p) => {
        handed.push(p);
      },
    }));
    const whatsappSent = await sent(r, "F-1", { phone: PHONE });
    const answer = await call(
      server,
      "meta",
      await metaStatus(whatsappSent.messageId, { errorCode: 131047 }),
    );
    expect(answer.status).toBe(200);
    expect(handed).toHaveLength(1);
    await handed[0];
    expect(smsCount()).toBe(1);
  });

  it("called directly with a Request (as Next.js does), the provider from the options", async () => {
    const r = statusRequester();
    const handler = createFetchStatusHandler(r, { provider: "sms.ru" });
    const response = await handler(new Request("https://shop.example/hooks/x", { method: "GET" }));
    expect(response.status).toBe(405);
  });

  it("a request whose body something already read: 500 saying so", async () => {
    const r = statusRequester();
    const handler = createFetchStatusHandler(r, { logger: { error() {} } });
    const request = new Request("https://shop.example/api/status/meta", {
      method: "POST",
      body: "{}",
    });
    await request.text();
    const response = await handler(request);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe(
      "otzovik status route misconfigured: the request body was already read before the status handler, so its signature cannot be checked: the signature is over the raw bytes. Hand the handler the request untouched.",
    );
  });
});

describe("options are checked at creation, naming the option", () => {
  const r = () => statusRequester();
  it.each([
    [
      { provider: "exolve" },
      "Option `provider` must be one of: meta (or whatsapp), sms.ru (or smsru), resend.",
    ],
    [
      { provider: 7 },
      "Option `provider` must be one of: meta (or whatsapp), sms.ru (or smsru), resend.",
    ],
    [{ maxBodyBytes: 0 }, "Option `maxBodyBytes` must be a positive whole number of bytes."],
    [
      { maxBodyBytes: 5 * 1024 * 1024 },
      "Option `maxBodyBytes` must be at most 4194304 bytes: the status readers refuse larger bodies.",
    ],
    [
      { answerTimeoutMs: -1 },
      "Option `answerTimeoutMs` must be a positive whole number of milliseconds.",
    ],
    [
      { bodyTimeoutMs: 1.5 },
      "Option `bodyTimeoutMs` must be a positive whole number of milliseconds.",
    ],
  ])("%o", (options, message) => {
    for (const create of [statusHandler, createFetchStatusHandler]) {
      expect(() => create(r(), options as never)).toThrow(ConfigError);
      expect(() => create(r(), options as never)).toThrow(message);
    }
  });

  it("waitUntil (Fetch) must be a function", () => {
    expect(() => createFetchStatusHandler(r(), { waitUntil: "after" as never })).toThrow(
      "Option `waitUntil` must be a function, such as Next's `after`.",
    );
  });
});
