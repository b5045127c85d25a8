import type { JobData } from "../schedulers/types.js";
import type { RequesterConfig, Timing } from "./config.js";
import { jobBase, jobId, type SendJob } from "./job.js";
import { nextAllowedTime } from "./quiet-hours.js";
import type { Fail, Schedule } from "./retry.js";
import type { SendNow } from "./send.js";
import type { TenantPlan } from "./tenants.js";
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

/**
 * The time to send an event that happened at `at`: after the delay, outside quiet hours. With
 * `sendsHere` false (a scheduler that only enqueues) nothing is sent now: every send is scheduled.
 */
export function sendTime(timing: Timing, at: number, sendsHere = true): SendTime {
  const earliest = at + timing.delayMs;
  const runAt = timing.quiet ? nextAllowedTime(earliest, timing.quiet) : earliest;
  const now = sendsHere && runAt - at <= SCHEDULE_THRESHOLD_MS;
  return { runAt, quiet: runAt !== earliest, now };
}

/** Puts a job on the scheduler (once it has its handler). */
export function createSchedule(config: RequesterConfig, started: Promise<unknown>): Schedule {
  return async (job, runAt, id) => {
    await started;
    await config.scheduler.schedule({ id, runAt, data: job as unknown as JobData });
  };
}

/** Sends a claimed order now, or schedules it (the claim is held until the send runs). */
export type Dispatch = (
  job: SendJob,
  when: SendTime,
  plan: TenantPlan,
  begun: boolean,
) => Promise<Outcome>;

/** Creates the {@link Dispatch} step. */
export function createDispatch(sendNow: SendNow, schedule: Schedule, fail: Fail): Dispatch {
  return async (job, when, plan, begun) => {
    if (when.now) return sendNow(job, plan, begun);
    try {
      await schedule(job, when.runAt, jobId(job, 1));
    } catch (error) {
      return fail(job, error);
    }
    return {
      ...jobBase(job),
      status: "scheduled",
      runAt: new Date(when.runAt).toISOString(),
      quietHours: when.quiet,
    };
  };
}
