import { describe, expect, it } from "vitest";
import { parseYclients } from "../../src/index.js";
import { fixture, fixtureJson } from "../helpers/fixtures.js";

type Body = { status: string; data: Record<string, unknown> };

function event(body: unknown, options?: Parameters<typeof parseYclients>[1]) {
  const r = parseYclients(body, options);
  expect(r.events).toHaveLength(1);
  const { type, id, status, phone, shouldSend, reason, accountId } = r.events[0]!;
  expect(r.shouldSend).toBe(shouldSend);
  expect(r.phone).toBe(shouldSend ? phone : null);
  return { type, id, status, phone, shouldSend, reason, accountId };
}

describe("parseYclients on documented webhooks", () => {
  it("an attended record (attendance 1) sends to data.client.phone", () => {
    const r = parseYclients(fixture("yclients", "record-update-attended.json"));
    expect(r).toMatchObject({ shouldSend: true, phone: "+77010000001", reason: null });
    expect(r.events[0]).toMatchObject({
      source: "yclients",
      type: "record.update",
      id: "596792980",
      status: "1",
      phone: "+77010000001",
      customerName: "Клиент",
      accountId: "307626",
      shouldSend: true,
      reason: null,
    });
  });

  it.each([
    [
      "record-update-not-came.json",
      "record.update",
      "596792981",
      "-1",
      "+77010000005",
      "status_not_final",
    ],
    [
      "record-update-waiting-2020.json",
      "record.update",
      "234961815",
      "0",
      "+79990000002",
      "status_not_final",
    ],
    ["record-delete.json", "record.delete", "596792982", "0", "+77010000007", "deleted"],
    ["client-update.json", "client.update", "86694283", "update", "+79990000009", "ignored_event"],
    [
      "finances-operation-create.json",
      "finances_operation.create",
      "900000001",
      "create",
      null,
      "ignored_event",
    ],
  ])("%s does not send", (name, type, id, status, phone, reason) => {
    expect(event(fixture("yclients", name))).toMatchObject({
      type,
      id,
      status,
      phone,
      shouldSend: false,
      reason,
    });
  });

  it("attendance 2 (confirmed) does not send: the legacy docs had 2 and −1 swapped", () => {
    const body = fixtureJson<Body>("yclients", "record-update-attended.json");
    body.data.attendance = 2;
    expect(event(body)).toMatchObject({
      shouldSend: false,
      reason: "status_not_final",
      status: "2",
    });
  });

  it("falls back to visit_attendance when attendance is absent", () => {
    const body = fixtureJson<Body>("yclients", "record-update-attended.json");
    delete body.data.attendance;
    expect(event(body).shouldSend).toBe(true);
    body.data.visit_attendance = 0;
    expect(event(body).shouldSend).toBe(false);
  });

  it("a deleted record with attendance 1 does not send", () => {
    const body = fixtureJson<Body>("yclients", "record-update-attended.json");
    body.data.deleted = true;
    expect(event(body).reason).toBe("deleted");
    body.data.deleted = false;
    body.status = "delete";
    expect(event(body).reason).toBe("deleted");
  });

  it("a record whose client is null or [] has no phone", () => {
    const body = fixtureJson<Body>("yclients", "record-update-attended.json");
    body.data.client = null;
    expect(event(body).reason).toBe("no_phone");
    body.data.client = [];
    expect(event(body).reason).toBe("no_phone");
  });

  it("attendance given as a string counts", () => {
    const body = fixtureJson<Body>("yclients", "record-update-attended.json");
    body.data.attendance = "1";
    expect(event(body).shouldSend).toBe(true);
  });

  it("finalStatuses can be changed", () => {
    const confirmed = fixtureJson<Body>("yclients", "record-update-attended.json");
    confirmed.data.attendance = 2;
    expect(event(confirmed, { finalStatuses: [1, 2] }).shouldSend).toBe(true);
  });

  it("a JSON value that is no YCLIENTS webhook is invalid_payload", () => {
    expect(parseYclients({ hello: "world" })).toMatchObject({
      shouldSend: false,
      reason: "invalid_payload",
    });
    expect(
      parseYclients('{"resource":"record","status":"update","data":{"attendance":{}}}').detail,
    ).toBe("YCLIENTS record `attendance`: expected number or string");
  });
});

describe("parseYclients on the legacy shape (earlier otzovik docs)", () => {
  it("the notes' curl example sends", () => {
    const body = `{
    "resource": {
      "visit_attendance": 1,
      "deleted": false,
      "client": {
        "phone": "+79991234567"
      }
    }
  }`;
    expect(event(body)).toEqual({
      type: "record",
      id: null,
      status: "1",
      phone: "+79991234567",
      shouldSend: true,
      reason: null,
      accountId: null,
    });
  });

  it("the notes' full payload example sends with id, company and webhook_type", () => {
    const body = {
      resource: {
        id: 12345,
        company_id: 4564,
        visit_attendance: 1,
        deleted: false,
        client: { id: 789, name: "Иван Петров", phone: "+79991234567" },
        services: [{ id: 1, title: "Стрижка", cost: 1500 }],
        staff: { id: 9, name: "Мастер Анна" },
        datetime: 1547622000,
      },
      webhook_type: "record_changed",
    };
    expect(event(body)).toEqual({
      type: "record_changed",
      id: "12345",
      status: "1",
      phone: "+79991234567",
      shouldSend: true,
      reason: null,
      accountId: "4564",
    });
    expect(parseYclients(body).events[0]?.customerName).toBe("Иван Петров");
  });

  it.each([
    [{ record: { visit_attendance: 1, client: { phone: "89991234567" } } }],
    [{ data: { attendance: 1, client: { phone: "8 (999) 123-45-67" } } }],
    [{ visit_attendance: 1, client: { phone: "79991234567" } }],
    [{ visit_attendance: 1, phone: "+79991234567" }],
  ])("reads the notes' phone path %#", (body) => {
    expect(event(body)).toMatchObject({ shouldSend: true, phone: "+79991234567" });
  });

  it("the notes' deleted record does not send", () => {
    expect(
      event({ resource: { visit_attendance: 1, deleted: true, client: { phone: "+79991234567" } } })
        .reason,
    ).toBe("deleted");
  });
});
