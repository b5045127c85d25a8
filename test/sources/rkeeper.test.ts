import { describe, expect, it } from "vitest";
import { parseRkeeper } from "../../src/index.js";
import { fixture, fixtureJson } from "../helpers/fixtures.js";

const RESTAURANT = "36277f09-1d62-420f-ae22-af8ce0994d6a";

function first(body: unknown, options?: Parameters<typeof parseRkeeper>[1]) {
  const r = parseRkeeper(body, options);
  expect(r.events).toHaveLength(1);
  const { type, id, status, phone, shouldSend, reason } = r.events[0]!;
  return {
    top: { shouldSend: r.shouldSend, phone: r.phone, reason: r.reason },
    event: { type, id, status, phone, shouldSend, reason },
  };
}

describe("parseRkeeper on the r_k Delivery order model", () => {
  it("Выполнен (id 11) sends to guest.phone, normalised to E.164", () => {
    const r = parseRkeeper(fixture("rkeeper", "rk-01-order-completed.json"));
    expect(r).toMatchObject({ shouldSend: true, phone: "+79161234567", reason: null });
    expect(r.events[0]).toMatchObject({
      source: "rkeeper",
      type: "order",
      id: "59707",
      status: "Выполнен",
      phone: "+79161234567",
      customerName: "Анна",
      accountId: RESTAURANT,
      shouldSend: true,
    });
  });

  it("Доставлен (id 13) sends", () => {
    expect(first(fixture("rkeeper", "rk-02-order-delivered.json")).event).toEqual({
      type: "order",
      id: "59708",
      status: "Доставлен",
      phone: "+79037654321",
      shouldSend: true,
      reason: null,
    });
  });

  it.each([
    [
      "rk-04-order-sent-to-kitchen.json",
      "59710",
      "Передан на кухню",
      "+79161112233",
      "status_not_final",
    ],
    ["rk-06-order-cancelled.json", "59712", "Отменен", "+79161112255", "cancelled"],
    ["rk-07-order-completed-no-phone.json", "59713", "Выполнен", null, "no_phone"],
  ])("%s does not send", (name, id, status, phone, reason) => {
    const { top, event } = first(fixture("rkeeper", name));
    expect(top).toEqual({ shouldSend: false, phone: null, reason });
    expect(event).toEqual({ type: "order", id, status, phone, shouldSend: false, reason });
  });

  it("decides by status id, not by a renamed status name", () => {
    const body = fixtureJson<{ result: Record<string, unknown> }>(
      "rkeeper",
      "rk-01-order-completed.json",
    );
    body.result.orderStatusName = "Готово, спасибо!";
    expect(first(body).event).toMatchObject({ shouldSend: true, status: "Готово, спасибо!" });
    body.result.orderStatusId = 10;
    body.result.orderStatusName = "Выполнен";
    expect(first(body).event).toMatchObject({ shouldSend: false, reason: "status_not_final" });
  });

  it("accepts the unwrapped model and the English docs' `ID` casing", () => {
    const { result } = fixtureJson<{ result: Record<string, unknown> }>(
      "rkeeper",
      "rk-02-order-delivered.json",
    );
    const { orderId, orderStatusId, ...rest } = result;
    expect(first({ ...rest, orderID: orderId, orderStatusID: orderStatusId }).event).toMatchObject({
      id: "59708",
      shouldSend: true,
      phone: "+79037654321",
    });
  });

  it("falls back to names when there is no id: case-insensitive, ё = е", () => {
    const guest = { phone: "79161234567" };
    expect(first({ orderId: "1", orderStatusName: "ВЫПОЛНЕН", guest }).event.shouldSend).toBe(true);
    expect(first({ orderId: "1", orderStatusName: " доставлен ", guest }).event.shouldSend).toBe(
      true,
    );
    expect(first({ orderId: "1", orderStatusName: "Отменён", guest }).event.reason).toBe(
      "cancelled",
    );
    expect(first({ orderId: "1", orderStatusName: "В пути", guest }).event.reason).toBe(
      "status_not_final",
    );
  });

  it("finalStatuses can be changed", () => {
    const kitchen = fixture("rkeeper", "rk-04-order-sent-to-kitchen.json");
    expect(first(kitchen, { finalStatuses: { ids: [4] } }).event.shouldSend).toBe(true);
    const done = fixture("rkeeper", "rk-01-order-completed.json");
    expect(first(done, { finalStatuses: { ids: [13] } }).event.reason).toBe("status_not_final");
    expect(
      first(
        { order: { status: "Закрыт", customer: { phone: "+79991234567" } } },
        { finalStatuses: { names: ["закрыт"] } },
      ).event.shouldSend,
    ).toBe(true);
  });
});

describe("parseRkeeper on White Server events", () => {
  it("OrderStatusChanged Complited never sends: it has no phone", () => {
    const { top, event } = first(fixture("rkeeper", "rk-10-ws-orderstatuschanged-complited.json"));
    expect(top).toEqual({ shouldSend: false, phone: null, reason: "no_phone" });
    expect(event).toEqual({
      type: "OrderStatusChanged",
      id: "5e964af3-6e1d-4661-4db1-08d897c7079a",
      status: "Complited",
      phone: null,
      shouldSend: false,
      reason: "no_phone",
    });
  });

  it("a White Server Canceled is cancelled, Created is not final", () => {
    const body = fixtureJson<{ response: { status: { value: string } } }>(
      "rkeeper",
      "rk-10-ws-orderstatuschanged-complited.json",
    );
    body.response.status.value = "Canceled";
    expect(first(body).event.reason).toBe("cancelled");
    body.response.status.value = "Created";
    expect(first(body).event.reason).toBe("status_not_final");
  });
});

describe("parseRkeeper on the legacy shapes (earlier otzovik docs)", () => {
  it("the notes' curl example sends", () => {
    const body = `{
    "order": {
      "status": "Выполнен",
      "customer": {
        "phone": "+79991234567"
      }
    }
  }`;
    expect(first(body)).toEqual({
      top: { shouldSend: true, phone: "+79991234567", reason: null },
      event: {
        type: "order",
        id: null,
        status: "Выполнен",
        phone: "+79991234567",
        shouldSend: true,
        reason: null,
      },
    });
  });

  it.each([
    [{ order: { status: "Доставлен", client: { phone: "89991234567" } } }],
    [{ order: { status: "Выполнен" }, customer: { phone: "8 999 123-45-67" } }],
    [{ order: { status: "Выполнен" }, client: { phone: "79991234567" } }],
    [{ order: { status: "Выполнен" }, phone: "+79991234567" }],
  ])("reads the notes' phone path %#", (body) => {
    expect(first(body).top).toEqual({ shouldSend: true, phone: "+79991234567", reason: null });
  });

  it("the notes' shape with a numeric status is decided by id", () => {
    expect(
      first({ order: { id: 5, status: 11, customer: { phone: "+79991234567" } } }).event,
    ).toMatchObject({ id: "5", status: "11", shouldSend: true });
  });

  it("a JSON object that is no R-Keeper order is invalid_payload", () => {
    expect(parseRkeeper({ foo: 1 })).toMatchObject({
      shouldSend: false,
      reason: "invalid_payload",
    });
    expect(parseRkeeper("[1]").events[0]?.reason).toBe("invalid_payload");
  });
});
