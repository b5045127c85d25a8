import { errorMessage } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { sealer } from "../core/seal.js";
import { keyedHasher } from "../core/secret.js";
import type { UserAgentClass } from "../links/user-agent.js";
import { runBatch } from "../stores/batch.js";
import type { BatchReceipt, BatchResult, Store, StoreStep } from "../stores/types.js";
import type { SendJob } from "./job.js";

/**
 * The ledger: the one owner of every store key and operation the requester uses — order claims
 * (dedupe), frequency caps, opt-outs and send records. Each operation is one {@link Store.batch}
 * (one round trip) where the store has it:
 *
 * - claiming an event with a known contact: claim the order, check the opt-out, claim the cap;
 * - recording what a send did;
 * - before a scheduled send or a retry: check the opt-out again and move the order to "sending"
 *   (a compare-and-set: a job run twice — a worker killed mid-send, a stalled job recovered —
 *   finds the order already "sending" and sends nothing).
 *
 * Key layout (parts URI-encoded, so `:` in ids cannot collide):
 *
 * - `otzovik:dedupe:{tenant}:{source}:{order id}` (or `…:h:{hash}` for events without an id);
 * - `otzovik:cap:{tenant}:{contact hash}`;
 * - `otzovik:optout:{tenant}:{phone hash}` (no TTL); `…:{email hash}` for an email address whose
 *   owner complained (a status webhook);
 * - `otzovik:msg:{provider}:{message id}`: a sent message a status webhook may report on (only
 *   when the sending client reads status webhooks), kept {@link MESSAGE_TTL_MS};
 * - `otzovik:receipt:{random id}`: what an order's claim answered (see {@link Ledger.claim}),
 *   kept {@link RECEIPT_TTL_MS}; not with a store whose answers cannot be lost
 *   ({@link Store.inProcess}).
 *
 * With the requester's `links` option (short links, click tracking), also:
 *
 * - `otzovik:link:{token}`: a short link, `{"tenant":…,"order":…,"channel":…,"business":…,
 *   "urls":[…],"at":…,"exp":…}`: `order` is a keyed hash of the order's dedupe key (never the
 *   order id), `channel` the channel it went out on (`null` until sent), `urls` the review
 *   URLs it leads to, `at`/`exp` when it was made and when it stops working (ms since the epoch;
 *   also its TTL). The token is random: the key holds no phone, order id or tenant;
 * - `otzovik:click:{token}`: the link's first counted click, `{"at":…,"ua":"mobile"}` (a
 *   user-agent class, never the user agent or the address), claimed once: the `clicked`
 *   outcome's exactly-once; `otzovik:clicks:{token}`: its counted clicks; both until the link
 *   expires;
 * - `otzovik:stats:{tenant}:{YYYY-MM-DD}:{counter}`: a tenant's funnel counters per UTC day
 *   (`sent`, `delivered`, `clicked`: requests clicked at least once, `clicks`: every counted
 *   click), kept {@link STATS_TTL_MS} after their last increment.
 *
 * Phones and emails appear in keys only as keyed hashes (HMAC with the requester's `hashSecret`).
 *
 * Values are small JSON from a fixed set — no ids, no timestamps (the key's TTL says when) — so a
 * store can share them between entries: the memory store keeps one copy of each, and a million
 * orders cost their keys' digests only. The message id of a send is in its outcome and logs.
 *
 * - an order: `{"state":"claimed"}` (claimed, the send is scheduled),
 *   `{"state":"sending","attempt":1}` (attempt 1 is calling the provider, or ended in a failure
 *   that nothing was sent on and attempt 2 is scheduled),
 *   `{"state":"sent","channel":"sms"}` (or another channel type), `{"state":"unknown","code":…}`
 *   (the provider may have sent it; `code` is the error code), `{"state":"skipped","reason":…}`
 *   (`opted_out`, `frequency_capped` or another skip reason);
 * - a frequency cap: `{"state":"capped"}`;
 * - an opt-out (kept until deleted): `{"code":…,"provider":…,"at":…}`, `at` being when it was
 *   recorded (ms since the epoch); `{"code":…,"at":…}` when added with `optOut()`.
 */
