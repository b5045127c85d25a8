/**
 * requester.handleStatus(): status webhooks matched to their orders, outcomes `delivered` and
 * `undelivered`, and the one fallback an asynchronous failure causes — with a provider client of
 * the user's own that reads its status webhooks (the built-in receivers have their own tests).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { SendResult, SmsSender, WhatsappSender } from "../../src/providers/types.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type {
  Outcome,
  RequesterOptions,
  ReviewRequester,
  StatusHandled,
  StatusOutcome,
} from "../../src/requester/types.js";
import type {
  StatusReading,
  StatusRequest,
  StatusUpdate,
  StatusWebhooks,
} from "../../src/status/types.js";
import { memoryStore } from "../../src/stores/memory.js";
import type { Store } from "../../src/stores/types.js";
import { fixture } from "../helpers/fixtures.js";
import { recordingSmsClient } from "../helpers/sms-clients.js";

const KEY = "status-webhooks-key-0123456789";
const BODY = () => fixture("iiko", "iiko-01-delivery-closed.json");
const PHONE = "+79161234567";
const NOON = Date.parse("2026-03-14T12:00:00+03:00");
const SIGNATURE = "signed-by-my-provider";

/** A WhatsApp client of the user's own ("my-wa") whose status webhooks are JSON with a signature header. */
function myWhatsapp(options: { configured?: boolean } = {}) {
  const sent: string[] = [];
  const statusWebhooks: StatusWebhooks = {
    provider: "my-wa",
    configured: options.configured ?? true,
    async read(request: StatusRequest): Promise<StatusReading> {
      if (request.headers("x-signature") !== SIGNATURE)
        return {
          ok: false,
          reason: "bad_signature",
          detail: "signature does not match",
          answer: { status: 401, contentType: "text/plain", body: "bad signature" },
        };
      const body = JSON.parse(new TextDecoder().decode(request.body)) as {
        statuses: Partial<StatusUpdate>[];
      };
      return {
        ok: true,
        deliveryId: null,
        answer: { status: 200, contentType: "text/plain", body: "ok" },
        updates: body.statuses.map((s) => ({
          provider: "my-wa",
          messageId: s.messageId ?? "",
          event: s.event ?? "failed",
          meaning: s.meaning ?? "undelivered",
          fallback: s.fallback ?? false,
          optOut: s.optOut ?? false,
          code: s.code ?? null,
          detail: s.detail ?? null,
          at: null,
          recipient: s.recipient ?? null,
        })),
      };
    },
  };
  const client: WhatsappSender & { statusWebhooks: StatusWebhooks } = {
    provider: "my-wa",
    statusWebhooks,
    async sendWhatsapp(to): Promise<SendResult> {
      sent.push(to);
      return {
        provider: "my-wa",
        channel: "whatsapp",
        messageId: `wamid.${sent.length}`,
        to,
        dryRun: false,
      };
    },
  };
  return { client, sent };
}

/** A status webhook request carrying `statuses`, signed (or not). */
function statusRequest(statuses: Partial<StatusUpdate>[], signature = SIGNATURE): StatusRequest {
  const headers = new Headers({ "x-signature": signature, "content-type": "application/json" });
  return {
    method: "POST",
    headers: (name) => headers.get(name),
    query: new URLSearchParams(),
    body: new TextEncoder().encode(JSON.stringify({ statuses })),
  };
}

const failed131047: Partial<StatusUpdate> = {
  messageId: "wamid.1",
  event: "failed",
  meaning: "undelivered",
  fallback: true,
  code: "131047",
  detail: "Re-engagement message",
};

const requesters: ReviewRequester[] = [];
afterEach(async () => {
  await Promise.all(requesters.splice(0).map((r) => r.close({ timeoutMs: 1_000 })));
});

function setup({
  sms: smsClient,
  ...extra
}: Partial<RequesterOptions> & { store?: Store; sms?: SmsSender } = {}) {
  const wa = myWhatsapp();
  const sms = recordingSmsClient();
  const seen: (Outcome | StatusOutcome)[] = [];
  const warnings: string[] = [];
  const requester = createReviewRequester({
    keys: KEY,
    business: "B",
    reviewUrl: "https://r.example",
    quietHours: false,
    now: () => NOON,
    hashSecret: "status-hash-secret-0123456789",
    channels: [
      { type: "whatsapp", client: wa.client },
      { type: "sms", client: smsClient ?? sms.client },
    ],
    logger: { warn: (m) => warnings.push(m), error: () => {} },
    onDelivered: (o) => {
      seen.push(o);
    },
    onUndelivered: (o) => {
      seen.push(o);
    },
    ...extra,
  });
  requesters.push(requester);
  return { requester, wa, sms, seen, warnings };
}

