import { ConfigError } from "../core/errors.js";
import { findSource } from "../sources/registry.js";
import type { Source } from "../sources/source.js";
import type { ParsedEvent } from "../sources/types.js";
import type { RequesterConfig } from "./config.js";
import { type Dispatcher, type SendTime, sendTime } from "./dispatch.js";
import type { ClaimResult, Ledger, OrderRef } from "./ledger.js";
import { failed, type OutcomeBase, skipped } from "./outcomes.js";
import type { Reporter } from "./report.js";
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
  /** Finds the phone the event does not carry (a lookup through the source's API), or `null`. */
  readonly lookup: ((plan: TenantPlan) => Promise<string | null>) | null;
  /** The text hashed into the dedupe key of an order without an id. */
  readonly fallbackKey: () => string;
}

/** An order whose dedupe claim is held: the rest of its way is {@link Pipeline.finish}. */
interface Claimed {
  readonly claimed: true;
  readonly order: Order;
  readonly plan: TenantPlan;
  readonly ref: OrderRef;
  /** `true` when the claim already checked the contact (opt-out, cap). */
  readonly checked: boolean;
  readonly when: SendTime;
}

/** The event pipeline: claim (fast, before answering), then finish (lookup, caps, dispatch). */
export interface Pipeline {
  /** Authenticates, parses and claims every event; sends continue in `done`. */
  accept(source: string, body: unknown, options?: HandleOptions): Promise<Accepted>;
  /** Claims and finishes one order of a tenant; store failures become a `failed` outcome. */
  one(tenant: TenantSettings, order: Order): Promise<Outcome>;
}

function baseOf(tenantId: string, order: Order, phone = order.phone): OutcomeBase {
  return { tenantId, source: order.source, orderId: order.id, phone };
}

