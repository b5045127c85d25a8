import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSmsRuClient } from "../../src/providers/sms-ru.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type { RequesterOptions, TenantContext, TenantSettings } from "../../src/requester/types.js";
import { createFakeSmsRu } from "../../src/testing/sms-ru.js";
import { fixtureJson } from "../helpers/fixtures.js";

const smsFake = createFakeSmsRu({ apiKey: "sms-key" });
const server = setupServer(...smsFake.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => smsFake.reset());
afterAll(() => server.close());

const NOON = Date.parse("2026-03-14T12:00:00+03:00");
const CHAIN_KEY = "chain-key-0123456789";
const ORG_A = "7bc05553-4b68-44e8-b7bc-37be63c6d9e9";
const ORG_B = "0d2c8e4a-1111-4b2c-9d3e-5f6a7b8c9d0e";

const smsSent = () => smsFake.requests.filter((q) => q.path.endsWith("/sms/send"));

/** iiko's real "delivery closed" event, moved to another organization, order and phone. */
function iikoEvent(organizationId: string, orderId: string, phone: string) {
  const [event] = fixtureJson<Record<string, any>[]>("iiko", "iiko-01-delivery-closed.json");
  const copy = structuredClone(event) as Record<string, any>;
  copy.organizationId = organizationId;
  copy.eventInfo.organizationId = organizationId;
  copy.eventInfo.id = orderId;
  copy.eventInfo.order.phone = phone;
  return copy;
}

const BRANCHES: Record<string, Omit<TenantSettings, "id">> = {
  [ORG_A]: { business: "Зерно на Тверской", reviewUrl: "https://clck.ru/tverskaya" },
  [ORG_B]: { business: "Зерно на Арбате", reviewUrl: "https://clck.ru/arbat" },
};

function chain(overrides: Partial<RequesterOptions> = {}) {
  const calls: [string, TenantContext][] = [];
  const r = createReviewRequester({
    resolveTenant: (key, context) => {
      calls.push([key, context]);
      if (key !== CHAIN_KEY) return null;
      const branch = context.accountId === null ? undefined : BRANCHES[context.accountId];
      return {
        id: "zerno",
        business: branch?.business ?? "Кофейни «Зерно»",
        reviewUrl: branch?.reviewUrl ?? "https://clck.ru/zerno",
      };
    },
    channels: [{ type: "sms", client: createSmsRuClient({ apiKey: "sms-key", retry: false }) }],
    now: () => NOON,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    ...overrides,
  });
  return { r, calls };
}

