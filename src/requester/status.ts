import { errorMessage } from "../core/errors.js";
import { statusProviderOf, unconfiguredStatusWebhooks } from "../status/registry.js";
import type {
  StatusReading,
  StatusRequest,
  StatusUpdate,
  StatusWebhooks,
} from "../status/types.js";
import type { Channel, RequesterConfig } from "./config.js";
import { reaches } from "./delivery.js";
import { type SendTime, sendTime } from "./dispatch.js";
import { jobBase, type SendJob } from "./job.js";
import type { Ledger, MessageState, TrackedMessage } from "./ledger.js";
import type { Reporter } from "./report.js";
import type { TenantPlan, Tenants } from "./tenants.js";
import type { ChannelSpec, Outcome, StatusHandled, StatusOutcome } from "./types.js";

/** Reads status webhooks: see {@link ReviewRequester.handleStatus}. */
export type HandleStatus = (
  provider: string,
  request: StatusRequest,
  options?: { readonly key?: string | null },
) => Promise<StatusHandled>;

/**
 * The provider a status route names: a built-in one by any of its spellings (`smsru` is
 * `sms.ru`), or a client of your own by its `provider`, lower-cased.
 */
export function statusProvider(name: string): string {
  return statusProviderOf(name) ?? String(name).trim().toLowerCase();
}

/**
 * How long a failure status for a message the store does not know yet waits before it is read
 * again, once per webhook. A provider may report a failure before its own answer to the send has
 * been recorded (one store write after the answer, longer on a loaded machine); without a second
 * look that failure would be taken for another system's message and its fallback never sent.
 * Longer than that window, well under a provider's patience and the adapters' default
 * `answerTimeoutMs` (1.5 s; past it the answer is 503 and the provider's retry finds the message).
 */
export const UNRECORDED_STATUS_WAIT_MS = 1_000;

/** A fallback to run once the webhook is answered. */
interface Fallback {
  readonly job: SendJob;
  readonly from: number;
  readonly plan: TenantPlan;
}

