import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { OtzovikError } from "../../src/core/errors.js";
import { createSmsRuClient } from "../../src/providers/sms-ru.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type {
  AmocrmPhoneLookup,
  LookupPhone,
  LookupPhoneContext,
  RequesterOptions,
} from "../../src/requester/types.js";
import { amocrmPhoneLookup } from "../../src/sources/amocrm/index.js";
import { parseRkeeper } from "../../src/sources/rkeeper.js";
import type { ParsedEvent } from "../../src/sources/types.js";
import { memoryStore } from "../../src/stores/memory.js";
import { createFakeSmsRu } from "../../src/testing/sms-ru.js";
import { fixture } from "../helpers/fixtures.js";
import { manualScheduler } from "../helpers/manual-scheduler.js";

const KEY = "test-webhook-key-0123456789";
const smsFake = createFakeSmsRu({ apiKey: "sms-key" });
const server = setupServer(...smsFake.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => smsFake.reset());
afterAll(() => server.close());

/** Noon in Moscow: outside quiet hours. */
const NOON = Date.parse("2026-03-14T12:00:00+03:00");
const WHITE_SERVER = fixture("rkeeper", "rk-10-ws-orderstatuschanged-complited.json");
const ORDER_GUID = "5e964af3-6e1d-4661-4db1-08d897c7079a";

function requester(overrides: Partial<RequesterOptions> = {}) {
  return createReviewRequester({
    keys: KEY,
    business: "Кофейня «Зерно»",
    reviewUrl: "https://clck.ru/3FaBcD",
    channels: [
      {
        type: "sms",
        client: createSmsRuClient({ apiKey: "sms-key", retry: false }),
      },
    ],
    now: () => NOON,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    ...overrides,
  });
}

const smsSent = () => smsFake.requests.filter((q) => q.path.endsWith("/sms/send"));

/** A hook that records what it was asked and answers `phone`. */
function recording(answer: (event: ParsedEvent) => unknown) {
  const calls: { event: ParsedEvent; context: LookupPhoneContext }[] = [];
  const hook: LookupPhone = async (event, context) => {
    calls.push({ event, context });
    return answer(event) as string | null;
  };
  return { hook, calls };
}

