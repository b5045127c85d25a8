/**
 * otzovik/testing's webhook builders: each output read by the real parser (exact fields), and
 * webhookRequest's Request run through otzovik/fetch's handler to a fake SMS.ru.
 */
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createFetchHandler } from "../../src/adapters/fetch.js";
import { createSmsRuClient } from "../../src/providers/sms-ru.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type { RequesterOptions } from "../../src/requester/types.js";
import { createAmocrmClient } from "../../src/sources/amocrm/client.js";
import { parseAmocrm } from "../../src/sources/amocrm/parse.js";
import { parseIiko } from "../../src/sources/iiko.js";
import { parseRkeeper } from "../../src/sources/rkeeper.js";
import type { ParseResult } from "../../src/sources/types.js";
import { parseYclients } from "../../src/sources/yclients.js";
import {
  amocrmLeadStatus,
  createFakeAmocrm,
  createFakeSmsRu,
  fixtures,
  iikoDeliveryOrderUpdate,
  rkeeperOrder,
  webhookRequest,
  yclientsRecord,
} from "../../src/testing/index.js";

/** The fields of each event a test pins. */
function events(result: ParseResult) {
  return result.events.map((e) => ({
    type: e.type,
    id: e.id,
    status: e.status,
    phone: e.phone,
    accountId: e.accountId,
    customerName: e.customerName,
    shouldSend: e.shouldSend,
    reason: e.reason,
  }));
}

describe("iikoDeliveryOrderUpdate", () => {
  it("defaults to a closed delivery with the guest's phone: sends", () => {
    const body = iikoDeliveryOrderUpdate();
    const parsed = JSON.parse(body);
    expect(parsed).toHaveLength(1);
    expect(parsed[0]).toMatchObject({
      eventType: "DeliveryOrderUpdate",
      eventTime: "2026-03-14 18:40:02.517",
      organizationId: "7bc05553-4b68-44e8-b7bc-37be63c6d9e9",
      eventInfo: {
        id: "9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805",
        creationStatus: "Success",
        order: { phone: "+79161234567", status: "Closed", isDeleted: false },
      },
    });
    expect(parsed[0].eventInfo.order).not.toHaveProperty("id");
    const result = parseIiko(body);
    expect(result.shouldSend).toBe(true);
    expect(result.phone).toBe("+79161234567");
    expect(events(result)).toEqual([
      {
        type: "DeliveryOrderUpdate",
        id: "9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805",
        status: "Closed",
        phone: "+79161234567",
        accountId: "7bc05553-4b68-44e8-b7bc-37be63c6d9e9",
        customerName: "Анна",
        shouldSend: true,
        reason: null,
      },
    ]);
  });

  it("takes the order id, phone, status, organization and time", () => {
    const result = parseIiko(
      iikoDeliveryOrderUpdate({
        orderId: "order-1",
        phone: "8 (903) 765-43-21",
        status: "Delivered",
        organizationId: "branch-2",
        customerName: "Иван",
        at: new Date("2026-05-01T09:00:00Z"),
      }),
    );
    expect(events(result)).toEqual([
      {
        type: "DeliveryOrderUpdate",
        id: "order-1",
        status: "Delivered",
        phone: "+79037654321",
        accountId: "branch-2",
        customerName: "Иван",
        shouldSend: true,
        reason: null,
      },
    ]);
    expect(
      JSON.parse(iikoDeliveryOrderUpdate({ at: new Date("2026-05-01T09:00:00Z") }))[0].eventTime,
    ).toBe("2026-05-01 09:00:00.000");
  });

  it("skips what iiko says is not a finished order with a phone", () => {
    const decide = (options: Parameters<typeof iikoDeliveryOrderUpdate>[0]) => {
      const r = parseIiko(iikoDeliveryOrderUpdate(options));
      return [r.shouldSend, r.reason];
    };
    expect(decide({ status: "OnWay" })).toEqual([false, "status_not_final"]);
    expect(decide({ status: "Cancelled" })).toEqual([false, "cancelled"]);
    expect(decide({ phone: null })).toEqual([false, "no_phone"]);
    expect(decide({ isDeleted: true })).toEqual([false, "deleted"]);
    expect(decide({ creationStatus: "InProgress" })).toEqual([false, "not_created"]);
    expect(
      JSON.parse(iikoDeliveryOrderUpdate({ creationStatus: "Error" }))[0].eventInfo.order,
    ).toBe(null);
  });
});

