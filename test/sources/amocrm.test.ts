import { describe, expect, it } from "vitest";
import { amocrmContactPhone, parseAmocrm } from "../../src/index.js";
import { fixture, fixtureJson } from "../helpers/fixtures.js";

function short(body: unknown, options?: Parameters<typeof parseAmocrm>[1]) {
  const r = parseAmocrm(body, options);
  return {
    shouldSend: r.shouldSend,
    phone: r.phone,
    reason: r.reason,
    events: r.events.map(({ type, id, status, phone, shouldSend, reason, lookup }) => ({
      type,
      id,
      status,
      phone,
      shouldSend,
      reason,
      lookup,
    })),
  };
}

const wonDocs = fixture("amocrm", "lead-status-won-docs.txt");

describe("parseAmocrm on documented form-encoded webhooks", () => {
  it("a won lead (leads[status], 142) sends, with the phone to be looked up", () => {
    const r = parseAmocrm(wonDocs);
    expect(r).toMatchObject({ shouldSend: true, phone: null, reason: null });
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({
      source: "amocrm",
      type: "leads.status",
      id: "25399013",
      status: "142",
      phone: null,
      shouldSend: true,
      reason: null,
      accountId: "test",
      lookup: {
        kind: "amocrm_lead",
        leadId: "25399013",
        subdomain: "test",
        baseUrl: "https://test.amocrm.ru",
      },
    });
  });

  it("the 2018 won-lead body (no account id, no _links) looks up on the subdomain", () => {
    expect(short(fixture("amocrm", "lead-status-won-2018.txt")).events).toEqual([
      {
        type: "leads.status",
        id: "10701093",
        status: "142",
        phone: null,
        shouldSend: true,
        reason: null,
        lookup: {
          kind: "amocrm_lead",
          leadId: "10701093",
          subdomain: "apfitness",
          baseUrl: "https://apfitness.amocrm.ru",
        },
      },
    ]);
  });

  it.each([
    ["lead-status-lost.txt", "leads.status", "31000003", "143", null, "status_not_final"],
    ["lead-add.txt", "leads.add", "1190401", "53861254", null, "ignored_event"],
    ["contact-add-docs.txt", "contacts.add", "10952709", null, null, "ignored_event"],
    [
      "contact-update-2018.txt",
      "contacts.update",
      "22309159",
      null,
      "+79000000003",
      "ignored_event",
    ],
    [
      "message-add.txt",
      "message.add",
      "d3bac6d3-1b5e-40c2-a054-4e0cfe283edb",
      null,
      null,
      "ignored_event",
    ],
  ])("%s does not send", (name, type, id, status, phone, reason) => {
    expect(short(fixture("amocrm", name))).toEqual({
      shouldSend: false,
      phone: null,
      reason,
      events: [{ type, id, status, phone, shouldSend: false, reason, lookup: null }],
    });
  });

  it("leads[update] never sends, even with status_id 142", () => {
    const body = wonDocs.replaceAll("leads%5Bstatus%5D", "leads%5Bupdate%5D");
    expect(short(body)).toMatchObject({ shouldSend: false, reason: "ignored_event" });
  });

  it("reads several leads in one body, in order", () => {
    const second = wonDocs
      .replaceAll("leads%5Bstatus%5D%5B0%5D", "leads%5Bstatus%5D%5B1%5D")
      .replace("%5Bid%5D=25399013", "%5Bid%5D=25399014")
      .replace("status_id%5D=142", "status_id%5D=143");
    const r = short(`${wonDocs}&${second}`);
    expect(r.events.map((e) => [e.id, e.status, e.shouldSend])).toEqual([
      ["25399013", "142", true],
      ["25399014", "143", false],
    ]);
  });

  it("uses the phone of a contact carried in the same body (legacy custom_fields)", () => {
    const body = `${wonDocs}&${fixture("amocrm", "contact-update-2018.txt").replace("account%5Bsubdomain%5D=apfitness", "")}`;
    const r = short(body);
    expect(r.shouldSend).toBe(true);
    expect(r.phone).toBe("+79000000003");
    expect(r.events.map((e) => [e.type, e.phone, e.shouldSend, e.lookup])).toEqual([
      ["leads.status", "+79000000003", true, null],
      ["contacts.update", "+79000000003", false, null],
    ]);
  });

  it("does not guess between several unlinked contacts: it looks the phone up", () => {
    const contact = (i: number, phone: string) =>
      `contacts[update][${i}][id]=${i + 1}&contacts[update][${i}][custom_fields][0][code]=PHONE&contacts[update][${i}][custom_fields][0][values][0][value]=${phone}`;
    const r = parseAmocrm(
      `leads[status][0][id]=7&leads[status][0][status_id]=142&${contact(0, "89161234567")}&${contact(1, "89031234567")}`,
    );
    expect(r.events[0]).toMatchObject({ shouldSend: true, phone: null, lookup: { leadId: "7" } });
    const linked = parseAmocrm(
      `leads[status][0][id]=7&leads[status][0][status_id]=142&${contact(0, "89161234567")}&${contact(1, "89031234567")}&contacts[update][1][linked_leads_id][7][ID]=7`,
    );
    expect(linked.phone).toBe("+79031234567");
  });

  it("a won lead without an id cannot be looked up and does not send", () => {
    expect(short("leads[status][0][status_id]=142&account[subdomain]=test")).toMatchObject({
      shouldSend: false,
      reason: "missing_id",
    });
  });

  it("accepts URLSearchParams and express.urlencoded() output (extended and flat)", () => {
    const expected = short(wonDocs);
    expect(short(new URLSearchParams(wonDocs))).toEqual(expected);
    expect(short(Object.fromEntries(new URLSearchParams(wonDocs)))).toEqual(expected);
    const extended = {
      leads: {
        status: [{ id: "25399013", status_id: "142", custom_fields: [{ id: "1", values: ["1"] }] }],
      },
      account: { subdomain: "test", id: "7039099", _links: { self: "https://test.amocrm.ru" } },
    };
    expect(short(extended)).toEqual(expected);
  });

  it("finalStatuses can be changed", () => {
    expect(
      short(fixture("amocrm", "lead-status-lost.txt"), { finalStatuses: [143] }).shouldSend,
    ).toBe(true);
    expect(short(wonDocs, { finalStatuses: [555] }).reason).toBe("status_not_final");
  });

  it("never reports a base URL off amoCRM's domains", () => {
    const forged = wonDocs
      .replace("https%3A%2F%2Ftest.amocrm.ru", "https%3A%2F%2Fevil.example%2F.amocrm.ru")
      .replace("subdomain%5D=test", "subdomain%5D=evil.example%2Fx");
    expect(parseAmocrm(forged).events[0]?.lookup).toEqual({
      kind: "amocrm_lead",
      leadId: "25399013",
      subdomain: null,
      baseUrl: null,
    });
    const kommo = wonDocs.replace("https%3A%2F%2Ftest.amocrm.ru", "https%3A%2F%2Ftest.kommo.com");
    expect(parseAmocrm(kommo).events[0]?.lookup?.baseUrl).toBe("https://test.kommo.com");
  });

  it("a body that is neither amoCRM form nor JSON is invalid_payload", () => {
    expect(parseAmocrm("hello")).toMatchObject({
      shouldSend: false,
      reason: "invalid_payload",
      detail: "the body is neither JSON nor form data",
    });
    expect(parseAmocrm("a=1&b=2")).toMatchObject({ reason: "invalid_payload" });
    expect(parseAmocrm('{"leads": ')).toMatchObject({
      reason: "invalid_payload",
      detail: "the body is not valid JSON",
    });
  });
});

