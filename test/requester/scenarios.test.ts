import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createMetaWhatsappClient } from "../../src/providers/meta-whatsapp.js";
import { createSmsRuClient } from "../../src/providers/sms-ru.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type { AmocrmPhoneLookup, RequesterOptions } from "../../src/requester/types.js";
import { memoryStore } from "../../src/stores/memory.js";
import { createFakeMetaWhatsapp } from "../../src/testing/meta-whatsapp.js";
import { createFakeSmsRu } from "../../src/testing/sms-ru.js";
import { fixture, fixtureJson } from "../helpers/fixtures.js";
import { gatedSmsClient } from "../helpers/sms-clients.js";

const KEY = "test-webhook-key-0123456789";
const smsFake = createFakeSmsRu({ apiKey: "sms-key" });
const metaFake = createFakeMetaWhatsapp({ accessToken: "meta-token" });
const server = setupServer(...smsFake.handlers, ...metaFake.handlers);

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  smsFake.reset();
  metaFake.reset();
  vi.useRealTimers();
});
afterAll(() => server.close());

const sms = () =>
  createSmsRuClient({
    apiKey: "sms-key",
    sender: "Zerno",
    retry: { retries: 1, baseDelayMs: 1, jitter: false },
  });
const whatsapp = () =>
  createMetaWhatsappClient({
    accessToken: "meta-token",
    phoneNumberId: "1234567890",
    retry: false,
  });
/** Noon in Moscow: outside quiet hours. */
const NOON = Date.parse("2026-03-14T12:00:00+03:00");

function requester(overrides: Partial<RequesterOptions> = {}) {
  const logs: string[] = [];
  const r = createReviewRequester({
    keys: KEY,
    business: "Кофейня «Зерно»",
    reviewUrl: "https://yandex.ru/maps/org/zerno/1/reviews",
    channels: [{ type: "sms", client: sms() }],
    now: () => NOON,
    hashSecret: "test-hash-secret-0123456789",
    logger: {
      debug: () => {},
      info: (m, meta) => logs.push(`${m} ${JSON.stringify(meta)}`),
      warn: (m) => logs.push(m),
      error: (m, meta) => logs.push(`${m} ${JSON.stringify(meta)}`),
    },
    ...overrides,
  });
  return { r, logs };
}

function smsSent() {
  return smsFake.requests.filter((q) => q.path.endsWith("/sms/send"));
}