describe("yclientsRecord", () => {
  it("defaults to an updated record the client came to, with a phone: sends", () => {
    const body = yclientsRecord();
    expect(JSON.parse(body)).toMatchObject({
      company_id: 307626,
      resource: "record",
      resource_id: 596792980,
      status: "update",
      data: {
        id: 596792980,
        attendance: 1,
        visit_attendance: 1,
        client: { phone: "+79161234567" },
      },
    });
    expect(events(parseYclients(body))).toEqual([
      {
        type: "record.update",
        id: "596792980",
        status: "1",
        phone: "+79161234567",
        accountId: "307626",
        customerName: "Анна",
        shouldSend: true,
        reason: null,
      },
    ]);
  });

  it("takes ids, attendance, status and phone", () => {
    expect(
      events(
        parseYclients(
          yclientsRecord({ recordId: 7, companyId: 9, phone: "79037654321", clientName: "Олег" }),
        ),
      ),
    ).toEqual([
      {
        type: "record.update",
        id: "7",
        status: "1",
        phone: "+79037654321",
        accountId: "9",
        customerName: "Олег",
        shouldSend: true,
        reason: null,
      },
    ]);
    const decide = (options: Parameters<typeof yclientsRecord>[0]) => {
      const r = parseYclients(yclientsRecord(options));
      return [r.shouldSend, r.reason];
    };
    expect(decide({ attendance: 0 })).toEqual([false, "status_not_final"]);
    expect(decide({ attendance: -1 })).toEqual([false, "status_not_final"]);
    expect(decide({ attendance: 2 })).toEqual([false, "status_not_final"]);
    expect(decide({ status: "delete" })).toEqual([false, "deleted"]);
    expect(decide({ deleted: true })).toEqual([false, "deleted"]);
    expect(decide({ phone: null })).toEqual([false, "no_phone"]);
    expect(decide({ status: "create" })).toEqual([true, null]);
  });
});

describe("rkeeperOrder", () => {
  it("defaults to an order done (11 Выполнен) with the guest's phone: sends", () => {
    const body = rkeeperOrder();
    expect(JSON.parse(body)).toMatchObject({
      result: {
        orderId: "59707",
        orderStatusId: 11,
        orderStatusName: "Выполнен",
        guest: { phone: "79161234567" },
      },
    });
    expect(events(parseRkeeper(body))).toEqual([
      {
        type: "order",
        id: "59707",
        status: "Выполнен",
        phone: "+79161234567",
        accountId: "36277f09-1d62-420f-ae22-af8ce0994d6a",
        customerName: "Анна",
        shouldSend: true,
        reason: null,
      },
    ]);
  });

  it("takes ids, the status (named by its standard name) and the phone", () => {
    expect(
      events(
        parseRkeeper(
          rkeeperOrder({ orderId: "1", statusId: 13, restaurantId: "r-2", phone: null }),
        ),
      ),
    ).toEqual([
      {
        type: "order",
        id: "1",
        status: "Доставлен",
        phone: null,
        accountId: "r-2",
        customerName: "Анна",
        shouldSend: false,
        reason: "no_phone",
      },
    ]);
    const decide = (options: Parameters<typeof rkeeperOrder>[0]) => {
      const r = parseRkeeper(rkeeperOrder(options));
      return [r.shouldSend, r.reason, r.events[0]?.status];
    };
    expect(decide({ statusId: 13 })).toEqual([true, null, "Доставлен"]);
    expect(decide({ statusId: 4 })).toEqual([false, "status_not_final", "Передан на кухню"]);
    expect(decide({ statusId: 12 })).toEqual([false, "cancelled", "Отменен"]);
    // The id decides, whatever the restaurant renamed the status to.
    expect(decide({ statusId: 11, statusName: "Закрыт" })).toEqual([true, null, "Закрыт"]);
  });
});

