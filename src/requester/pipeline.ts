import { ConfigError, errorMessage, OtzovikError } from "../core/errors.js";
import { type NormalizedPhone, normalizePhone } from "../core/phone.js";
import { randomSecret } from "../core/secret.js";
import { newLinkToken } from "../links/token.js";
import type { ScheduledJob } from "../schedulers/types.js";
import { reportableEvent } from "../sources/event.js";
import { findSource } from "../sources/registry.js";
import type { Source } from "../sources/source.js";
import type { ParsedEvent, PhoneLookup } from "../sources/types.js";
import type { RequesterConfig } from "./config.js";
import { type Dispatch, type SendTime, sendTime } from "./dispatch.js";
import { jobBase, type SendJob } from "./job.js";
import { CLAIM_SETTLE_MS, type Ledger } from "./ledger.js";
import { failed, notBegun, type OutcomeBase, skipped } from "./outcomes.js";
import type { Reporter } from "./report.js";
import type { Fail } from "./retry.js";
import { askAgain, mayHaveRun } from "./settle.js";
import type { TenantPlan, Tenants } from "./tenants.js";
import type {
  Accepted,
  AcceptedEvent,
  HandleOptions,
  HandleResult,
  Outcome,
  TenantSettings,
} from "./types.js";

/** One order to ask about: a webhook event or a direct request, as the pipeline sees it. */
export interface Order {
  readonly source: string;
  readonly id: string | null;
  readonly phone: string | null;
  readonly email: string | null;
  readonly name: string | null;
  /** The account the event names, or `null`. */
  readonly account: string | null;
  /** The phone lookup to do first (the phone is not in the webhook), or `null`. */
  readonly lookup: PhoneLookup | null;
  /** The text hashed into the dedupe key of an order without an id. */
  readonly fallbackKey: () => string;
}

/** An order whose dedupe claim is held: the rest of its way is `finish`. */
interface Claimed {
  readonly claimed: true;
  readonly job: SendJob;
  readonly plan: TenantPlan;
  readonly when: SendTime;
  /** `true` when the claim already marked the order "sending" (sent now, contact checked). */
  readonly begun: boolean;
}

/**
 * A claim the store did not answer (the connection dropped, the time ran out): it may have been
 * made. `ask` makes the same claim again, with the same receipt, and learns what the first did.
 */
interface Unanswered {
  readonly unanswered: true;
  /** What the store call threw. */
  readonly error: unknown;
  readonly ask: () => Promise<Outcome | Claimed>;
  readonly base: OutcomeBase;
}

/** What claiming an order comes to. */
type ClaimStep = Outcome | Claimed | Unanswered;

/** The event pipeline: claim (fast, before answering), then finish (lookup, caps, dispatch). */
export interface Pipeline {
  /** Authenticates, parses and claims every event; sends continue in `done`. */
  accept(source: string, body: unknown, options?: HandleOptions): Promise<Accepted>;
  /** Claims and finishes one order of a tenant; store failures become a `failed` outcome. */
  one(tenant: TenantSettings, order: Order): Promise<Outcome>;
  /** Runs a scheduled job (a delayed send or a retry): the scheduler's handler. */
  resume(scheduled: ScheduledJob): Promise<Outcome>;
}

function baseOf(tenantId: string, order: Order): OutcomeBase {
  return { tenantId, source: order.source, orderId: order.id, phone: order.phone };
}

/**
 * The lookup of an event the parser skipped only for `no_phone`, when a `lookupPhone` hook may
 * find the phone (R-Keeper White Server `OrderStatusChanged`): `"<source>_order"`, by the event's
 * id. `null` for any other event, and for one without an id (nothing to look up by).
 */
function noPhoneLookup(event: ParsedEvent): PhoneLookup | null {
  if (event.shouldSend || event.reason !== "no_phone" || event.id === null) return null;
  return {
    kind: `${event.source}_order`,
    leadId: event.id,
    subdomain: null,
    baseUrl: null,
    type: event.type,
    status: event.status,
  };
}

