import * as z from "zod/mini";
import { type ErrorCategory, OtzovikError, ProviderError } from "../../core/errors.js";
import { flag, optionsObject, parseOptions } from "../../core/options.js";
import type { CountryCode } from "../../core/phone.js";
import {
  clientOptionFields,
  createTransport,
  type HttpResponse,
  idString,
  invalidArgument,
  isRecord,
  optionalText,
  type PhoneClientOptions,
  parseJsonLossless,
  phoneClientOptionFields,
  phoneForLog,
  redactedDetails,
  resolvePhoneClientOptions,
  secretOption,
  unexpectedResponse,
} from "../../transport/index.js";
import { amocrmContactPhone } from "./parse.js";

const PROVIDER = "amocrm";
/** An account subdomain: one DNS label (`mycompany` of `https://mycompany.amocrm.ru`). */
const SUBDOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
/** Hosts of amoCRM and Kommo accounts: `{subdomain}.amocrm.ru`, `.amocrm.com`, `.kommo.com`. */
const ACCOUNT_HOST =
  /^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.(?:amocrm\.ru|amocrm\.com|kommo\.com)$/i;
/** amoCRM entity ids: positive integers. Anything else could change the request path. */
const ENTITY_ID = /^[1-9]\d{0,19}$/;

/** Options of {@link createAmocrmClient}. */
export interface AmocrmClientOptions extends PhoneClientOptions {
  /**
   * The account subdomain: `"mycompany"` for `https://mycompany.amocrm.ru`. Requests then go to
   * `https://mycompany.amocrm.ru`. Pass exactly one of `subdomain` and `baseUrl` (both only
   * together with {@link AmocrmClientOptions.allowAnyBaseUrl}).
   */
  readonly subdomain?: string;
  /**
   * The account's address, for Kommo and amocrm.com accounts: `https://mycompany.kommo.com`.
   * Must be `https://` on `amocrm.ru`, `amocrm.com` or `kommo.com`, without a path, unless
   * {@link AmocrmClientOptions.allowAnyBaseUrl} is set.
   */
  readonly baseUrl?: string;
  /**
   * A long-lived token of an amoCRM private integration (amoCRM → Settings → Integrations →
   * create an integration → Keys and scopes → "Long-lived token"), sent as
   * `Authorization: Bearer …`. It is never logged and never appears in errors.
   */
  readonly accessToken: string;
  /**
   * Accept any `http(s)` `baseUrl` (a fake server in tests, a proxy in front of amoCRM). Default
   * `false`. With such a URL the client cannot tell from the address which account it serves:
   * pass `subdomain` as well so {@link AmocrmClient.getLeadPhone} can check the webhook's account,
   * otherwise every lookup for a webhook that names an account is refused.
   */
  readonly allowAnyBaseUrl?: boolean;
}

/** The account a webhook came from, as `parseAmocrm` reports it in its `lookup`. */
export interface AmocrmAccountRef {
  /** `account[subdomain]` of the webhook, or `null`. */
  readonly subdomain?: string | null;
  /** The account's origin (`https://mycompany.amocrm.ru`), or `null`. */
  readonly baseUrl?: string | null;
}

/** A contact linked to a lead, as `GET /api/v4/leads/{id}?with=contacts` lists it. */
export interface AmocrmContactRef {
  /** Contact id. */
  readonly id: number;
  /** `true` for the lead's main contact. */
  readonly is_main?: boolean;
  readonly [field: string]: unknown;
}

/**
 * A lead (deal) as `GET /api/v4/leads/{id}?with=contacts` returns it. Only the fields otzovik reads
 * are typed; every other field of the answer is there too. Integers beyond 2^53 come as strings.
 */
export interface AmocrmLead {
  /** Lead id. */
  readonly id: number | string;
  /** Lead name. */
  readonly name?: string;
  /** Status id (`142`: won, `143`: lost). */
  readonly status_id?: number;
  /** Pipeline id. */
  readonly pipeline_id?: number;
  /** `true` for a lead in the trash. */
  readonly is_deleted?: boolean;
  /** Embedded entities; `contacts` only when requested `with=contacts`. */
  readonly _embedded?: {
    /** The lead's contacts, the main one with `is_main: true`. */
    readonly contacts?: readonly AmocrmContactRef[];
  };
  readonly [field: string]: unknown;
}

