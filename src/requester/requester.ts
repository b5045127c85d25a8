import { ConfigError, OtzovikError } from "../core/errors.js";
import { normalizePhone } from "../core/phone.js";
import { randomSecret } from "../core/secret.js";
import type { ScheduledJob } from "../schedulers/types.js";
import { MAX_EVENT_ID_CHARS, reportableId } from "../sources/event.js";
import { resolveConfig } from "./config.js";
import { createDispatch, createSchedule } from "./dispatch.js";
import { createLedger } from "./ledger.js";
import { createLinks } from "./links.js";
import { skipped } from "./outcomes.js";
import { createPipeline } from "./pipeline.js";
import { createReporter } from "./report.js";
import { createFail } from "./retry.js";
import { createSendNow } from "./send.js";
import { createHandleStatus } from "./status.js";
import { createTenants } from "./tenants.js";
import type { RequesterOptions, ReviewRequester } from "./types.js";

/** The hash secret of memory stores: random, per process (nothing it keys outlives the process). */
let processSecret: string | null = null;

/**
 * Creates the review requester: from a webhook to exactly one polite review request.
 *
 * For each event of a webhook it authenticates the key (constant time), parses the body, claims
 * the order atomically in the store (one request per tenant, source and order id, however many
 * copies arrive) together with the opt-out check and the per-phone frequency cap, looks up a
 * missing phone (amoCRM, or your `lookupPhone`), waits out the delay and quiet hours (through the scheduler), renders the
 * message and sends it over the channels in fallback order. Every event ends in exactly one
 * outcome: `sent`, `scheduled`, `skipped` (with a reason) or `failed` (with the error); a failure
 * before anything was sent releases the claims so a retried webhook can try again.
 *
 * The flow reads one way: adapter → pipeline (claim, finish) → dispatcher (now or scheduled) →
 * delivery (channels in order) → provider, with the ledger owning every store operation.
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
  const config = resolveConfig(options);
  const { logger, scheduler, store } = config;
  if (options.hashSecret === undefined && store.name !== "memory") {
    throw new ConfigError(
      `Set \`hashSecret\` (a random string of at least 16 characters, the same on every instance) to use the "${store.name}" store: phones are written into its keys only as hashes keyed with it.`,
    );
  }
  const ledger = createLedger({
    store,
    now: config.now,
    dedupeTtlMs: config.dedupeTtlMs,
    hashSecret: options.hashSecret ?? (() => (processSecret ??= randomSecret())),
    logger,
    counters: config.links !== null,
  });
  const tenants = createTenants(config);
  const report = createReporter(logger, options, scheduler);
  /** Sends accepted but not finished (`accept().done`, running scheduled jobs), awaited by `close()`. */
  const inFlight = new Set<Promise<unknown>>();
  function track<T>(promise: Promise<T>): Promise<T> {
    inFlight.add(promise);
    const forget = () => inFlight.delete(promise);
    void promise.then(forget, forget);
    return promise;
  }
  // The scheduler runs delayed sends and retries through the pipeline, which needs the scheduler
  // to have its handler first: `resume` is bound once the pipeline exists.
  let resume: ((job: ScheduledJob) => Promise<unknown>) | null = null;
  const started = Promise.resolve(
    scheduler.start(async (job) => {
      await track((resume as NonNullable<typeof resume>)(job));
    }),
  );
  const schedule = createSchedule(config, started);
  const fail = createFail(config, ledger, schedule, logger);
  const sendNow = createSendNow(config, ledger, fail, (job) => ledger.idempotencyKey(job.ref));
  const dispatch = createDispatch(sendNow, schedule, fail);
  const pipeline = createPipeline(config, tenants, ledger, dispatch, fail, report, track);
  resume = pipeline.resume;
  const handleStatus = createHandleStatus(config, tenants, ledger, dispatch, report, track);
  const links = createLinks(config, tenants, ledger, report, track);

  return {
    sources: Object.freeze(Object.keys(config.sources)),
    accept: pipeline.accept,
    handleStatus,
    followLink: links.followLink,
    stats: links.stats,

    async authenticate(key) {
      if ((await tenants.authenticate(key)) !== null) return true;
      logger.warn("webhook rejected: missing or unknown key");
      return false;
    },

    async handle(source, body, handleOptions) {
      return (await pipeline.accept(source, body, handleOptions)).done;
    },

    async request(request) {
      const tenant =
        tenants.static && !request.key ? tenants.static : await tenants.authenticate(request.key);
      if (!tenant) return { authorized: false, outcomes: [] };
      const { phone, problem } = normalizePhone(request.phone, config.defaultCountry);
      const email =
        typeof request.email === "string" && request.email.includes("@")
          ? request.email.trim()
          : null;
      const orderId = reportableId(request.orderId ?? null);
      if (orderId === undefined) {
        throw new OtzovikError(
          `request() needs an \`orderId\` of at most ${MAX_EVENT_ID_CHARS} characters.`,
          { code: "invalid_value" },
        );
      }
      if (!phone && !email) {
        const outcome = skipped(
          { tenantId: tenant.id, source: "direct", orderId, phone },
          problem ?? "no_phone",
          "no valid phone or email",
        );
        return { authorized: true, tenantId: tenant.id, outcomes: [await report(outcome)] };
      }
      const outcome = await track(
        pipeline.one(tenant, {
          source: "direct",
          id: orderId,
          phone,
          email,
          name: request.name ?? null,
          account: null,
          lookup: null,
          // Without an order id only the frequency cap applies: every request is its own order.
          fallbackKey: () => `${phone ?? email}|${config.now()}|${randomSecret()}`,
        }),
      );
      return { authorized: true, tenantId: tenant.id, outcomes: [outcome] };
    },

    async optOut(phone, opts) {
      const normalized = normalizePhone(phone, config.defaultCountry).phone;
      if (!normalized)
        throw new OtzovikError("optOut() needs a valid phone number.", { code: "invalid_phone" });
      await ledger.optOut(await tenants.idFor(opts), normalized, "manual");
    },

    async isOptedOut(phone, opts) {
      const normalized = normalizePhone(phone, config.defaultCountry).phone;
      if (!normalized) return false;
      return ledger.isOptedOut(await tenants.idFor(opts), normalized);
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
