import { afterEach, describe, expect, it } from "vitest";
import { createFetchHandler } from "../../src/adapters/fetch.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type { ReviewRequester } from "../../src/requester/types.js";
import { type RunningServer, startExpress, startFetchServer } from "../helpers/http.js";
import { quickKassa } from "../helpers/quick-kassa.js";
import { recordingSmsClient } from "../helpers/sms-clients.js";

const KEY = "custom-source-key-0123456789";

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

  it("its ids are capped and cleaned like the built-in sources' before anything is logged", async () => {
    const made = requester();
    r = made.r;
    const forged = { check: { ...closedCheck.check, number: "A-18\n[INFO] forged\u001b[31m" } };
    const first = await r.handle("quickkassa", forged, { key: KEY });
    expect(first.outcomes[0]).toMatchObject({ status: "sent", orderId: "A-18[INFO] forged[31m" });
    const long = { check: { ...closedCheck.check, number: "x".repeat(201) } };
    const second = await r.handle("quickkassa", long, { key: KEY });
    expect(second.outcomes[0]).toMatchObject({
      status: "skipped",
      reason: "invalid_payload",
      orderId: null,
    });
    await expect(
      r.request({ phone: "+79161234567", orderId: "y".repeat(201), key: KEY }),
    ).rejects.toMatchObject({ code: "invalid_value" });
    const direct = await r.request({ phone: "+79161234568", orderId: "B-1\r\n", key: KEY });
    expect(direct.outcomes[0]).toMatchObject({ status: "sent", orderId: "B-1" });
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