/**
 * A contact as `GET /api/v4/contacts/{id}` returns it. The phone is in `custom_fields_values`
 * (the entry with `field_code: "PHONE"`); read it with `amocrmContactPhone`.
 */
export interface AmocrmContact {
  /** Contact id. */
  readonly id: number | string;
  /** Full name. */
  readonly name?: string;
  /** Custom fields (phones, emails…), or `null` when the contact has none. */
  readonly custom_fields_values?: readonly unknown[] | null;
  readonly [field: string]: unknown;
}

/**
 * Looks up the phone of an amoCRM lead: what the requester's `amocrm` option needs (see
 * {@link createAmocrmClient}).
 */
export interface AmocrmPhoneLookup {
  /**
   * Resolves the E.164 phone of the lead's main contact, or `null` when the lead no longer exists
   * or has no contact with a valid phone. Rejects with an `OtzovikError` on failure
   * (`account_mismatch` when the webhook names another account than the client's).
   */
  getLeadPhone(
    leadId: string,
    account?: { subdomain: string | null; baseUrl: string | null },
  ): Promise<string | null>;
}

/** Client for the amoCRM (Kommo) REST API v4, made by {@link createAmocrmClient}. */
export interface AmocrmClient extends AmocrmPhoneLookup {
  /** Always `"amocrm"`. */
  readonly provider: "amocrm";
  /** The account's API root requests go to, with a trailing slash (`https://mycompany.amocrm.ru/`). */
  readonly baseUrl: string;
  /**
   * The lead with its linked contacts: `GET /api/v4/leads/{id}?with=contacts`.
   *
   * @param id - The lead id (digits).
   * @returns The lead, or `null` when amoCRM has no such lead (HTTP 204, or 404 with an API answer).
   * @throws {ValidationError} `invalid_option` when `id` is not a positive integer.
   * @throws {ProviderError} `unauthorized` (category `auth`) when the token is refused; retryable
   *   ones for 429 and 5xx after otzovik's own retries; {@link NetworkError} on timeouts.
   */
  getLead(id: string | number): Promise<AmocrmLead | null>;
  /**
   * A contact: `GET /api/v4/contacts/{id}`.
   *
   * @param id - The contact id (digits).
   * @returns The contact, or `null` when amoCRM has no such contact (HTTP 204, or 404).
   * @throws The same errors as {@link AmocrmClient.getLead}.
   */
  getContact(id: string | number): Promise<AmocrmContact | null>;
  /**
   * The E.164 phone of a lead's customer: the lead's main contact (`is_main: true`, else the first
   * linked contact), then that contact's `PHONE` field (a mobile number first).
   *
   * Resolves `null` when the lead does not exist or is in the trash (a deleted deal gets no
   * review request, and the webhook is not failed over and over), has no contacts, or its contact
   * has no valid phone.
   *
   * @param leadId - The lead id from the webhook.
   * @param account - The account the webhook names (`lookup.subdomain` / `lookup.baseUrl` from
   *   `parseAmocrm`). When it names another account than this client's, nothing is requested and
   *   an {@link OtzovikError} `account_mismatch` is thrown: the id belongs to another account, and
   *   the token is only ever sent to this client's own address.
   * @throws {OtzovikError} `account_mismatch`; and the errors of {@link AmocrmClient.getLead}.
   */
  getLeadPhone(leadId: string | number, account?: AmocrmAccountRef | null): Promise<string | null>;
}

/** What the client knows about its own account. */
interface OwnAccount {
  /** The subdomain, lower case, or `null` for a custom `baseUrl` without `subdomain`. */
  readonly subdomain: string | null;
  /** Origin of `baseUrl` (`https://mycompany.amocrm.ru`). */
  readonly origin: string;
}

/** The options {@link resolveAccount} reads, validated. */
interface AccountOptions {
  readonly subdomain?: string | null;
  readonly baseUrl?: string | null;
  readonly allowAnyBaseUrl?: boolean | null;
}

/** The address requests go to and the client's own account. */
interface Account {
  readonly baseUrl: string;
  readonly account: OwnAccount;
}