describe("createReviewRequester scenarios", () => {
  it("iiko Delivered + Closed of one order → exactly one SMS", async () => {
    const { r } = requester();
    const result = await r.handle(
      "iiko",
      fixture("iiko", "iiko-14-same-order-delivered-then-closed.json"),
      { key: KEY },
    );
    expect(result.authorized).toBe(true);
    expect(result.outcomes.map((o) => o.status)).toEqual(["sent", "skipped"]);
    expect(result.outcomes[1]).toMatchObject({
      reason: "duplicate",
      orderId: "e52cfd06-4173-4293-a0a1-b1c23d4e5f60",
    });
    expect(smsSent()).toHaveLength(1);
    expect(smsSent()[0]?.form).toMatchObject({
      to: "79161239999",
      msg: "Кофейня «Зерно»: спасибо! Оставьте отзыв: https://yandex.ru/maps/org/zerno/1/reviews",
    });
    expect(result.outcomes[0]).toMatchObject({
      status: "sent",
      channel: "sms",
      provider: "sms.ru",
      phone: "+79161239999",
      dryRun: false,
    });
  });

  it("10 concurrent copies of one webhook → one SMS", async () => {
    const { r } = requester();
    const body = fixture("iiko", "iiko-01-delivery-closed.json");
    const results = await Promise.all(
      Array.from({ length: 10 }, () => r.handle("iiko", body, { key: KEY })),
    );
    const statuses = results.flatMap((x) =>
      x.outcomes.map((o) => (o.status === "skipped" ? o.reason : o.status)),
    );
    expect(statuses.filter((s) => s === "sent")).toHaveLength(1);
    expect(statuses.filter((s) => s === "duplicate")).toHaveLength(9);
    expect(smsSent()).toHaveLength(1);
  });

  it("same phone, two orders within the frequency cap → one SMS", async () => {
    const { r } = requester();
    const first = fixtureJson<Record<string, any>[]>("iiko", "iiko-01-delivery-closed.json");
    const second = structuredClone(first);
    second[0]!.eventInfo.id = "another-order";
    expect((await r.handle("iiko", first, { key: KEY })).outcomes[0]?.status).toBe("sent");
    expect((await r.handle("iiko", second, { key: KEY })).outcomes[0]).toMatchObject({
      status: "skipped",
      reason: "frequency_capped",
    });
    expect(smsSent()).toHaveLength(1);
  });

  it("an unknown or missing key is rejected before anything is parsed", async () => {
    const { r } = requester();
    const body = fixture("iiko", "iiko-01-delivery-closed.json");
    expect(await r.handle("iiko", body, { key: "wrong" })).toEqual({
      authorized: false,
      outcomes: [],
    });
    expect(await r.handle("iiko", body, { key: `${KEY}x` })).toEqual({
      authorized: false,
      outcomes: [],
    });
    expect(await r.handle("iiko", body, {})).toEqual({ authorized: false, outcomes: [] });
    expect(smsSent()).toHaveLength(0);
  });

  it("accepts any of several keys (rotation)", async () => {
    const { r } = requester({ keys: ["old-key-0123456789", KEY] });
    expect(
      (
        await r.handle("iiko", fixture("iiko", "iiko-01-delivery-closed.json"), {
          key: "old-key-0123456789",
        })
      ).authorized,
    ).toBe(true);
  });

  it("ignored and not-final events are skipped with the parser's reason", async () => {
    const { r } = requester();
    const outcomes = (
      await r.handle("iiko", fixture("iiko", "iiko-03-delivery-onway.json"), { key: KEY })
    ).outcomes;
    expect(outcomes).toEqual([
      {
        tenantId: "default",
        source: "iiko",
        orderId: "1b5d9e3c-7f64-4a0b-98c2-4e93b1f60a27",
        phone: "+79161112233",
        status: "skipped",
        reason: "status_not_final",
        detail: "status OnWay is not a final delivery status",
      },
    ]);
  });

  it("an opted-out phone is never messaged", async () => {
    const { r } = requester();
    await r.optOut("8 (916) 123-45-67");
    expect(await r.isOptedOut("+79161234567")).toBe(true);
    const outcome = (
      await r.handle("iiko", fixture("iiko", "iiko-01-delivery-closed.json"), { key: KEY })
    ).outcomes[0];
    expect(outcome).toMatchObject({ status: "skipped", reason: "opted_out" });
    expect(smsSent()).toHaveLength(0);
  });

  it("a WhatsApp opt-out (131050) is remembered and no other channel is tried", async () => {
    metaFake.enqueue("opted_out");
    const { r } = requester({
      channels: [
        { type: "whatsapp", client: whatsapp() },
        { type: "sms", client: sms() },
      ],
    });
    const outcome = (
      await r.handle("iiko", fixture("iiko", "iiko-01-delivery-closed.json"), { key: KEY })
    ).outcomes[0];
    expect(outcome).toMatchObject({ status: "skipped", reason: "opted_out" });
    expect(smsSent()).toHaveLength(0);
    expect(await r.isOptedOut("+79161234567")).toBe(true);
  });

  it.each([
    ["outside the 24-hour window (131047)", "outside_window"],
    ["not a WhatsApp user (131026)", "undeliverable"],
  ] as const)("WhatsApp %s → SMS fallback", async (_name, scenario) => {
    metaFake.enqueue(scenario);
    const { r } = requester({
      channels: [
        { type: "whatsapp", client: whatsapp() },
        { type: "sms", client: sms() },
      ],
    });
    const outcome = (
      await r.handle("iiko", fixture("iiko", "iiko-01-delivery-closed.json"), { key: KEY })
    ).outcomes[0];
    expect(outcome).toMatchObject({ status: "sent", channel: "sms", provider: "sms.ru" });
    expect(metaFake.requests).toHaveLength(1);
    expect(smsSent()).toHaveLength(1);
  });

  it("a WhatsApp template channel sends the approved template with rendered parameters", async () => {
    const { r } = requester({
      channels: [
        {
          type: "whatsapp",
          client: whatsapp(),
          template: {
            name: "review_request",
            language: "ru",
            parameters: ["{business}", "{reviewUrl}"],
          },
        },
      ],
    });
    const outcome = (
      await r.handle("iiko", fixture("iiko", "iiko-01-delivery-closed.json"), { key: KEY })
    ).outcomes[0];
    expect(outcome).toMatchObject({ status: "sent", channel: "whatsapp", provider: "meta" });
    expect(metaFake.requests[0]?.json).toMatchObject({
      to: "79161234567",
      type: "template",
      template: {
        name: "review_request",
        language: { code: "ru" },
        components: [
          {
            type: "body",
            parameters: [
              { type: "text", text: "Кофейня «Зерно»" },
              { type: "text", text: "https://yandex.ru/maps/org/zerno/1/reviews" },
            ],
          },
        ],
      },
    });
  });

  it("provider down → failed with a retryable error, and the requester retries it itself", async () => {
    smsFake.setDefault("unavailable");
    const sent: string[] = [];
    const { r } = requester({
      retryDelaysMs: [40],
      onSent: (o) => {
        sent.push(o.messageId);
      },
    });
    const body = fixture("iiko", "iiko-01-delivery-closed.json");
    const outcome = (await r.handle("iiko", body, { key: KEY })).outcomes[0];
    expect(outcome).toMatchObject({
      status: "failed",
      error: { provider: "sms.ru", retryable: true },
      unknownOutcome: false,
      willRetry: true,
      attempt: 1,
    });
    // The order stays claimed while the retry waits.
    expect((await r.handle("iiko", body, { key: KEY })).outcomes[0]).toMatchObject({
      reason: "duplicate",
    });
    smsFake.setDefault("success");
    await vi.waitFor(() => expect(sent).toHaveLength(1), { timeout: 10_000 });
    await r.close();
    // Two requests turned away (503, the client's own retry included), then one accepted.
    expect(smsSent()).toHaveLength(3);
    expect(sent).toHaveLength(1);
  });

  it("provider down with retryDelaysMs: false → failed, and the claim is not burned", async () => {
    smsFake.setDefault("unavailable");
    const { r } = requester({ retryDelaysMs: false });
    const body = fixture("iiko", "iiko-01-delivery-closed.json");
    const outcome = (await r.handle("iiko", body, { key: KEY })).outcomes[0];
    expect(outcome).toMatchObject({ status: "failed", willRetry: false, attempt: 1 });
    smsFake.setDefault("success");
    expect((await r.handle("iiko", body, { key: KEY })).outcomes[0]?.status).toBe("sent");
  });

  it("a timeout after sending is an unknown outcome: not re-sent, not sent elsewhere", async () => {
    smsFake.enqueue("timeout");
    const { r } = requester({
      channels: [
        {
          type: "sms",
          client: createSmsRuClient({ apiKey: "sms-key", timeout: 50, retry: false }),
        },
        { type: "whatsapp", client: whatsapp() },
      ],
    });
    const body = fixture("iiko", "iiko-01-delivery-closed.json");
    const outcome = (await r.handle("iiko", body, { key: KEY })).outcomes[0];
    expect(outcome).toMatchObject({ status: "failed", unknownOutcome: true });
    expect(metaFake.requests).toHaveLength(0);
    expect((await r.handle("iiko", body, { key: KEY })).outcomes[0]).toMatchObject({
      status: "skipped",
      reason: "duplicate",
    });
  });

  it("an event at 23:30 Moscow is scheduled for 10:00 and sent then", async () => {
    vi.useFakeTimers({
      now: Date.parse("2026-03-14T23:30:00+03:00"),
      toFake: ["Date", "setTimeout", "clearTimeout"],
    });
    const sent: string[] = [];
    const { r } = requester({ now: undefined, onSent: (o) => void sent.push(o.orderId ?? "") });
    const outcome = (
      await r.handle("iiko", fixture("iiko", "iiko-01-delivery-closed.json"), { key: KEY })
    ).outcomes[0];
    expect(outcome).toMatchObject({
      status: "scheduled",
      runAt: "2026-03-15T07:00:00.000Z",
      quietHours: true,
    });
    expect(smsSent()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(10.5 * 3_600_000 - 1000);
    expect(smsSent()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(smsSent()).toHaveLength(1));
    vi.useRealTimers();
    await vi.waitFor(() => expect(sent).toEqual(["9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805"]));
    expect(await r.close()).toEqual({ pending: [] });
  });

  it("a delay schedules the send; close() reports what was pending", async () => {
    const { r, logs } = requester({ delayMs: 2 * 3_600_000 });
    const outcome = (
      await r.handle("iiko", fixture("iiko", "iiko-01-delivery-closed.json"), { key: KEY })
    ).outcomes[0];
    expect(outcome).toMatchObject({
      status: "scheduled",
      runAt: "2026-03-14T11:00:00.000Z",
      quietHours: false,
    });
    const closed = await r.close();
    expect(closed.pending).toHaveLength(1);
    expect(closed.pending[0]?.runAt).toBe("2026-03-14T11:00:00.000Z");
    expect(logs.some((l) => l.includes("pending sends are lost if this process stops"))).toBe(true);
    expect(
      logs.some((l) => l.startsWith("closing with 1 scheduled review request(s) not sent")),
    ).toBe(true);
  });

  it("amoCRM won deal → phone looked up → SMS sent", async () => {
    const calls: string[] = [];
    const amocrm: AmocrmPhoneLookup = {
      async getLeadPhone(leadId, account) {
        calls.push(`${leadId}@${account?.subdomain}`);
        return "+79000000004";
      },
    };
    const { r } = requester({ amocrm });
    const outcome = (
      await r.handle("amocrm", fixture("amocrm", "lead-status-won-docs.txt"), { key: KEY })
    ).outcomes[0];
    expect(calls).toEqual(["25399013@test"]);
    expect(outcome).toMatchObject({ status: "sent", orderId: "25399013", phone: "+79000000004" });
    expect(smsSent()[0]?.form?.to).toBe("79000000004");
  });

  it("amoCRM without a lookup client fails with a configuration error and keeps nothing claimed", async () => {
    const { r } = requester();
    const body = fixture("amocrm", "lead-status-won-docs.txt");
    const outcome = (await r.handle("amocrm", body, { key: KEY })).outcomes[0];
    expect(outcome).toMatchObject({
      status: "failed",
      error: { code: "config_invalid", provider: "amocrm" },
    });
    // Nothing claimed: amoCRM's retry fails the same way instead of being a "duplicate".
    expect((await r.handle("amocrm", body, { key: KEY })).outcomes[0]).toMatchObject({
      status: "failed",
      error: { code: "config_invalid" },
    });
  });

  it("dryRun runs everything but the provider call", async () => {
    const { r } = requester({ dryRun: true });
    const outcome = (
      await r.handle("yclients", fixture("yclients", "record-update-attended.json"), { key: KEY })
    ).outcomes[0];
    expect(outcome).toMatchObject({
      status: "sent",
      dryRun: true,
      channel: "sms",
      phone: "+77010000001",
    });
    expect(smsSent()).toHaveLength(0);
  });

  it("request() asks a customer directly, deduped by order id", async () => {
    const { r } = requester();
    expect(
      (await r.request({ phone: "8 916 123-45-67", name: "Анна", orderId: "A-1" })).outcomes[0],
    ).toMatchObject({ status: "sent", source: "direct", phone: "+79161234567" });
    expect(
      (await r.request({ phone: "8 916 123-45-67", orderId: "A-1" })).outcomes[0],
    ).toMatchObject({ status: "skipped", reason: "duplicate" });
    expect((await r.request({ phone: "2001" })).outcomes[0]).toMatchObject({
      status: "skipped",
      reason: "invalid_phone",
    });
  });

  it("multi-tenant: resolveTenant picks the business; keys of one never touch another's caps", async () => {
    const tenants: Record<
      string,
      { id: string; business: string; reviewUrl: string; message?: string }
    > = {
      "key-a-0123456789": {
        id: "a",
        business: "Кафе А",
        reviewUrl: "https://a.example/r",
        message: "{business}: {reviewUrl}",
      },
      "key-b-0123456789": { id: "b", business: "Кафе Б", reviewUrl: "https://b.example/r" },
    };
    const r = createReviewRequester({
      resolveTenant: (key) => tenants[key] ?? null,
      channels: [{ type: "sms", client: sms() }],
      now: () => NOON,
      logger: { warn: () => {} },
    });
    const body = fixture("iiko", "iiko-01-delivery-closed.json");
    expect((await r.handle("iiko", body, { key: "key-a-0123456789" })).outcomes[0]?.status).toBe(
      "sent",
    );
    expect((await r.handle("iiko", body, { key: "key-b-0123456789" })).outcomes[0]?.status).toBe(
      "sent",
    );
    expect((await r.handle("iiko", body, { key: "key-c" })).authorized).toBe(false);
    expect(smsSent().map((q) => q.form?.msg)).toEqual([
      "Кафе А: https://a.example/r",
      "Кафе Б: спасибо! Оставьте отзыв: https://b.example/r",
    ]);
  });

  it("logs mask phones and never contain keys", async () => {
    const { r, logs } = requester();
    await r.handle("iiko", fixture("iiko", "iiko-01-delivery-closed.json"), { key: KEY });
    await r.handle("iiko", fixture("iiko", "iiko-01-delivery-closed.json"), { key: "wrong-key" });
    const all = logs.join("\n");
    expect(all).toContain("+7916***4567");
    expect(all).not.toContain("79161234567");
    expect(all).not.toContain(KEY);
    expect(all).not.toContain("sms-key");
    expect(all).not.toContain("wrong-key");
  });

  it("validates options with errors that name the option", () => {
    const base = {
      keys: KEY,
      business: "B",
      reviewUrl: "https://r",
      channels: [{ type: "sms" as const, client: sms() }],
    };
    expect(() => createReviewRequester({ ...base, channels: [] })).toThrow(
      "Invalid option `channels`",
    );
    expect(() => createReviewRequester({ ...base, delayMs: -1 })).toThrow(
      "Invalid option `delayMs`",
    );
    expect(() => createReviewRequester({ ...base, keys: undefined })).toThrow("Set `keys`");
    expect(() => createReviewRequester({ ...base, business: undefined })).toThrow("set `business`");
    expect(() => createReviewRequester({ ...base, message: "Hi {phone}" })).toThrow(
      "unknown placeholder {phone}",
    );
    expect(() =>
      createReviewRequester({
        ...base,
        quietHours: { start: "25:00", end: "10:00", timeZone: "Europe/Moscow" },
      }),
    ).toThrow("`quietHours.start`");
    expect(() =>
      createReviewRequester({ ...base, channels: [{ type: "sms", client: {} as never }] }),
    ).toThrow("`channels.0.client`");
  });

  it("a store shared by two requesters (two processes) still sends one message", async () => {
    const store = memoryStore();
    const a = requester({ store }).r;
    const b = requester({ store }).r;
    const body = fixture("yclients", "record-update-attended.json");
    const [x, y] = await Promise.all([
      a.handle("yclients", body, { key: KEY }),
      b.handle("yclients", body, { key: KEY }),
    ]);
    expect([...x.outcomes, ...y.outcomes].map((o) => o.status).sort()).toEqual(["sent", "skipped"]);
    expect(smsSent()).toHaveLength(1);
  });

  it("accept() answers after the claim, before the send; a copy arriving meanwhile is a duplicate", async () => {
    const { client: slow, open: release } = gatedSmsClient();
    const { r } = requester({ channels: [{ type: "sms", client: slow }] });
    const body = fixture("iiko", "iiko-01-delivery-closed.json");
    const accepted = await r.accept("iiko", body, { key: KEY });
    expect(accepted.events).toEqual([
      { id: "9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805", status: "accepted", reason: null },
    ]);
    const copy = await r.accept("iiko", body, { key: KEY });
    expect(copy.events).toEqual([
      { id: "9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805", status: "skipped", reason: "duplicate" },
    ]);
    release();
    expect((await accepted.done).outcomes[0]).toMatchObject({ status: "sent", messageId: "m1" });
  });

  it("a store failing mid-webhook makes accept() throw; the claim it made is still sent, the retry claims the rest", async () => {
    const inner = memoryStore();
    let claims = 0;
    // Only the base methods: claims go through the failing claim() (no atomic batch()).
    const flaky = {
      name: "flaky",
      claim: async (key: string, value: string, ttl: number) => {
        if (++claims === 2) throw new Error("store down");
        return inner.claim(key, value, ttl);
      },
      get: inner.get.bind(inner),
      set: inner.set.bind(inner),
      delete: inner.delete.bind(inner),
    };
    const { r } = requester({ store: flaky, frequencyCapMs: false });
    const two = JSON.stringify([
      ...fixtureJson<unknown[]>("iiko", "iiko-01-delivery-closed.json"),
      ...fixtureJson<unknown[]>("iiko", "iiko-08-table-closed-with-phone.json"),
    ]);
    await expect(r.accept("iiko", two, { key: KEY })).rejects.toThrow("store down");
    const retried = await r.handle("iiko", two, { key: KEY });
    expect(retried.outcomes.map((o) => (o.status === "skipped" ? o.reason : o.status))).toEqual([
      "duplicate",
      "sent",
    ]);
    await r.close();
    expect(smsSent()).toHaveLength(2);
  });
});