describe("resolveTenant(key, { source, accountId }): one key per chain, each branch its own name and link", () => {
  it("two iiko organizations in one body → two business names and links in the texts", async () => {
    const { r, calls } = chain();
    const body = [
      iikoEvent(ORG_A, "order-a-1", "+79161110001"),
      iikoEvent(ORG_B, "order-b-1", "+79161110002"),
      iikoEvent(ORG_A, "order-a-2", "+79161110003"),
    ];
    const result = await r.handle("iiko", body, { key: CHAIN_KEY });
    expect(result).toMatchObject({ authorized: true, tenantId: "zerno" });
    expect(result.outcomes.map((o) => [o.status, o.tenantId, o.orderId])).toEqual([
      ["sent", "zerno", "order-a-1"],
      ["sent", "zerno", "order-b-1"],
      ["sent", "zerno", "order-a-2"],
    ]);
    expect(smsSent().map((q) => [q.form?.to, q.form?.msg])).toEqual([
      ["79161110001", "Зерно на Тверской: спасибо! Оставьте отзыв: https://clck.ru/tverskaya"],
      ["79161110002", "Зерно на Арбате: спасибо! Оставьте отзыв: https://clck.ru/arbat"],
      ["79161110003", "Зерно на Тверской: спасибо! Оставьте отзыв: https://clck.ru/tverskaya"],
    ]);
    // The key alone first, then once per account of the request (three events, two accounts).
    expect(calls).toEqual([
      [CHAIN_KEY, { source: "iiko", accountId: null }],
      [CHAIN_KEY, { source: "iiko", accountId: ORG_A }],
      [CHAIN_KEY, { source: "iiko", accountId: ORG_B }],
    ]);
  });

  it("an unknown key is 401 after one call with the key alone: no call per event", async () => {
    const { r, calls } = chain();
    const body = [iikoEvent(ORG_A, "order-a-1", "+79161110001")];
    expect(await r.handle("iiko", body, { key: "stolen-key" })).toEqual({
      authorized: false,
      outcomes: [],
    });
    expect(calls).toEqual([["stolen-key", { source: "iiko", accountId: null }]]);
    expect(smsSent()).toHaveLength(0);
  });

  it("an account resolveTenant does not know (null) keeps the key's own settings", async () => {
    const { r } = chain();
    await r.handle("iiko", [iikoEvent("unknown-org", "order-x", "+79161110009")], {
      key: CHAIN_KEY,
    });
    expect(smsSent().map((q) => q.form?.msg)).toEqual([
      "Кофейни «Зерно»: спасибо! Оставьте отзыв: https://clck.ru/zerno",
    ]);
  });

  it("each branch may be its own tenant (its own id, dedupe and caps)", async () => {
    const r = createReviewRequester({
      resolveTenant: (_key, { accountId }) => ({
        id: accountId ?? "chain",
        business: accountId === ORG_B ? "Арбат" : "Тверская",
        reviewUrl: "https://clck.ru/x",
      }),
      channels: [{ type: "sms", client: createSmsRuClient({ apiKey: "sms-key", retry: false }) }],
      now: () => NOON,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    // One phone, one order id, two branches: different tenants, so neither is a duplicate or capped.
    const result = await r.handle(
      "iiko",
      [
        iikoEvent(ORG_A, "same-order", "+79161110001"),
        iikoEvent(ORG_B, "same-order", "+79161110001"),
      ],
      { key: CHAIN_KEY },
    );
    expect(result).toMatchObject({ tenantId: "chain" });
    expect(result.outcomes.map((o) => [o.status, o.tenantId])).toEqual([
      ["sent", ORG_A],
      ["sent", ORG_B],
    ]);
  });

  it("a resolveTenant of the key alone works as before (asked again per account, same settings)", async () => {
    const legacy = (key: string): TenantSettings | null =>
      key === CHAIN_KEY
        ? { id: "zerno", business: "Кофейня «Зерно»", reviewUrl: "https://clck.ru/z" }
        : null;
    const r = createReviewRequester({
      resolveTenant: legacy,
      channels: [{ type: "sms", client: createSmsRuClient({ apiKey: "sms-key", retry: false }) }],
      now: () => NOON,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const result = await r.handle(
      "iiko",
      [iikoEvent(ORG_A, "o-1", "+79161110001"), iikoEvent(ORG_B, "o-2", "+79161110002")],
      { key: CHAIN_KEY },
    );
    expect(result.outcomes.map((o) => o.status)).toEqual(["sent", "sent"]);
    expect(new Set(smsSent().map((q) => q.form?.msg))).toEqual(
      new Set(["Кофейня «Зерно»: спасибо! Оставьте отзыв: https://clck.ru/z"]),
    );
  });

  it("a call for an account that throws fails the request before anything is claimed", async () => {
    let down = true;
    const { r } = chain({
      resolveTenant: (key, { accountId }) => {
        if (accountId === ORG_B && down) throw new Error("database down");
        return key === CHAIN_KEY
          ? { id: "zerno", business: "Зерно", reviewUrl: "https://clck.ru/z" }
          : null;
      },
    });
    const body = [iikoEvent(ORG_A, "o-1", "+79161110001"), iikoEvent(ORG_B, "o-2", "+79161110002")];
    await expect(r.accept("iiko", body, { key: CHAIN_KEY })).rejects.toThrow("database down");
    expect(smsSent()).toHaveLength(0);
    // Nothing was claimed: the sender's retry sends both.
    down = false;
    const retried = await r.handle("iiko", body, { key: CHAIN_KEY });
    expect(retried.outcomes.map((o) => o.status)).toEqual(["sent", "sent"]);
  });

  it("authenticate(), request() and optOut() ask with the key alone (source null)", async () => {
    const { r, calls } = chain();
    expect(await r.authenticate(CHAIN_KEY)).toBe(true);
    await r.optOut("+79161110001", { key: CHAIN_KEY });
    await r.request({ key: CHAIN_KEY, phone: "+79161110002", orderId: "direct-1" });
    expect(calls).toEqual([
      [CHAIN_KEY, { source: null, accountId: null }],
      [CHAIN_KEY, { source: null, accountId: null }],
      [CHAIN_KEY, { source: null, accountId: null }],
    ]);
  });
});