describe("amocrmLeadStatus", () => {
  it("defaults to a won deal (142), form-encoded as amoCRM posts it: sends after a phone lookup", () => {
    const body = amocrmLeadStatus();
    const form = new URLSearchParams(body);
    expect(body).toMatch(/^leads%5Bstatus%5D%5B0%5D%5Bid%5D=25399013&/);
    expect(form.get("leads[status][0][status_id]")).toBe("142");
    expect(form.get("account[subdomain]")).toBe("example");
    expect(form.get("account[_links][self]")).toBe("https://example.amocrm.ru");
    const result = parseAmocrm(body);
    expect(events(result)).toEqual([
      {
        type: "leads.status",
        id: "25399013",
        status: "142",
        phone: null,
        accountId: "example",
        customerName: null,
        shouldSend: true,
        reason: null,
      },
    ]);
    expect(result.events[0]?.lookup).toEqual({
      kind: "amocrm_lead",
      leadId: "25399013",
      subdomain: "example",
      baseUrl: "https://example.amocrm.ru",
    });
  });

  it("takes the lead, status and account", () => {
    const result = parseAmocrm(
      amocrmLeadStatus({ leadId: 5, statusId: 143, subdomain: "salon", accountId: 42 }),
    );
    expect(events(result)).toEqual([
      {
        type: "leads.status",
        id: "5",
        status: "143",
        phone: null,
        accountId: "salon",
        customerName: null,
        shouldSend: false,
        reason: "status_not_final",
      },
    ]);
    expect(parseAmocrm(amocrmLeadStatus({ statusId: 55000002 })).reason).toBe("status_not_final");
  });
});

describe("webhookRequest", () => {
  it("builds POST <base><path>?key=… with the source's content type", async () => {
    const iiko = webhookRequest("iiko", iikoDeliveryOrderUpdate(), { key: "k 1" });
    expect(iiko.method).toBe("POST");
    expect(iiko.url).toBe("http://localhost/api/webhook/iiko?key=k+1");
    expect(iiko.headers.get("content-type")).toBe("application/json");
    expect(await iiko.text()).toBe(iikoDeliveryOrderUpdate());

    const amo = webhookRequest("amocrm", amocrmLeadStatus(), {
      key: "k",
      baseUrl: "https://crm.example.ru/",
      path: "/hooks/amo",
    });
    expect(amo.url).toBe("https://crm.example.ru/hooks/amo?key=k");
    expect(amo.headers.get("content-type")).toBe("application/x-www-form-urlencoded");

    const object = webhookRequest(
      "rkeeper",
      { order: { id: "1" } },
      { key: "k", headers: { "x-trace": "1" } },
    );
    expect(object.headers.get("content-type")).toBe("application/json");
    expect(object.headers.get("x-trace")).toBe("1");
    expect(await object.text()).toBe('{"order":{"id":"1"}}');
    // amoCRM in the old notes' JSON shape stays JSON.
    expect(webhookRequest("amocrm", '{"leads":{}}', { key: "k" }).headers.get("content-type")).toBe(
      "application/json",
    );
    expect(() => webhookRequest("iiko", "[]", { key: "" })).toThrow(TypeError);
  });
});

