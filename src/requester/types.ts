import type { OtzovikError } from "../core/errors.js";
import type { Logger, LogLevel } from "../core/logger.js";
import type { CountryCode } from "../core/phone.js";
import type { SkippedReason } from "../core/skip-reasons.js";
import type { LinkDestination } from "../links/destinations.js";
import type { LinksOptions } from "../links/options.js";
import type { UserAgentClass } from "../links/user-agent.js";
import type { MetaTemplateOptions } from "../providers/meta-whatsapp.js";
import type { EmailSender, SendResult, SmsSender, WhatsappSender } from "../providers/types.js";
import type { Scheduler } from "../schedulers/types.js";
import type { AmocrmPhoneLookup } from "../sources/amocrm/client.js";
import type { ParserOptions } from "../sources/registry.js";
import type { Source } from "../sources/source.js";
import type { LookupPhone, SourceName } from "../sources/types.js";
import type { StatusAnswer, StatusRequest } from "../status/types.js";
import type { Store } from "../stores/types.js";
import type { QuietHours } from "./quiet-hours.js";
import type { TextTemplate } from "./template.js";

export type { LookupPhone, LookupPhoneContext } from "../sources/types.js";
export type { AmocrmPhoneLookup, LinkDestination, LinksOptions, ParserOptions, UserAgentClass };

/** A source name: a built-in one, or the name of one of your `sources`. */
export type SourceId = SourceName | (string & {});

/** A WhatsApp client that can also send approved templates (Meta). */
export interface WhatsappTemplateSender extends WhatsappSender {
  /** Sends an approved template message. */
  sendTemplate(phone: string, name: string, options: MetaTemplateOptions): Promise<SendResult>;
}

/**
 * The approved Meta template to send as the review request. Business-initiated WhatsApp messages
 * outside the 24-hour window must be templates.
 */
export interface WhatsappTemplate {
  /** Template name as approved, e.g. `"review_request"`. */
  readonly name: string;
  /** Language code as approved, e.g. `"ru"`. */
  readonly language: string;
  /** Body parameters in order, each a text template (`"{business}"`, `"{reviewUrl}"`). */
  readonly parameters?: readonly string[];
}

/** One way to reach the customer, tried in the order given in {@link RequesterOptions.channels}. */
export type ChannelSpec = SmsChannel | WhatsappChannel | EmailChannel;

/** SMS through any {@link SmsSender} (`createSmsRuClient`, `createExolveClient`). */
export interface SmsChannel {
  /** Always `"sms"`. */
  readonly type: "sms";
  /** The client that sends. */
  readonly client: SmsSender;
}

/** WhatsApp through `createMetaWhatsappClient` or `createExolveClient`. */
export interface WhatsappChannel {
  /** Always `"whatsapp"`. */
  readonly type: "whatsapp";
  /** The client that sends. */
  readonly client: WhatsappSender | WhatsappTemplateSender;
  /** Send this approved template instead of free text (needs a client with `sendTemplate`). */
  readonly template?: WhatsappTemplate;
}

/** Email through `createResendClient`; used only when the event has the customer's email. */
export interface EmailChannel {
  /** Always `"email"`. */
  readonly type: "email";
  /** The client that sends. */
  readonly client: EmailSender;
  /** Subject line template. Default `"{business}: оцените нас"`. */
  readonly subject?: TextTemplate;
}

