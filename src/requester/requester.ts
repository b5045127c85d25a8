import { ConfigError, OtzovikError } from "../core/errors.js";
import { createLogger } from "../core/logger.js";
import { maskPhone, normalizePhone } from "../core/phone.js";
import { secretMatcher, sha256Hex } from "../core/secret.js";
import { inProcessScheduler } from "../schedulers/in-process.js";
import type { JobData, ScheduledJob } from "../schedulers/types.js";
import { parsers } from "../sources/index.js";
import type { ParsedEvent, SourceName } from "../sources/types.js";
import { memoryStore } from "../stores/memory.js";
import { deliver, type Recipient } from "./delivery.js";
import { validateRequesterOptions } from "./options.js";
import {
  DEFAULT_QUIET_HOURS,
  nextAllowedTime,
  type QuietWindow,
  quietWindow,
} from "./quiet-hours.js";
import { compileTemplate, DEFAULT_MESSAGE, type TemplateVars } from "./template.js";
import type {
  Accepted,
  AcceptedEvent,
  ChannelSpec,
  DirectRequest,
  FailedOutcome,
  HandleOptions,
  HandleResult,
  Outcome,
  RequesterOptions,
  ReviewRequester,
  SkippedOutcome,
  SkippedReason,
  TenantSettings,
} from "./types.js";

const DAY_MS = 86_400_000;
const DEFAULT_FREQUENCY_CAP_MS = 30 * DAY_MS;
const DEFAULT_DEDUPE_TTL_MS = 90 * DAY_MS;
/** A send due within this many ms is sent now rather than scheduled. */
const SCHEDULE_THRESHOLD_MS = 1000;

/** Everything a send needs, JSON-safe so a durable scheduler can keep it. */
interface SendJob {
  readonly tenant: {
    readonly id: string;
    readonly business: string;
    readonly reviewUrl: string;
    readonly message: string | null;
    readonly channels: readonly string[] | null;
  };
  readonly source: SourceName | "direct";
  readonly orderId: string | null;
  readonly phone: string | null;
  readonly email: string | null;
  readonly name: string | null;
  readonly dedupeKey: string;
  readonly capKey: string | null;
}

/** A claimed event waiting for its send. */
interface Claim {
  readonly claim: true;
  readonly tenant: TenantSettings;
  readonly source: SourceName;
  readonly event: ParsedEvent;
  readonly dedupeKey: string;
}

/** Store key: `otzovik:{kind}:{part}:{part}…`, parts URI-encoded so `:` in ids cannot collide. */
function storeKey(kind: string, ...parts: string[]): string {
  return ["otzovik", kind, ...parts.map(encodeURIComponent)].join(":");
}

/** A tenant's duration setting, checked (tenant settings come from `resolveTenant` at run time). */
function tenantDuration(name: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(
      `Option \`tenant.${name}\` must be an integer number of milliseconds, at least ${min}${name === "frequencyCapMs" ? ", or false" : ""}; got ${typeof value === "number" ? value : typeof value}.`,
    );
  }
  return value;
}

function skippedReason(reason: ParsedEvent["reason"]): SkippedReason {
  if (reason === "status_not_final") return "not_final";
  return reason ?? "invalid_payload";
}

/**
 * Creates the review requester: from a webhook to exactly one polite review request.
 *
 * For each event of a webhook it authenticates the key (constant time), parses the body, looks up
 * a missing phone (amoCRM), claims the order atomically in the store (one request per tenant,
 * source and order id, however many copies arrive), checks the opt-out list and the per-phone
 * frequency cap, waits out the delay and quiet hours (through the scheduler), renders the message
 * and sends it over the channels in fallback order. Every event ends in exactly one outcome:
 * `sent`, `scheduled`, `skipped` (with a reason) or `failed` (with the error); a failure releases
 * the claims so a retried webhook can try again.
 *
 * @example
 * const requester = createReviewRequester({
 *   keys: process.env.WEBHOOK_KEY,
 *   business: "Кофейня «Зерно»",
 *   reviewUrl: "https://yandex.ru/maps/org/zerno/123/reviews",
 *   channels: [{ type: "sms", client: createSmsRuClient({ apiKey: process.env.SMSRU_API_KEY }) }],
 *   delayMs: 2 * 3_600_000,
 * });
 * const result = await requester.handle("iiko", req.body, { key: req.query.key });
 *
 * @throws ConfigError naming the option when options are invalid.
 */