export interface Ledger {
  /** The dedupe key of an order. `fallback` gives the text to hash when the event has no id. */
  orderKey(
    tenantId: string,
    source: string,
    id: string | null,
    fallback: () => string,
  ): Promise<string>;
  /**
   * The idempotency key of an order's message, for providers that take one (Resend): the same on
   * every process and retry, so the provider refuses a second copy.
   */
  idempotencyKey(ref: OrderRef): Promise<string>;
  /** The opt-out key and (with a cap) the cap claim for a contact. */
  contact(tenantId: string, who: Contact, capMs: number | false): Promise<ContactKeys>;
  /**
   * Claims an order, and checks its contact when it is known: one round trip. A contact that
   * opted out or is capped costs a second one (the order is recorded as skipped). With
   * `sending`, the order is marked "sending" (attempt 1) at once: it is sent now.
   *
   * `receipt` (a random id, one per claim) keeps what the claim answered for
   * {@link RECEIPT_TTL_MS}: when the store's answer is lost, the same call again resolves to what
   * the first one did (see {@link BatchReceipt}) rather than finding its own claim a duplicate.
   */
  claim(
    dedupeKey: string,
    contact: ContactKeys | null,
    sending: boolean,
    receipt: string,
  ): Promise<ClaimResult>;
  /**
   * Checks a contact found after the claim (a looked-up phone); records a skip. With `attempt`
   * (it is sent now), the order moves to "sending" as in {@link Ledger.beginSend}.
   */
  checkContact(
    dedupeKey: string,
    contact: ContactKeys,
    attempt: number | null,
  ): Promise<ContactResult>;
  /**
   * Before a scheduled send or a retry: the opt-out again (it may be new), and the order moved to
   * "sending" for `attempt` — only from "claimed" or from an earlier attempt's "sending" (each
   * earlier attempt ended in a failure that sent nothing, or attempt `attempt` would not exist).
   * `in_doubt`: this attempt already began (its job runs a second time: the message may be out);
   * `done`: the order was sent, skipped or given up since.
   */
  beginSend(ref: OrderRef, attempt: number): Promise<BeginResult>;
  /**
   * The message went out. Never throws: a lost record must not give the claims back. With
   * `track`, the message is recorded too (same round trip), for its status webhooks; with
   * `link`, the short link learns its channel; with counters on (`links`) and `tenantId`, the
   * tenant's `sent` counter of the day is incremented (same round trip).
   */
  recordSent(
    ref: OrderRef,
    sent: { channel: string; messageId: string; tenantId?: string },
    track?: { provider: string; index: number; job: SendJob },
    link?: SavedLink | null,
  ): Promise<void>;
  /**
   * Stores an order's short link under its token (a claim: a retry of the same order finds its
   * own link and keeps it). `null` when the token is another order's (a 1-in-2^48 collision):
   * then the message carries the review URL itself.
   */
  saveLink(ref: OrderRef, token: string, link: NewLink): Promise<SavedLink | null>;
  /** The link of a token, or `null` when unknown or expired. */
  findLink(token: string): Promise<SavedLink | null>;
  /**
   * Counts a click on a link: `first` when it is the link's first counted click (claimed, so
   * once across processes; the tenant's `clicked` counter then goes up too).
   */
  click(link: SavedLink, userAgent: UserAgentClass): Promise<{ first: boolean; clicks: number }>;
  /** A tenant's funnel counters summed over these UTC days (`YYYY-MM-DD`). */
  stats(tenantId: string, days: readonly string[]): Promise<FunnelCounts>;
  /** A tracked message (see {@link Ledger.recordSent}), or `null` when unknown or expired. */
  findMessage(provider: string, messageId: string): Promise<TrackedMessage | null>;
  /**
   * Moves a tracked message to `state` (a compare-and-set on what {@link Ledger.findMessage}
   * read): `false` when another status (a copy of this webhook, another process) moved it first.
   */
  moveMessage(message: TrackedMessage, state: MessageState): Promise<boolean>;
  /**
   * Opens a sent order again for a fallback: "sent" on `channel` (or forgotten) → "claimed" (a
   * compare-and-set). With `cap` (the order's frequency cap may have run out since it was
   * claimed), the contact's cap is claimed again in the same step. `moved`: the order is in
   * another state (a fallback already began); `capped`: another order holds the contact's cap.
   */
  reopen(
    ref: OrderRef,
    channel: string,
    cap: { readonly ttlMs: number } | null,
  ): Promise<"ok" | "moved" | "capped">;
  /** Whether a status's recipient (Meta's `recipient_id` digits) is the message's phone. */
  sameRecipient(message: TrackedMessage, recipient: string): Promise<boolean>;
  /** Adds an email address to a tenant's opt-out list (its owner complained). */
  optOutEmail(tenantId: string, email: string, code: string): Promise<void>;
  /** The message may have gone out. Never throws, keeps the claims. */
  recordUnknown(ref: OrderRef, code: string): Promise<void>;
  /** The provider reports the person refused messages: remember it, and skip the order. */
  recordOptOut(ref: OrderRef, info: { code: string; provider: string | null }): Promise<void>;
  /** The order will not be sent. */
  recordSkipped(dedupeKey: string, reason: string): Promise<void>;
  /** Gives the order and its cap back (a failure before anything was sent). Never throws. */
  release(ref: OrderRef): Promise<void>;
  /** Adds a phone to a tenant's opt-out list. */
  optOut(tenantId: string, phone: string, code: string): Promise<void>;
  /** `true` when a phone is on a tenant's opt-out list. */
  isOptedOut(tenantId: string, phone: string): Promise<boolean>;
}

