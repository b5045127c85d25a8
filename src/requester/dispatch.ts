import type { JobData, ScheduledJob } from "../schedulers/types.js";
import type { RequesterConfig, Timing } from "./config.js";
import type { Ledger } from "./ledger.js";
import { failed } from "./outcomes.js";
import { nextAllowedTime } from "./quiet-hours.js";
import type { SendJob, SendNow } from "./send.js";
import { fromSnapshot, type Tenants } from "./tenants.js";
import type { Outcome } from "./types.js";

/** A send due within this many ms is sent now rather than scheduled. */
const SCHEDULE_THRESHOLD_MS = 1000;

/** When an order is to be sent. */
export interface SendTime {
  /** Epoch ms. */
  readonly runAt: number;
  /** `true` when the time was moved out of quiet hours. */
  readonly quiet: boolean;
  /** `true` when it is sent now, not scheduled. */
  readonly now: boolean;
}

/** The time to send an event that happened at `at`: after the delay, outside quiet hours. */
export function sendTime(timing: Timing, at: number): SendTime {
  const earliest = at + timing.delayMs;
  const runAt = timing.quiet ? nextAllowedTime(earliest, timing.quiet) : earliest;
  return { runAt, quiet: runAt !== earliest, now: runAt - at <= SCHEDULE_THRESHOLD_MS };
}

/** Sends a claimed order now, or schedules it. */
export interface Dispatcher {
  /** Sends now when `when.now`, else schedules (the claim is held until the send runs). */
  dispatch(job: SendJob, when: SendTime, plan: Parameters<SendNow>[1]): Promise<Outcome>;
  /** Runs a scheduled send (the scheduler's job handler); resolves with its outcome. */
  run(job: ScheduledJob): Promise<Outcome>;
}

/** Creates the {@link Dispatcher}. `started` resolves once the scheduler has its handler. */
export function createDispatcher(
  config: RequesterConfig,
  ledger: Ledger,
  tenants: Tenants,
  sendNow: SendNow,
  started: Promise<unknown>,
): Dispatcher {
  return {
    async dispatch(job, when, plan) {
      if (when.now) return sendNow(job, plan, true);
      try {
        await started;
        await config.scheduler.schedule({
          id: job.ref.dedupeKey,
          runAt: when.runAt,
          data: job as unknown as JobData,
        });
      } catch (error) {
        // The claims go back, so the source's retry (or the next webhook) is not a duplicate.
        await ledger.release(job.ref);
        return failed(
          { tenantId: job.tenant.id, source: job.source, orderId: job.orderId, phone: job.phone },
          error,
        );
      }
      return {
        tenantId: job.tenant.id,
        source: job.source,
        orderId: job.orderId,
        phone: job.phone,
        status: "scheduled",
        runAt: new Date(when.runAt).toISOString(),
        quietHours: when.quiet,
      };
    },

    async run(scheduled) {
      const job = scheduled.data as unknown as SendJob;
      let plan: ReturnType<Tenants["plan"]>;
      try {
        plan = tenants.plan(fromSnapshot(job.tenant));
      } catch (error) {
        await ledger.release(job.ref);
        return failed(
          { tenantId: job.tenant.id, source: job.source, orderId: job.orderId, phone: job.phone },
          error,
        );
      }
      return sendNow(job, plan, false);
    },
  };
}