/** The status webhook reader of a requester. */
export function createHandleStatus(
  config: RequesterConfig,
  tenants: Tenants,
  ledger: Ledger,
  dispatch: (job: SendJob, when: SendTime, plan: TenantPlan, begun: boolean) => Promise<Outcome>,
  report: Reporter,
  track: <T>(promise: Promise<T>) => Promise<T>,
): HandleStatus {
  const { logger, now } = config;
  /** Refusals not worth a line each: logged once per cause (no secret), or once a minute (a bad signature). */
  const warned = new Map<string, number>();
  /** Logs a refusal unless one with the same cause was logged within `everyMs`. */
  function warnOnce(key: string, everyMs: number, message: string, meta: Record<string, unknown>) {
    const last = warned.get(key);
    if (last !== undefined && now() - last < everyMs) return;
    if (warned.size > 1000) warned.clear();
    warned.set(key, now());
    logger.warn(message, meta);
  }

  /** The readers of `provider`'s status webhooks among these channels' clients. */
  function readers(channels: readonly Channel[], provider: string): StatusWebhooks[] {
    const found: StatusWebhooks[] = [];
    for (const channel of channels) {
      const webhooks = channel.spec.client.statusWebhooks;
      if (webhooks && statusProvider(webhooks.provider) === provider && !found.includes(webhooks))
        found.push(webhooks);
    }
    return found;
  }

  /** Refuses a request no client can read (401; 403 for Meta's check), logged once per cause. */
  async function refuse(
    provider: string,
    why: string,
    request: StatusRequest,
  ): Promise<StatusHandled> {
    warnOnce(`${provider}:${why}`, Number.POSITIVE_INFINITY, `status webhook refused: ${why}`, {
      provider,
    });
    const { answer } = await unconfiguredStatusWebhooks(provider).read(request);
    return { answer, updates: 0, done: Promise.resolve([]) };
  }

  /** What one status does to its message; a fallback to run, or `null`. */
  async function apply(
    update: StatusUpdate,
    tenantId: string | null,
    outcomes: (StatusOutcome | Outcome)[],
    unrecorded: StatusUpdate[] | null,
  ): Promise<Fallback | null> {
    const message = await ledger.findMessage(update.provider, update.messageId);
    const meta = { provider: update.provider, messageId: update.messageId, event: update.event };
    if (message === null && unrecorded !== null && update.meaning === "undelivered") {
      // Perhaps ours, its send not recorded yet: read again after UNRECORDED_STATUS_WAIT_MS.
      unrecorded.push(update);
      return null;
    }
    if (message === null) {
      logger.debug(
        "status for an unknown message (not sent by otzovik, or older than 7 days)",
        meta,
      );
      return null;
    }
    if (tenantId !== null && message.tenantId !== tenantId) {
      logger.warn("status for another tenant's message ignored", meta);
      return null;
    }
    // Meta names the recipient: a status for the message id but another phone is not this message's.
    if (update.recipient !== null && !(await ledger.sameRecipient(message, update.recipient))) {
      logger.warn("status names another recipient than its message's; ignored", meta);
      return null;
    }
    const job = message.job;
    if (update.optOut && job) await optOut(update, message, job);
    const next = nextState(message.state, update);
    if (next === null) {
      logger.debug("status changes nothing (a copy, or out of order)", {
        ...meta,
        state: message.state,
      });
      return null;
    }
    if (!(await ledger.moveMessage(message, next))) {
      logger.debug("status already recorded by another request", meta);
      return null;
    }
    if (job === null) {
      logger.warn(
        "status recorded, but the message's order cannot be read (another hashSecret?)",
        meta,
      );
      return null;
    }
    const base = jobBase(job);
    const sent = {
      channel: message.channel as ChannelSpec["type"],
      provider: update.provider,
      messageId: update.messageId,
      code: update.code,
      detail: update.detail,
      at: update.at === null ? null : new Date(update.at).toISOString(),
    };
    if (next === "delivered") {
      outcomes.push(await report({ ...base, status: "delivered", ...sent }));
      return null;
    }
    let plan: TenantPlan | null = null;
    try {
      plan = tenants.planOf(job.tenant);
    } catch (error) {
      logger.error("cannot fall back: the tenant's settings are invalid", {
        ...meta,
        error: errorMessage(error),
      });
    }
    const from = message.index + 1;
    let fallback = false;
    if (
      plan &&
      update.fallback &&
      !update.optOut &&
      plan.channels.some((c, i) => i >= from && reaches(c, job))
    ) {
      // The order's cap was claimed with the order: once it has run out, another order to the
      // same customer may have gone out since, so the cap is claimed again first.
      const capMs = plan.timing.frequencyCapMs;
      const claimedAt = job.claimedAt ?? message.at;
      const stale = capMs !== false && now() >= claimedAt + capMs;
      const opened = await ledger.reopen(
        job.ref,
        message.channel,
        stale ? { ttlMs: capMs as number } : null,
      );
      fallback = opened === "ok";
      if (opened === "capped")
        logger.info("no fallback: the customer was asked since (frequency cap)", meta);
    }
    outcomes.push(await report({ ...base, status: "undelivered", ...sent, fallback }));
    return fallback && plan ? { job, from, plan } : null;
  }

  /** The person refused (WhatsApp 131050, a complaint): their phone or address is opted out. */
  async function optOut(update: StatusUpdate, message: TrackedMessage, job: SendJob) {
    const code = `${update.provider}:${update.code ?? update.event}`;
    try {
      if (message.channel === "email") {
        if (job.email) await ledger.optOutEmail(job.tenant.id, job.email, code);
      } else if (job.phone) {
        await ledger.optOut(job.tenant.id, job.phone, code);
      }
      logger.info("opted out by a status webhook", {
        provider: update.provider,
        messageId: update.messageId,
        code,
      });
    } catch (error) {
      logger.error("could not record an opt-out reported by a status webhook", {
        provider: update.provider,
        error: errorMessage(error),
      });
    }
  }

  /** Sends (or schedules) a fallback from the next channel: quiet hours, opt-outs and the cap apply. */
  async function fallBack({ job, from, plan }: Fallback): Promise<Outcome> {
    const next: SendJob = { ...job, attempt: 1, channelFrom: from };
    const when = sendTime(
      { ...plan.timing, delayMs: 0 },
      now(),
      config.scheduler.runsJobs !== false,
    );
    return report(await dispatch(next, when, plan, false));
  }

  return async (providerName, request, options) => {
    const provider = statusProvider(providerName);
    let channels: readonly Channel[] = config.channels;
    let tenantId: string | null = null;
    if (options?.key !== undefined && options.key !== null) {
      const tenant = await tenants.authenticate(options.key);
      if (!tenant) return refuse(provider, "unknown key", request);
      const plan = tenants.plan(tenant);
      channels = plan.channels;
      tenantId = tenant.id;
    } else if (tenants.static) {
      channels = tenants.plan(tenants.static).channels;
    }
    const candidates = readers(channels, provider);
    const configured = candidates.filter((r) => r.configured);
    if (configured.length === 0) {
      return refuse(
        provider,
        candidates.length === 0
          ? `no channel's client is a ${provider} client that reads status webhooks`
          : `the ${provider} client has no webhook secret configured`,
        request,
      );
    }
    let refusal: Extract<StatusReading, { ok: false }> | null = null;
    // Each client of the provider (tenants may have their own) tries the request: the one whose
    // secret signed it reads it.
    for (const reader of configured) {
      const reading = await reader.read(request);
      if (reading.ok === "handshake")
        return { answer: reading.answer, updates: 0, done: Promise.resolve([]) };
      if (reading.ok === false) {
        refusal ??= reading;
        continue;
      }
      const outcomes: (StatusOutcome | Outcome)[] = [];
      const fallbacks: Fallback[] = [];
      const runFallbacks = () =>
        track(
          (async () => {
            for (const fallback of fallbacks) outcomes.push(await fallBack(fallback));
            return outcomes as readonly (StatusOutcome | Outcome)[];
          })(),
        );
      // Recorded before the answer: a provider told "received" does not send it again.
      try {
        const unrecorded: StatusUpdate[] = [];
        for (const update of reading.updates) {
          const fallback = await apply(update, tenantId, outcomes, unrecorded);
          if (fallback) fallbacks.push(fallback);
        }
        if (unrecorded.length > 0) {
          await new Promise((resolve) => setTimeout(resolve, UNRECORDED_STATUS_WAIT_MS));
          for (const update of unrecorded) {
            const fallback = await apply(update, tenantId, outcomes, null);
            if (fallback) fallbacks.push(fallback);
          }
        }
      } catch (error) {
        // The store failed mid-way: the caller answers 503 and the provider sends the webhook
        // again, whose statuses already recorded change nothing then. The fallbacks they began
        // (their orders already opened again) run all the same, or they would never run.
        runFallbacks().catch(() => {});
        throw error;
      }
      return { answer: reading.answer, updates: reading.updates.length, done: runFallbacks() };
    }
    if (refusal === null) return refuse(provider, "refused", request);
    // Anyone can post a forged request: a line a minute per cause, not one each.
    warnOnce(`${provider}:${refusal.reason}`, 60_000, "status webhook refused", {
      provider,
      reason: refusal.reason,
      detail: refusal.detail,
    });
    return { answer: refusal.answer, updates: 0, done: Promise.resolve([]) };
  };
}

/**
 * The state a status moves a message to, or `null` when it changes nothing: a copy, progress, or
 * a status out of order (`delivered` after `undelivered`, `failed` after `delivered`).
 */
function nextState(state: MessageState, update: StatusUpdate): MessageState | null {
  if (state !== "sent") return null;
  if (update.meaning === "delivered") return "delivered";
  if (update.meaning === "undelivered") return "undelivered";
  return null;
}