/** A short link to store (see {@link Ledger.saveLink}). */
export interface NewLink {
  readonly tenantId: string;
  readonly business: string;
  /** The review URLs it leads to (one: a redirect; several: a chooser page). */
  readonly urls: readonly string[];
  /** How long it works, ms. */
  readonly ttlMs: number;
}

/** A short link as the ledger keeps it. */
export interface SavedLink {
  readonly token: string;
  readonly tenantId: string;
  /** A keyed hash of the order's dedupe key: which order, without its id. */
  readonly order: string;
  /** The channel it went out on, or `null` before the send is recorded. */
  readonly channel: string | null;
  readonly business: string;
  readonly urls: readonly string[];
  /** When it was made, ms since the epoch. */
  readonly at: number;
  /** When it stops working, ms since the epoch. */
  readonly exp: number;
}

/** A tenant's funnel counters over some days. */
export interface FunnelCounts {
  readonly sent: number;
  readonly delivered: number;
  readonly clicked: number;
  readonly clicks: number;
}

/** Who an order goes to. */
export interface Contact {
  readonly phone: string | null;
  readonly email: string | null;
}

/** What a status webhook moves a tracked message to. */
export type MessageState = "sent" | "delivered" | "undelivered";

/** A sent message as the ledger keeps it for its status webhooks. */
export interface TrackedMessage {
  /** The store key. */
  readonly key: string;
  /** The stored value, as read (the compare-and-set compares it). */
  readonly value: string;
  readonly state: MessageState;
  readonly tenantId: string;
  /** The channel's position in the tenant's chain. */
  readonly index: number;
  /** The channel type. */
  readonly channel: string;
  /** When it was sent, ms since the epoch. */
  readonly at: number;
  /** The keyed hash of the phone it went to, or `null` (an email). */
  readonly phoneHash: string | null;
  /** The job as stored (sealed): written back unchanged when the message moves. */
  readonly sealedJob: string;
  /** The job that sent it (unsealed), or `null` when it cannot be opened (another `hashSecret`). */
  readonly job: SendJob | null;
}

