import { describe, expect, it } from "vitest";
import { ConfigError, parseIiko } from "../../src/index.js";
import { fixture, fixtureJson } from "../helpers/fixtures.js";

const ORG = "7bc05553-4b68-44e8-b7bc-37be63c6d9e9";

function summary(body: unknown, options?: Parameters<typeof parseIiko>[1]) {
  const r = parseIiko(body, options);
  return {
    shouldSend: r.shouldSend,
    phone: r.phone,
    reason: r.reason,
    events: r.events.map(({ type, id, status, phone, shouldSend, reason }) => ({
      type,
      id,
      status,
      phone,
      shouldSend,
      reason,
    })),
  };
}

describe("parseIiko on the documented iiko Cloud API payloads", () => {
  it("a closed delivery sends to eventInfo.order.phone, never the courier's", () => {
    const r = parseIiko(fixture("iiko", "iiko-01-delivery-closed.json"));
    expect(r.shouldSend).toBe(true);
    expect(r.phone).toBe("+79161234567");
    expect(r.reason).toBeNull();
    expect(r.events).toHaveLength(1);
    const [e] = r.events;
    expect(e).toMatchObject({
      source: "iiko",
      type: "DeliveryOrderUpdate",
      id: "9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805",
      status: "Closed",
      phone: "+79161234567",
      shouldSend: true,
      reason: null,
      detail: null,
      customerName: "Иван Петров",
      accountId: ORG,
      lookup: null,
    });
    expect(e?.raw).toEqual(fixtureJson<unknown[]>("iiko", "iiko-01-delivery-closed.json")[0]);
  });

  it.each([
    [
      "iiko-03-delivery-onway.json",
      "1b5d9e3c-7f64-4a0b-98c2-4e93b1f60a27",
      "OnWay",
      "+79161112233",
      "status_not_final",
    ],
    [
      "iiko-05-delivery-cancelled.json",
      "3d7f1a5e-9186-4c2d-bae4-60b5d3182c49",
      "Cancelled",
      "+79161112255",
      "cancelled",
    ],
    [
      "iiko-06-delivery-creation-inprogress-order-null.json",
      "4e802b6f-a297-4d3e-8bf5-71c6e4293d5a",
      null,
      null,
      "not_created",
    ],
    [
      "iiko-07-delivery-order-error-event.json",
      "5f913c70-b3a8-4e4f-9c06-82d7f53a4e6b",
      null,
      null,
      "ignored_event",
    ],
    [
      "iiko-09-table-closed-no-phone.json",
      "7b135e92-d5ca-4061-be28-a4f9175c608d",
      "Closed",
      null,
      "no_phone",
    ],
    ["iiko-11-stoplist-update.json", null, null, null, "ignored_event"],
    [
      "iiko-12-reserve-update.json",
      "9d357ab4-f7ec-4283-9a4a-c61b3e8d82af",
      null,
      null,
      "ignored_event",
    ],
    [
      "iiko-15-table-deleted.json",
      "f63d0e17-5284-43a4-b1b2-c2d34e5f6071",
      "Deleted",
      "+79265550000",
      "deleted",
    ],
  ])("%s does not send", (name, id, status, phone, reason) => {
    const r = summary(fixture("iiko", name));
    expect(r.shouldSend).toBe(false);
    expect(r.phone).toBeNull();
    expect(r.reason).toBe(reason);
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ id, status, phone, shouldSend: false, reason });
  });

  it("never takes a reservation's phone", () => {
    const e = parseIiko(fixture("iiko", "iiko-12-reserve-update.json")).events[0];
    expect(e?.phone).toBeNull();
  });

  it("a closed table order with a guest phone sends", () => {
    expect(summary(fixture("iiko", "iiko-08-table-closed-with-phone.json"))).toEqual({
      shouldSend: true,
      phone: "+79265554433",
      reason: null,
      events: [
        {
          type: "TableOrderUpdate",
          id: "6a024d81-c4b9-4f50-ad17-93e8064b5f7c",
          status: "Closed",
          phone: "+79265554433",
          shouldSend: true,
          reason: null,
        },
      ],
    });
  });

  it("Delivered then Closed of one order: two sending events with the same id, for the requester to dedupe", () => {
    const r = summary(fixture("iiko", "iiko-14-same-order-delivered-then-closed.json"));
    expect(r.events.map((e) => [e.id, e.status, e.shouldSend])).toEqual([
      ["e52cfd06-4173-4293-a0a1-b1c23d4e5f60", "Delivered", true],
      ["e52cfd06-4173-4293-a0a1-b1c23d4e5f60", "Closed", true],
    ]);
    expect(r.phone).toBe("+79161239999");
  });

  it("reads one body mixing event types, in order", () => {
    const mixed = [
      ...fixtureJson<unknown[]>("iiko", "iiko-11-stoplist-update.json"),
      ...fixtureJson<unknown[]>("iiko", "iiko-03-delivery-onway.json"),
      ...fixtureJson<unknown[]>("iiko", "iiko-01-delivery-closed.json"),
    ];
    const r = summary(JSON.stringify(mixed));
    expect(r.events.map((e) => e.reason)).toEqual(["ignored_event", "status_not_final", null]);
    expect(r.shouldSend).toBe(true);
    expect(r.phone).toBe("+79161234567");
  });

  it("an isDeleted order never sends, even when Closed", () => {
    const [event] = fixtureJson<Record<string, any>[]>("iiko", "iiko-01-delivery-closed.json");
    event!.eventInfo.order.isDeleted = true;
    expect(summary([event]).events[0]?.reason).toBe("deleted");
  });

  it("takes an already-parsed array (express.json()) and bytes alike", () => {
    const text = fixture("iiko", "iiko-01-delivery-closed.json");
    expect(summary(JSON.parse(text))).toEqual(summary(text));
    expect(summary(new TextEncoder().encode(text))).toEqual(summary(text));
  });

  it("finalStatuses can be changed per order kind", () => {
    const onWay = fixture("iiko", "iiko-03-delivery-onway.json");
    expect(summary(onWay, { finalStatuses: { delivery: ["OnWay"] } }).shouldSend).toBe(true);
    const closed = fixture("iiko", "iiko-01-delivery-closed.json");
    expect(summary(closed, { finalStatuses: { delivery: ["Delivered"] } }).reason).toBe(
      "status_not_final",
    );
    const table = fixture("iiko", "iiko-08-table-closed-with-phone.json");
    expect(summary(table, { finalStatuses: { delivery: ["Delivered"] } }).shouldSend).toBe(true);
  });

  it("a body that is not an iiko event is invalid_payload with a description", () => {
    const r = parseIiko('{"hello":"world"}');
    expect(r).toMatchObject({ shouldSend: false, phone: null, reason: "invalid_payload" });
    expect(r.detail).toMatch(/not an iiko event/);
    expect(parseIiko("[]")).toMatchObject({ shouldSend: false, reason: "no_events", events: [] });
    expect(parseIiko('[{"eventType": 5}]').detail).toBe("iiko event `eventType`: expected string");
  });

  it("rejects invalid options with a ConfigError naming the option", () => {
    expect(() => parseIiko("[]", { finalStatuses: { delivery: "Closed" as never } })).toThrow(
      ConfigError,
    );
    expect(() => parseIiko("[]", { finalStatuses: { delivery: "Closed" as never } })).toThrow(
      "[otzovik] [iiko] Invalid parser option `finalStatuses.delivery`: expected array.",
    );
    expect(() => parseIiko("[]", { defaultCountry: "XX" as never })).toThrow(/`defaultCountry`/);
  });
});

