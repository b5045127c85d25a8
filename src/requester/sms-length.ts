import type { Logger } from "../core/logger.js";
import { smsSegments } from "../core/sms-segments.js";
import { reaches } from "./delivery.js";
import type { SendJob } from "./job.js";
import type { TenantPlan } from "./tenants.js";

/** Remembers up to this many warned templates; then starts over (a template may warn again). */
const REMEMBERED_LIMIT = 1000;

/** Checks a rendered review request against `maxSmsSegments` before it is sent. */
export type CheckSmsLength = (job: SendJob, plan: TenantPlan, text: string) => void;

/**
 * Creates the SMS length check: when a rendered text that is to go out by SMS takes more than
 * `max` segments, one warning per template (the tenant, its message template, business name and
 * link: what makes the text long), never per message. It never blocks the send. Memory is bounded:
 * at most {@link REMEMBERED_LIMIT} templates are remembered.
 *
 * @param max - `maxSmsSegments`, or `null` for no check.
 */
export function createSmsLengthCheck(logger: Logger, max: number | null): CheckSmsLength {
  const warned = new Set<string>();
  return (job, plan, text) => {
    if (max === null) return;
    const to = { phone: job.phone, email: job.email };
    if (!plan.channels.some((c) => c.spec.type === "sms" && reaches(c, to))) return;
    const { tenant } = job;
    const key = JSON.stringify([tenant.id, tenant.message, tenant.business, tenant.reviewUrl]);
    if (warned.has(key)) return;
    const { segments, encoding, characters, perSegment } = smsSegments(text);
    if (segments <= max) return;
    if (warned.size >= REMEMBERED_LIMIT) warned.clear();
    warned.add(key);
    const single = encoding === "UCS-2" ? 70 : 160;
    logger.warn(
      `the review request SMS is ${segments} segments (${characters} characters, ${encoding}: ${single} fit in one, ${perSegment} per segment once split), more than maxSmsSegments (${max}): each segment is billed as one SMS. Shorten the business name, the review link (a short link of about 22 characters: your own domain's redirect, or a shortener) or the message template; warned once per template`,
      {
        tenant: tenant.id,
        source: job.source,
        segments,
        encoding,
        characters,
        maxSmsSegments: max,
        template: tenant.message === null ? "requester" : "tenant",
      },
    );
  };
}
