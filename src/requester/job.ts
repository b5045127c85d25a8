import type { PhoneLookup } from "../sources/types.js";
import type { OrderRef } from "./ledger.js";
import type { OutcomeBase } from "./outcomes.js";
import type { TenantSnapshot } from "./tenants.js";

/**
 * A claimed order on its way to the customer: everything its remaining steps need, JSON-safe so a
 * durable scheduler can keep it (delayed sends, quiet hours, retries).
 */
export interface SendJob {
  readonly tenant: TenantSnapshot;
  readonly source: string;
  readonly orderId: string | null;
  /** The customer's phone, or `null` while a lookup is still to do. */
  readonly phone: string | null;
  readonly email: string | null;
  readonly name: string | null;
  /** The keys the order holds in the ledger. */
  readonly ref: OrderRef;
  /** The account the event names (`ParsedEvent.accountId`), or `null`. */
  readonly account: string | null;
  /** The phone lookup still to do (`phone` is `null`), or `null`. */
  readonly lookup: PhoneLookup | null;
  /** 1 for the first attempt, 2 for the first retry… */
  readonly attempt: number;
  /**
   * When the order (and its contact's frequency cap) was claimed, ms since the epoch; absent in
   * jobs of older versions.
   */
  readonly claimedAt?: number;
  /**
   * The first channel to try (its position in the tenant's chain): absent or 0 normally; the next
   * channel's after a status webhook reported the message undelivered (a fallback).
   */
  readonly channelFrom?: number;
  /**
   * The order's short-link token (the requester's `links`), made once the order is claimed: every
   * run of the job (a retry, a fallback, another process) uses this one. Absent without `links`.
   */
  readonly link?: string;
}

/**
 * The scheduler id of a job's `attempt`: the order's dedupe key (the same order scheduled twice is
 * one job), `@{channelFrom}` for a fallback, `#{attempt}` for a retry.
 */
export function jobId(job: SendJob, attempt: number): string {
  const fallback = job.channelFrom ? `@${job.channelFrom}` : "";
  return `${job.ref.dedupeKey}${fallback}${attempt > 1 ? `#${attempt}` : ""}`;
}

/** The outcome fields of a job. */
export function jobBase(job: SendJob, phone: string | null = job.phone): OutcomeBase {
  return { tenantId: job.tenant.id, source: job.source, orderId: job.orderId, phone };
}
