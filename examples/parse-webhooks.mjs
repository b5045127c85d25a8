// Reads one webhook of each source, in the legacy shapes of earlier otzovik docs' curl examples,
// and prints what otzovik decided. Run from the repository root after `npm run build`:
//   node examples/parse-webhooks.mjs
import { maskPhone, parseAmocrm, parseIiko, parseRkeeper, parseYclients } from "otzovik";

const webhooks = [
  [
    "iiko",
    parseIiko,
    '[{"eventType":"DeliveryOrderUpdate","eventInfo":{"id":"9e3b7c1a","creationStatus":"Success","order":{"status":"Delivered","phone":"+79991234567"}}}]',
  ],
  [
    "iiko (still cooking)",
    parseIiko,
    '[{"eventType":"DeliveryOrderUpdate","eventInfo":{"id":"9e3b7c1a","creationStatus":"Success","order":{"status":"CookingStarted","phone":"+79991234567"}}}]',
  ],
  [
    "R-Keeper",
    parseRkeeper,
    '{"order":{"status":"Выполнен","customer":{"phone":"8 (999) 123-45-67"}}}',
  ],
  [
    "YCLIENTS",
    parseYclients,
    '{"company_id":4564,"resource":"record","resource_id":12345,"status":"update","data":{"id":12345,"attendance":1,"client":{"name":"Иван","phone":"79991234567"}}}',
  ],
  [
    "amoCRM (phone in body)",
    parseAmocrm,
    '{"leads":{"status":[{"id":12345,"status_id":142,"main_contact":{"phone":"+79991234567"}}]}}',
  ],
  [
    "amoCRM (form, phone to look up)",
    parseAmocrm,
    "leads[status][0][id]=12345&leads[status][0][status_id]=142&account[subdomain]=example",
  ],
];

for (const [name, parse, body] of webhooks) {
  const result = parse(body);
  const event = result.events[0];
  if (result.shouldSend && result.phone)
    console.log(`${name}: send to ${maskPhone(result.phone)} (order ${event?.id ?? "?"})`);
  else if (result.shouldSend)
    console.log(
      `${name}: send after looking up lead ${event?.lookup?.leadId} on ${event?.lookup?.baseUrl}`,
    );
  else console.log(`${name}: skip (${result.reason}: ${result.detail})`);
}