/** The account `subdomain` and `baseUrl` name, or the option that is wrong and why. */
function resolveAccount(options: AccountOptions): Account | ["subdomain" | "baseUrl", string] {
  const allowAny = options.allowAnyBaseUrl ?? false;
  const rawSubdomain = options.subdomain ?? null;
  const rawBaseUrl = options.baseUrl ?? null;
  if (rawSubdomain !== null && !SUBDOMAIN.test(rawSubdomain))
    return [
      "subdomain",
      'must be the account subdomain only, such as "mycompany" for https://mycompany.amocrm.ru ' +
        "(use baseUrl for a full address)",
    ];
  const subdomain = rawSubdomain?.toLowerCase() ?? null;
  if (rawBaseUrl === null) {
    if (subdomain === null)
      return [
        "subdomain",
        'is required: pass the account subdomain ("mycompany" for https://mycompany.amocrm.ru) ' +
          "or baseUrl",
      ];
    const origin = `https://${subdomain}.amocrm.ru`;
    return { baseUrl: `${origin}/`, account: { subdomain, origin } };
  }
  if (subdomain !== null && !allowAny)
    return [
      "baseUrl",
      "cannot be combined with subdomain: pass one of them (both only with allowAnyBaseUrl: true)",
    ];
  if (allowAny) {
    // Any http(s) URL without a query string or credentials, as for every client.
    const checked = clientOptionFields.baseUrl.safeParse(rawBaseUrl);
    if (!checked.success || !checked.data)
      return ["baseUrl", checked.error?.issues[0]?.message ?? "is required"];
    return { baseUrl: checked.data, account: { subdomain, origin: new URL(checked.data).origin } };
  }
  let url: URL | null = null;
  try {
    url = new URL(rawBaseUrl);
  } catch {
    url = null;
  }
  const host = url ? ACCOUNT_HOST.exec(url.hostname) : null;
  if (
    !url ||
    !host ||
    url.protocol !== "https:" ||
    url.port !== "" ||
    url.username !== "" ||
    url.password !== "" ||
    url.search !== "" ||
    url.hash !== "" ||
    url.pathname !== "/"
  )
    return [
      "baseUrl",
      "must be your account's address such as https://mycompany.amocrm.ru, " +
        "https://mycompany.amocrm.com or https://mycompany.kommo.com (https, no path); " +
        "set allowAnyBaseUrl: true for a test server or a proxy",
    ];
  return {
    baseUrl: `${url.origin}/`,
    account: { subdomain: (host[1] as string).toLowerCase(), origin: url.origin },
  };
}

/**
 * What {@link createAmocrmClient} accepts; its output holds the account the options name
 * (`baseUrl` is the account's address, checked by {@link resolveAccount}, not the shared one).
 */
const optionsSchema = z.pipe(
  optionsObject({
    accessToken: secretOption,
    allowAnyBaseUrl: z.nullish(flag),
    subdomain: optionalText,
    ...phoneClientOptionFields,
    baseUrl: optionalText,
  }),
  z.transform((options, ctx) => {
    const account = resolveAccount(options);
    if (!Array.isArray(account)) return { ...options, ...account };
    const [option, message] = account;
    ctx.issues.push({ code: "custom", path: [option], message, input: options[option] });
    return z.NEVER;
  }),
);

/** Why the webhook's account is not this client's, or `null` when it is (or names none). */
function accountMismatch(own: OwnAccount, account: AmocrmAccountRef | null | undefined) {
  const subdomain = account?.subdomain || null;
  const baseUrl = account?.baseUrl || null;
  const named: string[] = [];
  if (subdomain !== null) {
    const sub = String(subdomain).toLowerCase();
    if (own.subdomain === null || sub !== own.subdomain) named.push(sub);
  }
  if (baseUrl !== null) {
    let url: URL | null = null;
    try {
      url = new URL(String(baseUrl));
    } catch {
      url = null;
    }
    const host = url ? ACCOUNT_HOST.exec(url.hostname) : null;
    // amoCRM and Kommo share accounts (amocrm.com became kommo.com), and parseAmocrm derives
    // https://{subdomain}.amocrm.ru when a body has no address: compare the subdomain, not the domain.
    const same =
      url !== null &&
      (url.origin === own.origin ||
        (host !== null &&
          url.protocol === "https:" &&
          own.subdomain !== null &&
          (host[1] as string).toLowerCase() === own.subdomain));
    if (!same) named.push(url ? url.origin : String(baseUrl));
  }
  if (named.length === 0) return null;
  const theirs = JSON.stringify((named[0] as string).slice(0, 100));
  const ours =
    own.subdomain === null
      ? `${own.origin}, whose account is unknown: pass subdomain together with baseUrl`
      : JSON.stringify(own.subdomain);
  return `The webhook names amoCRM account ${theirs}, but this client is configured for ${ours}. The lead was not looked up: its id belongs to another account. Use one client (and one webhook key) per amoCRM account.`;
}

