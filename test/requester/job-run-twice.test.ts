import { describe, expect, it } from "vitest";
import { DeliveryUnknownError, ProviderError } from "../../src/core/errors.js";
import type { SmsSender } from "../../src/providers/types.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type { Outcome, RequesterOptions } from "../../src/requester/types.js";
import type { ScheduledJob, Scheduler } from "../../src/schedulers/types.js";
import { memoryStore } from "../../src/stores/memory.js";
import { fixtureJson } from "../helpers/fixtures.js";
import { manualScheduler } from "../helpers/manual-scheduler.js";
import { gatedSmsClient } from "../helpers/sms-clients.js";

const KEY = "job-run-twice-key-0123456789";

function order(id: string): string {
  const events = fixtureJson<Record<string, any>[]>("iiko", "iiko-01-delivery-closed.json");
  (events[0] as Record<string, any>).eventInfo.id = id;
  return JSON.stringify(events);
}

function requester(
  client: SmsSender,
  scheduler: Scheduler,
  outcomes: Outcome[],
  overrides: Partial<RequesterOptions> = {},
) {
  return createReviewRequester({
    keys: KEY,
    business: "Кафе",
    reviewUrl: "https://r.example",
    channels: [{ type: "sms", client }],
    store: memoryStore(),
    hashSecret: "job-run-twice-secret-0123",
    quietHours: false,
    delayMs: 2 * 3_600_000,
    retryDelaysMs: [60_000, 60_000],
    logger: { warn() {}, error() {} },
    scheduler,
    ...recordAll(outcomes),
    ...overrides,
  });
}

/** An SMS client that refuses its first `refusals` sends (retryable, nothing sent), then sends. */
function refusingClient(refusals: number) {
  let left = refusals;
  const delivered: string[] = [];
  const client: SmsSender = {
    provider: "p",
    async sendSms(to) {
      if (left-- > 0)
        throw new ProviderError("busy, nothing sent", {
          provider: "p",
          code: "503",
          category: "retryable",
        });
      delivered.push(to);
      return { provider: "p", channel: "sms", messageId: "m", to, dryRun: false };
    },
  };
  return { client, delivered };
}

/** Hooks that record every outcome reported, in order. */
function recordAll(outcomes: Outcome[]) {
  const push = (o: Outcome) => {
    outcomes.push(o);
  };
  return { onSent: push, onScheduled: push, onSkipped: push, onFailed: push };
}

describe("a scheduled send whose job runs twice (a worker killed mid-send, a stalled job)", () => {
  it("the second run, while the first is still calling the provider, sends nothing and reports an unknown outcome", async () => {
    const sms = gatedSmsClient();
    const manual = manualScheduler();
    const outcomes: Outcome[] = [];
    const r = requester(sms.client, manual.scheduler, outcomes);
    const accepted = await r.handle("iiko", order("twice-1"), { key: KEY });
    expect(accepted.outcomes[0]?.status).toBe("scheduled");
    const [job] = manual.jobs;
    if (!job) throw new Error("no job");

    const first = manual.run(job); // begins the send, held at the provider
    await new Promise((resolve) => setTimeout(resolve, 20));
    await manual.run(job); // the recovered copy
    const second = outcomes.at(-1);
    expect(second).toMatchObject({
      status: "failed",
      unknownOutcome: true,
      willRetry: false,
      attempt: 1,
      orderId: "twice-1",
    });
    const error = second?.status === "failed" ? second.error : null;
    expect(error).toBeInstanceOf(DeliveryUnknownError);
    expect(error).toMatchObject({ code: "delivery_unknown", reason: "interrupted" });

    sms.open();
    await first;
    expect(sms.sent).toHaveLength(1);
    expect(outcomes.at(-1)).toMatchObject({ status: "sent", orderId: "twice-1" });
    // A third run, after the send was recorded, is a duplicate.
    await manual.run(job);
    expect(outcomes.at(-1)).toMatchObject({ status: "skipped", reason: "duplicate" });
    expect(sms.sent).toHaveLength(1);
    await r.close();
  });

  it("a retry's job runs once its earlier attempts failed; run again it sends nothing more", async () => {
    const { client, delivered } = refusingClient(2);
    const manual = manualScheduler();
    const outcomes: Outcome[] = [];
    const r = requester(client, manual.scheduler, outcomes);
    await r.handle("iiko", order("twice-2"), { key: KEY });
    await manual.run(manual.jobs[0] as ScheduledJob); // attempt 1: refused, attempt 2 scheduled
    await manual.run(manual.jobs[1] as ScheduledJob); // attempt 2: refused, attempt 3 scheduled
    expect(outcomes.filter((o) => o.status === "failed")).toMatchObject([
      { willRetry: true, attempt: 1 },
      { willRetry: true, attempt: 2 },
    ]);
    const third = manual.jobs[2] as ScheduledJob;
    await manual.run(third);
    expect(delivered).toHaveLength(1);
    expect(outcomes.at(-1)).toMatchObject({ status: "sent" });
    // An earlier attempt's job recovered late finds the order sent.
    await manual.run(manual.jobs[0] as ScheduledJob);
    await manual.run(third);
    expect(outcomes.slice(-2)).toMatchObject([
      { status: "skipped", reason: "duplicate" },
      { status: "skipped", reason: "duplicate" },
    ]);
    expect(delivered).toHaveLength(1);
    await r.close();
  });

  it("an immediate send's retry job proceeds (the order is still marked by attempt 1)", async () => {
    const { client, delivered } = refusingClient(1);
    const manual = manualScheduler();
    const outcomes: Outcome[] = [];
    const r = requester(client, manual.scheduler, outcomes, {
      delayMs: 0,
      retryDelaysMs: [60_000],
    });
    const handled = await r.handle("iiko", order("twice-3"), { key: KEY });
    expect(handled.outcomes[0]).toMatchObject({ status: "failed", willRetry: true, attempt: 1 });
    await manual.run(manual.jobs[0] as ScheduledJob);
    expect(delivered).toHaveLength(1);
    expect(outcomes.at(-1)).toMatchObject({ status: "sent", orderId: "twice-3" });
    await r.close();
  });
});
