/**
 * Issue 9 item 1: amoCRM parsing is linear in the body. Every won lead used to re-scan the body's
 * contacts (`linkedTo`) and re-read every contact's phone ("the only contact with a phone"): 400
 * won leads + 400 contacts took 1.9 s. Counted, not timed: the phone normaliser's calls and the
 * reads of each contact, which must grow in proportion to the body (timings: test/soak/).
 */
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import * as phone from "../../src/core/phone.js";
import { amocrmContactPhone, parseAmocrm } from "../../src/index.js";
import { isObj, items, own, text } from "../../src/sources/read.js";
import { amocrmFormBody, amocrmJsonBody } from "./amocrm-bodies.js";

const calls = vi.hoisted(() => ({ normalizePhone: 0 }));
vi.mock("../../src/core/phone.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../src/core/phone.js")>();
  return {
    ...original,
    normalizePhone: (...args: Parameters<typeof original.normalizePhone>) => {
      calls.normalizePhone++;
      return original.normalizePhone(...args);
    },
  };
});

function normaliserCalls(body: unknown): number {
  calls.normalizePhone = 0;
  parseAmocrm(body);
  return calls.normalizePhone;
}

/** Wraps each contact of an (already decoded) body in a proxy that counts every read of it. */
function countingContacts(body: { contacts: { update: object[] } }) {
  const reads = { count: 0 };
  const handler: ProxyHandler<object> = {
    get: (target, key, receiver) => {
      reads.count++;
      return Reflect.get(target, key, receiver);
    },
    getOwnPropertyDescriptor: (target, key) => {
      reads.count++;
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
    has: (target, key) => {
      reads.count++;
      return Reflect.has(target, key);
    },
    ownKeys: (target) => {
      reads.count++;
      return Reflect.ownKeys(target);
    },
  };
  body.contacts.update = body.contacts.update.map((c) => new Proxy(c, handler));
  return { body, reads };
}

/** `n` won leads and `n` contacts, contact `i` linked to lead `i` in the way `link` says. */
function linkedBody(n: number, link: "main_contact" | "linked_leads_id" | "none") {
  const leads = [];
  const contacts = [];
  for (let i = 0; i < n; i++) {
    leads.push({
      id: 1000 + i,
      status_id: 142,
      ...(link === "main_contact" ? { main_contact: { id: 5000 + i } } : {}),
    });
    contacts.push({
      id: 5000 + i,
      phone: `8916${1_000_000 + i}`,
      ...(link === "linked_leads_id" ? { linked_leads_id: { [1000 + i]: { ID: 1000 + i } } } : {}),
    });
  }
  return { leads: { status: leads }, contacts: { update: contacts } };
}

describe("amoCRM parsing is linear in the body (issue 9 item 1)", () => {
  it.each([
    ["JSON", amocrmJsonBody],
    ["form", amocrmFormBody],
  ])("a %s body: each phone is normalised once, whatever the number of won leads", (_, make) => {
    // Old code: 100 + 100 → 10,300 calls, 200 + 200 → 40,600 (every lead re-read every contact).
    const small = normaliserCalls(make(100));
    const double = normaliserCalls(make(200));
    expect(small).toBeLessThanOrEqual(3 * 200);
    expect(double).toBe(2 * small);
  });

  it.each(["none", "main_contact", "linked_leads_id"] as const)(
    "each contact is read a bounded number of times (leads linked by %s)",
    (link) => {
      const read = (n: number) => {
        const { body, reads } = countingContacts(linkedBody(n, link));
        const result = parseAmocrm(body);
        expect(result.events).toHaveLength(2 * n);
        return reads.count;
      };
      const small = read(100);
      const double = read(200);
      // Old code: ~100× more reads per contact at 100 + 100, twice that at 200 + 200.
      expect(small).toBeLessThanOrEqual(20 * 100);
      expect(double).toBeLessThanOrEqual(2 * small + 20);
    },
  );

  it("linked contacts give each lead its own phone", () => {
    for (const link of ["main_contact", "linked_leads_id"] as const) {
      const result = parseAmocrm(linkedBody(3, link));
      expect(result.events.map((e) => [e.type, e.id, e.phone, e.shouldSend])).toEqual([
        ["leads.status", "1000", "+79161000000", true],
        ["leads.status", "1001", "+79161000001", true],
        ["leads.status", "1002", "+79161000002", true],
        ["contacts.update", "5000", "+79161000000", false],
        ["contacts.update", "5001", "+79161000001", false],
        ["contacts.update", "5002", "+79161000002", false],
      ]);
    }
  });

  it("the issue's bodies: unlinked contacts leave every lead to the phone lookup", () => {
    for (const body of [amocrmJsonBody(400), amocrmFormBody(400)]) {
      const result = parseAmocrm(body);
      expect(result.events).toHaveLength(800);
      expect(result.events[399]).toMatchObject({
        id: "1399",
        shouldSend: true,
        phone: null,
        lookup: { kind: "amocrm_lead", leadId: "1399" },
      });
      expect(result.events[799]).toMatchObject({
        type: "contacts.update",
        id: "5399",
        phone: "+74951000399",
        reason: "ignored_event",
      });
    }
  });

  it("a contact with 200,000 phone values does not throw (no spread into push)", () => {
    // Old code: RangeError (Maximum call stack size exceeded) from `values.push(...values)`.
    const body = JSON.stringify({
      leads: { status: [{ id: 1, status_id: 142 }] },
      contacts: {
        update: [{ id: 2, custom_fields: [{ code: "PHONE", values: Array(200_000).fill("") }] }],
      },
    });
    const result = parseAmocrm(body);
    expect(result.events.map((e) => [e.id, e.phone, e.reason, e.lookup?.kind])).toEqual([
      ["1", null, null, "amocrm_lead"],
      ["2", null, "ignored_event", undefined],
    ]);
  });
});

// ---- Equivalence with a straightforward reference (the code before the index) ----

/** The pre-index reading of a won lead's phone: scan every contact for every lead. */
function referenceLeadPhone(
  lead: unknown,
  contacts: unknown[],
): ReturnType<typeof phone.normalizePhone> | null {
  const leadId = text(own(lead, "id"));
  const main = own(lead, "main_contact");
  const direct = phone.normalizePhone(own(main, "phone"), "RU");
  if (direct.problem !== "no_phone") return direct;
  const mainId = text(own(main, "id"));
  const linkedTo = (contact: unknown) => {
    if (mainId !== null && text(own(contact, "id")) === mainId) return true;
    if (leadId === null) return false;
    const linked = own(contact, "linked_leads_id");
    return (
      items(linked).some((l) => text(isObj(l) ? (own(l, "ID") ?? own(l, "id")) : l) === leadId) ||
      (isObj(linked) && Object.hasOwn(linked, leadId))
    );
  };
  const linked = contacts.find(linkedTo);
  if (linked) return amocrmContactPhone(linked, "RU");
  const withPhone = contacts
    .map((c) => amocrmContactPhone(c, "RU"))
    .filter((p) => p.problem !== "no_phone");
  return withPhone.length === 1 ? (withPhone[0] ?? null) : null;
}

const ids = fc.constantFrom<unknown>(1, 2, 3, "1", " 2", "3 ", 7, "7", null, "", 0);
const phones = fc.constantFrom<unknown>(
  undefined,
  "",
  "89161234567",
  "+79031234567",
  "84951234567",
  "2001",
  79991234567,
  null,
);
const linkEntry = fc.oneof(
  ids,
  fc.record({ ID: ids }),
  fc.record({ id: ids }),
  fc.record({ ID: fc.constant(null), id: ids }),
);
const linkedLeads = fc.oneof(
  fc.constant(undefined),
  fc.array(linkEntry, { maxLength: 3 }),
  fc.dictionary(fc.constantFrom("1", "2", "3", "7", " 2"), linkEntry, { maxKeys: 3 }),
);
const contact = fc.record(
  {
    id: ids,
    phone: phones,
    custom_fields: fc.array(
      fc.record({
        code: fc.constantFrom("PHONE", "EMAIL"),
        values: fc.array(fc.record({ value: phones, enum_code: fc.constantFrom("MOB", "WORK") }), {
          maxLength: 2,
        }),
      }),
      { maxLength: 2 },
    ),
    linked_leads_id: linkedLeads,
  },
  { requiredKeys: [] },
);
const lead = fc.record(
  {
    id: ids,
    status_id: fc.constantFrom(142, "142", 143),
    main_contact: fc.record({ id: ids, phone: phones }, { requiredKeys: [] }),
  },
  { requiredKeys: ["status_id"] },
);
const body = fc.record({
  leads: fc.record({ status: fc.array(lead, { maxLength: 6 }) }),
  contacts: fc.dictionary(
    fc.constantFrom("update", "add"),
    fc.oneof(
      fc.array(contact, { maxLength: 6 }),
      fc.dictionary(fc.constantFrom("0", "1", "2"), contact),
    ),
    { maxKeys: 2 },
  ),
});

describe("the indexed contacts read each won lead's phone as the reference does", () => {
  it("on seeded random bodies", { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(body, (b) => {
        const decoded = JSON.parse(JSON.stringify(b)) as typeof b;
        const contacts = Object.values(decoded.contacts).flatMap(items);
        const result = parseAmocrm(JSON.stringify(b));
        const won = decoded.leads.status.filter((l) => Number(l.status_id) === 142);
        const leadEvents = result.events.filter(
          (e) => e.type === "leads.status" && e.status === "142",
        );
        expect(leadEvents).toHaveLength(won.length);
        won.forEach((l, i) => {
          const event = leadEvents[i];
          const expected = referenceLeadPhone(l, contacts);
          if (expected !== null) {
            expect([event?.phone, event?.reason]).toEqual([expected.phone, expected.problem]);
          } else {
            expect(event?.phone).toBeNull();
            expect(event?.reason ?? event?.lookup?.kind).toBe(
              text(own(l, "id")) === null ? "missing_id" : "amocrm_lead",
            );
          }
        });
        const contactEvents = result.events.filter((e) => e.type?.startsWith("contacts."));
        expect(contactEvents.map((e) => e.phone)).toEqual(
          contacts.map((c) => amocrmContactPhone(c, "RU").phone),
        );
      }),
      { seed: 20260914, numRuns: 300 },
    );
  });
});