/** What the requester knows about the business a webhook belongs to. */
export interface TenantSettings {
  /** Stable id of the business; part of every dedupe, cap and opt-out key. */
  readonly id: string;
  /** The business's name, for `{business}`. */
  readonly business: string;
  /** Where to leave the review, for `{reviewUrl}`. */
  readonly reviewUrl: string;
  /**
   * More places to leave the review (2GIS, Google…), used with the requester's `links` option:
   * the short link then opens a small chooser page listing `reviewUrl` and these, each named by
   * its site (Яндекс Карты, 2ГИС, Google, or the host), and the customer picks where they have an
   * account. Without `links` only `reviewUrl` is used. At most 10.
   */
  readonly reviewUrls?: readonly string[];
  /** Message text template (a string: it must survive being scheduled). Default: the requester's. */
  readonly message?: string;
  /** Channel types in the order to try, e.g. `["whatsapp", "sms"]`. Default: all configured, in order. */
  readonly channels?: readonly ChannelSpec["type"][];
  /** Quiet hours, or `false` for none. Default: the requester's. */
  readonly quietHours?: QuietHours | false;
  /** Delay after the event in ms. Default: the requester's. */
  readonly delayMs?: number;
  /** At most one request per phone per this many ms, or `false`. Default: the requester's. */
  readonly frequencyCapMs?: number | false;
  /**
   * This business's own lookup clients, by the option their source reads (`{ amocrm: … }`):
   * used instead of the requester's, so one business's key never looks into another's account.
   */
  readonly lookups?: Readonly<Record<string, unknown>>;
  /** This business's own amoCRM client (shorthand for `lookups: { amocrm }`). */
  readonly amocrm?: AmocrmPhoneLookup;
  /**
   * The account each source's webhooks must name for this business (`{ amocrm: "mycompany" }`:
   * the subdomain or account id). A phone lookup for an event that names another account, or
   * none, fails with `account_mismatch` before any request. Required for every tenant when a requester-level lookup client is shared
   * with `resolveTenant` (`pinTenantAccounts: true`).
   */
  readonly accounts?: Readonly<Record<string, string>>;
}

/**
 * What {@link RequesterOptions.resolveTenant} is asked about besides the key: the source of the
 * webhook and the account (branch) its event names, so one key per chain can give each branch
 * its own business name and review link.
 */
export interface TenantContext {
  /**
   * The source of the webhook (`"iiko"`, `"rkeeper"`, `"yclients"`, `"amocrm"`, yours), or `null`
   * when no webhook is read: `authenticate()`, `request()`, `optOut()`, `isOptedOut()` and status
   * webhooks.
   */
  readonly source: SourceId | null;
  /**
   * The account the event names ({@link ParsedEvent.accountId}): iiko `organizationId`, R-Keeper
   * `restaurantId` (White Server: `objectId`), YCLIENTS `company_id`, amoCRM `account[subdomain]`
   * (`account[id]` when the body has no subdomain). `null` for the key alone: the call that authenticates a
   * webhook, and every call without a webhook.
   */
  readonly accountId: string | null;
}