describe("parseIiko on the legacy shapes (earlier otzovik docs)", () => {
  it("the notes' curl example (single object, order.customer.phone, no id) sends", () => {
    const body = `{
    "eventType": "DeliveryOrderUpdate",
    "eventInfo": {
      "order": {
        "status": "Delivered",
        "customer": {
          "phone": "+79991234567"
        }
      }
    }
  }`;
    expect(summary(body)).toEqual({
      shouldSend: true,
      phone: "+79991234567",
      reason: null,
      events: [
        {
          type: "DeliveryOrderUpdate",
          id: null,
          status: "Delivered",
          phone: "+79991234567",
          shouldSend: true,
          reason: null,
        },
      ],
    });
  });

  it("the notes' full payload example reads eventInfo.id and the customer name", () => {
    const r = parseIiko({
      eventType: "DeliveryOrderUpdate",
      eventTime: "2024-01-15T14:30:00.000",
      organizationId: "uuid",
      correlationId: "uuid",
      eventInfo: {
        id: "order-uuid",
        posId: "pos-uuid",
        creationStatus: "Success",
        order: {
          id: "...",
          status: "Delivered",
          customer: { phone: "+79991234567", name: "Иван" },
        },
      },
    });
    expect(r.events[0]).toMatchObject({
      id: "order-uuid",
      phone: "+79991234567",
      customerName: "Иван",
      accountId: "uuid",
      shouldSend: true,
    });
  });

  it.each([
    [
      {
        eventType: "DeliveryOrderUpdate",
        order: { status: "Delivered", customer: { phone: "89991234567" } },
      },
    ],
    [
      {
        eventType: "DeliveryOrderUpdate",
        deliveryOrder: { status: "Closed", customer: { phone: "8 (999) 123-45-67" } },
      },
    ],
    [
      {
        eventType: "DeliveryOrderUpdate",
        eventInfo: { order: { status: "Delivered" } },
        customer: { phone: "79991234567" },
      },
    ],
    [
      {
        eventType: "DeliveryOrderUpdate",
        eventInfo: { order: { status: "Delivered" } },
        phone: "+7 999 123 45 67",
      },
    ],
  ])("reads the notes' phone path %#", (body) => {
    expect(summary(body)).toMatchObject({ shouldSend: true, phone: "+79991234567" });
  });

  it("the notes' `Finished` status is not an iiko status and does not send by default", () => {
    const body = {
      eventType: "DeliveryOrderUpdate",
      eventInfo: { order: { status: "Finished", phone: "+79991234567" } },
    };
    expect(summary(body).reason).toBe("status_not_final");
  });
});
