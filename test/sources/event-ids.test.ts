/**
 * Issue 9 item 14: ids from bodies are reported (logged, echoed in HTTP answers, put in store keys)
 * bounded and without control characters. An id longer than 200 characters makes its event
 * `invalid_payload` (its detail does not quote it); C0/C1 controls, line separators and bidi
 * controls are removed. Done once where events are built, so every source gets it.
 */
import { describe, expect, it } from "vitest";
import { createReviewRequester } from "../../src/requester/requester.js";
import * as eventHelpers from "../../src/sources/event.js";
import { parsers, type SourceName } from "../../src/sources/registry.js";
import type { ParsedEvent } from "../../src/sources/types.js";
import { fixture, fixtureJson } from "../helpers/fixtures.js";
import { recordingSmsClient } from "../helpers/sms-clients.js";

type Json = Record<string, any>;

/** A body of each source whose first event's id is `id`, and what that event is otherwise. */
const bodies: [string, SourceName, (id: string) => unknown, Partial<ParsedEvent>][] = [
  [
    "iiko delivery (eventInfo.id)",
    "iiko",
    (id) => {
      const body = fixtureJson<Json[]>("iiko", "iiko-01-delivery-closed.json");
      (body[0] as Json).eventInfo.id = id;
      return JSON.stringify(body);
    },
    { shouldSend: true, phone: "+79161234567" },
  ],
  [
    "R-Keeper r_k Delivery (orderId)",
    "rkeeper",
    (id) => {
      const body = fixtureJson<Json>("rkeeper", "rk-01-order-completed.json");
      body.result.orderId = id;
      return JSON.stringify(body);
    },
    { shouldSend: true, phone: "+79161234567" },
  ],
  [
    "R-Keeper notes' order (order.id)",
    "rkeeper",
    (id) =>
      JSON.stringify({ order: { id, status: "Выполнен", customer: { phone: "89161234567" } } }),
    { shouldSend: true, phone: "+79161234567" },
  ],
  [
    "R-Keeper White Server (orderGuid)",
    "rkeeper",
    (id) => {
      const body = fixtureJson<Json>("rkeeper", "rk-10-ws-orderstatuschanged-complited.json");
      body.response.orderGuid = id;
      return JSON.stringify(body);
    },
    { shouldSend: false, reason: "no_phone" },
  ],
  [
    "YCLIENTS record (data.id)",
    "yclients",
    (id) => {
      const body = fixtureJson<Json>("yclients", "record-update-attended.json");
      body.data.id = id;
      return JSON.stringify(body);
    },
    { shouldSend: true },
  ],
  [
    "amoCRM won lead, phone looked up (leads[status][0][id])",
    "amocrm",
    (id) =>
      fixture("amocrm", "lead-status-won-docs.txt").replace(
        "%5Bid%5D=25399013",
        `%5Bid%5D=${encodeURIComponent(id)}`,
      ),
    { shouldSend: true, phone: null },
  ],
  [
    "amoCRM won lead with main_contact.phone",
    "amocrm",
    (id) =>
      JSON.stringify({
        leads: { status: [{ id, status_id: 142, main_contact: { phone: "+79991234567" } }] },
      }),
    { shouldSend: true, phone: "+79991234567" },
  ],
  [
    "amoCRM contact update (contacts[update][0][id])",
    "amocrm",
    (id) => JSON.stringify({ contacts: { update: [{ id, phone: "89161234567" }] } }),
    { shouldSend: false, reason: "ignored_event", phone: "+79161234567" },
  ],
];

const FORGED = '1\n[INFO] review request sent {"orderId":"x"}\r\t\u001b[31m\u0085';
const FORGED_SAFE = '1[INFO] review request sent {"orderId":"x"}[31m';