/** The error for amoCRM's answers with a status it documents. */
function amocrmError(response: HttpResponse, what: string): ProviderError | null {
  const { status } = response;
  const parsed = parseJsonLossless(response.text);
  const body = isRecord(parsed) ? parsed : null;
  const known: Record<number, [string, ErrorCategory, string]> = {
    401: [
      "unauthorized",
      "auth",
      "amoCRM refused the access token (HTTP 401). Check accessToken: it must be a long-lived " +
        "token of a private integration of this account (Settings → Integrations → your " +
        "integration → Keys and scopes); it may have expired or been revoked.",
    ],
    402: [
      "payment_required",
      "config",
      "amoCRM refused the request (HTTP 402): the account's subscription has expired.",
    ],
    429: [
      "rate_limited",
      "retryable",
      "amoCRM rate limit reached (HTTP 429: at most 7 requests per second per account); " +
        "try again later.",
    ],
    403: [
      "forbidden",
      "auth",
      `amoCRM denied access to the ${what} (HTTP 403). Check that the integration's user may ` +
        "see leads and contacts, and that the account is not blocked.",
    ],
  };
  const entry = known[status];
  if (entry) {
    return new ProviderError(entry[2], {
      provider: PROVIDER,
      code: entry[0],
      category: entry[1],
      httpStatus: status,
      retryAfterMs: response.retryAfterMs,
      details: body
        ? redactedDetails(response, body)
        : response.redact(response.text).slice(0, 500),
    });
  }
  if (status === 400 && body) {
    const detail = typeof body.detail === "string" ? ` ${body.detail}` : "";
    return new ProviderError(
      response.redact(`amoCRM refused the ${what} request (HTTP 400).${detail}`),
      {
        provider: PROVIDER,
        code: "http_400",
        category: "permanent",
        httpStatus: status,
        details: redactedDetails(response, body),
      },
    );
  }
  if (status === 404 && !body && response.text.trim() !== "") {
    return new ProviderError(
      "HTTP 404 with an answer that is not amoCRM's: check subdomain / baseUrl.",
      {
        provider: PROVIDER,
        code: "http_404",
        category: "config",
        httpStatus: status,
        details: response.redact(response.text).slice(0, 500),
      },
    );
  }
  return null;
}

/** Checks an entity id argument (digits only: it goes into the request path). */
function entityId(option: string, value: unknown): string {
  const id = idString(value)?.trim() ?? null;
  if (id === null || !ENTITY_ID.test(id))
    invalidArgument(PROVIDER, option, "must be a positive integer id");
  return id;
}

