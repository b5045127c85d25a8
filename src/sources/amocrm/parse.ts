import * as z from "zod/mini";
import { decodeJsonOrFormBody } from "../../core/body.js";
import { type CountryCode, type NormalizedPhone, normalizePhone } from "../../core/phone.js";
import {
  decide,
  decideWith,
  type EventFields,
  invalidBody,
  label,
  reportableId,
  type Skip,
  skip,
  toResult,
} from "../event.js";
import { countrySchema, optionsResolver } from "../options.js";
import { int, isObj, items, own, text } from "../read.js";
import type { BaseParseOptions, ParsedEvent, ParseResult, PhoneLookup } from "../types.js";

/** Options for {@link parseAmocrm}. */
export interface AmocrmParseOptions extends BaseParseOptions {
  /**
   * Lead `status_id`s that count as a won deal. Default `[142]` ("Успешно реализовано", the same
   * id in every pipeline). Only `leads[status]` events are considered: `leads[update]` of an
   * already-won lead also carries 142 and would message the customer again.
   */
  readonly finalStatuses?: readonly number[];
}

/** Default {@link AmocrmParseOptions.finalStatuses}: `142`, a won deal. */
export const AMOCRM_FINAL_STATUSES = [142] as const;
/** A lead whose phone is not in the body. */
const NO_PHONE: NormalizedPhone = { phone: null, problem: "no_phone" };
/** amoCRM's system status of a lost deal. */
const LOST_STATUS = 143;