/** The keys a contact's checks use. */
export interface ContactKeys {
  /** The opt-out key (phones only), or `null`. */
  readonly optout: string | null;
  /** The email address's opt-out key, or `null`. */
  readonly emailOptout?: string | null;
  /** The cap to claim, or `null` (no cap, or no contact). */
  readonly cap: { readonly key: string; readonly ttlMs: number; readonly value: string } | null;
}

/** The keys of a claimed order, kept with its send (JSON-safe, for scheduled jobs). */
export interface OrderRef {
  readonly dedupeKey: string;
  readonly capKey: string | null;
  readonly optoutKey: string | null;
  /** The email address's opt-out key (absent in jobs of older versions). */
  readonly emailOptoutKey?: string | null;
}

/** How a claim ended. */
export type ClaimResult =
  | { readonly status: "claimed"; readonly ref: OrderRef }
  | { readonly status: "duplicate" | "opted_out" | "frequency_capped" };

/** How {@link Ledger.checkContact} ended: `in_doubt` and `done` as in {@link BeginResult}. */
export type ContactResult = ClaimResult | { readonly status: "in_doubt" | "done" };

/** How {@link Ledger.beginSend} ended. */
export type BeginResult = "ok" | "opted_out" | "in_doubt" | "done";

/** Options of {@link createLedger}. */
export interface LedgerOptions {
  readonly store: Store;
  readonly now: () => number;
  /** How long an order is remembered, ms. */
  readonly dedupeTtlMs: number;
  /** Keys the hashes of phones and emails (a function: read on first use). */
  readonly hashSecret: string | (() => string);
  readonly logger: Logger;
  /** Keep the per-tenant funnel counters (with the requester's `links`). */
  readonly counters?: boolean;
}

/** How long a tenant's day of funnel counters is kept after its last increment (ms): 400 days. */
export const STATS_TTL_MS = 400 * 24 * 3_600_000;

/** The UTC day (`YYYY-MM-DD`) of a time, for the funnel counters. */
export function statsDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * How long the pipeline asks again for a claim whose answer was lost (ms): then the order is
 * given up, logged as an error.
 */
export const CLAIM_SETTLE_MS = 10 * 60_000;

/** How long a sent message is tracked for its status webhooks (ms): 7 days. */
export const MESSAGE_TTL_MS = 7 * 24 * 3_600_000;

/** How long a claim's receipt is kept (ms): longer than anyone asks for it. */
export const RECEIPT_TTL_MS = CLAIM_SETTLE_MS + 5 * 60_000;

/**
 * What an email address is hashed as for its opt-out: lower-cased and marked, so it never meets
 * a phone's hash.
 */
function emailKey(email: string): string {
  return `email:${email.trim().toLowerCase()}`;
}

/** Store key: `otzovik:{kind}:{part}:{part}…`, parts URI-encoded. */
function storeKey(kind: string, ...parts: string[]): string {
  return ["otzovik", kind, ...parts.map(encodeURIComponent)].join(":");
}