/**
 * Creates a client for the amoCRM (Kommo) REST API v4 that looks up the phone amoCRM's "lead
 * status changed" webhooks do not carry. Pass it to `createReviewRequester({ amocrm })`.
 *
 * Uses two read-only endpoints, authorised with `Authorization: Bearer <accessToken>`:
 * `GET /api/v4/leads/{id}?with=contacts` (the lead's `_embedded.contacts[]` with `is_main`) and
 * `GET /api/v4/contacts/{id}` (the `custom_fields_values[]` entry with `field_code: "PHONE"`).
 * `accessToken` is a long-lived token of an amoCRM private integration; no OAuth refresh is done.
 *
 * Answers: 204 (and 404 with an API answer) mean "not found"; 401 is a `ProviderError`
 * `unauthorized` of category `auth` (never retried: check the token); 402 `payment_required`
 * (`config`); 403 `forbidden` (`auth`); 429 `rate_limited` (amoCRM allows 7 requests per second)
 * and 5xx are retried (honouring `Retry-After`), as are timeouts, since these calls are reads. A
 * redirect is never followed (the token would go to another address): it is a `ProviderError`
 * `redirect`. An answer over `maxResponseBytes` (default 1 MiB) is cut off: `response_too_large`.
 * The token never appears in errors or logs; lead and contact ids (not secrets) do.
 *
 * @throws {ConfigError} naming the option: `accessToken` missing, neither or both of
 *   `subdomain` / `baseUrl`, a `baseUrl` off amoCRM's and Kommo's domains (unless
 *   `allowAnyBaseUrl`), or another invalid option.
 *
 * @example
 * const amocrm = createAmocrmClient({ subdomain: "mycompany", accessToken: process.env.AMOCRM_TOKEN! })
 * await amocrm.getLeadPhone("3912171") // "+79000000004"
 * const requester = createReviewRequester({ …, amocrm })
 */
export function createAmocrmClient(options: AmocrmClientOptions): AmocrmClient {
  const valid = parseOptions(optionsSchema, options, { provider: PROVIDER });
  const { accessToken, account } = valid;
  const resolved = resolvePhoneClientOptions(PROVIDER, valid, valid.baseUrl);
  const country: CountryCode = resolved.defaultCountry;
  const transport = createTransport(resolved, [accessToken]);
  const { logger } = resolved;

  async function get(
    what: "lead" | "contact",
    path: string,
  ): Promise<Record<string, unknown> | null> {
    return transport.request(
      {
        method: "GET",
        path,
        headers: { authorization: `Bearer ${accessToken}` },
        idempotent: true,
        sendsMessage: false,
        operation: what === "lead" ? "get lead" : "get contact",
      },
      (response) => {
        const { status } = response;
        const failure = amocrmError(response, what);
        if (failure) throw failure;
        if (status === 204 || status === 404) return null;
        if (status >= 200 && status < 300) {
          const parsed = parseJsonLossless(response.text);
          if (isRecord(parsed)) return parsed;
        }
        throw unexpectedResponse(PROVIDER, response);
      },
    );
  }

  async function getLead(id: string | number): Promise<AmocrmLead | null> {
    const leadId = entityId("leadId", id);
    return (await get("lead", `api/v4/leads/${leadId}?with=contacts`)) as AmocrmLead | null;
  }

  async function getContact(id: string | number): Promise<AmocrmContact | null> {
    const contactId = entityId("contactId", id);
    return (await get("contact", `api/v4/contacts/${contactId}`)) as AmocrmContact | null;
  }

  return {
    provider: PROVIDER,
    baseUrl: resolved.baseUrl,
    getLead,
    getContact,

    async getLeadPhone(leadId, webhookAccount) {
      const mismatch = accountMismatch(account, webhookAccount);
      if (mismatch !== null)
        throw new OtzovikError(mismatch, { provider: PROVIDER, code: "account_mismatch" });
      const id = entityId("leadId", leadId);
      const lead = await getLead(id);
      if (lead === null || lead.is_deleted === true) {
        logger.warn(`${PROVIDER}: lead ${id} not found (deleted?); no phone to ask for a review`, {
          provider: PROVIDER,
          leadId: id,
        });
        return null;
      }
      const contacts = Array.isArray(lead._embedded?.contacts) ? lead._embedded.contacts : [];
      const main = contacts.find((c) => isRecord(c) && c.is_main === true) ?? contacts[0];
      const contactId = isRecord(main) ? idString(main.id) : null;
      if (contactId === null) {
        logger.info(`${PROVIDER}: lead ${id} has no contact; no phone to ask for a review`, {
          provider: PROVIDER,
          leadId: id,
        });
        return null;
      }
      const contact = await getContact(contactId);
      const phone = contact === null ? null : amocrmContactPhone(contact, country).phone;
      logger.debug(
        phone === null
          ? `${PROVIDER}: contact ${contactId} of lead ${id} has no valid phone`
          : `${PROVIDER}: lead ${id} → ${phoneForLog(resolved, phone)}`,
        { provider: PROVIDER, leadId: id, contactId },
      );
      return phone;
    },
  };
}