describe("parseAmocrm on the legacy shapes (earlier otzovik docs)", () => {
  it("the notes' JSON curl example (main_contact.phone) sends", () => {
    const body = `{
    "leads": {
      "status": [{
        "id": 12345,
        "status_id": 142,
        "main_contact": {
          "phone": "+79991234567"
        }
      }]
    }
  }`;
    expect(short(body)).toEqual({
      shouldSend: true,
      phone: "+79991234567",
      reason: null,
      events: [
        {
          type: "leads.status",
          id: "12345",
          status: "142",
          phone: "+79991234567",
          shouldSend: true,
          reason: null,
          lookup: null,
        },
      ],
    });
  });

  it("the notes' JSON payload: the lead takes the phone of its main contact's custom_fields_values", () => {
    const body = {
      leads: {
        status: [{ id: 12345, status_id: 142, pipeline_id: 789, main_contact: { id: 111 } }],
      },
      contacts: {
        update: [
          {
            id: 111,
            custom_fields_values: [
              { field_name: "Телефон", field_code: "PHONE", values: [{ value: "79991234567" }] },
            ],
          },
        ],
      },
    };
    expect(short(body)).toMatchObject({ shouldSend: true, phone: "+79991234567" });
  });

  it("the notes' form example: lead status and a contact with a `Телефон` field", () => {
    const body = [
      "leads[status][0][id]=12345",
      "leads[status][0][status_id]=142",
      "leads[status][0][pipeline_id]=789",
      "leads[status][0][old_status_id]=456",
      "contacts[update][0][id]=111",
      "contacts[update][0][custom_fields][0][id]=66192",
      "contacts[update][0][custom_fields][0][name]=Телефон",
      "contacts[update][0][custom_fields][0][values][0][value]=79991234567",
    ].join("&");
    expect(short(body)).toMatchObject({ shouldSend: true, phone: "+79991234567" });
    expect(short(encodeURI(body))).toMatchObject({ shouldSend: true, phone: "+79991234567" });
  });

  it("the notes' contacts[update][0][phone] is read", () => {
    expect(
      short(
        "leads[status][0][id]=1&leads[status][0][status_id]=142&contacts[update][0][phone]=89991234567",
      ).phone,
    ).toBe("+79991234567");
  });
});

describe("amocrmContactPhone on API v4 contacts", () => {
  it("prefers the mobile number of the PHONE field", () => {
    const contact = fixtureJson("amocrm", "api-v4-contact-10971465.json");
    expect(amocrmContactPhone(contact)).toEqual({ phone: "+79000000004", problem: null });
  });

  it("reports no_phone and invalid_phone", () => {
    expect(amocrmContactPhone({ id: 1, custom_fields_values: null })).toEqual({
      phone: null,
      problem: "no_phone",
    });
    expect(
      amocrmContactPhone({
        custom_fields_values: [{ field_code: "PHONE", values: [{ value: "2001" }] }],
      }),
    ).toEqual({
      phone: null,
      problem: "invalid_phone",
    });
  });
});