describe("lookupPhone: R-Keeper White Server events (never a guest phone)", () => {
  it("with the hook: one SMS to the phone it returns, normalised; the hook gets the order and the restaurant", async () => {
    const { hook, calls } = recording(() => "8 (916) 123-45-67");
    const r = requester({ lookupPhone: hook });
    const result = await r.handle("rkeeper", WHITE_SERVER, { key: KEY });
    expect(result.outcomes).toEqual([
      expect.objectContaining({
        status: "sent",
        source: "rkeeper",
        orderId: ORDER_GUID,
        phone: "+79161234567",
        channel: "sms",
      }),
    ]);
    expect(smsSent().map((q) => q.form?.to)).toEqual(["79161234567"]);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.event).toEqual({
      source: "rkeeper",
      type: "OrderStatusChanged",
      id: ORDER_GUID,
      status: "Complited",
      phone: null,
      shouldSend: true,
      reason: null,
      detail: null,
      customerName: null,
      email: null,
      accountId: "199990160",
      lookup: {
        kind: "rkeeper_order",
        leadId: ORDER_GUID,
        subdomain: null,
        baseUrl: null,
        type: "OrderStatusChanged",
        status: "Complited",
      },
      raw: null,
    });
    expect(calls[0]?.context).toMatchObject({ tenantId: "default", attempt: 1 });
  });

  it("without the hook: skipped no_phone with the parser's detail, and the parse result is unchanged", async () => {
    const r = requester();
    expect((await r.handle("rkeeper", WHITE_SERVER, { key: KEY })).outcomes).toEqual([
      {
        status: "skipped",
        tenantId: "default",
        source: "rkeeper",
        orderId: ORDER_GUID,
        phone: null,
        reason: "no_phone",
        detail: "White Server OrderStatusChanged events carry no guest phone",
      },
    ]);
    expect(smsSent()).toHaveLength(0);
    expect(parseRkeeper(WHITE_SERVER).events[0]).toMatchObject({
      shouldSend: false,
      reason: "no_phone",
      lookup: null,
    });
  });

  it("copies of the webhook: the hook is asked once and one SMS goes out", async () => {
    const { hook, calls } = recording(() => "+79161234567");
    const r = requester({ lookupPhone: hook });
    const first = await r.handle("rkeeper", WHITE_SERVER, { key: KEY });
    const second = await r.handle("rkeeper", WHITE_SERVER, { key: KEY });
    expect(first.outcomes[0]?.status).toBe("sent");
    expect(second.outcomes[0]).toMatchObject({ status: "skipped", reason: "duplicate" });
    expect(calls).toHaveLength(1);
    expect(smsSent()).toHaveLength(1);
  });

  it("a hook that finds nothing → skipped no_phone; an invalid number → skipped invalid_phone; both final", async () => {
    const none = requester({ lookupPhone: async () => null });
    expect((await none.handle("rkeeper", WHITE_SERVER, { key: KEY })).outcomes[0]).toMatchObject({
      status: "skipped",
      reason: "no_phone",
      detail: "the phone could not be looked up: no contact with a valid phone",
    });
    const store = memoryStore();
    const calls: string[] = [];
    const bad = requester({
      store,
      lookupPhone: async (event) => {
        calls.push(String(event.id));
        return "2001";
      },
    });
    expect((await bad.handle("rkeeper", WHITE_SERVER, { key: KEY })).outcomes[0]).toMatchObject({
      status: "skipped",
      reason: "invalid_phone",
      detail: "the phone looked up is not a valid phone number",
    });
    // Recorded as skipped: a copy of the webhook is a duplicate, not a second lookup.
    expect((await bad.handle("rkeeper", WHITE_SERVER, { key: KEY })).outcomes[0]).toMatchObject({
      status: "skipped",
      reason: "duplicate",
    });
    expect(calls).toHaveLength(1);
    expect(smsSent()).toHaveLength(0);
  });

  it("a hook that throws → failed with a retryable lookup_failed error; the requester retries it itself", async () => {
    const { scheduler, jobs, run } = manualScheduler();
    let fail = true;
    const r = requester({
      scheduler,
      lookupPhone: async () => {
        if (fail) throw new Error("r_k API down");
        return "+79161234567";
      },
    });
    const outcome = (await r.handle("rkeeper", WHITE_SERVER, { key: KEY })).outcomes[0];
    expect(outcome).toMatchObject({
      status: "failed",
      willRetry: true,
      attempt: 1,
      unknownOutcome: false,
      error: {
        code: "lookup_failed",
        provider: "rkeeper",
        category: "retryable",
        retryable: true,
      },
    });
    const error = outcome?.status === "failed" ? outcome.error : null;
    expect(error).toBeInstanceOf(OtzovikError);
    expect(error?.message).toBe(
      "[otzovik] [rkeeper] The `lookupPhone` hook failed for a rkeeper event: r_k API down",
    );
    // The order stays claimed meanwhile: a copy of the webhook is a duplicate.
    expect((await r.handle("rkeeper", WHITE_SERVER, { key: KEY })).outcomes[0]).toMatchObject({
      reason: "duplicate",
    });
    expect(jobs).toHaveLength(1);
    fail = false;
    await run(jobs[0] as (typeof jobs)[number]);
    expect(smsSent().map((q) => q.form?.to)).toEqual(["79161234567"]);
  });

  it("without retries a throwing hook gives the claim back, so the sender's retry is looked up again", async () => {
    let calls = 0;
    const r = requester({
      retryDelaysMs: false,
      lookupPhone: async () => {
        calls++;
        if (calls === 1) throw new Error("timeout");
        return "+79161234567";
      },
    });
    expect((await r.handle("rkeeper", WHITE_SERVER, { key: KEY })).outcomes[0]).toMatchObject({
      status: "failed",
      willRetry: false,
      error: { code: "lookup_failed", retryable: true },
    });
    expect((await r.handle("rkeeper", WHITE_SERVER, { key: KEY })).outcomes[0]?.status).toBe(
      "sent",
    );
    expect(calls).toBe(2);
  });

  it("an OtzovikError the hook throws is kept as it is (a permanent one is not retried)", async () => {
    const r = requester({
      lookupPhone: async () => {
        throw new OtzovikError("order not found", { code: "not_found", category: "permanent" });
      },
    });
    expect((await r.handle("rkeeper", WHITE_SERVER, { key: KEY })).outcomes[0]).toMatchObject({
      status: "failed",
      willRetry: false,
      error: { code: "not_found", category: "permanent", retryable: false },
    });
  });

  it("with a delay the phone is looked up at once and the scheduled send keeps it", async () => {
    const { scheduler, jobs, run } = manualScheduler();
    const { hook, calls } = recording(() => "+79161234567");
    const r = requester({ scheduler, delayMs: 3_600_000, lookupPhone: hook });
    expect((await r.handle("rkeeper", WHITE_SERVER, { key: KEY })).outcomes[0]).toMatchObject({
      status: "scheduled",
      phone: "+79161234567",
    });
    expect(calls.map((c) => [c.event.id, c.event.accountId, c.event.lookup?.kind])).toEqual([
      [ORDER_GUID, "199990160", "rkeeper_order"],
    ]);
    const job = JSON.parse(JSON.stringify(jobs[0])) as (typeof jobs)[number];
    await run(job);
    expect(calls).toHaveLength(1);
    expect(smsSent().map((q) => q.form?.to)).toEqual(["79161234567"]);
  });

  it("events skipped for any other reason never reach the hook", async () => {
    const { hook, calls } = recording(() => "+79161234567");
    const r = requester({ lookupPhone: hook });
    const cooking = WHITE_SERVER.replace('"Complited"', '"Cooking"');
    const cancelled = WHITE_SERVER.replace('"Complited"', '"Canceled"');
    expect((await r.handle("rkeeper", cooking, { key: KEY })).outcomes[0]).toMatchObject({
      reason: "status_not_final",
    });
    expect((await r.handle("rkeeper", cancelled, { key: KEY })).outcomes[0]).toMatchObject({
      reason: "cancelled",
    });
    const noId = WHITE_SERVER.replace(`"orderGuid": "${ORDER_GUID}"`, '"orderGuid": null');
    expect((await r.handle("rkeeper", noId, { key: KEY })).outcomes[0]).toMatchObject({
      reason: "no_phone",
    });
    expect(calls).toHaveLength(0);
  });
});

