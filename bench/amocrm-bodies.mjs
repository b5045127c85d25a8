// Big amoCRM bodies for issue 9 item 1, for the tests (through test/sources/amocrm-bodies.ts) and
// `npm run bench` alike: `n` won leads and `n` contacts, none linked to a lead, so every won lead
// falls back to "the only contact with a phone" — the path that used to re-read every contact's
// phone for every lead. Types: amocrm-bodies.d.mts.

/** Phones of the generated contacts: Moscow landlines or Moscow mobiles. */
function phone(i, kind) {
  return `${kind === "landline" ? "8495" : "8916"}${1_000_000 + i}`;
}

/** A JSON body: 400 leads + 400 contacts is the 24 KB body (1.9 s to parse). */
export function amocrmJsonBody(n, kind = "landline") {
  const leads = [];
  const contacts = [];
  for (let i = 0; i < n; i++) {
    leads.push({ id: 1000 + i, status_id: 142 });
    contacts.push({ id: 5000 + i, phone: phone(i, kind) });
  }
  return JSON.stringify({ leads: { status: leads }, contacts: { update: contacts } });
}

const key = (...segments) => segments.map((s) => `%5B${s}%5D`).join("");
const encoded = (s) => encodeURIComponent(s).replaceAll("%20", "+");
const LEAD_NAME = encoded("Заказ с сайта: доставка, самовывоз или зал — уточнить у клиента");
const CONTACT_NAME = encoded("Иванов Иван Иванович");
const PHONE_FIELD = encoded("Телефон");

/**
 * A form body as amoCRM posts it (encoded brackets, Cyrillic names), ~1.2 KB and 11 parameters
 * per lead + contact: 800 + 800 is ~1 MB and 8,800 parameters (under the 10,000 decoded).
 */
export function amocrmFormBody(n, kind = "landline") {
  const parts = [];
  for (let i = 0; i < n; i++) {
    const lead = `leads${key("status", i)}`;
    parts.push(
      `${lead}${key("id")}=${1000 + i}`,
      `${lead}${key("name")}=${LEAD_NAME}`,
      `${lead}${key("status_id")}=142`,
      `${lead}${key("old_status_id")}=7039101`,
      `${lead}${key("pipeline_id")}=3104455`,
    );
  }
  for (let i = 0; i < n; i++) {
    const contact = `contacts${key("update", i)}`;
    const field = `${contact}${key("custom_fields", 0)}`;
    parts.push(
      `${contact}${key("id")}=${5000 + i}`,
      `${contact}${key("name")}=${CONTACT_NAME}`,
      `${field}${key("name")}=${PHONE_FIELD}`,
      `${field}${key("code")}=PHONE`,
      `${field}${key("values", 0, "value")}=${phone(i, kind)}`,
      `${field}${key("values", 0, "enum")}=114611`,
    );
  }
  parts.push("account%5Bsubdomain%5D=test", "account%5Bid%5D=7039099");
  return parts.join("&");
}
