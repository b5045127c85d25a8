import * as z from "zod/mini";
import { decodeJsonOrFormBody } from "../../core/body.js";
import { type CountryCode, type NormalizedPhone, normalizePhone } from "../../core/phone.js";
import {
  decide,
  decideWith,
  type EventFields,
  invalidBody,
  label,
  skip,
  toResult,
  withLookup,
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
  const values: unknown[] = [];
  for (const field of [
    ...items(own(contact, "custom_fields_values")),
    ...items(own(contact, "custom_fields")),
  ]) {
    if (isPhoneField(field)) values.push(...items(own(field, "values")));
  }
  const mobileFirst = values.sort(
    (a, b) =>
      Number(text(own(b, "enum_code")) === "MOB") - Number(text(own(a, "enum_code")) === "MOB"),
  );
  let found: NormalizedPhone = normalizePhone(own(contact, "phone"), defaultCountry);
  if (found.phone) return found;
  for (const value of mobileFirst) {
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

/** Contacts carried in the same body (`contacts[add|update][N]`), for phones of won leads. */
function bodyContacts(body: Record<string, unknown>): unknown[] {
  const contacts = own(body, "contacts");
  return isObj(contacts) ? Object.values(contacts).flatMap(items) : [];
}

function linkedTo(contact: unknown, leadId: string | null, mainContactId: string | null): boolean {
  const id = text(own(contact, "id"));
  if (mainContactId !== null && id === mainContactId) return true;
  if (leadId === null) return false;
  const linked = own(contact, "linked_leads_id");
  return (
    items(linked).some((l) => text(isObj(l) ? (own(l, "ID") ?? own(l, "id")) : l) === leadId) ||
    (isObj(linked) && Object.hasOwn(linked, leadId))
  );
}

/** The phone for a won lead from this body: its `main_contact`, a linked contact, or the only contact with a phone. */
function leadPhoneInBody(
  lead: unknown,
  leadId: string | null,
  contacts: unknown[],
  country: CountryCode,
): NormalizedPhone | null {
  const main = own(lead, "main_contact");
  const direct = normalizePhone(own(main, "phone"), country);
  if (direct.problem !== "no_phone") return direct;
  const mainId = text(own(main, "id"));
  const linked = contacts.find((c) => linkedTo(c, leadId, mainId));
  if (linked) return amocrmContactPhone(linked, country);
  const withPhone = contacts
    .map((c) => amocrmContactPhone(c, country))
    .filter((p) => p.problem !== "no_phone");
  return withPhone.length === 1 ? (withPhone[0] as NormalizedPhone) : null;
}

function leadEvent(
  action: string,
  lead: unknown,
  body: Record<string, unknown>,
  account: Account,
  o: Resolved,
): ParsedEvent {
  const id = text(own(lead, "id"));
  const statusId = int(own(lead, "status_id"));
  const fields: EventFields = {
    type: `leads.${action}`,
    id,
    status: text(own(lead, "status_id")),
    customerName: text(own(own(lead, "main_contact"), "name")),
    accountId: account.id ?? text(own(lead, "account_id")) ?? account.subdomain,
    raw: lead,
  };
  if (action !== "status") {
    return decide(
      "amocrm",
      fields,
      skip("ignored_event", `only leads[status] events send, not leads[${label(action)}]`),
      own(own(lead, "main_contact"), "phone"),
      o.country,
    );
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
      own(own(lead, "main_contact"), "phone"),
      o.country,
    );
  }
  const phone = leadPhoneInBody(lead, id, bodyContacts(body), o.country);
  if (phone !== null) return decideWith("amocrm", fields, null, phone);
  if (id === null) {
    return decide(
      "amocrm",
      fields,
      skip("missing_id", "a won lead without an id: its phone cannot be looked up"),
      null,
      o.country,
    );
  }
  const lookup: PhoneLookup = {
    kind: "amocrm_lead",
    leadId: id,
    subdomain: account.subdomain,
    baseUrl: account.baseUrl,
  };
  return withLookup(decide("amocrm", fields, null, null, o.country), lookup);
}

function otherEvent(
  entity: string,
  action: string,
  item: unknown,
  account: Account,
  o: Resolved,
): ParsedEvent {
  const isContact = entity === "contacts";
  const fields: EventFields = {
    type: `${entity}.${action}`,
    id: text(own(item, "id")),
    status: text(own(item, "status_id")),
    customerName: isContact ? text(own(item, "name")) : null,
    accountId: account.id ?? text(own(item, "account_id")) ?? account.subdomain,
    raw: item,
  };
  const why = skip(
    "ignored_event",
    `amoCRM ${entity}[${label(action)}] events never trigger a review`,
  );
  return isContact
    ? decideWith("amocrm", fields, why, amocrmContactPhone(item, o.country))
    : decide("amocrm", fields, why, null, o.country);
}

/**
 * Reads an amoCRM (Kommo) webhook.
 *
 * amoCRM posts `application/x-www-form-urlencoded` bodies with bracket keys
 * (`leads[status][0][status_id]=142`); the JSON shape of the original integration notes is
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
  const events: ParsedEvent[] = [];
  let entities = 0;
  for (const entity of Object.keys(value)) {
    if (!ENTITIES.has(entity) || !isObj(value[entity])) continue;
    entities++;
    const actions = value[entity] as Record<string, unknown>;
    for (const action of Object.keys(actions)) {
      for (const item of items(actions[action])) {
        events.push(
          entity === "leads"
            ? leadEvent(action, item, value, account, resolved)
            : otherEvent(entity, action, item, account, resolved),
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