describe("ids from bodies are bounded and stripped of control characters (issue 9 item 14)", () => {
  describe.each(bodies)("%s", (_, source, withId, normal) => {
    const parse = (id: string) => parsers[source](withId(id)).events[0] as ParsedEvent;

    it("an id of 200 characters is kept", () => {
      const id = `7${"0".repeat(199)}`;
      expect(parse(id)).toMatchObject({ ...normal, id });
    });

    it("an id of 201 characters makes the event invalid_payload, without quoting it", () => {
      const id = `7${"0".repeat(200)}`;
      const event = parse(id);
      expect(event).toMatchObject({
        source,
        id: null,
        phone: null,
        shouldSend: false,
        reason: "invalid_payload",
        detail: "the event id is longer than 200 characters",
        lookup: null,
      });
      expect(JSON.stringify({ ...event, raw: null })).not.toContain("0".repeat(50));
      expect(parsers[source](withId(id))).toMatchObject({ shouldSend: false });
    });

    it("newlines, ANSI escapes and C1 controls are removed from the id", () => {
      expect(parse(FORGED)).toMatchObject({ ...normal, id: FORGED_SAFE });
    });

    it("bidi controls and line separators are removed from the id", () => {
      expect(parse("12\u202e34\u2066\u2069\u2028\u2029\u200f5")).toMatchObject({
        ...normal,
        id: "12345",
      });
    });
  });

  it("an amoCRM lookup carries the reported id, never the raw one", () => {
    const result = parsers.amocrm(
      JSON.stringify({ leads: { status: [{ id: "25\u001b[2K399013\n", status_id: 142 }] } }),
    );
    expect(result.events[0]).toMatchObject({
      id: "25[2K399013",
      shouldSend: true,
      lookup: { kind: "amocrm_lead", leadId: "25[2K399013" },
    });
  });

  it("an id of control characters only is no id (an amoCRM won lead: missing_id)", () => {
    const result = parsers.amocrm(
      JSON.stringify({ leads: { status: [{ id: "\u001b\u0007\u202e", status_id: 142 }] } }),
    );
    expect(result.events[0]).toMatchObject({ id: null, shouldSend: false, reason: "missing_id" });
  });

  it("reportableId / reportableEvent (for events a custom source builds itself)", () => {
    const { reportableEvent, reportableId, ID_TOO_LONG, MAX_EVENT_ID_CHARS } = eventHelpers;
    expect(MAX_EVENT_ID_CHARS).toBe(200);
    expect(reportableId(null)).toBeNull();
    expect(reportableId("A-17")).toBe("A-17");
    expect(reportableId(" A-17\t")).toBe("A-17");
    expect(reportableId("\u0000\u001f\u007f\u009f")).toBeNull();
    expect(reportableId("x".repeat(201))).toBeUndefined();
    const iiko = parsers.iiko(fixture("iiko", "iiko-01-delivery-closed.json"))
      .events[0] as ParsedEvent;
    expect(reportableEvent(iiko)).toBe(iiko);
    expect(reportableEvent({ ...iiko, id: "A\n17" })).toEqual({ ...iiko, id: "A17" });
    expect(reportableEvent({ ...iiko, id: "x".repeat(201) })).toEqual({
      ...iiko,
      id: null,
      status: null,
      phone: null,
      shouldSend: false,
      reason: "invalid_payload",
      detail: ID_TOO_LONG,
      customerName: null,
      email: null,
      accountId: null,
    });
  });

  it("through the requester: the outcome, the answer and the log lines carry the stripped id", async () => {
    const { client, sent } = recordingSmsClient();
    const lines: string[] = [];
    const log = (message: string, meta?: Record<string, unknown>) => {
      lines.push(`${message} ${JSON.stringify(meta)}`);
    };
    const r = createReviewRequester({
      keys: "event-ids-key-0123456789",
      business: "B",
      reviewUrl: "https://r.example",
      quietHours: false,
      channels: [{ type: "sms", client }],
      logger: { debug: log, info: log, warn: log, error: log },
      hashSecret: "event-ids-hash-secret-0123456789",
    });
    const body = fixtureJson<Json[]>("iiko", "iiko-01-delivery-closed.json");
    (body[0] as Json).eventInfo.id = FORGED;
    const result = await r.handle("iiko", JSON.stringify(body), {
      key: "event-ids-key-0123456789",
    });
    expect(result.outcomes).toMatchObject([{ status: "sent", orderId: FORGED_SAFE }]);
    expect(sent).toEqual(["+79161234567"]);
    const long = fixtureJson<Json[]>("iiko", "iiko-01-delivery-closed.json");
    (long[0] as Json).eventInfo.id = "x".repeat(300_000);
    const skipped = await r.handle("iiko", JSON.stringify(long), {
      key: "event-ids-key-0123456789",
    });
    expect(skipped.outcomes).toMatchObject([
      { status: "skipped", reason: "invalid_payload", orderId: null },
    ]);
    await r.close();
    expect(lines.filter((line) => /\p{Cc}/u.test(line))).toEqual([]);
    expect(lines.join("").length).toBeLessThan(2_000);
  });
});
