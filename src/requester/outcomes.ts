import { DeliveryUnknownError, errorMessage, OtzovikError } from "../core/errors.js";
import { describeSkip } from "../core/skip-reasons.js";
import type { FailedOutcome, Outcome, SkippedOutcome, SkippedReason } from "./types.js";

/** The fields every outcome of one event shares. */
export type OutcomeBase = Pick<Outcome, "tenantId" | "source" | "orderId" | "phone">;

/**
 * A `skipped` outcome. `detail` defaults to the reason's description in the one table of skip
 * reasons; a parser's or a step's own explanation may be given instead.
 */
export function skipped(
  base: OutcomeBase,
  reason: SkippedReason,
  detail: string | null = describeSkip(reason),
): SkippedOutcome {
  return { ...base, status: "skipped", reason, detail };
}

/** Any thrown value as an {@link OtzovikError} (`internal_error`, retryable, for the unexpected). */
export function asOtzovikError(error: unknown): OtzovikError {
  if (error instanceof OtzovikError) return error;
  return new OtzovikError(`Unexpected error: ${errorMessage(error)}`, {
    code: "internal_error",
    cause: error,
    retryable: true,
  });
}

/** A `failed` outcome of a first attempt that is not retried (nothing claimed, or an unknown outcome). */
export function failed(
  base: OutcomeBase,
  error: unknown,
  unknownOutcome = false,
  attempt = 1,
): FailedOutcome {
  return {
    ...base,
    status: "failed",
    error: asOtzovikError(error),
    unknownOutcome,
    willRetry: false,
    attempt,
  };
}

/**
 * The outcome of a job that found its send already begun (`in_doubt`: a run of this attempt was
 * interrupted mid-send, so the message may be out — never sent again) or already finished
 * (`done`: reported as a duplicate).
 */
export function notBegun(
  base: OutcomeBase,
  status: "in_doubt" | "done",
  attempt: number,
): FailedOutcome | SkippedOutcome {
  if (status === "done") return skipped(base, "duplicate");
  const error = new DeliveryUnknownError(
    "An earlier run of this scheduled send began it and stopped before recording the result (a worker stopped mid-send?), so the message may have been sent: it is not sent again. Check the provider's dashboard.",
    { provider: null, reason: "interrupted" },
  );
  return failed(base, error, true, attempt);
}