describe("builders and fixtures through otzovik/fetch's handler", () => {
  const KEY = "builders-test-key-0123";
  const smsRu = createFakeSmsRu({ apiKey: "sms-key" });
  const lead = { ...JSON.parse(fixtures.amocrmApi.leadWithContacts.body), id: 25399013 };
  const amo = createFakeAmocrm({
    subdomain: "example",
    accessToken: "amo-token",
    leads: { "25399013": lead },
    contacts: { "10971465": JSON.parse(fixtures.amocrmApi.contact.body) },
  });
  const server = setupServer(...smsRu.handlers, ...amo.handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => {
    smsRu.reset();
    amo.reset();
  });
  afterAll(() => server.close());

  function handler(overrides: Partial<RequesterOptions> = {}) {
    const requester = createReviewRequester({
      keys: KEY,
      business: "Зерно",
      reviewUrl: "https://ya.cc/t/zerno",
      message: "{business}: оцените заказ {orderId} {reviewUrl}",
      channels: [{ type: "sms", client: createSmsRuClient({ apiKey: "sms-key", retry: false }) }],
      amocrm: createAmocrmClient({ subdomain: "example", accessToken: "amo-token", retry: false }),
      now: () => Date.parse("2026-03-14T12:00:00+03:00"),
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      ...overrides,
    });
    return createFetchHandler(requester, { respond: "sent" });
  }

  it("each builder's default webhook sends one SMS to its guest", async () => {
    const post = handler();
    const bodies = [
      ["iiko", iikoDeliveryOrderUpdate({ orderId: "iiko-1" })],
      ["yclients", yclientsRecord({ recordId: 2, phone: "+79030000002" })],
      ["rkeeper", rkeeperOrder({ orderId: "3", phone: "79030000003" })],
      ["amocrm", amocrmLeadStatus()],
    ] as const;
    for (const [source, body] of bodies) {
      const response = await post(webhookRequest(source, body, { key: KEY }));
      expect(response.status).toBe(200);
    }
    expect(smsRu.sent()).toEqual([
      {
        channel: "sms",
        to: "+79161234567",
        text: "Зерно: оцените заказ iiko-1 https://ya.cc/t/zerno",
      },
      { channel: "sms", to: "+79030000002", text: "Зерно: оцените заказ 2 https://ya.cc/t/zerno" },
      { channel: "sms", to: "+79030000003", text: "Зерно: оцените заказ 3 https://ya.cc/t/zerno" },
      // The lead's main contact, looked up in the (fake) amoCRM API.
      {
        channel: "sms",
        to: "+79000000004",
        text: "Зерно: оцените заказ 25399013 https://ya.cc/t/zerno",
      },
    ]);
  });

  it("a skipped webhook and a wrong key send nothing", async () => {
    const post = handler();
    expect(
      (
        await post(
          webhookRequest("iiko", iikoDeliveryOrderUpdate({ status: "OnWay" }), { key: KEY }),
        )
      ).status,
    ).toBe(200);
    expect(
      (await post(webhookRequest("iiko", iikoDeliveryOrderUpdate(), { key: "wrong" }))).status,
    ).toBe(401);
    expect(smsRu.sent()).toEqual([]);
  });

  it("every webhook fixture goes through the handler, and only those expected to send do", async () => {
    for (const group of ["iiko", "rkeeper", "yclients", "amocrm"] as const) {
      for (const [name, fixture] of Object.entries(fixtures[group])) {
        smsRu.reset();
        // A fresh requester each time: some fixtures share an order id or a phone.
        const post = handler({ frequencyCapMs: false });
        const response = await post(
          webhookRequest(group, fixture.body, { key: KEY, contentType: fixture.contentType }),
        );
        expect(response.status, `${group}.${name}`).toBe(200);
        const sent = smsRu.sent().length;
        if (group === "amocrm" && fixture.expected.shouldSend) {
          // Its lead is in another account than the fake amoCRM's: no phone to send to.
          expect(sent, `${group}.${name}`).toBe(0);
        } else {
          expect(sent, `${group}.${name}`).toBe(fixture.expected.shouldSend ? 1 : 0);
        }
      }
    }
  });
});