/** A parsed webhook event as an {@link Order} of its source. */
function orderOf(source: Source, event: ParsedEvent): Order {
  const { lookup } = source;
  return {
    source: source.name,
    id: event.id,
    phone: event.phone,
    email: event.email,
    name: event.customerName,
    lookup:
      event.phone === null && event.lookup !== null && lookup
        ? async (plan) => {
            const client = plan.lookups[lookup.option];
            if (client === undefined || !lookup.isClient(client)) {
              throw new ConfigError(lookup.missingClient, { provider: source.name });
            }
            return lookup.phone(event, client);
          }
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

/** Creates the {@link Pipeline}. `track` keeps running sends visible to `close()`. */
export function createPipeline(
  config: RequesterConfig,
  tenants: Tenants,
  ledger: Ledger,
  dispatcher: Dispatcher,
  report: Reporter,
  track: <T>(promise: Promise<T>) => Promise<T>,
): Pipeline {
  const { logger, options, now } = config;

  function claimedResult(
    tenantId: string,
    order: Order,
    result: Exclude<ClaimResult, { status: "claimed" }>,
  ): Outcome {
    return skipped(baseOf(tenantId, order), result.status);
  }

  /** The fast part: the dedupe claim (with the contact's checks when the contact is known). */
  async function claim(
    tenantId: string,
    plan: TenantPlan,
    order: Order,
  ): Promise<Outcome | Claimed> {
    const dedupeKey = await ledger.orderKey(tenantId, order.source, order.id, order.fallbackKey);
    const when = sendTime(plan.timing, now());
    const checked = order.lookup === null;
    const contact = checked
      ? await ledger.contact(tenantId, order, plan.timing.frequencyCapMs, order.id)
      : null;
    const result = await ledger.claim(dedupeKey, contact, checked && when.now);
    if (result.status !== "claimed") return claimedResult(tenantId, order, result);
    return { claimed: true, order, plan, ref: result.ref, checked, when };
  }

  /** The slow part: the phone lookup and its contact checks, then send or schedule. */
  async function finish(tenantId: string, step: Claimed): Promise<Outcome> {
    const { order, plan } = step;
    let { ref, when } = step;
    let phone = order.phone;
    try {
      if (!step.checked && order.lookup) {
        try {
          phone = await order.lookup(plan);
        } catch (error) {
          await ledger.release(ref);
          return failed(baseOf(tenantId, order, null), error);
        }
        if (phone === null) {
          await ledger.recordSkipped(ref.dedupeKey, "no_phone");
          return skipped(
            baseOf(tenantId, order, null),
            "no_phone",
            "the phone could not be looked up: no contact with a valid phone",
          );
        }
        when = sendTime(plan.timing, now());
        const contact = await ledger.contact(
          tenantId,
          { phone, email: order.email },
          plan.timing.frequencyCapMs,
          order.id,
        );
        const result = await ledger.checkContact(ref.dedupeKey, contact, when.now);
        if (result.status !== "claimed") {
          return skipped(baseOf(tenantId, order, phone), result.status);
        }
        ref = result.ref;
      }
      const job = {
        tenant: plan.snapshot,
        source: order.source,
        orderId: order.id,
        phone,
        email: order.email,
        name: order.name,
        ref,
      };
      return await dispatcher.dispatch(job, when, plan);
    } catch (error) {
      await ledger.release(ref);
      return failed(baseOf(tenantId, order, phone), error);
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
    const tenant = await tenants.authenticate(handleOptions?.key);
    if (!tenant) {
      logger.warn("webhook rejected: missing or unknown key", { source: source.name });
      return {
        authorized: false,
        events: [],
        done: Promise.resolve({ authorized: false, outcomes: [] }),
      };
    }
    const parsed = source.parse(body, options.parse?.[source.name as keyof typeof options.parse]);
    // A tenant's broken settings fail its events without claiming anything.
    let plan: TenantPlan | null = null;
    let planError: unknown = null;
    try {
      plan = tenants.plan(tenant);
    } catch (error) {
      planError = error;
    }
    // Events are claimed concurrently: copies of one order in one body (iiko's Delivered and
    // Closed) still resolve to one claim, the store's claim being atomic.
    const settled = await Promise.allSettled(
      parsed.events.map(async (event): Promise<Outcome | Claimed> => {
        const order = orderOf(source, event);
        if (!event.shouldSend) {
          return skipped(baseOf(tenant.id, order), event.reason ?? "invalid_payload", event.detail);
        }
        if (plan === null) return failed(baseOf(tenant.id, order), planError);
        return claim(tenant.id, plan, order);
      }),
    );
    const rejected = settled.find((s) => s.status === "rejected");
    if (rejected) {
      // The store failed mid-way: give back what was claimed so the POS's retry is not a "duplicate".
      await Promise.all(
        settled.flatMap((s) =>
          s.status === "fulfilled" && "claimed" in s.value ? [ledger.release(s.value.ref)] : [],
        ),
      );
      throw rejected.reason;
    }
    const steps = settled.map((s) => (s as PromiseFulfilledResult<Outcome | Claimed>).value);
    const events: AcceptedEvent[] = steps.map((s) =>
      "claimed" in s
        ? { id: s.order.id, status: "accepted", reason: null }
        : {
            id: s.orderId,
            status: s.status === "skipped" ? "skipped" : "accepted",
            reason: s.status === "skipped" ? s.reason : null,
          },
    );
    const done = track(
      (async (): Promise<HandleResult> => {
        const outcomes: Outcome[] = [];
        for (const step of steps)
          outcomes.push(await report("claimed" in step ? await finish(tenant.id, step) : step));
        return { authorized: true, tenantId: tenant.id, outcomes };
      })(),
    );
    return { authorized: true, tenantId: tenant.id, events, done };
  }

  return {
    accept,

    async one(tenant, order) {
      let step: Outcome | Claimed;
      try {
        step = await claim(tenant.id, tenants.plan(tenant), order);
      } catch (error) {
        return report(failed(baseOf(tenant.id, order), error));
      }
      return report("claimed" in step ? await finish(tenant.id, step) : step);
    },
  };
}