export function createReviewRequester(options: RequesterOptions): ReviewRequester {
  validateRequesterOptions(options);
  const logger = createLogger(options.logger);
  const store = options.store ?? memoryStore();
  const scheduler = options.scheduler ?? inProcessScheduler({ logger: options.logger });
  const now = options.now ?? Date.now;
  const defaultCountry = options.defaultCountry ?? "RU";
  const renderDefault = compileTemplate(options.message ?? DEFAULT_MESSAGE, "message");
  const defaultQuiet =
    options.quietHours === false ? null : quietWindow(options.quietHours ?? DEFAULT_QUIET_HOURS);
  const keys =
    options.keys === undefined
      ? []
      : typeof options.keys === "string"
        ? [options.keys]
        : [...options.keys];
  const staticTenant: TenantSettings | null = options.resolveTenant
    ? null
    : {
        id: options.tenantId ?? "default",
        business: options.business as string,
        reviewUrl: options.reviewUrl as string,
      };
  const renderers = new Map<string, (vars: TemplateVars) => string>();
  const quietWindows = new Map<string, QuietWindow>();
  const started = Promise.resolve(scheduler.start((job) => track(runJob(job))));
  const matchKey = secretMatcher(keys);
  /** Sends accepted but not finished (`accept().done`, running scheduled jobs), awaited by `close()`. */
  const inFlight = new Set<Promise<unknown>>();
  let jobCounter = 0;

  /** Adds a running send to {@link inFlight} until it settles. */
  function track<T>(promise: Promise<T>): Promise<T> {
    inFlight.add(promise);
    void promise.then(
      () => inFlight.delete(promise),
      () => inFlight.delete(promise),
    );
    return promise;
  }

  function renderer(message: string | null): (vars: TemplateVars) => string {
    if (message === null) return renderDefault;
    let render = renderers.get(message);
    if (!render) {
      if (renderers.size > 1000) renderers.clear();
      render = compileTemplate(message, "tenant.message");
      renderers.set(message, render);
    }
    return render;
  }

  async function authenticate(key: string | null | undefined): Promise<TenantSettings | null> {
    if (typeof key !== "string" || key === "") return null;
    if (staticTenant) return (await matchKey(key)) >= 0 ? staticTenant : null;
    const tenant = await options.resolveTenant?.(key);
    return tenant ?? null;
  }

  async function tenantFor(
    opts: { key?: string | null; tenantId?: string } | undefined,
  ): Promise<string> {
    if (opts?.tenantId) return opts.tenantId;
    if (staticTenant && !opts?.key) return staticTenant.id;
    const tenant = await authenticate(opts?.key);
    if (!tenant)
      throw new OtzovikError("Unknown webhook key: pass the business's key or its tenantId.", {
        code: "unauthorized",
      });
    return tenant.id;
  }

  async function report(outcome: Outcome): Promise<Outcome> {
    const meta = {
      tenant: outcome.tenantId,
      source: outcome.source,
      orderId: outcome.orderId,
      phone: maskPhone(outcome.phone),
    };
    try {
      if (outcome.status === "sent") {
        logger.info(outcome.dryRun ? "review request sent (dry run)" : "review request sent", {
          ...meta,
          channel: outcome.channel,
          provider: outcome.provider,
        });
        await options.onSent?.(outcome);
      } else if (outcome.status === "scheduled") {
        logger.info("review request scheduled", {
          ...meta,
          runAt: outcome.runAt,
          scheduler: scheduler.name,
          durable: scheduler.durable,
        });
        await options.onScheduled?.(outcome);
      } else if (outcome.status === "skipped") {
        logger.debug("review request skipped", { ...meta, reason: outcome.reason });
        await options.onSkipped?.(outcome);
      } else {
        logger.error("review request failed", {
          ...meta,
          code: outcome.error.code,
          provider: outcome.error.provider,
          retryable: outcome.error.retryable,
          unknownOutcome: outcome.unknownOutcome,
          error: outcome.error.message,
        });
        await options.onFailed?.(outcome);
      }
    } catch (error) {
      logger.error("an outcome hook threw", {
        status: outcome.status,
        error: error instanceof Error ? error.message : String(error),
      });
    }
    return outcome;
  }

  function channelsFor(job: SendJob): readonly ChannelSpec[] {
    const wanted = job.tenant.channels;
    if (!wanted) return options.channels;
    return wanted.flatMap((type) => options.channels.filter((c) => c.type === type));
  }

  async function release(job: SendJob): Promise<void> {
    await Promise.allSettled([
      store.delete(job.dedupeKey),
      job.capKey ? store.delete(job.capKey) : Promise.resolve(),
    ]);
  }

  /** No configured channel can reach the customer: give the claims back (a channel may be added). */
  async function noChannel(job: SendJob): Promise<SkippedOutcome> {
    await release(job);
    return {
      ...baseOf(job),
      status: "skipped",
      reason: "no_channel",
      detail: "no configured channel can reach this customer",
    };
  }

  /**
   * Records what happened to a message that went out (or may have). A store failure here must not
   * reach the callers' error paths: they release the claims, and the next copy of the webhook would
   * message the customer a second time. The claim, still held, keeps the order deduplicated.
   */
  async function recordAfterSend(job: SendJob, value: string, ttl: number): Promise<void> {
    try {
      await store.set(job.dedupeKey, value, ttl);
    } catch (error) {
      logger.error("could not record a sent review request; its claim is kept", {
        tenant: job.tenant.id,
        source: job.source,
        orderId: job.orderId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** Sends now: checks the opt-out list again (it may have changed while scheduled), renders, delivers. */
  async function send(job: SendJob): Promise<Outcome> {
    const base = {
      tenantId: job.tenant.id,
      source: job.source,
      orderId: job.orderId,
      phone: job.phone,
    };
    if (job.phone && (await store.get(storeKey("optout", job.tenant.id, job.phone))) !== null) {
      await store.set(
        job.dedupeKey,
        JSON.stringify({ state: "skipped", reason: "opted_out" }),
        options.dedupeTtlMs ?? DEFAULT_DEDUPE_TTL_MS,
      );
      return { ...base, status: "skipped", reason: "opted_out", detail: "the customer opted out" };
    }
    const vars: TemplateVars = {
      name: job.name,
      business: job.tenant.business,
      reviewUrl: job.tenant.reviewUrl,
      orderId: job.orderId,
      source: job.source,
    };
    const text = renderer(job.tenant.message)(vars);
    const to: Recipient = { phone: job.phone, email: job.email };
    const channels = channelsFor(job);
    if (options.dryRun) {
      const spec = channels.find((c) => (c.type === "email" ? to.email : to.phone));
      if (!spec) return noChannel(job);
      return {
        ...base,
        status: "sent",
        channel: spec.type,
        provider: spec.client.provider,
        messageId: `dry-run-${++jobCounter}`,
        dryRun: true,
      };
    }
    const result = await deliver(channels, to, text, vars);
    const ttl = options.dedupeTtlMs ?? DEFAULT_DEDUPE_TTL_MS;
    switch (result.kind) {
      case "sent":
        await recordAfterSend(
          job,
          JSON.stringify({
            state: "sent",
            channel: result.channel,
            messageId: result.result.messageId,
          }),
          ttl,
        );
        return {
          ...base,
          status: "sent",
          channel: result.channel,
          provider: result.result.provider,
          messageId: result.result.messageId,
          dryRun: result.result.dryRun,
        };
      case "opted_out":
        if (job.phone)
          await store.set(
            storeKey("optout", job.tenant.id, job.phone),
            JSON.stringify({ at: now(), code: result.error.code, provider: result.error.provider }),
          );
        await store.set(
          job.dedupeKey,
          JSON.stringify({ state: "skipped", reason: "opted_out" }),
          ttl,
        );
        return {
          ...base,
          status: "skipped",
          reason: "opted_out",
          detail: `the provider reports a refusal (${result.error.provider} ${result.error.code})`,
        };
      case "unknown":
        // The message may have arrived: keep the claims, so it is never sent twice.
        await recordAfterSend(
          job,
          JSON.stringify({ state: "unknown", code: result.error.code }),
          ttl,
        );
        return { ...base, status: "failed", error: result.error, unknownOutcome: true };
      case "failed":
        await release(job);
        return { ...base, status: "failed", error: result.error, unknownOutcome: false };
      default:
        return noChannel(job);
    }
  }

  async function runJob(scheduled: ScheduledJob): Promise<void> {
    const job = scheduled.data as unknown as SendJob;
    let outcome: Outcome;
    try {
      outcome = await send(job);
    } catch (error) {
      await release(job);
      outcome = failed(baseOf(job), error);
    }
    await report(outcome);
  }

  function failed(
    base: Omit<FailedOutcome, "status" | "error" | "unknownOutcome">,
    error: unknown,
  ): FailedOutcome {
    const err =
      error instanceof OtzovikError
        ? error
        : new OtzovikError(
            `Unexpected error: ${error instanceof Error ? error.message : String(error)}`,
            { code: "internal", cause: error, retryable: true },
          );
    return { ...base, status: "failed", error: err, unknownOutcome: false };
  }

  function baseOf(job: Pick<SendJob, "tenant" | "source" | "orderId" | "phone">) {
    return { tenantId: job.tenant.id, source: job.source, orderId: job.orderId, phone: job.phone };
  }

  /** Caps, delay and quiet hours, then sends now or schedules. The dedupe claim is already held. */
  async function dispatch(tenant: TenantSettings, job: Omit<SendJob, "capKey">): Promise<Outcome> {
    const base = {
      tenantId: tenant.id,
      source: job.source,
      orderId: job.orderId,
      phone: job.phone,
    };
    const skip = async (reason: SkippedReason, detail: string): Promise<SkippedOutcome> => {
      await store.set(
        job.dedupeKey,
        JSON.stringify({ state: "skipped", reason }),
        options.dedupeTtlMs ?? DEFAULT_DEDUPE_TTL_MS,
      );
      return { ...base, status: "skipped", reason, detail };
    };
    // Settings first: a tenant's invalid settings fail here, before anything is claimed.
    const delay = tenantDuration("delayMs", tenant.delayMs, 0) ?? options.delayMs ?? 0;
    const capMs =
      tenant.frequencyCapMs === false
        ? false
        : (tenantDuration("frequencyCapMs", tenant.frequencyCapMs, 1) ??
          options.frequencyCapMs ??
          DEFAULT_FREQUENCY_CAP_MS);
    const quiet =
      tenant.quietHours === undefined
        ? defaultQuiet
        : tenant.quietHours === false
          ? null
          : quietWindowFor(tenant.quietHours);
    renderer(tenant.message ?? null);
    if (job.phone && (await store.get(storeKey("optout", tenant.id, job.phone))) !== null)
      return skip("opted_out", "the customer opted out");
    const contact = job.phone ?? job.email;
    let capKey: string | null = null;
    if (capMs !== false && contact) {
      capKey = storeKey("cap", tenant.id, contact);
      if (
        !(await store.claim(capKey, JSON.stringify({ orderId: job.orderId, at: now() }), capMs))
      ) {
        return skip("frequency_capped", "this customer was asked for a review recently");
      }
    }
    const full: SendJob = { ...job, capKey };
    const start = now();
    const earliest = start + delay;
    const runAt = quiet ? nextAllowedTime(earliest, quiet) : earliest;
    try {
      if (runAt - start <= SCHEDULE_THRESHOLD_MS) return await send(full);
      await started;
      await scheduler.schedule({ id: job.dedupeKey, runAt, data: full as unknown as JobData });
    } catch (error) {
      // Both claims go back, so the source's retry (or the next webhook) is not capped or a duplicate.
      await release(full);
      return failed(baseOf(full), error);
    }
    return {
      ...base,
      status: "scheduled",
      runAt: new Date(runAt).toISOString(),
      quietHours: runAt !== earliest,
    };
  }

  function quietWindowFor(hours: NonNullable<TenantSettings["quietHours"]> & object): QuietWindow {
    const cacheKey = `${hours.start}|${hours.end}|${hours.timeZone}`;
    let window = quietWindows.get(cacheKey);
    if (!window) {
      window = quietWindow(hours, "tenant.quietHours");
      quietWindows.set(cacheKey, window);
    }
    return window;
  }

  function jobFor(
    tenant: TenantSettings,
    fields: Omit<SendJob, "tenant" | "capKey">,
  ): Omit<SendJob, "capKey"> {
    return {
      tenant: {
        id: tenant.id,
        business: tenant.business,
        reviewUrl: tenant.reviewUrl,
        message: tenant.message ?? null,
        channels: tenant.channels ?? null,
      },
      ...fields,
    };
  }

  async function dedupeKeyFor(
    tenant: TenantSettings,
    source: string,
    id: string | null,
    fallback: () => string,
  ): Promise<string> {
    if (id !== null) return storeKey("dedupe", tenant.id, source, id);
    return storeKey("dedupe", tenant.id, source, `sha256:${await sha256Hex(fallback())}`);
  }

  /**
   * The fast part of an event: the send decision and the atomic dedupe claim. Resolves with a
   * final outcome (skipped, duplicate) or with the claim to finish in {@link finishEvent}.
   */
  async function claimEvent(
    tenant: TenantSettings,
    source: SourceName,
    event: ParsedEvent,
  ): Promise<Outcome | Claim> {
    const base = { tenantId: tenant.id, source, orderId: event.id, phone: event.phone };
    if (!event.shouldSend) {
      return {
        ...base,
        status: "skipped",
        reason: skippedReason(event.reason),
        detail: event.detail,
      };
    }
    const dedupeKey = await dedupeKeyFor(tenant, source, event.id, () => {
      try {
        return JSON.stringify(event.raw) ?? String(event.phone);
      } catch {
        return `${event.phone}|${event.status}`;
      }
    });
    const claimed = await store.claim(
      dedupeKey,
      JSON.stringify({ state: "claimed", at: now() }),
      options.dedupeTtlMs ?? DEFAULT_DEDUPE_TTL_MS,
    );
    if (!claimed) {
      return {
        ...base,
        status: "skipped",
        reason: "duplicate",
        detail: "a review request for this order was already handled",
      };
    }
    return { claim: true, tenant, source, event, dedupeKey };
  }

  /** The slow part of a claimed event: phone lookup, caps, scheduling or sending. */
  async function finishEvent({ tenant, source, event, dedupeKey }: Claim): Promise<Outcome> {
    const base = { tenantId: tenant.id, source, orderId: event.id, phone: event.phone };
    try {
      let phone = event.phone;
      if (phone === null && event.lookup) {
        try {
          if (!options.amocrm) {
            throw new ConfigError(
              "amoCRM webhooks carry no phone: pass `amocrm: createAmocrmClient({ subdomain, accessToken })` to look it up.",
              { provider: "amocrm" },
            );
          }
          phone = await options.amocrm.getLeadPhone(event.lookup.leadId, {
            subdomain: event.lookup.subdomain,
            baseUrl: event.lookup.baseUrl,
          });
        } catch (error) {
          await store.delete(dedupeKey);
          return failed({ ...base, phone: null }, error);
        }
        if (phone === null) {
          await store.set(
            dedupeKey,
            JSON.stringify({ state: "skipped", reason: "no_phone" }),
            options.dedupeTtlMs ?? DEFAULT_DEDUPE_TTL_MS,
          );
          return {
            ...base,
            status: "skipped",
            reason: "no_phone",
            detail: "the lead was not found or has no contact with a valid phone",
          };
        }
      }
      const job = jobFor(tenant, {
        source,
        orderId: event.id,
        phone,
        email: event.email,
        name: event.customerName,
        dedupeKey,
      });
      return await dispatch(tenant, job);
    } catch (error) {
      await Promise.allSettled([store.delete(dedupeKey)]);
      return failed(base, error);
    }
  }

  /** Authenticates and parses, claims every event, and returns before any send (see `accept`). */
  async function accept(
    source: SourceName,
    body: unknown,
    handleOptions?: HandleOptions,
  ): Promise<Accepted> {
    const parse = parsers[source];
    if (!parse) {
      throw new ConfigError(
        `Unknown source ${JSON.stringify(source)}: use one of ${Object.keys(parsers).join(", ")}.`,
      );
    }
    const tenant = await authenticate(handleOptions?.key);
    if (!tenant) {
      logger.warn("webhook rejected: missing or unknown key", { source });
      return {
        authorized: false,
        events: [],
        done: Promise.resolve({ authorized: false, outcomes: [] }),
      };
    }
    const parsed = parse(body, options.parse?.[source]);
    const steps: (Outcome | Claim)[] = [];
    try {
      // Sequential on purpose: two events of one body (iiko Delivered + Closed) share an order id.
      for (const event of parsed.events) steps.push(await claimEvent(tenant, source, event));
    } catch (error) {
      // The store failed mid-way: give back what was claimed so the POS's retry is not a "duplicate".
      await Promise.allSettled(
        steps.flatMap((s) => ("claim" in s ? [store.delete(s.dedupeKey)] : [])),
      );
      throw error;
    }
    const events: AcceptedEvent[] = steps.map((s) =>
      "claim" in s
        ? { id: s.event.id, status: "accepted", reason: null }
        : {
            id: s.orderId,
            status: s.status === "skipped" ? "skipped" : "accepted",
            reason: s.status === "skipped" ? s.reason : null,
          },
    );
    const done = (async (): Promise<HandleResult> => {
      const outcomes: Outcome[] = [];
      for (const step of steps)
        outcomes.push(await report("claim" in step ? await finishEvent(step) : step));
      return { authorized: true, tenantId: tenant.id, outcomes };
    })();
    track(done);
    return { authorized: true, tenantId: tenant.id, events, done };
  }

  return {
    accept,

    async handle(
      source: SourceName,
      body: unknown,
      handleOptions?: HandleOptions,
    ): Promise<HandleResult> {
      return (await accept(source, body, handleOptions)).done;
    },

    async request(request: DirectRequest): Promise<HandleResult> {
      const tenant = staticTenant && !request.key ? staticTenant : await authenticate(request.key);
      if (!tenant) return { authorized: false, outcomes: [] };
      const { phone, problem } = normalizePhone(request.phone, defaultCountry);
      const email =
        typeof request.email === "string" && request.email.includes("@")
          ? request.email.trim()
          : null;
      const orderId = request.orderId ?? null;
      const base = { tenantId: tenant.id, source: "direct" as const, orderId, phone };
      if (!phone && !email) {
        return {
          authorized: true,
          tenantId: tenant.id,
          outcomes: [
            await report({
              ...base,
              status: "skipped",
              reason: problem ?? "no_phone",
              detail: "no valid phone or email",
            }),
          ],
        };
      }
      let outcome: Outcome;
      let claimed: string | null = null;
      try {
        const dedupeKey = await dedupeKeyFor(
          tenant,
          "direct",
          orderId,
          () => `${phone ?? email}|${now()}|${Math.random()}`,
        );
        if (
          !(await store.claim(
            dedupeKey,
            JSON.stringify({ state: "claimed", at: now() }),
            options.dedupeTtlMs ?? DEFAULT_DEDUPE_TTL_MS,
          ))
        ) {
          outcome = {
            ...base,
            status: "skipped",
            reason: "duplicate",
            detail: "a review request for this order was already handled",
          };
        } else {
          claimed = dedupeKey;
          outcome = await dispatch(
            tenant,
            jobFor(tenant, {
              source: "direct",
              orderId,
              phone,
              email,
              name: request.name ?? null,
              dedupeKey,
            }),
          );
        }
      } catch (error) {
        // Give the order back, so the caller's retry is not a "duplicate" of a request never sent.
        if (claimed !== null) await Promise.allSettled([store.delete(claimed)]);
        outcome = failed(base, error);
      }
      return { authorized: true, tenantId: tenant.id, outcomes: [await report(outcome)] };
    },

    async optOut(phone, opts) {
      const normalized = normalizePhone(phone, defaultCountry).phone;
      if (!normalized)
        throw new OtzovikError("optOut() needs a valid phone number.", { code: "invalid_phone" });
      await store.set(
        storeKey("optout", await tenantFor(opts), normalized),
        JSON.stringify({ at: now(), code: "manual" }),
      );
    },

    async isOptedOut(phone, opts) {
      const normalized = normalizePhone(phone, defaultCountry).phone;
      if (!normalized) return false;
      return (await store.get(storeKey("optout", await tenantFor(opts), normalized))) !== null;
    },

    async close(closeOptions) {
      // Sends already accepted (answered 200) finish first: their claims are held, so dropping
      // them would lose the review request for good.
      const timeoutMs = closeOptions?.timeoutMs ?? 30_000;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const unfinished = inFlight.size;
      const settled = await Promise.race([
        Promise.allSettled([...inFlight]).then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (!settled)
        logger.warn(
          `closing while ${unfinished} accepted webhook(s) were still sending (waited ${timeoutMs} ms)`,
        );
      const pending = await scheduler.close();
      if (pending.length > 0) {
        logger.warn(`closing with ${pending.length} scheduled review request(s) not sent`, {
          scheduler: scheduler.name,
          durable: scheduler.durable,
        });
      }
      await store.close?.();
      return {
        pending: pending.map((job) => ({ id: job.id, runAt: new Date(job.runAt).toISOString() })),
      };
    },
  };
}
