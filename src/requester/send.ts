import { reviewUrlsOf } from "../links/destinations.js";
import type { RequesterConfig } from "./config.js";
import { deliver, reaches } from "./delivery.js";
import { jobBase, type SendJob } from "./job.js";
import type { Ledger, SavedLink } from "./ledger.js";
import { failed, notBegun, skipped } from "./outcomes.js";
import type { Fail } from "./retry.js";
import { createSmsLengthCheck } from "./sms-length.js";
import type { TemplateVars } from "./template.js";
import type { TenantPlan } from "./tenants.js";
import type { Outcome } from "./types.js";

/** Sends one claimed order (its phone known) now, over its tenant's channels, and records it. */
export type SendNow = (job: SendJob, plan: TenantPlan, begun: boolean) => Promise<Outcome>;

/**
 * Creates the send step. `begun` says whether the claim already marked the order "sending" (an
 * immediate send); otherwise (a scheduled send or a retry) the opt-out is checked again first —
 * the customer may have opted out while the send waited.
 */
export function createSendNow(
  config: RequesterConfig,
  ledger: Ledger,
  fail: Fail,
  idempotencyKey: (job: SendJob) => Promise<string>,
): SendNow {
  let dryRunCounter = 0;
  const checkSmsLength = createSmsLengthCheck(config.logger, config.maxSmsSegments);

  return async (job, plan, begun) => {
    const base = jobBase(job);
    try {
      if (!begun) {
        const begin = await ledger.beginSend(job.ref, job.attempt);
        if (begin === "opted_out") return skipped(base, "opted_out");
        if (begin !== "ok") return notBegun(base, begin, job.attempt);
      }
      // With `links`, the order's short link (made once, kept in the job: a retry, a fallback and
      // a job run by another process all use the same one) stands for the review URL.
      let link: SavedLink | null = null;
      const links = config.links;
      if (links && job.link) {
        link = await ledger.saveLink(job.ref, job.link, {
          tenantId: job.tenant.id,
          business: job.tenant.business,
          urls: reviewUrlsOf(job.tenant.reviewUrl, job.tenant.reviewUrls),
          ttlMs: links.ttlMs,
        });
        if (link === null)
          config.logger.warn(
            "a short link's token was already another order's (a 1-in-2^48 collision); this message carries the review URL itself",
            { tenant: job.tenant.id },
          );
      }
      const shortUrl = link && links ? `${links.baseUrl}/${link.token}` : null;
      const vars: TemplateVars = {
        name: job.name,
        business: job.tenant.business,
        reviewUrl: shortUrl ?? job.tenant.reviewUrl,
        orderId: job.orderId,
        source: job.source,
      };
      const linkField = shortUrl === null ? {} : { link: shortUrl };
      const counted = links ? job.tenant.id : undefined;
      const text = plan.message(vars);
      checkSmsLength(job, plan, text);
      const to = { phone: job.phone, email: job.email };
      if (config.dryRun) {
        const channel = plan.channels.find((c) => reaches(c, to));
        if (!channel) {
          await ledger.release(job.ref);
          return skipped(base, "no_channel");
        }
        const messageId = `dry-run-${++dryRunCounter}`;
        await ledger.recordSent(
          job.ref,
          { channel: channel.spec.type, messageId, tenantId: counted },
          undefined,
          link,
        );
        return {
          ...base,
          status: "sent",
          channel: channel.spec.type,
          provider: channel.spec.client.provider,
          messageId,
          dryRun: true,
          ...linkField,
        };
      }
      const result = await deliver(
        plan.channels,
        to,
        text,
        vars,
        () => idempotencyKey(job),
        job.channelFrom ?? 0,
      );
      switch (result.kind) {
        case "sent": {
          // Tracked for its status webhooks when its client reads them.
          const client = plan.channels[result.index]?.spec.client;
          const track =
            client?.statusWebhooks?.configured && !result.result.dryRun
              ? { provider: result.result.provider, index: result.index, job }
              : undefined;
          await ledger.recordSent(
            job.ref,
            { channel: result.channel, messageId: result.result.messageId, tenantId: counted },
            track,
            link,
          );
          return {
            ...base,
            status: "sent",
            channel: result.channel,
            provider: result.result.provider,
            messageId: result.result.messageId,
            dryRun: result.result.dryRun,
            ...linkField,
          };
        }
        case "opted_out":
          await ledger.recordOptOut(job.ref, {
            code: String(result.error.code),
            provider: result.error.provider,
          });
          return skipped(
            base,
            "opted_out",
            `the provider reports a refusal (${result.error.provider} ${result.error.code})`,
          );
        case "unknown":
          // The message may have arrived: the claims stay, so it is never sent twice.
          await ledger.recordUnknown(job.ref, String(result.error.code));
          return failed(base, result.error, true, job.attempt);
        case "failed":
          return await fail(job, result.error);
        case "no_channel":
          await ledger.release(job.ref);
          return skipped(base, "no_channel");
      }
    } catch (error) {
      // Before any provider call (store, render): nothing was sent.
      return fail(job, error);
    }
  };
}
