import { afterEach, describe, expect, it } from "vitest";
import { createFetchHandler } from "../../src/adapters/fetch.js";
import { ConfigError } from "../../src/core/errors.js";
import { normalizePhone } from "../../src/core/phone.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type { ReviewRequester } from "../../src/requester/types.js";
import type { Source } from "../../src/sources/source.js";
import type { ParsedEvent } from "../../src/sources/types.js";
import { type RunningServer, startExpress, startFetchServer } from "../helpers/http.js";
import { recordingSmsClient } from "../helpers/sms-clients.js";

const KEY = "custom-source-key-0123456789";

/**
 * A POS otzovik does not ship ("Quick Kassa"), in one file's worth of code: it posts
 * `{ "check": { "number": "A-17", "closed": true, "guestPhone": "8 916 123-45-67" } }`.
 */
const quickKassa: Source<"quickkassa"> = {
  name: "quickkassa",
  checkOptions(options, path) {
    if (options !== undefined && (typeof options !== "object" || options === null))
      throw new ConfigError(`Invalid option \`${path}\`: expected an object.`);
  },
  parse(body) {
    const value = typeof body === "string" ? (JSON.parse(body) as unknown) : body;
    const check = (value as { check?: Record<string, unknown> } | null)?.check ?? {};
    const { phone, problem } = normalizePhone(check.guestPhone);
    const closed = check.closed === true;
    const reason = !closed ? "status_not_final" : problem;
    const event: ParsedEvent = {
      source: "quickkassa",
      type: "check",
      id: typeof check.number === "string" ? check.number : null,
      status: closed ? "closed" : "open",
      phone,
      shouldSend: reason === null,
      reason,
      detail: reason === null ? null : "the check is open or has no guest phone",
      customerName: null,
      email: null,
      accountId: null,
      lookup: null,
      raw: check,
    };
    return {
      shouldSend: event.shouldSend,
      phone: event.shouldSend ? phone : null,
      events: [event],
      reason: event.reason,
      detail: event.detail,
    };
  },
};

const closedCheck = { check: { number: "A-17", closed: true, guestPhone: "8 916 123-45-67" } };

function requester() {
  const sms = recordingSmsClient();
  const r = createReviewRequester({
    keys: KEY,
    business: "Кафе",
    reviewUrl: "https://r.example",
    quietHours: false,
    channels: [{ type: "sms", client: sms.client }],
    sources: [quickKassa],
    logger: { warn() {}, error() {} },
  });
  return { r, sent: sms.sent };
}

describe("a source registered by the user (one file, one registry line)", () => {
  let server: RunningServer | null = null;
  let r: ReviewRequester | null = null;
  afterEach(async () => {
    await server?.close();
    await r?.close();
    server = null;
    r = null;
  });

  it("runs through the requester: one SMS per check, copies are duplicates", async () => {
    const made = requester();
    r = made.r;
    expect(r.sources).toEqual(["iiko", "rkeeper", "yclients", "amocrm", "quickkassa"]);
    const first = await r.handle("quickkassa", closedCheck, { key: KEY });
    expect(first.outcomes).toEqual([
      expect.objectContaining({ status: "sent", source: "quickkassa", orderId: "A-17" }),
    ]);
    const again = await r.handle("quickkassa", JSON.stringify(closedCheck), { key: KEY });
    expect(again.outcomes[0]).toMatchObject({ status: "skipped", reason: "duplicate" });
    expect(made.sent).toEqual(["+79161234567"]);
  });

  it.each([
    ["Express", (req: ReviewRequester) => startExpress(req)],
    ["Fetch", (req: ReviewRequester) => startFetchServer(createFetchHandler(req))],
  ])("is routed by the %s adapter at /api/webhook/quickkassa", async (_name, start) => {
    const made = requester();
    r = made.r;
    server = await start(r);
    const response = await fetch(`${server.origin}/api/webhook/quickkassa?key=${KEY}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(closedCheck),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ok: true,
      events: [{ id: "A-17", status: "accepted", reason: null }],
    });
    await r.close();
    expect(made.sent).toEqual(["+79161234567"]);
  });

  it("validates its parser options at creation, under `parse.<name>`", () => {
    expect(() =>
      createReviewRequester({
        keys: KEY,
        business: "B",
        reviewUrl: "https://r.example",
        channels: [{ type: "sms", client: recordingSmsClient().client }],
        sources: [quickKassa],
        parse: { quickkassa: 5 } as never,
      }),
    ).toThrow("Invalid option `parse.quickkassa`: expected an object.");
  });

  it("may not take a built-in source's name", () => {
    expect(() =>
      createReviewRequester({
        keys: KEY,
        business: "B",
        reviewUrl: "https://r.example",
        channels: [{ type: "sms", client: recordingSmsClient().client }],
        sources: [{ ...quickKassa, name: "iiko" }],
      }),
    ).toThrow('Invalid option `sources.0.name`: "iiko" is already a source');
  });
});