/** Options of {@link createReviewRequester}. */
export interface RequesterOptions {
  /** Webhook keys accepted (several for rotation). Either this with `business`/`reviewUrl`, or `resolveTenant`. */
  readonly keys?: string | readonly string[];
  /** The business's name, with static `keys`. */
  readonly business?: string;
  /** The review link, with static `keys`. */
  readonly reviewUrl?: string;
  /**
   * More review links, with static `keys` and `links`: see {@link TenantSettings.reviewUrls}.
   */
  readonly reviewUrls?: readonly string[];
  /**
   * Short review links on your own domain, with click tracking: `{reviewUrl}` becomes
   * `${baseUrl}/${token}` (8 random characters, made once per order), which your server answers
   * with `linkHandler` (`otzovik/express`) or `createFetchLinkHandler` (`otzovik/fetch`): a 302 to
   * the review URL stored for the token (a chooser page with several `reviewUrls`). The first
   * real click of each request is a `clicked` outcome ({@link RequesterOptions.onClicked}); the
   * per-tenant funnel is read with {@link ReviewRequester.stats}. The default message becomes
   * {@link DEFAULT_LINK_MESSAGE} (one SMS segment for a business name of up to 25 characters
   * with `https://cafe.ru/r`). With `links`, every review URL must be an absolute http(s) URL.
   * Without it nothing changes.
   */
  readonly links?: LinksOptions;
  /** Tenant id with static `keys`. Default `"default"`. */
  readonly tenantId?: string;
  /**
   * Multi-tenant: the business a webhook key belongs to, or `null` for an unknown key.
   *
   * A webhook is authenticated by one call with `{ source, accountId: null }`: `null` then is an
   * unknown key (401), and nothing else is asked. Then, for each account the body's events name
   * (iiko `organizationId`, R-Keeper restaurant, YCLIENTS `company_id`, amoCRM account), one call
   * with `{ source, accountId }` (once per account per request, whatever the number of events):
   * its settings are that branch's (its `business`, `reviewUrl`, `message`…); `null` keeps the
   * key's own. So one key per chain is enough. A branch's `id` decides what it shares: the same
   * `id` as the chain shares one opt-out list, frequency cap and dedupe; its own `id` makes it a
   * business of its own. A function of the key alone (`(key) => …`) works as before: it is asked
   * again per account and returns the key's settings. A call that throws fails the whole request
   * before anything is claimed (adapters answer 503, the sender retries).
   */
  readonly resolveTenant?: (
    key: string,
    context: TenantContext,
  ) => Promise<TenantSettings | null> | TenantSettings | null;
  /** Where to send, in fallback order. */
  readonly channels: readonly ChannelSpec[];
  /**
   * Message text template. Default {@link DEFAULT_MESSAGE}: `"{business}: спасибо! Оставьте
   * отзыв: {reviewUrl}"`, one Cyrillic SMS segment with a name of up to 15 characters and a link
   * of up to 22 (see {@link smsSegments}); with `links`, {@link DEFAULT_LINK_MESSAGE}.
   */
  readonly message?: TextTemplate;
  /**
   * The most SMS segments a review request should take (each segment is billed as one SMS; a
   * Cyrillic text has 70 characters in one segment, 67 per segment once split). A rendered SMS
   * that is longer is still sent, and a warning is logged once per template and business (naming
   * the tenant, the segments and the encoding): shorten the business name, the link or the
   * template. A positive integer, or `false` for no check. Default 1.
   */
  readonly maxSmsSegments?: number | false;
  /** Key-value store for dedupe, caps and opt-outs. Default `memoryStore()`. */
  readonly store?: Store;
  /**
   * Secret (at least 16 characters, the same on every instance) that keys the hashes of phones
   * and emails in store keys, so no phone is ever written into a key (where Redis `MONITOR`, slow
   * logs and store errors would show it). Required with a store other than the memory store;
   * with the memory store a random per-process secret is used.
   */
  readonly hashSecret?: string;
  /** Scheduler for delayed sends. Default `inProcessScheduler()`. */
  readonly scheduler?: Scheduler;
  /** Delay after the event, ms. Default 0. */
  readonly delayMs?: number;
  /** Quiet hours, or `false`. Default 21:00–10:00 Europe/Moscow. */
  readonly quietHours?: QuietHours | false;
  /** At most one request per phone per this many ms, or `false`. Default 30 days. */
  readonly frequencyCapMs?: number | false;
  /**
   * Waits before the requester tries an accepted event again after a retryable failure (a
   * provider's 5xx/429 or network failure before sending, a store error, a phone lookup error),
   * one entry per retry, ms; `false` for no retries. Retries go through the scheduler (a durable
   * scheduler keeps them across restarts) and respect quiet hours; the order stays claimed
   * meanwhile. Default `[60_000, 600_000, 3_600_000]` (1 min, 10 min, 1 h).
   */
  readonly retryDelaysMs?: readonly number[] | false;
  /** How long an order id is remembered for dedupe, ms. Default 90 days. */
  readonly dedupeTtlMs?: number;
  /** Looks up phones amoCRM webhooks do not carry (shorthand for `lookups: { amocrm }`). */
  readonly amocrm?: AmocrmPhoneLookup;
  /** Lookup clients by the option their source reads (a custom source's `lookup.option`). */
  readonly lookups?: Readonly<Record<string, unknown>>;
  /**
   * Finds the phone of an event that would send but carries none, such as R-Keeper White Server
   * `OrderStatusChanged` (which never carries the guest's phone: look the order up by
   * `event.id`, its `orderGuid`, in your r_k database or API) or an amoCRM won lead.
   *
   * Called for events with a {@link ParsedEvent.lookup} (amoCRM) and, when this is set, for events
   * the parser skipped only for `no_phone` (the parse results themselves do not change). It is
   * called after the order is claimed (so once per order, however many copies of the webhook
   * arrive), before the delay (the scheduled send keeps the phone; a retry asks again), with the
   * event as the job keeps it (`raw` is `null`). The phone
   * it returns is normalised and checked like a parsed one (`"8 916 …"` with `defaultCountry`);
   * `null` skips the event (`no_phone`), an invalid number skips it (`invalid_phone`), and a throw
   * fails it with a retryable `lookup_failed` error (retried by `retryDelaysMs`; an
   * `OtzovikError` it throws is kept as it is). `context.sourceLookup()` runs the built-in lookup
   * (amoCRM's API through `amocrm`), for a hook that handles some sources itself. Without this
   * option the built-in lookup alone is used; {@link amocrmPhoneLookup} is the amoCRM lookup as
   * such a function.
   */
  readonly lookupPhone?: LookupPhone;
  /**
   * With `resolveTenant`, a requester-level `amocrm`/`lookups` client would let any business's
   * webhook key look leads up in the client's account, so it is refused unless this is `true`:
   * then every tenant must name its account in `accounts`, and events naming another account
   * fail before any lookup. Prefer each tenant's own client (`TenantSettings.amocrm`).
   */
  readonly pinTenantAccounts?: boolean;
  /**
   * Your own sources (a POS otzovik does not ship), each made with `defineSource`; their names
   * must differ from the built-in ones.
   */
  readonly sources?: readonly Source[];
  /** Parser options per source. */
  readonly parse?: ParserOptions;
  /** Country for phones without a country code in `request()`. Default `"RU"`. */
  readonly defaultCountry?: CountryCode;
  /** Run everything but the provider call. Default `false`. */
  readonly dryRun?: boolean;
  /**
   * Where to log; phones are masked, secrets never logged. Without it the requester writes one
   * line per outcome to `console` (`[otzovik] info  review request sent  source=iiko orderId=…
   * phone=+7916***4567 …`), from {@link RequesterOptions.logLevel} up.
   */
  readonly logger?: Partial<Logger>;
  /**
   * The lowest level the requester logs at:
   * - `"debug"`: also, for every skipped event, a line with the parser's own detail (`status
   *   Закрыт is not final`, `White Server OrderStatusChanged events carry no guest phone`), which
   *   may quote a value from the body (never a phone);
   * - `"info"`: one line per outcome (sent, scheduled, skipped with its reason and a short,
   *   value-free detail, delivered), phones masked;
   * - `"warn"`, `"error"`: problems only.
   *
   * Default: `"info"` for the console logger used without `logger`; with a `logger`, every line
   * is passed to it (your logger filters) unless `logLevel` is given.
   */
  readonly logLevel?: LogLevel;
  /** Called for every `sent` outcome. */
  readonly onSent?: (outcome: SentOutcome) => void | Promise<void>;
  /** Called for every `scheduled` outcome. */
  readonly onScheduled?: (outcome: ScheduledOutcome) => void | Promise<void>;
  /** Called for every `skipped` outcome. */
  readonly onSkipped?: (outcome: SkippedOutcome) => void | Promise<void>;
  /** Called for every `failed` outcome. */
  readonly onFailed?: (outcome: FailedOutcome) => void | Promise<void>;
  /** Called when a status webhook reports a message delivered (see {@link ReviewRequester.handleStatus}). */
  readonly onDelivered?: (outcome: DeliveredOutcome) => void | Promise<void>;
  /**
   * Called when a status webhook reports a message undelivered; `fallback` says whether the next
   * channel is tried (its own `sent`, `scheduled`, `skipped` or `failed` outcome follows).
   */
  readonly onUndelivered?: (outcome: UndeliveredOutcome) => void | Promise<void>;
  /**
   * Called once per request, at the first real click of its short link (with `links`): from any
   * process, exactly once (the click is claimed in the store). HEAD requests, link-preview bots
   * and later clicks never call it (later clicks are counted: `stats().clicks`).
   */
  readonly onClicked?: (outcome: ClickedOutcome) => void | Promise<void>;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

// Every skip reason, with its description, is in the one table (src/core/skip-reasons.ts).
export type { SkippedReason } from "../core/skip-reasons.js";

/** Fields every outcome has. */
interface OutcomeBase {
  /** The tenant (business) id. */
  readonly tenantId: string;
  /** Where the event came from (a source name), or `"direct"` for `request()`. */
  readonly source: SourceId | "direct";
  /** The order/record/lead id, or `null`. */
  readonly orderId: string | null;
  /** The customer phone (E.164), or `null`. */
  readonly phone: string | null;
}

/** The review request went out. */
export interface SentOutcome extends OutcomeBase {
  /** Always `"sent"`. */
  readonly status: "sent";
  /** The channel it went out on. */
  readonly channel: ChannelSpec["type"];
  /** The provider that accepted it (`"sms.ru"`, `"meta"`, …). */
  readonly provider: string;
  /** The provider's message id (a `dry-run-…` id in a dry run). */
  readonly messageId: string;
  /** `true` when no provider was called. */
  readonly dryRun: boolean;
  /** The short link in the message (with `links`; absent without, or after a token collision). */
  readonly link?: string;
}

/** The review request will go out later (delay or quiet hours). */
export interface ScheduledOutcome extends OutcomeBase {
  /** Always `"scheduled"`. */
  readonly status: "scheduled";
  /** When, as an ISO timestamp. */
  readonly runAt: string;
  /** `true` when the time was moved out of quiet hours. */
  readonly quietHours: boolean;
}

/** Nothing will be sent for this event. */
export interface SkippedOutcome extends OutcomeBase {
  /** Always `"skipped"`. */
  readonly status: "skipped";
  /** Why: a parser reason (`status_not_final`, `no_phone`, …) or the requester's (`duplicate`, `frequency_capped`, `opted_out`, `no_channel`). */
  readonly reason: SkippedReason;
  /** A short explanation, or `null`. */
  readonly detail: string | null;
}

/** Sending failed. `error.retryable` tells whether a later retry may succeed. */
export interface FailedOutcome extends OutcomeBase {
  /** Always `"failed"`. */
  readonly status: "failed";
  /** What went wrong; `retryable`, `code` and `provider` are machine-readable. */
  readonly error: OtzovikError;
  /** `true` when the message may have been delivered (a timeout after sending): it is not re-sent. */
  readonly unknownOutcome: boolean;
  /**
   * `true` when the requester will try again itself (a retryable failure with attempts left in
   * `retryDelaysMs`): the order stays claimed, and a `sent`, `skipped` or `failed` outcome follows.
   */
  readonly willRetry: boolean;
  /** Which attempt failed: 1 for the first, 2 for the first retry… */
  readonly attempt: number;
}

/** What a status webhook said of a sent message: the fields of both status outcomes. */
interface StatusOutcomeBase extends OutcomeBase {
  /** The channel it went out on. */
  readonly channel: ChannelSpec["type"];
  /** The provider that reported it. */
  readonly provider: string;
  /** The message id the send returned. */
  readonly messageId: string;
  /** The provider's code (`"131047"`, `"104"`, a bounce type), or `null`. */
  readonly code: string | null;
  /** The provider's short explanation, or `null`. */
  readonly detail: string | null;
  /** When the provider says it happened (ISO), or `null`. */
  readonly at: string | null;
}

/** A status webhook reported the review request delivered. */
export interface DeliveredOutcome extends StatusOutcomeBase {
  /** Always `"delivered"`. */
  readonly status: "delivered";
}

/** A status webhook reported the review request undelivered. */
export interface UndeliveredOutcome extends StatusOutcomeBase {
  /** Always `"undelivered"`. */
  readonly status: "undelivered";
  /**
   * `true` when the next channel is tried (WhatsApp 131047, SMS.ru 104–108, a hard bounce, with
   * a channel left that reaches the customer); its own outcome follows.
   */
  readonly fallback: boolean;
}

/**
 * A customer opened a review request's short link for the first time (with `links`). It carries
 * no phone and no order id: the link keeps neither. `order` matches the order to yours only
 * through `link` in its `sent` outcome (keep the token, `link`'s last segment, if you need that).
 */
export interface ClickedOutcome {
  /** Always `"clicked"`. */
  readonly status: "clicked";
  /** The tenant (business) id. */
  readonly tenantId: string;
  /** The link's token (the last segment of the `link` of its `sent` outcome). */
  readonly token: string;
  /** A keyed hash of the order (the same for every message of one order), never its id. */
  readonly order: string;
  /** The channel the link went out on, or `null` when the send was not recorded. */
  readonly channel: ChannelSpec["type"] | null;
  /** The class of browser that clicked: `"mobile"`, `"desktop"` or `"other"` (bots never count). */
  readonly userAgent: UserAgentClass;
  /** When, as an ISO timestamp. */
  readonly at: string;
  /** When the link was sent, as an ISO timestamp. */
  readonly sentAt: string;
}

/**
 * What {@link ReviewRequester.followLink} found: a link (its destination, or destinations for a
 * chooser page) or nothing.
 */
export type FollowedLink = LinkFound | LinkNotFound;

/** An unknown, expired or malformed token: answer 404. */
export interface LinkNotFound {
  /** Always `false`. */
  readonly found: false;
}

/** A known link. */
export interface LinkFound {
  /** Always `true`. */
  readonly found: true;
  /**
   * Where to redirect (302) when the link has one destination; `null` with several: show the
   * chooser page of `destinations`.
   */
  readonly location: string | null;
  /** Every destination, named (the chooser page's entries), in order. */
  readonly destinations: readonly LinkDestination[];
  /** The business's name (the chooser page's heading). */
  readonly business: string;
  /** `true` when this visit counted as a click (a GET from a browser, not a preview bot). */
  readonly counted: boolean;
  /**
   * The `clicked` outcome when this was the request's first counted click (hook called), else
   * `null`. Never rejects. Keep the process alive until it settles (`waitUntil`).
   */
  readonly done: Promise<ClickedOutcome | null>;
}

/** A visit to a short link, as {@link ReviewRequester.followLink} reads it. */
export interface LinkVisit {
  /** The HTTP method: `GET` counts, `HEAD` never does. */
  readonly method: string;
  /** The `User-Agent` header, or `null`: only its class is used, never kept. */
  readonly userAgent: string | null;
}

/** What {@link ReviewRequester.stats} is asked. */
export interface StatsQuery {
  /** The tenant; or give its webhook `key`. Default with static `keys`: the requester's tenant. */
  readonly tenantId?: string;
  /** The tenant's webhook key, instead of `tenantId`. */
  readonly key?: string | null;
  /**
   * Count from this time: a `Date`, ms since the epoch or an ISO string. Counters are kept per
   * UTC day, so the count starts at 00:00 UTC of its day; at most 400 days back.
   */
  readonly since: Date | number | string;
}

/** A tenant's review funnel (with `links`), from {@link ReviewRequester.stats}. */
export interface FunnelStats {
  /** The tenant. */
  readonly tenantId: string;
  /** Where the count starts: 00:00 UTC of `since`'s day (ISO). */
  readonly since: string;
  /** How many UTC days were summed (today included). */
  readonly days: number;
  /** Review requests sent (dry runs included). */
  readonly sent: number;
  /** Reported delivered by a status webhook (only clients that read status webhooks report). */
  readonly delivered: number;
  /** Requests whose link was opened at least once (counted on the day of the first click). */
  readonly clicked: number;
  /** Every counted click (a request opened three times counts 3). */
  readonly clicks: number;
}

/** What happened to one event. */
export type Outcome = SentOutcome | ScheduledOutcome | SkippedOutcome | FailedOutcome;

/** What a status webhook reported of a sent review request. */
export type StatusOutcome = DeliveredOutcome | UndeliveredOutcome;

/** What {@link ReviewRequester.handleStatus} resolves to. */
export interface StatusHandled {
  /** What to answer the provider (`200`, SMS.ru's `100`, `401` for a bad signature, Meta's challenge). */
  readonly answer: StatusAnswer;
  /** How many statuses the request carried (0 when refused or a subscription check). */
  readonly updates: number;
  /**
   * Resolves with the outcomes: `delivered`/`undelivered` for each status that changed its
   * message, then the fallbacks' own. Never rejects.
   */
  readonly done: Promise<readonly (StatusOutcome | Outcome)[]>;
}

/** Result of {@link ReviewRequester.handle}. */
export type HandleResult = Unauthorized | Handled;

/** The webhook key was missing or unknown: nothing was parsed or sent (adapters answer 401). */
export interface Unauthorized {
  /** Always `false`. */
  readonly authorized: false;
  /** Always empty. */
  readonly outcomes: readonly [];
}

/** The webhook was accepted: one outcome per event. */
export interface Handled {
  /** Always `true`. */
  readonly authorized: true;
  /**
   * The business the key belongs to. With `resolveTenant`, an event of a branch with its own `id`
   * names that id in its outcome.
   */
  readonly tenantId: string;
  /** One outcome per event of the body, in order. */
  readonly outcomes: readonly Outcome[];
}

/** What {@link ReviewRequester.close} reports. */
export interface ClosedRequester {
  /** Scheduled sends that had not run (lost with an in-process scheduler). */
  readonly pending: readonly PendingSend[];
}

/** A scheduled send that had not run when the requester closed. */
export interface PendingSend {
  /** The job id (the dedupe key). */
  readonly id: string;
  /** When it was due, as an ISO timestamp. */
  readonly runAt: string;
}

/** Options of {@link ReviewRequester.handle}. */
export interface HandleOptions {
  /** The webhook key the adapter found (`?key=`, `X-Api-Key`, `Authorization`). */
  readonly key?: string | null;
  /**
   * The caller stopped waiting (an adapter that already answered 503 at its deadline): once
   * aborted, {@link ReviewRequester.accept} claims nothing more and throws. The events it did
   * claim are sent all the same, never given back (the sender's retry may already have found
   * them claimed): the retry finds them duplicates and claims the rest.
   * An `AbortSignal`, or any object whose `aborted` turns `true` (it is only read, never listened
   * to).
   */
  readonly signal?: AbortFlag;
}

/** What {@link HandleOptions.signal} reads: an `AbortSignal`, or any object with `aborted`. */
export interface AbortFlag {
  /** `true` once the caller gave up waiting (the adapter already answered 503). */
  readonly aborted: boolean;
}

/** A customer to ask directly, without a webhook. */
export interface DirectRequest {
  /** Phone in any common spelling; normalised to E.164. */
  readonly phone?: string | null;
  /** Email, used by an email channel. */
  readonly email?: string | null;
  /** Name, for `{name}`. */
  readonly name?: string | null;
  /** Order id: dedupes like a webhook's. Without it, only the frequency cap applies. */
  readonly orderId?: string | null;
  /** The webhook key of the business (required with `resolveTenant`). */
  readonly key?: string | null;
}

/** How an event stands when {@link ReviewRequester.accept} returns. */
export interface AcceptedEvent {
  /** The order/record/lead id, or `null`. */
  readonly id: string | null;
  /** `accepted`: claimed, a send (or schedule) follows; `skipped`: nothing will be sent. */
  readonly status: "accepted" | "skipped";
  /** Why it was skipped, or `null`. */
  readonly reason: SkippedReason | null;
}

/** What {@link ReviewRequester.accept} returns: the fast answer, and the sends still running. */
export interface Accepted {
  /** `false` for a missing or unknown key: nothing was parsed (answer 401). */
  readonly authorized: boolean;
  /** The tenant, when authorized. */
  readonly tenantId?: string;
  /** One entry per event, in body order. */
  readonly events: readonly AcceptedEvent[];
  /**
   * Resolves when every event has its final outcome (hooks called). Never rejects: failures are
   * `failed` outcomes. Keep the process alive until it settles (`waitUntil`, `after`).
   */
  readonly done: Promise<HandleResult>;
}

/** The object {@link createReviewRequester} returns. */
export interface ReviewRequester {
  /** The names of the sources this requester reads: the built-in ones and your own `sources`. */
  readonly sources: readonly string[];
  /** Handles one webhook body of a source: every event ends in exactly one outcome. */
  handle(source: SourceId, body: unknown, options?: HandleOptions): Promise<HandleResult>;
  /**
   * The first half of {@link ReviewRequester.handle}, for adapters that must answer quickly
   * (amoCRM gives up after 2 seconds): authenticates, parses and claims every event (so copies of
   * the webhook arriving later are duplicates), then returns; sends continue in `done`.
   *
   * @throws when the store fails while claiming, or when `options.signal` was aborted before
   *   every claim was made (adapters answer 503, and the source retries). The events it did claim
   *   are sent all the same (their sends are in flight for `close()`): the retry finds them
   *   duplicates and claims the rest. A claim the store may have made without answering (a lost
   *   connection, a timeout) is asked again in the background with its receipt, and sent when it
   *   had been made.
   */
  accept(source: SourceId, body: unknown, options?: HandleOptions): Promise<Accepted>;
  /**
   * `true` when the webhook key belongs to a business (a static key, or one `resolveTenant` knows):
   * lets an adapter answer 401 before reading a body. Parses, claims and sends nothing; an unknown
   * key is logged (warn), as `accept()` logs it.
   *
   * @throws what `resolveTenant` throws (adapters answer 503).
   */
  authenticate(key: string | null | undefined): Promise<boolean>;
  /** Asks one customer directly. */
  request(request: DirectRequest): Promise<HandleResult>;
  /**
   * Reads a provider's status webhook (delivery report): Meta's `statuses[]` (and its GET
   * subscription check), SMS.ru's callback, Resend's events. The request is verified by the
   * channel client of that provider (its `appSecret`, `apiKey` or `webhookSecret`; with `key`, the
   * tenant's own clients): a bad or missing signature, or a provider whose client has no secret,
   * is refused (401) and changes nothing. Each status is matched to the order by its message id
   * and recorded before this resolves; unknown ids, copies and statuses out of order change
   * nothing. A message reported undelivered for a reason another channel can help with falls back
   * to the next channel once (quiet hours and opt-outs apply), in `done`.
   *
   * @param provider - `"meta"` (or `"whatsapp"`), `"sms.ru"` (or `"smsru"`), `"resend"`.
   * @param request - The request: method, headers, query and raw body.
   * @param options - `key`: the tenant's webhook key, when tenants have their own clients.
   */
  handleStatus(
    provider: string,
    request: StatusRequest,
    options?: { readonly key?: string | null },
  ): Promise<StatusHandled>;
  /**
   * Resolves a short link's token (with `links`): what the link handlers (`linkHandler`,
   * `createFetchLinkHandler`) call. The destination is only ever what was stored for the token.
   * A `GET` from a browser counts as a click (the first one per request reports `clicked`, once
   * across processes); `HEAD` and link-preview bots (Telegram, WhatsApp, iMessage…) never count.
   * A malformed token (not 8 base64url characters) is not found without reading the store.
   *
   * @throws when the store fails (answer 503).
   */
  followLink(token: string, visit: LinkVisit): Promise<FollowedLink>;
  /**
   * A tenant's funnel counters from `since` to now: sent, delivered, clicked (with `links`; per
   * UTC day, see {@link StatsQuery.since}).
   *
   * @throws ConfigError without the `links` option (nothing is counted then).
   */
  stats(query: StatsQuery): Promise<FunnelStats>;
  /** Adds a phone to the tenant's suppression list: no request is ever sent to it again. */
  optOut(phone: string, options?: { key?: string | null; tenantId?: string }): Promise<void>;
  /** `true` when the phone is on the tenant's suppression list. */
  isOptedOut(phone: string, options?: { key?: string | null; tenantId?: string }): Promise<boolean>;
  /**
   * Waits for sends already accepted and for scheduled sends already running (up to `timeoutMs`,
   * default 30 s), then stops the scheduler's timers; resolves with the scheduled sends that had not
   * run (lost with the in-process scheduler).
   */
  close(options?: { readonly timeoutMs?: number }): Promise<ClosedRequester>;
}