/** Creates the {@link Ledger} over a store. */
export function createLedger(options: LedgerOptions): Ledger {
  const { store, now, dedupeTtlMs, logger } = options;
  const hash = keyedHasher(options.hashSecret);
  const seal = sealer(options.hashSecret);
  const batch = (steps: readonly StoreStep[], receipt?: BatchReceipt): Promise<BatchResult> =>
    store.batch ? store.batch(steps, receipt) : runBatch(store, steps, receipt);
  /** The value of an entry with a TTL: from a fixed set, see {@link Ledger}. */
  const record = (value: Record<string, string | number>) => JSON.stringify(value);
  const claimed = record({ state: "claimed" });
  const sendingRecord = (attempt: number) => record({ state: "sending", attempt });
  /** The step that moves an order to "sending" for `attempt` only from the states allowing it. */
  const sendingSteps = (dedupeKey: string, attempt: number): [StoreStep, StoreStep] => [
    {
      op: "expect",
      key: dedupeKey,
      values: [claimed, ...Array.from({ length: attempt - 1 }, (_, i) => sendingRecord(i + 1))],
    },
    { op: "set", key: dedupeKey, value: sendingRecord(attempt), ttlMs: dedupeTtlMs },
  ];
  /** What a failed `expect` of {@link sendingSteps} found. */
  const notBegun = (held: string | null | undefined, attempt: number): "in_doubt" | "done" =>
    held === sendingRecord(attempt) ? "in_doubt" : "done";
  const counters = options.counters === true;
  /** The step counting one `counter` event for a tenant today. */
  const countStep = (tenantId: string, counter: string): StoreStep => ({
    op: "incr",
    key: storeKey("stats", tenantId, statsDay(now()), counter),
    by: 1,
    ttlMs: STATS_TTL_MS,
  });
  const linkKey = (token: string) => storeKey("link", token);
  const linkValue = (link: SavedLink) =>
    JSON.stringify({
      tenant: link.tenantId,
      order: link.order,
      channel: link.channel,
      business: link.business,
      urls: link.urls,
      at: link.at,
      exp: link.exp,
    });
  /** A stored link's value read back, or `null` when it is not one. */
  function readLink(token: string, value: string | null): SavedLink | null {
    const parsed = parseRecord(value);
    if (parsed === null) return null;
    const { tenant, order, channel, business, urls, at, exp } = parsed;
    if (
      typeof tenant !== "string" ||
      typeof order !== "string" ||
      (channel !== null && typeof channel !== "string") ||
      typeof business !== "string" ||
      !Array.isArray(urls) ||
      urls.length === 0 ||
      !urls.every((u) => typeof u === "string") ||
      typeof at !== "number" ||
      typeof exp !== "number"
    )
      return null;
    return { token, tenantId: tenant, order, channel, business, urls, at, exp };
  }
  /** What is left of a link's life, ms (at least 1: a TTL must be positive). */
  const leftOf = (link: SavedLink) => Math.max(1, link.exp - now());

  /** The value of an opt-out, kept until deleted: when it was recorded matters there. */
  const optOutRecord = (value: Record<string, string | null>) =>
    JSON.stringify({ ...value, at: now() });

  async function setOrder(
    dedupeKey: string,
    value: Record<string, string | number>,
  ): Promise<void> {
    await store.set(dedupeKey, record(value), dedupeTtlMs);
  }

  /** Records after a send; a failure is logged, never thrown (the claim keeps the order deduplicated). */
  async function keep(ref: OrderRef, value: Record<string, string | number>): Promise<void> {
    try {
      await setOrder(ref.dedupeKey, value);
    } catch (error) {
      logger.error("could not record a sent review request; its claim is kept", {
        key: ref.dedupeKey,
        error: errorMessage(error),
      });
    }
  }

  /** The opt-out checks of an order's contact: its phone's, its email address's. */
  function optOutSteps(keys: { optout: string | null; emailOptout?: string | null }): StoreStep[] {
    const steps: StoreStep[] = [];
    if (keys.optout) steps.push({ op: "absent", key: keys.optout });
    if (keys.emailOptout) steps.push({ op: "absent", key: keys.emailOptout });
    return steps;
  }

  function contactSteps(contact: ContactKeys): StoreStep[] {
    const steps = optOutSteps(contact);
    if (contact.cap) steps.push({ op: "claim", ...contact.cap });
    return steps;
  }

  /** The keys of a claimed order with this contact. */
  const refOf = (dedupeKey: string, contact: ContactKeys): OrderRef => ({
    dedupeKey,
    capKey: contact.cap?.key ?? null,
    optoutKey: contact.optout,
    emailOptoutKey: contact.emailOptout ?? null,
  });

  /** The stored value of a tracked message. */
  const messageValue = (
    m: Omit<TrackedMessage, "key" | "value" | "job" | "sealedJob">,
    job: string,
  ) =>
    JSON.stringify({
      state: m.state,
      tenant: m.tenantId,
      index: m.index,
      channel: m.channel,
      at: m.at,
      phone: m.phoneHash,
      job,
    });

  /** The step recording a tracked message (sealed job) for its status webhooks. */
  async function messageStep(
    track: { provider: string; index: number; job: SendJob },
    sent: { channel: string; messageId: string },
  ): Promise<StoreStep> {
    const job = await seal.seal(JSON.stringify(track.job));
    const value = messageValue(
      {
        state: "sent",
        tenantId: track.job.tenant.id,
        index: track.index,
        channel: sent.channel,
        at: now(),
        phoneHash: sent.channel !== "email" && track.job.phone ? await hash(track.job.phone) : null,
      },
      job,
    );
    return {
      op: "set",
      key: storeKey("msg", track.provider, sent.messageId),
      value,
      ttlMs: MESSAGE_TTL_MS,
    };
  }

  /** Reads the batch answer of contact steps starting at `offset`. */
  async function contactResult(
    dedupeKey: string,
    contact: ContactKeys,
    result: BatchResult,
    offset: number,
  ): Promise<ClaimResult> {
    if (result.failedAt === -1) return { status: "claimed", ref: refOf(dedupeKey, contact) };
    const optedOut = result.failedAt < offset + optOutSteps(contact).length;
    const reason = optedOut ? "opted_out" : "frequency_capped";
    await setOrder(dedupeKey, { state: "skipped", reason });
    return { status: reason };
  }

  return {
    async orderKey(tenantId, source, id, fallback) {
      if (id !== null) return storeKey("dedupe", tenantId, source, id);
      return storeKey("dedupe", tenantId, source, `h:${await hash(fallback())}`);
    },

    async idempotencyKey(ref) {
      return `otzovik-${await hash(`idempotency:${ref.dedupeKey}`)}`;
    },

    async contact(tenantId, who, capMs) {
      const phoneHash = who.phone ? await hash(who.phone) : null;
      const optout = phoneHash ? storeKey("optout", tenantId, phoneHash) : null;
      const emailHash = who.email ? await hash(emailKey(who.email)) : null;
      const emailOptout = emailHash ? storeKey("optout", tenantId, emailHash) : null;
      const addressHash = phoneHash ?? (who.email ? await hash(who.email) : null);
      const cap =
        capMs === false || addressHash === null
          ? null
          : {
              key: storeKey("cap", tenantId, addressHash),
              ttlMs: capMs,
              value: record({ state: "capped" }),
            };
      return { optout, emailOptout, cap };
    },

    async claim(dedupeKey, contact, sending, receipt) {
      const claim: StoreStep = {
        op: "claim",
        key: dedupeKey,
        value: sending ? sendingRecord(1) : claimed,
        ttlMs: dedupeTtlMs,
      };
      const result = await batch(
        [claim, ...(contact ? contactSteps(contact) : [])],
        store.inProcess ? undefined : { key: storeKey("receipt", receipt), ttlMs: RECEIPT_TTL_MS },
      );
      if (result.failedAt === 0) return { status: "duplicate" };
      if (!contact) {
        return {
          status: "claimed",
          ref: { dedupeKey, capKey: null, optoutKey: null, emailOptoutKey: null },
        };
      }
      return contactResult(dedupeKey, contact, result, 1);
    },

    async checkContact(dedupeKey, contact, attempt) {
      if (attempt === null)
        return contactResult(dedupeKey, contact, await batch(contactSteps(contact)), 0);
      // The order's state first: a job run again must not claim the cap a second time.
      const [expect, set] = sendingSteps(dedupeKey, attempt);
      const result = await batch([expect, ...contactSteps(contact), set]);
      if (result.failedAt === 0) return { status: notBegun(result.values[0], attempt) };
      return contactResult(dedupeKey, contact, result, 1);
    },

    async beginSend(ref, attempt) {
      const [expect, set] = sendingSteps(ref.dedupeKey, attempt);
      const steps: StoreStep[] = [
        expect,
        ...optOutSteps({ optout: ref.optoutKey, emailOptout: ref.emailOptoutKey }),
        set,
      ];
      const result = await batch(steps);
      if (result.failedAt === -1) return "ok";
      if (result.failedAt === 0) return notBegun(result.values[0], attempt);
      await setOrder(ref.dedupeKey, { state: "skipped", reason: "opted_out" });
      return "opted_out";
    },

    async recordSent(ref, sent, track, link) {
      const extra: StoreStep[] = [];
      if (link)
        extra.push({
          op: "set",
          key: linkKey(link.token),
          value: linkValue({ ...link, channel: sent.channel }),
          ttlMs: leftOf(link),
        });
      if (counters && sent.tenantId !== undefined) extra.push(countStep(sent.tenantId, "sent"));
      if (!track && extra.length === 0) return keep(ref, { state: "sent", channel: sent.channel });
      try {
        const steps: StoreStep[] = [
          {
            op: "set",
            key: ref.dedupeKey,
            value: record({ state: "sent", channel: sent.channel }),
            ttlMs: dedupeTtlMs,
          },
        ];
        if (track) steps.push(await messageStep(track, sent));
        await batch([...steps, ...extra]);
      } catch (error) {
        logger.error("could not record a sent review request; its claim is kept", {
          key: ref.dedupeKey,
          error: errorMessage(error),
        });
      }
    },

    async saveLink(ref, token, link) {
      const at = now();
      const saved: SavedLink = {
        token,
        tenantId: link.tenantId,
        order: await hash(`link:${ref.dedupeKey}`),
        channel: null,
        business: link.business,
        urls: link.urls,
        at,
        exp: at + link.ttlMs,
      };
      const result = await batch([
        { op: "claim", key: linkKey(token), value: linkValue(saved), ttlMs: link.ttlMs },
      ]);
      if (result.failedAt === -1) return saved;
      // Taken: by this order (a retry, a fallback) it is kept as it is; by another, not used.
      const held = readLink(token, result.values[0] ?? null);
      return held !== null && held.order === saved.order ? held : null;
    },

    async findLink(token) {
      const link = readLink(token, await store.get(linkKey(token)));
      return link !== null && link.exp > now() ? link : null;
    },

    async click(link, userAgent) {
      const ttlMs = leftOf(link);
      const steps: StoreStep[] = [
        { op: "incr", key: storeKey("clicks", link.token), by: 1, ttlMs },
        countStep(link.tenantId, "clicks"),
        {
          op: "claim",
          key: storeKey("click", link.token),
          value: JSON.stringify({ at: now(), ua: userAgent }),
          ttlMs,
        },
        countStep(link.tenantId, "clicked"),
      ];
      const result = await batch(steps);
      return { first: result.failedAt === -1, clicks: Number(result.values[0] ?? 0) };
    },

    async stats(tenantId, days) {
      const names = ["sent", "delivered", "clicked", "clicks"] as const;
      const steps: StoreStep[] = days.flatMap((day) =>
        names.map(
          (name): StoreStep => ({ op: "get", key: storeKey("stats", tenantId, day, name) }),
        ),
      );
      const totals = { sent: 0, delivered: 0, clicked: 0, clicks: 0 };
      if (steps.length === 0) return totals;
      const { values } = await batch(steps);
      values.forEach((value, i) => {
        const n = Number(value ?? 0);
        if (Number.isSafeInteger(n) && n > 0)
          totals[names[i % names.length] as keyof typeof totals] += n;
      });
      return totals;
    },

    async findMessage(provider, messageId) {
      const key = storeKey("msg", provider, messageId);
      const value = await store.get(key);
      if (value === null) return null;
      const parsed = parseRecord(value);
      if (parsed === null) return null;
      const { state, tenant, index, channel, at, phone, job } = parsed;
      if (
        (state !== "sent" && state !== "delivered" && state !== "undelivered") ||
        typeof tenant !== "string" ||
        typeof index !== "number" ||
        typeof channel !== "string" ||
        typeof at !== "number" ||
        (phone !== null && typeof phone !== "string") ||
        typeof job !== "string"
      )
        return null;
      const opened = await seal.open(job);
      let sendJob: SendJob | null = null;
      try {
        sendJob = opened === null ? null : (JSON.parse(opened) as SendJob);
      } catch {
        sendJob = null;
      }
      return {
        key,
        value,
        state,
        tenantId: tenant,
        index,
        channel,
        at,
        phoneHash: phone,
        sealedJob: job,
        job: sendJob,
      };
    },

    async moveMessage(message, state) {
      const steps: StoreStep[] = [
        { op: "expect", key: message.key, values: [message.value] },
        {
          op: "set",
          key: message.key,
          value: messageValue({ ...message, state }, message.sealedJob),
          ttlMs: MESSAGE_TTL_MS,
        },
      ];
      // Counted in the compare-and-set: once, whichever copy of the status moves it.
      if (counters && state === "delivered") steps.push(countStep(message.tenantId, "delivered"));
      const result = await batch(steps);
      return result.failedAt === -1;
    },

    async reopen(ref, channel, cap) {
      const steps: StoreStep[] = [
        { op: "expect", key: ref.dedupeKey, values: [record({ state: "sent", channel })] },
      ];
      if (cap && ref.capKey)
        steps.push({
          op: "claim",
          key: ref.capKey,
          value: record({ state: "capped" }),
          ttlMs: cap.ttlMs,
        });
      steps.push({ op: "set", key: ref.dedupeKey, value: claimed, ttlMs: dedupeTtlMs });
      const result = await batch(steps);
      // An order no longer remembered (its dedupe TTL ran out) is opened too: the message says it
      // was sent and did not arrive.
      if (result.failedAt === -1) return "ok";
      return result.failedAt === 0 ? "moved" : "capped";
    },

    async sameRecipient(message, recipient) {
      if (message.phoneHash === null) return true;
      const digits = recipient.replace(/\D/g, "");
      return digits !== "" && (await hash(`+${digits}`)) === message.phoneHash;
    },

    async optOutEmail(tenantId, email, code) {
      await store.set(
        storeKey("optout", tenantId, await hash(emailKey(email))),
        optOutRecord({ code }),
      );
    },

    recordUnknown: (ref, code) => keep(ref, { state: "unknown", code }),

    async recordOptOut(ref, info) {
      const steps: StoreStep[] = [];
      if (ref.optoutKey)
        steps.push({
          op: "set",
          key: ref.optoutKey,
          value: optOutRecord({ code: info.code, provider: info.provider }),
        });
      steps.push({
        op: "set",
        key: ref.dedupeKey,
        value: record({ state: "skipped", reason: "opted_out" }),
        ttlMs: dedupeTtlMs,
      });
      await batch(steps);
    },

    recordSkipped: (dedupeKey, reason) => setOrder(dedupeKey, { state: "skipped", reason }),

    async release(ref) {
      const steps: StoreStep[] = [{ op: "delete", key: ref.dedupeKey }];
      if (ref.capKey) steps.push({ op: "delete", key: ref.capKey });
      try {
        await batch(steps);
      } catch (error) {
        logger.error("could not release the claims of a failed review request", {
          key: ref.dedupeKey,
          error: errorMessage(error),
        });
      }
    },

    async optOut(tenantId, phone, code) {
      await store.set(storeKey("optout", tenantId, await hash(phone)), optOutRecord({ code }));
    },

    async isOptedOut(tenantId, phone) {
      return (await store.get(storeKey("optout", tenantId, await hash(phone)))) !== null;
    },
  };
}

/** A stored JSON object read back, or `null` when the value is absent or not a JSON object. */
function parseRecord(value: string | null): Record<string, unknown> | null {
  if (value === null) return null;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