describe("lookupPhone: amoCRM's API lookup is one implementation of it", () => {
  const AMOCRM = fixture("amocrm", "lead-status-won-docs.txt");
  function amocrmClient(calls: string[]): AmocrmPhoneLookup {
    return {
      async getLeadPhone(leadId, account) {
        calls.push(`${leadId}@${account?.subdomain}`);
        return "+79000000004";
      },
    };
  }

  it("amocrmPhoneLookup(client) as the hook: the lead's phone is looked up and one SMS sent", async () => {
    const calls: string[] = [];
    const r = requester({ lookupPhone: amocrmPhoneLookup(amocrmClient(calls)) });
    const outcome = (await r.handle("amocrm", AMOCRM, { key: KEY })).outcomes[0];
    expect(calls).toEqual(["25399013@test"]);
    expect(outcome).toMatchObject({ status: "sent", orderId: "25399013", phone: "+79000000004" });
    expect(smsSent()[0]?.form?.to).toBe("79000000004");
  });

  it("amocrmPhoneLookup answers null for other sources' events, and refuses a non-client", async () => {
    const lookup = amocrmPhoneLookup(amocrmClient([]));
    const context = { tenantId: "t", attempt: 1, sourceLookup: async () => null };
    const event = parseRkeeper(WHITE_SERVER).events[0] as ParsedEvent;
    expect(await lookup(event, context)).toBeNull();
    expect(() => amocrmPhoneLookup({} as AmocrmPhoneLookup)).toThrow(
      "amocrmPhoneLookup() needs an amoCRM client: createAmocrmClient({ subdomain, accessToken }).",
    );
  });

  it("one hook for both: R-Keeper by its own lookup, amoCRM through context.sourceLookup() and the `amocrm` option", async () => {
    const calls: string[] = [];
    const r = requester({
      amocrm: amocrmClient(calls),
      lookupPhone: (event, context) =>
        event.source === "rkeeper" ? "+79161234567" : context.sourceLookup(),
    });
    expect((await r.handle("amocrm", AMOCRM, { key: KEY })).outcomes[0]).toMatchObject({
      status: "sent",
      phone: "+79000000004",
    });
    expect((await r.handle("rkeeper", WHITE_SERVER, { key: KEY })).outcomes[0]).toMatchObject({
      status: "sent",
      phone: "+79161234567",
    });
    expect(calls).toEqual(["25399013@test"]);
    expect(smsSent().map((q) => q.form?.to)).toEqual(["79000000004", "79161234567"]);
  });

  it("context.sourceLookup() without an amoCRM client fails with the configuration error, nothing kept claimed", async () => {
    const r = requester({ lookupPhone: (_event, context) => context.sourceLookup() });
    for (let i = 0; i < 2; i++) {
      expect((await r.handle("amocrm", AMOCRM, { key: KEY })).outcomes[0]).toMatchObject({
        status: "failed",
        error: { code: "config_invalid", provider: "amocrm" },
      });
    }
  });

  it("a lookupPhone that is not a function is refused at creation", () => {
    expect(() => requester({ lookupPhone: "yes" as unknown as LookupPhone })).toThrow(
      "Invalid option `lookupPhone`: expected a function.",
    );
  });
});