/**
 * A parsed webhook event as an {@link Order} of its source. `hook`: a `lookupPhone` is set, so an
 * event with a `lookup` is looked up whatever its source, as is one skipped only for `no_phone`.
 */
function orderOf(source: Source, event: ParsedEvent, hook = false): Order {
  return {
    source: source.name,
    id: event.id,
    phone: event.phone,
    email: event.email,
    name: event.customerName,
    account: event.accountId,
    lookup:
      event.phone !== null
        ? null
        : event.shouldSend
          ? source.lookup || hook
            ? event.lookup
            : null
          : hook
            ? noPhoneLookup(event)
            : null,
    fallbackKey: () => {
      try {
        return JSON.stringify(event.raw) ?? String(event.phone);
      } catch {
        return `${event.phone}|${event.status}`;
      }
    },
  };
}

/** Why `accept()` threw: the caller's `signal` was aborted (it answered 503). */
function abandoned(): OtzovikError {
  return new OtzovikError(
    "accept() was abandoned by its caller (signal aborted) before every event was claimed; the events it did claim are sent, and the sender's retry finds them duplicates.",
    { code: "timeout", category: "retryable" },
  );
}

/** Creates the {@link Pipeline}. `track` keeps running sends visible to `close()`. */
export function createPipeline(
  config: RequesterConfig,
  tenants: Tenants,
  ledger: Ledger,
  dispatch: Dispatch,
  fail: Fail,
  report: Reporter,
  track: <T>(promise: Promise<T>) => Promise<T>,
): Pipeline {
  const { logger, options, now } = config;
  /** `false` when the scheduler only enqueues: then every send is scheduled, none sent here. */
  const sendsHere = config.scheduler.runsJobs !== false;

  /** The event a lookup is asked about, as the job keeps it (no body: `raw` is `null`). */
  function lookupEvent(job: SendJob, lookup: PhoneLookup): ParsedEvent {
    return {
      source: job.source,
      type: typeof lookup.type === "string" ? lookup.type : null,
      id: job.orderId,
      status: typeof lookup.status === "string" ? lookup.status : null,
      phone: null,
      shouldSend: true,
      reason: null,
      detail: null,
      customerName: job.name,
      email: job.email,
      accountId: job.account,
      lookup,
      raw: null,
    };
  }

  /**
   * The built-in lookup: through the job's source's `lookup` (amoCRM's API), with the
   * tenant's client (else the requester's).
   */
  async function sourceLookup(job: SendJob, lookup: PhoneLookup, plan: TenantPlan) {
    const source = findSource(config.sources, job.source);
    const definition = source?.lookup;
    if (!source || !definition) {
      throw new ConfigError(
        `Source ${JSON.stringify(job.source)} cannot look phones up: pass \`lookupPhone\` to find them yourself.`,
      );
    }
    const client = plan.lookups[definition.option];
    if (client === undefined || !definition.isClient(client)) {
      throw new ConfigError(definition.missingClient, { provider: source.name });
    }
    // A client shared by every tenant may only look into the account the tenant is pinned to.
    const pinned = plan.accounts[source.name];
    const shared = options.resolveTenant !== undefined && !plan.ownLookups.has(definition.option);
    if (pinned !== undefined || shared) {
      if (pinned === undefined) {
        throw new ConfigError(
          `Tenant ${JSON.stringify(job.tenant.id)} has no \`accounts.${source.name}\`: with a shared \`${definition.option}\` client every tenant must name its account.`,
          { provider: source.name },
        );
      }
      const named = [job.account, typeof lookup.subdomain === "string" ? lookup.subdomain : null];
      if (
        !named.some((account) => account !== null && account.toLowerCase() === pinned.toLowerCase())
      ) {
        throw new OtzovikError(
          `The webhook names another ${source.name} account than tenant ${JSON.stringify(job.tenant.id)}'s (or none); nothing was looked up.`,
          { code: "account_mismatch", provider: source.name },
        );
      }
    }
    return definition.phone(lookupEvent(job, lookup), client);
  }

  /**
   * Looks a phone up: the `lookupPhone` hook when given (it may call the built-in lookup), the
   * built-in lookup otherwise. What it finds is normalised like a parsed phone; a hook's own
   * failure becomes a retryable `lookup_failed` error (an `OtzovikError` it throws is kept).
   */
  async function lookupPhone(
    job: SendJob,
    lookup: PhoneLookup,
    plan: TenantPlan,
  ): Promise<NormalizedPhone> {
    const builtIn = () => sourceLookup(job, lookup, plan);
    const hook = options.lookupPhone;
    let found: unknown;
    if (hook === undefined) found = await builtIn();
    else {
      try {
        found = await hook(lookupEvent(job, lookup), {
          tenantId: job.tenant.id,
          attempt: job.attempt,
          sourceLookup: builtIn,
        });
      } catch (error) {
        if (error instanceof OtzovikError) throw error;
        throw new OtzovikError(
          `The \`lookupPhone\` hook failed for a ${job.source} event: ${errorMessage(error)}`,
          { code: "lookup_failed", provider: job.source, category: "retryable", cause: error },
        );
      }
    }
    if (found === null || found === undefined) return { phone: null, problem: "no_phone" };
    return normalizePhone(found, config.defaultCountry);
  }

  /**
   * The fast part: the dedupe claim (with the contact's checks when the contact is known). A claim
   * the store may have made without answering is {@link Unanswered}.
   */
  async function claim(tenantId: string, plan: TenantPlan, order: Order): Promise<ClaimStep> {
    const dedupeKey = await ledger.orderKey(tenantId, order.source, order.id, order.fallbackKey);
    const when = sendTime(plan.timing, now(), sendsHere);
    const known = order.lookup === null;
    const contact = known
      ? await ledger.contact(tenantId, order, plan.timing.frequencyCapMs)
      : null;
    const begun = known && when.now;
    const receipt = randomSecret();
    const ask = async (): Promise<Outcome | Claimed> => {
      const result = await ledger.claim(dedupeKey, contact, begun, receipt);
      if (result.status !== "claimed") return skipped(baseOf(tenantId, order), result.status);
      return claimedOrder(plan, order, result.ref, when, begun);
    };
    try {
      return await ask();
    } catch (error) {
      if (!mayHaveRun(error)) throw error;
      return { unanswered: true, error, ask, base: baseOf(tenantId, order) };
    }
  }

  /** A claimed order, on its way to `finish`. */
  function claimedOrder(
    plan: TenantPlan,
    order: Order,
    ref: SendJob["ref"],
    when: SendTime,
    begun: boolean,
  ): Claimed {
    const job: SendJob = {
      tenant: plan.snapshot,
      source: order.source,
      orderId: order.id,
      phone: order.phone,
      email: order.email,
      name: order.name,
      ref,
      account: order.account,
      lookup: order.lookup,
      attempt: 1,
      claimedAt: now(),
      // Made after the claim (a duplicate makes none), before the send or the schedule, so a
      // scheduled job carries it to whichever process runs it.
      ...(config.links ? { link: newLinkToken() } : {}),
    };
    return { claimed: true, job, plan, when, begun };
  }

  /**
   * Settles a claim the store did not answer, in the background (`close()` waits for it): asks
   * again with the same receipt until the store answers (up to {@link CLAIM_SETTLE_MS}), and sends
   * the order when the first try had claimed it. The webhook was answered 503 meanwhile; its
   * retry finds the claim (a duplicate) or makes it (and this finds it taken): sent once either
   * way.
   */
  function settle(step: Unanswered): void {
    const meta = {
      tenant: step.base.tenantId,
      source: step.base.source,
      orderId: step.base.orderId,
    };
    logger.warn("the store did not answer an order's claim; asking it again until it does", {
      ...meta,
      error: errorMessage(step.error),
    });
    track(
      (async () => {
        const answer = await askAgain(step.ask, CLAIM_SETTLE_MS);
        if (answer === null) {
          logger.error(
            "could not learn whether an order was claimed (the store did not answer in time): if it was, it is not sent; check the order by hand",
            meta,
          );
        } else if ("claimed" in answer) {
          logger.info(
            "an order's claim had been made although the store did not answer: sending it",
            meta,
          );
          await report(await finish(answer.job, answer.plan, answer.when, answer.begun));
        } else {
          logger.debug("an order's unanswered claim was not made; its retry decides", {
            ...meta,
            reason: answer.status === "skipped" ? answer.reason : answer.status,
          });
        }
      })(),
    ).catch((error) =>
      logger.error("a send after an unanswered claim failed", {
        ...meta,
        error: errorMessage(error),
      }),
    );
  }

  /** The slow part: the phone lookup and its contact checks, then send or schedule. */
  async function finish(
    input: SendJob,
    plan: TenantPlan,
    initialWhen: SendTime,
    initialBegun: boolean,
  ): Promise<Outcome> {
    let job = input;
    let when = initialWhen;
    let begun = initialBegun;
    try {
      if (job.phone === null && job.lookup !== null) {
        const { phone, problem } = await lookupPhone(job, job.lookup, plan);
        if (phone === null) {
          const reason = problem ?? "no_phone";
          await ledger.recordSkipped(job.ref.dedupeKey, reason);
          return skipped(
            jobBase(job),
            reason,
            reason === "invalid_phone"
              ? "the phone looked up is not a valid phone number"
              : "the phone could not be looked up: no contact with a valid phone",
          );
        }
        when = sendTime(
          { ...plan.timing, delayMs: Math.max(0, when.runAt - now()) },
          now(),
          sendsHere,
        );
        const contact = await ledger.contact(
          job.tenant.id,
          { phone, email: job.email },
          plan.timing.frequencyCapMs,
        );
        const result = await ledger.checkContact(
          job.ref.dedupeKey,
          contact,
          when.now ? job.attempt : null,
        );
        if (result.status === "in_doubt" || result.status === "done")
          return notBegun(jobBase(job, phone), result.status, job.attempt);
        if (result.status !== "claimed") return skipped(jobBase(job, phone), result.status);
        job = { ...job, phone, lookup: null, ref: result.ref };
        begun = when.now;
      }
      return await dispatch(job, when, plan, begun);
    } catch (error) {
      return fail(job, error);
    }
  }

  async function accept(
    sourceName: string,
    body: unknown,
    handleOptions?: HandleOptions,
  ): Promise<Accepted> {
    const source = findSource(config.sources, sourceName);
    if (!source) {
      throw new ConfigError(
        `Unknown source ${JSON.stringify(String(sourceName)).slice(0, 80)}: use one of ${Object.keys(config.sources).join(", ")}.`,
      );
    }
    const key = handleOptions?.key;
    const tenant = await tenants.authenticate(key, source.name);
    if (!tenant || typeof key !== "string") {
      logger.warn("webhook rejected: missing or unknown key", { source: source.name });
      return {
        authorized: false,
        events: [],
        done: Promise.resolve({ authorized: false, outcomes: [] }),
      };
    }
    const parsed = source.parse(body, options.parse?.[source.name as keyof typeof options.parse]);
    // Ids of every source (a user's own too) are capped and cleaned before they are logged.
    const parsedEvents = parsed.events.map(reportableEvent);
    // Each account (branch) the events name gets its own settings: one `resolveTenant` call per
    // account, all before anything is claimed (a call that throws claims nothing).
    const accounts = new Map<string, Promise<TenantSettings>>();
    const owners = await Promise.all(
      parsedEvents.map((event) =>
        event.accountId === null
          ? tenant
          : tenants.branch(key, tenant, source.name, event.accountId, accounts),
      ),
    );
    // A tenant's broken settings fail its events without claiming anything.
    const plans = new Map<TenantSettings, { plan: TenantPlan } | { error: unknown }>();
    const planOf = (owner: TenantSettings) => {
      let entry = plans.get(owner);
      if (entry === undefined) {
        try {
          entry = { plan: tenants.plan(owner) };
        } catch (error) {
          entry = { error };
        }
        plans.set(owner, entry);
      }
      return entry;
    };
    if (handleOptions?.signal?.aborted) throw abandoned();
    const hook = options.lookupPhone !== undefined;
    // Events are claimed concurrently: copies of one order in one body (iiko's Delivered and
    // Closed) still resolve to one claim, the store's claim being atomic.
    const settled = await Promise.allSettled(
      parsedEvents.map(async (event, i): Promise<ClaimStep> => {
        const owner = owners[i] ?? tenant;
        const order = orderOf(source, event, hook);
        if (!event.shouldSend && order.lookup === null) {
          return skipped(baseOf(owner.id, order), event.reason ?? "invalid_payload", event.detail);
        }
        const entry = planOf(owner);
        if ("error" in entry) return failed(baseOf(owner.id, order), entry.error);
        return claim(owner.id, entry.plan, order);
      }),
    );
    const unanswered = settled.flatMap((s) =>
      s.status === "fulfilled" && "unanswered" in s.value ? [s.value] : [],
    );
    for (const step of unanswered) settle(step);
    const rejected = settled.find((s) => s.status === "rejected") ?? unanswered[0];
    const signal = handleOptions?.signal;
    if (rejected || signal?.aborted) {
      // The store failed mid-way, or the caller already answered 503: the sender retries. What
      // this call did claim is sent all the same, never given back: its retry may already have
      // found the claim and stopped at "duplicate", and a claim given back after that would lose
      // the order (a Redis restart mid-flood did). The retry of a kept order is a duplicate.
      const kept = settled.flatMap((s) =>
        s.status === "fulfilled" && "claimed" in s.value ? [s.value] : [],
      );
      if (kept.length > 0)
        track(
          Promise.all(kept.map(async (c) => report(await finish(c.job, c.plan, c.when, c.begun)))),
        ).catch((error) =>
          logger.error("a send of an abandoned accept() failed", {
            error: errorMessage(error),
          }),
        );
      throw rejected ? ("unanswered" in rejected ? rejected.error : rejected.reason) : abandoned();
    }
    const steps = settled.map((s) => (s as PromiseFulfilledResult<Outcome | Claimed>).value);
    const events: AcceptedEvent[] = steps.map((s) =>
      "claimed" in s
        ? { id: s.job.orderId, status: "accepted", reason: null }
        : {
            id: s.orderId,
            status: s.status === "skipped" ? "skipped" : "accepted",
            reason: s.status === "skipped" ? s.reason : null,
          },
    );
    const done = track(
      (async (): Promise<HandleResult> => {
        const outcomes: Outcome[] = [];
        for (const step of steps) {
          outcomes.push(
            await report(
              "claimed" in step ? await finish(step.job, step.plan, step.when, step.begun) : step,
            ),
          );
        }
        return { authorized: true, tenantId: tenant.id, outcomes };
      })(),
    );
    return { authorized: true, tenantId: tenant.id, events, done };
  }

  return {
    accept,

    async one(tenant, order) {
      let step: ClaimStep;
      try {
        step = await claim(tenant.id, tenants.plan(tenant), order);
      } catch (error) {
        return report(failed(baseOf(tenant.id, order), error));
      }
      if ("unanswered" in step) {
        settle(step);
        return report(failed(step.base, step.error));
      }
      return report(
        "claimed" in step ? await finish(step.job, step.plan, step.when, step.begun) : step,
      );
    },

    async resume(scheduled) {
      const job = scheduled.data as unknown as SendJob;
      let plan: TenantPlan;
      try {
        plan = tenants.planOf(job.tenant);
      } catch (error) {
        return report(await fail(job, error));
      }
      // The delay is served; quiet hours still apply (a retry due at night waits for the morning).
      const when = sendTime({ ...plan.timing, delayMs: 0 }, now());
      return report(await finish(job, plan, when, false));
    },
  };
}