describe("requester.handleStatus()", () => {
  it("an asynchronous WhatsApp failure (131047) falls back to SMS once, however many times the status arrives", async () => {
    const { requester, wa, sms, seen } = setup();
    const handled = await requester.handle("iiko", BODY(), { key: KEY });
    expect(handled.outcomes).toMatchObject([
      { status: "sent", channel: "whatsapp", messageId: "wamid.1" },
    ]);
    expect(wa.sent).toEqual([PHONE]);
    expect(sms.sent).toEqual([]);

    const first = await requester.handleStatus("my-wa", statusRequest([failed131047]));
    expect(first.answer).toEqual({ status: 200, contentType: "text/plain", body: "ok" });
    expect(first.updates).toBe(1);
    expect(await first.done).toEqual([
      {
        status: "undelivered",
        tenantId: "default",
        source: "iiko",
        orderId: expect.any(String),
        phone: PHONE,
        channel: "whatsapp",
        provider: "my-wa",
        messageId: "wamid.1",
        code: "131047",
        detail: "Re-engagement message",
        at: null,
        fallback: true,
      },
      expect.objectContaining({ status: "sent", channel: "sms", provider: "sms.ru" }),
    ]);
    expect(sms.sent).toEqual([PHONE]);

    // The provider delivers the same webhook twice more, concurrently: nothing more happens.
    const copies = await Promise.all([
      requester.handleStatus("my-wa", statusRequest([failed131047])),
      requester.handleStatus("my-wa", statusRequest([failed131047])),
    ]);
    expect(await Promise.all(copies.map((c) => c.done))).toEqual([[], []]);
    expect(sms.sent).toEqual([PHONE]);
    expect(seen.map((o) => o.status)).toEqual(["undelivered"]);
    // And the order is still one order: the POS's copy is a duplicate.
    const again = await requester.handle("iiko", BODY(), { key: KEY });
    expect(again.outcomes).toMatchObject([{ status: "skipped", reason: "duplicate" }]);
  });

  it("a failure reported before its send is recorded is read again after a pause: one fallback", async () => {
    const { requester, wa, sms } = setup();
    let early: Promise<StatusHandled> | null = null;
    const send = wa.client.sendWhatsapp.bind(wa.client);
    // The provider's failure webhook overtakes its own answer: the status arrives while the send
    // has not returned yet, so the store has no record of the message.
    (wa.client as { sendWhatsapp: typeof send }).sendWhatsapp = async (...args) => {
      const result = await send(...args);
      early = requester.handleStatus("my-wa", statusRequest([failed131047]));
      await new Promise((resolve) => setTimeout(resolve, 50));
      return result;
    };
    const handled = await requester.handle("iiko", BODY(), { key: KEY });
    expect(handled.outcomes).toMatchObject([{ status: "sent", messageId: "wamid.1" }]);
    const status = await (early as Promise<StatusHandled> | null);
    expect(status?.updates).toBe(1);
    expect(await status?.done).toMatchObject([
      { status: "undelivered", messageId: "wamid.1", fallback: true },
      { status: "sent", channel: "sms" },
    ]);
    expect(sms.sent).toEqual([PHONE]);
  });

  it("keeps the sent message for 7 days under its id, its customer sealed: no phone in the store", async () => {
    const store = memoryStore();
    const { requester } = setup({ store });
    await requester.handle("iiko", BODY(), { key: KEY });
    const value = await store.get("otzovik:msg:my-wa:wamid.1");
    expect(JSON.parse(value ?? "{}")).toMatchObject({
      state: "sent",
      tenant: "default",
      index: 0,
      channel: "whatsapp",
      at: NOON,
      job: expect.stringMatching(/^[A-Za-z0-9_-]{100,}$/),
    });
    expect(value).not.toContain("9161234567");
  });

  it("the store failing mid-webhook: handleStatus rejects (503), the fallback already begun still runs, the retry does the rest", async () => {
    const inner = memoryStore();
    let failOnce = true;
    const store: Store = {
      name: "flaky",
      claim: (k, v, t) => inner.claim(k, v, t),
      get: async (k) => {
        if (failOnce && k.endsWith("wamid.2")) {
          failOnce = false;
          throw new Error("connection lost");
        }
        return inner.get(k);
      },
      set: (k, v, t) => inner.set(k, v, t),
      delete: (k) => inner.delete(k),
      batch: (steps, receipt) => inner.batch(steps, receipt),
    };
    const { requester, sms } = setup({ store });
    await requester.request({ phone: PHONE, orderId: "O-1" });
    await requester.request({ phone: "+79161234568", orderId: "O-2" });
    const both = statusRequest([failed131047, { ...failed131047, messageId: "wamid.2" }]);
    await expect(requester.handleStatus("my-wa", both)).rejects.toThrow("connection lost");
    await expect.poll(() => sms.sent).toEqual([PHONE]);
    const retry = await requester.handleStatus("my-wa", both);
    expect(await retry.done).toMatchObject([
      { status: "undelivered", messageId: "wamid.2" },
      { status: "sent", channel: "sms" },
    ]);
    expect(sms.sent).toEqual([PHONE, "+79161234568"]);
  });

  it("a status naming another recipient than its message's is ignored", async () => {
    const { requester, sms } = setup();
    await requester.handle("iiko", BODY(), { key: KEY });
    const other = await requester.handleStatus(
      "my-wa",
      statusRequest([{ ...failed131047, recipient: "79990000000" }]),
    );
    expect(await other.done).toEqual([]);
    const same = await requester.handleStatus(
      "my-wa",
      statusRequest([{ ...failed131047, recipient: "79161234567" }]),
    );
    expect(await same.done).toMatchObject([{ status: "undelivered" }, { status: "sent" }]);
    expect(sms.sent).toEqual([PHONE]);
  });

  it("frequency cap: once the order's cap has run out, a fallback claims it again, and none goes when another order holds it", async () => {
    let clock = NOON;
    const store = memoryStore({ now: () => clock });
    const { requester, sms } = setup({ store, frequencyCapMs: 24 * 3_600_000, now: () => clock });
    await requester.request({ phone: PHONE, orderId: "C-1" });
    await requester.request({ phone: "+79161234568", orderId: "C-2" });
    // Two days later the cap of both has run out; the first customer ordered again (WhatsApp).
    clock = NOON + 2 * 24 * 3_600_000;
    const again = await requester.request({ phone: PHONE, orderId: "C-3" });
    expect(again.outcomes).toMatchObject([{ status: "sent", messageId: "wamid.3" }]);
    // Now the first two WhatsApps are reported undelivered.
    const late = await requester.handleStatus(
      "my-wa",
      statusRequest([failed131047, { ...failed131047, messageId: "wamid.2" }]),
    );
    expect(await late.done).toMatchObject([
      { status: "undelivered", orderId: "C-1", fallback: false },
      { status: "undelivered", orderId: "C-2", fallback: true },
      { status: "sent", orderId: "C-2", channel: "sms" },
    ]);
    expect(sms.sent).toEqual(["+79161234568"]);
  });

  it("two requesters (two processes) on one store get the same status at once: one fallback", async () => {
    const store = memoryStore();
    const sms = recordingSmsClient();
    const a = setup({ store, sms: sms.client });
    const b = setup({ store, sms: sms.client });
    await a.requester.handle("iiko", BODY(), { key: KEY });
    const [x, y] = await Promise.all([
      a.requester.handleStatus("my-wa", statusRequest([failed131047])),
      b.requester.handleStatus("my-wa", statusRequest([failed131047])),
    ]);
    await Promise.all([x.done, y.done]);
    expect(sms.sent).toEqual([PHONE]);
  });

  it("delivered: a `delivered` outcome; a failure reported after it changes nothing", async () => {
    const { requester, sms, seen } = setup();
    await requester.handle("iiko", BODY(), { key: KEY });
    const delivered = await requester.handleStatus(
      "my-wa",
      statusRequest([{ messageId: "wamid.1", event: "delivered", meaning: "delivered" }]),
    );
    expect(await delivered.done).toMatchObject([
      { status: "delivered", channel: "whatsapp", messageId: "wamid.1", phone: PHONE },
    ]);
    const late = await requester.handleStatus("my-wa", statusRequest([failed131047]));
    expect(await late.done).toEqual([]);
    expect(sms.sent).toEqual([]);
    expect(seen.map((o) => o.status)).toEqual(["delivered"]);
  });

  it("progress and unknown message ids change nothing and never throw", async () => {
    const { requester, sms } = setup();
    await requester.handle("iiko", BODY(), { key: KEY });
    const handled = await requester.handleStatus(
      "my-wa",
      statusRequest([
        { messageId: "wamid.1", event: "sent", meaning: "progress" },
        { ...failed131047, messageId: "wamid.unknown" },
        { ...failed131047, messageId: "" },
      ]),
    );
    expect(handled.answer.status).toBe(200);
    expect(handled.updates).toBe(3);
    expect(await handled.done).toEqual([]);
    expect(sms.sent).toEqual([]);
  });

  it("a bad signature: 401, nothing changes; the signed copy is then read", async () => {
    const { requester, sms } = setup();
    await requester.handle("iiko", BODY(), { key: KEY });
    const refused = await requester.handleStatus("my-wa", statusRequest([failed131047], "forged"));
    expect(refused.answer.status).toBe(401);
    expect(refused.updates).toBe(0);
    expect(await refused.done).toEqual([]);
    expect(sms.sent).toEqual([]);
    const signed = await requester.handleStatus("my-wa", statusRequest([failed131047]));
    await signed.done;
    expect(sms.sent).toEqual([PHONE]);
  });

  it("forged requests are logged one line a minute, not one each", async () => {
    const { requester, warnings } = setup();
    for (let i = 0; i < 5; i++) {
      const handled = await requester.handleStatus(
        "my-wa",
        statusRequest([failed131047], "forged"),
      );
      expect(handled.answer.status).toBe(401);
    }
    expect(warnings.filter((w) => w === "status webhook refused")).toHaveLength(1);
  });

  it("a provider with no client reading its webhooks, or none with a secret: 401, logged once", async () => {
    const { requester, warnings } = setup();
    for (let i = 0; i < 3; i++) {
      const handled = await requester.handleStatus("resend", statusRequest([failed131047]));
      expect(handled.answer.status).toBe(401);
    }
    expect(warnings.filter((w) => w.startsWith("status webhook refused"))).toEqual([
      "status webhook refused: no channel's client is a resend client that reads status webhooks",
    ]);
    const unconfigured = myWhatsapp({ configured: false });
    const other = createReviewRequester({
      keys: KEY,
      business: "B",
      reviewUrl: "https://r.example",
      channels: [{ type: "whatsapp", client: unconfigured.client }],
      logger: { warn: () => {}, error: () => {} },
    });
    requesters.push(other);
    expect((await other.handleStatus("my-wa", statusRequest([failed131047]))).answer.status).toBe(
      401,
    );
  });

  it("the person refused (opt-out status): opted out, no fallback", async () => {
    const { requester, sms } = setup();
    await requester.handle("iiko", BODY(), { key: KEY });
    const handled = await requester.handleStatus(
      "my-wa",
      statusRequest([{ ...failed131047, code: "131050", optOut: true, fallback: false }]),
    );
    expect(await handled.done).toMatchObject([{ status: "undelivered", fallback: false }]);
    expect(sms.sent).toEqual([]);
    expect(await requester.isOptedOut(PHONE)).toBe(true);
  });

  it("a fallback at night waits for the morning (quiet hours)", async () => {
    let clock = NOON;
    const { requester, sms } = setup({
      quietHours: { start: "21:00", end: "09:00", timeZone: "Europe/Moscow" },
      now: () => clock,
    });
    await requester.handle("iiko", BODY(), { key: KEY });
    clock = Date.parse("2026-03-14T23:30:00+03:00");
    const handled = await requester.handleStatus("my-wa", statusRequest([failed131047]));
    expect(await handled.done).toMatchObject([
      { status: "undelivered", fallback: true },
      { status: "scheduled", runAt: "2026-03-15T06:00:00.000Z", quietHours: true },
    ]);
    expect(sms.sent).toEqual([]);
  });
});
