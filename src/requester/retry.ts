import { errorMessage } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { RequesterConfig } from "./config.js";
import { jobBase, jobId, type SendJob } from "./job.js";
import type { Ledger } from "./ledger.js";
import { asOtzovikError } from "./outcomes.js";
import type { FailedOutcome } from "./types.js";

/** Schedules a job to run at `runAt` under `id`. */
export type Schedule = (job: SendJob, runAt: number, id: string) => Promise<void>;

/**
 * Ends an attempt that failed before anything was sent: a retryable failure with attempts left is
 * scheduled again (the order stays claimed: copies of the webhook remain duplicates), anything
 * else gives the order and its cap back, so a later webhook can try.
 */
export type Fail = (job: SendJob, error: unknown, phone?: string | null) => Promise<FailedOutcome>;

/** Creates the {@link Fail} step. */
export function createFail(
  config: RequesterConfig,
  ledger: Ledger,
  schedule: Schedule,
  logger: Logger,
): Fail {
  return async (job, error, phone = job.phone) => {
    const err = asOtzovikError(error);
    const base = jobBase(job, phone);
    const delay = config.retryDelaysMs[job.attempt - 1];
    if (err.retryable && delay !== undefined) {
      const wanted = (err as { retryAfterMs?: unknown }).retryAfterMs;
      const wait = Math.max(delay, typeof wanted === "number" ? wanted : 0);
      const next: SendJob = { ...job, phone, attempt: job.attempt + 1 };
      try {
        await schedule(next, config.now() + wait, jobId(next, next.attempt));
        return {
          ...base,
          status: "failed",
          error: err,
          unknownOutcome: false,
          willRetry: true,
          attempt: job.attempt,
        };
      } catch (scheduleError) {
        logger.error("could not schedule a retry; the order is given back", {
          tenant: job.tenant.id,
          source: job.source,
          orderId: job.orderId,
          error: errorMessage(scheduleError),
        });
      }
    }
    await ledger.release(job.ref);
    return {
      ...base,
      status: "failed",
      error: err,
      unknownOutcome: false,
      willRetry: false,
      attempt: job.attempt,
    };
  };
}