/** Entities amoCRM sends webhooks about (`leads[status]`, `contacts[update]`, `message[add]`…). */
const ENTITIES = new Set([
  "leads",
  "contacts",
  "companies",
  "customers",
  "tasks",
  "message",
  "talk",
  "unsorted",
  "catalogs",
  "notes",
]);
/** Names of the phone field in the account's languages, for bodies without `code=PHONE`. */
const PHONE_FIELD_NAMES = new Set(["телефон", "phone", "teléfono", "telefone", "telefon"]);
/** Account subdomains: DNS labels only, so a body cannot smuggle a host into a URL. */
const SUBDOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
/** amoCRM / Kommo account origins. */
const ACCOUNT_ORIGIN =
  /^https:\/\/[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.(?:amocrm\.ru|amocrm\.com|kommo\.com)$/i;

/** amoCRM parser options: resolved per call, checked once by the source. */
export const amocrmOptions = optionsResolver(
  "amocrm",
  z.object({ defaultCountry: countrySchema, finalStatuses: z.optional(z.array(z.int())) }),
  (o) => ({
    country: (o.defaultCountry ?? "RU") as CountryCode,
    won: new Set<number>(o.finalStatuses ?? AMOCRM_FINAL_STATUSES),
  }),
);
type Resolved = ReturnType<typeof amocrmOptions.resolve>;

function isPhoneField(field: unknown): boolean {
  const code = text(own(field, "code") ?? own(field, "field_code"));
  if (code !== null) return code.toUpperCase() === "PHONE";
  const name = text(own(field, "name") ?? own(field, "field_name"));
  return name !== null && PHONE_FIELD_NAMES.has(name.toLowerCase());
}

/**
 * The phone of an amoCRM contact, in any form amoCRM uses: webhook (legacy) `custom_fields` with
 * `code=PHONE` or a localised `Телефон` name, API v4 `custom_fields_values` with
 * `field_code: "PHONE"`, or a plain `phone`. A mobile (`enum_code: "MOB"`) number is preferred,
 * then the first valid one.
 *
 * @param contact - A contact from a webhook body or from `GET /api/v4/contacts/{id}`.
 * @param defaultCountry - Country for numbers without a country code. Default `RU`.
 * @returns The E.164 phone, or the reason there is none.
 */
export function amocrmContactPhone(
  contact: unknown,
  defaultCountry: CountryCode = "RU",
): NormalizedPhone {
  const plain = normalizePhone(own(contact, "phone"), defaultCountry);
  if (plain.phone) return plain;
  // Mobile (`enum_code: "MOB"`) values first, each group in body order. Loops, not
  // `push(...values)`: a field with 200,000 values must not overflow the stack.
  const mobile: unknown[] = [];
  const other: unknown[] = [];
  for (const list of [own(contact, "custom_fields_values"), own(contact, "custom_fields")]) {
    for (const field of items(list)) {
      if (!isPhoneField(field)) continue;
      for (const value of items(own(field, "values")))
        (text(own(value, "enum_code")) === "MOB" ? mobile : other).push(value);
    }
  }
  let found: NormalizedPhone = plain;
  for (const value of mobile.length === 0 ? other : [...mobile, ...other]) {
    const candidate = normalizePhone(isObj(value) ? own(value, "value") : value, defaultCountry);
    if (candidate.phone) return candidate;
    if (candidate.problem === "invalid_phone") found = candidate;
  }
  return found;
}

interface Account {
  readonly id: string | null;
  readonly subdomain: string | null;
  readonly baseUrl: string | null;
}

function readAccount(body: Record<string, unknown>): Account {
  const account = own(body, "account");
  const sub = text(own(account, "subdomain"));
  const subdomain = sub !== null && SUBDOMAIN.test(sub) ? sub.toLowerCase() : null;
  const self = text(own(own(account, "_links"), "self"))?.replace(/\/+$/, "") ?? null;
  const baseUrl =
    self !== null && ACCOUNT_ORIGIN.test(self)
      ? self.toLowerCase()
      : subdomain
        ? `https://${subdomain}.amocrm.ru`
        : null;
  return { id: text(own(account, "id")), subdomain, baseUrl };
}

/**
 * The contacts carried in the same body (`contacts[add|update][N]`), for the phones of won leads,
 * indexed once per body: by contact id, by linked lead id, and each contact's phone read once.
 * Every lookup is then O(1), so a body's parse time grows linearly with its size (re-scanning
 * every contact for every won lead made 400 + 400 a 2-second parse).
 */
class BodyContacts {
  private readonly list: readonly unknown[];
  private readonly country: CountryCode;
  /** First contact (in body order) by `id`; built on first use. */
  private byId: Map<string, number> | undefined;
  /** First contact (in body order) by each lead id in its `linked_leads_id`; built on first use. */
  private byLead: Map<string, number> | undefined;
  /** Each contact's phone by its position in the list, read at most once. */
  private readonly phones: (NormalizedPhone | undefined)[] = [];
  /** The phone of the only contact that has one; `null` when none or several do. */
  private only: NormalizedPhone | null | undefined;

  constructor(body: Record<string, unknown>, country: CountryCode) {
    const contacts = own(body, "contacts");
    const list: unknown[] = [];
    if (isObj(contacts))
      for (const action of Object.values(contacts)) for (const c of items(action)) list.push(c);
    this.list = list;
    this.country = country;
  }

  /**
   * The phone of the `index`-th contact of the body ({@link amocrmContactPhone}), read once. The
   * contact events of the body are the list in the same order; `contact` guards that.
   */
  phoneAt(index: number, contact: unknown = this.list[index]): NormalizedPhone {
    if (this.list[index] !== contact) return amocrmContactPhone(contact, this.country);
    let phone = this.phones[index];
    if (phone === undefined) {
      phone = amocrmContactPhone(contact, this.country);
      this.phones[index] = phone;
    }
    return phone;
  }

  /**
   * The phone for a won lead: that of the first contact (in body order) that is its main contact
   * or is linked to it, else that of the only contact with a phone, else `null`.
   */
  phoneFor(leadId: string | null, mainContactId: string | null): NormalizedPhone | null {
    if (this.list.length === 0) return null;
    let first = Number.POSITIVE_INFINITY;
    if (mainContactId !== null) {
      this.byId ??= this.indexIds();
      first = this.byId.get(mainContactId) ?? first;
    }
    if (leadId !== null) {
      this.byLead ??= this.indexLinks();
      first = Math.min(first, this.byLead.get(leadId) ?? first);
    }
    if (first !== Number.POSITIVE_INFINITY) return this.phoneAt(first);
    if (this.only === undefined) this.only = this.onlyPhone();
    return this.only;
  }

  private indexIds(): Map<string, number> {
    const byId = new Map<string, number>();
    this.list.forEach((contact, i) => {
      firstIndex(byId, text(own(contact, "id")), i);
    });
    return byId;
  }

  private indexLinks(): Map<string, number> {
    const byLead = new Map<string, number>();
    this.list.forEach((contact, i) => {
      const linked = own(contact, "linked_leads_id");
      for (const l of items(linked))
        firstIndex(byLead, text(isObj(l) ? (own(l, "ID") ?? own(l, "id")) : l), i);
      // `linked_leads_id[7][ID]=7`: the lead id is also the key.
      if (isObj(linked))
        for (const key of Object.getOwnPropertyNames(linked)) firstIndex(byLead, key, i);
    });
    return byLead;
  }

  private onlyPhone(): NormalizedPhone | null {
    let found: NormalizedPhone | null = null;
    for (let i = 0; i < this.list.length; i++) {
      const phone = this.phoneAt(i);
      if (phone.problem === "no_phone") continue;
      if (found !== null) return null;
      found = phone;
    }
    return found;
  }
}

/** Records `index` under `key` unless an earlier index is there. */
function firstIndex(map: Map<string, number>, key: string | null, index: number): void {
  if (key !== null && !map.has(key)) map.set(key, index);
}

/** The phone for a won lead from this body: its `main_contact`, a linked contact, or the only contact with a phone. */
function leadPhoneInBody(
  main: unknown,
  leadId: string | null,
  contacts: BodyContacts,
  country: CountryCode,
): NormalizedPhone | null {
  const direct = normalizePhone(own(main, "phone"), country);
  if (direct.problem !== "no_phone") return direct;
  return contacts.phoneFor(leadId, text(own(main, "id")));
}

/** What the events of one `entity[action]` list share, worked out once per list. */
interface EventList {
  readonly entity: string;
  /** `ParsedEvent.type`: `leads.status`, `contacts.update`… */
  readonly type: string;
  /** Why none of its events sends (every list but `leads[status]`), or `null`. */
  readonly ignored: Skip | null;
}

function eventList(entity: string, action: string): EventList {
  const type = `${entity}.${action}`;
  if (entity === "leads") {
    return {
      entity,
      type,
      ignored:
        action === "status"
          ? null
          : skip("ignored_event", `only leads[status] events send, not leads[${label(action)}]`),
    };
  }
  return {
    entity,
    type,
    ignored: skip(
      "ignored_event",
      `amoCRM ${entity}[${label(action)}] events never trigger a review`,
    ),
  };
}

function leadEvent(
  list: EventList,
  lead: unknown,
  contacts: BodyContacts,
  account: Account,
  o: Resolved,
): ParsedEvent {
  const id = text(own(lead, "id"));
  const status = own(lead, "status_id");
  const statusId = int(status);
  const main = own(lead, "main_contact");
  const fields: EventFields = {
    type: list.type,
    id,
    status: text(status),
    customerName: text(own(main, "name")),
    accountId: account.subdomain ?? account.id ?? text(own(lead, "account_id")),
    raw: lead,
  };
  if (list.ignored !== null) {
    return decide("amocrm", fields, list.ignored, own(main, "phone"), o.country);
  }
  if (statusId === null || !o.won.has(statusId)) {
    const detail =
      statusId === LOST_STATUS
        ? "the deal is lost (143)"
        : `status_id ${statusId ?? "(none)"} is not a won status`;
    return decide(
      "amocrm",
      fields,
      skip("status_not_final", detail),
      own(main, "phone"),
      o.country,
    );
  }
  const phone = leadPhoneInBody(main, id, contacts, o.country);
  if (phone !== null) return decideWith("amocrm", fields, null, phone);
  // The event's id, not the body's: the lookup (and its log lines) get the reportable one.
  const leadId = reportableId(id);
  if (leadId === null)
    return decideWith(
      "amocrm",
      fields,
      skip("missing_id", "a won lead without an id: its phone cannot be looked up"),
      NO_PHONE,
    );
  // An id too long (`undefined`) makes the event `invalid_payload` there.
  return decideWith("amocrm", fields, null, NO_PHONE, {
    kind: "amocrm_lead",
    leadId: leadId ?? "",
    subdomain: account.subdomain,
    baseUrl: account.baseUrl,
  });
}

/** An event of any list but `leads[…]`; `contactIndex` is a contact's position in `contacts`. */
function otherEvent(
  list: EventList,
  item: unknown,
  contacts: BodyContacts,
  contactIndex: number,
  account: Account,
  o: Resolved,
): ParsedEvent {
  const isContact = list.entity === "contacts";
  const fields: EventFields = {
    type: list.type,
    id: text(own(item, "id")),
    status: text(own(item, "status_id")),
    customerName: isContact ? text(own(item, "name")) : null,
    accountId: account.subdomain ?? account.id ?? text(own(item, "account_id")),
    raw: item,
  };
  return isContact
    ? decideWith("amocrm", fields, list.ignored, contacts.phoneAt(contactIndex, item))
    : decide("amocrm", fields, list.ignored, null, o.country);
}

/**
 * Reads an amoCRM (Kommo) webhook.
 *
 * amoCRM posts `application/x-www-form-urlencoded` bodies with bracket keys
 * (`leads[status][0][status_id]=142`); the legacy JSON shape of earlier otzovik docs is
 * accepted too. Only `leads[status][N]` events whose `status_id` is won (142) send; `leads[update]`
 * and `leads[add]` never do, whatever their status. Status webhooks carry no phone: a won lead
 * whose phone is not in the body (`main_contact.phone`, or a contact in the same body) comes back
 * with `shouldSend: true`, `phone: null` and a {@link PhoneLookup} (lead id and account) for the
 * amoCRM API. Contact events report their phone but never send.
 *
 * Never throws for any body; invalid `options` throw a {@link ConfigError}.
 *
 * @param body - Form text, `URLSearchParams`, JSON text, bytes, or what `express.urlencoded()` /
 *   `express.json()` produced.
 * @param options - Won status ids and the default phone country.
 */
export function parseAmocrm(body: unknown, options?: AmocrmParseOptions): ParseResult {
  const resolved = amocrmOptions.resolve(options);
  const decoded = decodeJsonOrFormBody(body);
  if (!decoded.ok) return invalidBody("amocrm", body, decoded.detail);
  const value = decoded.value;
  if (!isObj(value))
    return invalidBody("amocrm", body, "an amoCRM webhook must be an object of entities");
  const account = readAccount(value);
  const contacts = new BodyContacts(value, resolved.country);
  const events: ParsedEvent[] = [];
  let entities = 0;
  let contactIndex = 0;
  for (const entity of Object.keys(value)) {
    if (!ENTITIES.has(entity) || !isObj(value[entity])) continue;
    entities++;
    const actions = value[entity] as Record<string, unknown>;
    for (const action of Object.keys(actions)) {
      const list = eventList(entity, action);
      for (const item of items(actions[action])) {
        events.push(
          entity === "leads"
            ? leadEvent(list, item, contacts, account, resolved)
            : otherEvent(
                list,
                item,
                contacts,
                entity === "contacts" ? contactIndex++ : -1,
                account,
                resolved,
              ),
        );
      }
    }
  }
  if (entities === 0)
    return invalidBody(
      "amocrm",
      body,
      "not an amoCRM webhook: expected `leads[…]`, `contacts[…]` or another entity",
    );
  return toResult(events);
}
