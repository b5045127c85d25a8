/**
 * The amoCRM (Kommo) source: its webhook parser, and its API client that looks up the phone
 * amoCRM's "lead status changed" webhooks do not carry.
 */
import { ConfigError } from "../../core/errors.js";
import { defineSource } from "../source.js";
import type { LookupPhone } from "../types.js";
import type { AmocrmPhoneLookup } from "./client.js";
import { amocrmOptions, parseAmocrm } from "./parse.js";

/** `true` for anything with a `getLeadPhone` method, such as `createAmocrmClient(…)`. */
function isAmocrmClient(value: unknown): value is AmocrmPhoneLookup {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { getLeadPhone?: unknown }).getLeadPhone === "function"
  );
}

/**
 * The amoCRM source: {@link parseAmocrm}, the check of its options, and the phone lookup for won
 * leads whose webhook carries no phone (the requester's `amocrm` option, a
 * {@link createAmocrmClient} client).
 */
export const amocrmSource = /* @__PURE__ */ defineSource({
  name: "amocrm",
  parse: parseAmocrm,
  checkOptions: amocrmOptions.check,
  lookup: {
    option: "amocrm",
    isClient: isAmocrmClient,
    async phone(event, client: AmocrmPhoneLookup) {
      const lookup = event.lookup;
      if (lookup === null) return null;
      return client.getLeadPhone(lookup.leadId, {
        subdomain: lookup.subdomain,
        baseUrl: lookup.baseUrl,
      });
    },
    missingClient:
      "amoCRM webhooks carry no phone: pass `amocrm: createAmocrmClient({ subdomain, accessToken })` to look it up.",
  },
});

/**
 * amoCRM's phone lookup as a requester `lookupPhone` function: for an amoCRM won lead whose
 * webhook carries no phone (`event.lookup.kind === "amocrm_lead"`), the phone of the lead's main
 * contact through the amoCRM API (the client checks that the webhook names its account); `null`
 * for any other event. The requester's `amocrm: client` option does the same (with each tenant's
 * own client and `pinTenantAccounts`); this is for a `lookupPhone` that combines sources.
 *
 * @param client - A {@link createAmocrmClient} client, or anything with `getLeadPhone`.
 * @returns The lookup function.
 *
 * @example
 * const amocrm = amocrmPhoneLookup(createAmocrmClient({ subdomain, accessToken }));
 * createReviewRequester({
 *   // …
 *   lookupPhone: (event, context) =>
 *     event.source === "rkeeper" ? findGuestPhone(event.id) : amocrm(event, context),
 * });
 */
export function amocrmPhoneLookup(client: AmocrmPhoneLookup): LookupPhone {
  if (!isAmocrmClient(client)) {
    throw new ConfigError(
      "amocrmPhoneLookup() needs an amoCRM client: createAmocrmClient({ subdomain, accessToken }).",
      { provider: "amocrm" },
    );
  }
  return async (event) => {
    const lookup = event.lookup;
    if (event.source !== "amocrm" || lookup === null || lookup.kind !== "amocrm_lead") return null;
    return client.getLeadPhone(lookup.leadId, {
      subdomain: lookup.subdomain,
      baseUrl: lookup.baseUrl,
    });
  };
}

export {
  type AmocrmAccountRef,
  type AmocrmClient,
  type AmocrmClientOptions,
  type AmocrmContact,
  type AmocrmContactRef,
  type AmocrmLead,
  type AmocrmPhoneLookup,
  createAmocrmClient,
} from "./client.js";
export {
  AMOCRM_FINAL_STATUSES,
  type AmocrmParseOptions,
  amocrmContactPhone,
  parseAmocrm,
} from "./parse.js";
