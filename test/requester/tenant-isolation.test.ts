import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createReviewRequester } from "../../src/requester/requester.js";
import type { RequesterOptions, TenantSettings } from "../../src/requester/types.js";
import { createAmocrmClient } from "../../src/sources/amocrm/client.js";
import { createFakeAmocrm } from "../../src/testing/amocrm.js";
import { fixture, fixtureJson } from "../helpers/fixtures.js";
import { recordingSmsClient } from "../helpers/sms-clients.js";

const LEAD = "25399013";
const lead = fixtureJson<Record<string, any>>("amocrm", "api-v4-lead-3912171-with-contacts.json");
const contact = fixtureJson<Record<string, any>>("amocrm", "api-v4-contact-10971465.json");
const contactId = String(contact.id);
const accounts = ["alpha", "beta"].map((subdomain) =>
  createFakeAmocrm({
    subdomain,
    leads: { [LEAD]: { ...lead, id: Number(LEAD) } },
    contacts: { [contactId]: contact },
  }),
);
const [alpha, beta] = accounts as [(typeof accounts)[0], (typeof accounts)[0]];
const server = setupServer(...alpha.handlers, ...beta.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  alpha.reset();
  beta.reset();
});
afterAll(() => server.close());

/** amoCRM's "lead won" webhook, as sent by the account `subdomain`. */
function wonIn(subdomain: string): string {
  return fixture("amocrm", "lead-status-won-docs.txt")
    .replace("account%5Bsubdomain%5D=test", `account%5Bsubdomain%5D=${subdomain}`)
    .replace("https%3A%2F%2Ftest.amocrm.ru", `https%3A%2F%2F${subdomain}.amocrm.ru`);
}

const client = (subdomain: string) =>
  createAmocrmClient({ subdomain, accessToken: `token-${subdomain}-0123456789`, retry: false });

function tenant(id: "alpha" | "beta", extra: Partial<TenantSettings> = {}): TenantSettings {
  return { id, business: `Business ${id}`, reviewUrl: `https://r.example/${id}`, ...extra };
}

function requester(
  tenants: Record<string, TenantSettings>,
  overrides: Partial<RequesterOptions> = {},
) {
  const sms = recordingSmsClient();
  const r = createReviewRequester({
    resolveTenant: (key) => tenants[key] ?? null,
    channels: [{ type: "sms", client: sms.client }],
    quietHours: false,
    retryDelaysMs: false,
    logger: { warn() {}, error() {} },
    ...overrides,
  });
  return { r, sent: sms.sent };
}

describe("tenants and the amoCRM lookup", () => {
  it("a requester-level amocrm client with resolveTenant is refused at creation", () => {
    expect(() =>
      createReviewRequester({
        resolveTenant: () => null,
        channels: [{ type: "sms", client: recordingSmsClient().client }],
        amocrm: client("alpha"),
      }),
    ).toThrow(
      "With `resolveTenant`, a requester-level `amocrm` client would let any business's webhook key look up leads in that one account.",
    );
  });

  it("each tenant looks up with its own client: B's key never causes a request to A's account", async () => {
    const { r, sent } = requester({
      "key-a": tenant("alpha", { amocrm: client("alpha") }),
      "key-b": tenant("beta", { amocrm: client("beta") }),
    });
    // B's key, a webhook naming A's account and one of A's lead ids.
    const forged = (await r.handle("amocrm", wonIn("alpha"), { key: "key-b" })).outcomes[0];
    expect(forged).toMatchObject({ status: "failed", error: { code: "account_mismatch" } });
    expect(alpha.requests).toHaveLength(0);
    expect(beta.requests).toHaveLength(0);
    // B's own webhook goes to B's account only.
    expect((await r.handle("amocrm", wonIn("beta"), { key: "key-b" })).outcomes[0]?.status).toBe(
      "sent",
    );
    expect(beta.requests.length).toBeGreaterThan(0);
    expect(alpha.requests).toHaveLength(0);
    expect(sent).toHaveLength(1);
  });

  it("a shared client with pinTenantAccounts: only the tenant pinned to the named account looks up", async () => {
    const { r, sent } = requester(
      {
        "key-a": tenant("alpha", { accounts: { amocrm: "alpha" } }),
        "key-b": tenant("beta", { accounts: { amocrm: "beta" } }),
        "key-c": { ...tenant("alpha"), id: "unpinned" },
      },
      { amocrm: client("alpha"), pinTenantAccounts: true },
    );
    const forged = (await r.handle("amocrm", wonIn("alpha"), { key: "key-b" })).outcomes[0];
    expect(forged).toMatchObject({ status: "failed", error: { code: "account_mismatch" } });
    const unpinned = (await r.handle("amocrm", wonIn("alpha"), { key: "key-c" })).outcomes[0];
    expect(unpinned).toMatchObject({ status: "failed", error: { code: "config_invalid" } });
    expect(alpha.requests).toHaveLength(0);
    expect((await r.handle("amocrm", wonIn("alpha"), { key: "key-a" })).outcomes[0]?.status).toBe(
      "sent",
    );
    expect(alpha.requests.length).toBeGreaterThan(0);
    expect(sent).toHaveLength(1);
  });
});
