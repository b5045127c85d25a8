import { errorMessage } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { maskPhone } from "../core/phone.js";
import { describeSkip } from "../core/skip-reasons.js";
import type { Scheduler } from "../schedulers/types.js";
import type { ClickedOutcome, Outcome, RequesterOptions, StatusOutcome } from "./types.js";

/** Reports outcomes: one log line and the matching hook each. */
export type Reporter = <T extends Outcome | StatusOutcome | ClickedOutcome>(
  outcome: T,
) => Promise<T>;

/**
 * Creates the reporter. Phones are masked in logs; a hook that throws is logged and never changes
 * the outcome (a send that happened must not look failed, or it would be repeated).
 */
export function createReporter(
  logger: Logger,
  hooks: Pick<
    RequesterOptions,
    | "onSent"
    | "onScheduled"
    | "onSkipped"
    | "onFailed"
    | "onDelivered"
    | "onUndelivered"
    | "onClicked"
  >,
  scheduler: Scheduler,
): Reporter {
  return async (outcome) => {
    if (outcome.status === "clicked") {
      // A click knows no phone and no order id: the link keeps neither.
      try {
        logger.info("review link clicked", {
          tenant: outcome.tenantId,
          channel: outcome.channel,
          userAgent: outcome.userAgent,
          order: outcome.order,
        });
        await hooks.onClicked?.(outcome);
      } catch (error) {
        logger.error("an outcome hook threw", {
          status: outcome.status,
          error: errorMessage(error),
        });
      }
      return outcome;
    }
    const meta = {
      tenant: outcome.tenantId,
      source: outcome.source,
      orderId: outcome.orderId,
      phone: maskPhone(outcome.phone),
    };
    try {
      switch (outcome.status) {
        case "sent":
          logger.info(outcome.dryRun ? "review request sent (dry run)" : "review request sent", {
            ...meta,
            channel: outcome.channel,
            provider: outcome.provider,
          });
          await hooks.onSent?.(outcome);
          break;
        case "scheduled":
          logger.info("review request scheduled", {
            ...meta,
            runAt: outcome.runAt,
            scheduler: scheduler.name,
            durable: scheduler.durable,
          });
          await hooks.onScheduled?.(outcome);
          break;
        case "skipped":
          // The reason and the table's short, value-free detail; the parser's own detail (it may
          // quote a status label from the body) only at debug.
          logger.info("review request skipped", {
            ...meta,
            reason: outcome.reason,
            detail: describeSkip(outcome.reason),
          });
          if (outcome.detail !== null)
            logger.debug("review request skipped: detail", { ...meta, detail: outcome.detail });
          await hooks.onSkipped?.(outcome);
          break;
        case "failed":
          // A failure that is retried later is a warning; the last one (or an unknown outcome) an error.
          (outcome.willRetry ? logger.warn : logger.error)("review request failed", {
            ...meta,
            code: outcome.error.code,
            provider: outcome.error.provider,
            category: outcome.error.category,
            retryable: outcome.error.retryable,
            unknownOutcome: outcome.unknownOutcome,
            willRetry: outcome.willRetry,
            attempt: outcome.attempt,
            error: outcome.error.message,
          });
          await hooks.onFailed?.(outcome);
          break;
        case "delivered":
          logger.info("review request delivered", {
            ...meta,
            channel: outcome.channel,
            provider: outcome.provider,
          });
          await hooks.onDelivered?.(outcome);
          break;
        case "undelivered":
          logger.warn("review request undelivered", {
            ...meta,
            channel: outcome.channel,
            provider: outcome.provider,
            code: outcome.code,
            detail: outcome.detail,
            fallback: outcome.fallback,
          });
          await hooks.onUndelivered?.(outcome);
          break;
      }
    } catch (error) {
      logger.error("an outcome hook threw", {
        status: outcome.status,
        error: errorMessage(error),
      });
    }
    return outcome;
  };
}
