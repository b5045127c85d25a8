import { describe, expect, it } from "vitest";
import { createReviewRequester } from "../../src/requester/requester.js";
import type { Outcome } from "../../src/requester/types.js";
import type { ScheduledJob } from "../../src/schedulers/types.js";
import { memoryStore } from "../../src/stores/memory.js";
import { fixtureJson } from "../helpers/fixtures.js";
import { manualScheduler } from "../helpers/manual-scheduler.js";
import { recordingSmsClient } from "../helpers/sms-clients.js";

const KEY = "enqueue-only-key-0123456789";

function order(id: string): string {
  const events = fixtureJson<Record<string, any>[]>("iiko", "iiko-01-delivery-closed.json");
  (events[0] as Record<string, any>).eventInfo.id = id;
  return JSON.stringify(events);
}

function requester(runsJobs: boolean | undefined) {
  const sms = recordingSmsClient();
  const manual = manualScheduler({ runsJobs });
  const outcomes: Outcome[] = [];
  const push = (o: Outcome) => {
    outcomes.push(o);
  };
  const r = createReviewRequester({
    keys: KEY,
    business: "Кафе",
    reviewUrl: "https://r.example",
    channels: [{ type: "sms", client: sms.client }],
    store: memoryStore(),
    hashSecret: "enqueue-only-secret-0123",
    quietHours: false,
    scheduler: manual.scheduler,
    logger: { warn() {}, error() {} },
    onSent: push,
    onScheduled: push,
  });
  return { r, sms, manual, outcomes };
}

describe("a scheduler that only enqueues (runsJobs: false: a web process, a serverless route)", () => {
  it("makes the requester schedule a send due at once instead of sending it here", async () => {
    const { r, sms, manual, outcomes } = requester(false);
    const before = Date.now();
    const handled = await r.handle("iiko", order("enqueue-1"), { key: KEY });
    expect(handled.outcomes[0]).toMatchObject({ status: "scheduled", quietHours: false });
    expect(sms.sent).toEqual([]);
    expect(manual.jobs).toHaveLength(1);
    const job = manual.jobs[0] as ScheduledJob;
    expect(job.runAt).toBeGreaterThanOrEqual(before);
    expect(job.runAt).toBeLessThanOrEqual(Date.now());
    // A copy of the webhook is a duplicate; the worker's run of the job sends once.
    const copy = await r.handle("iiko", order("enqueue-1"), { key: KEY });
    expect(copy.outcomes[0]).toMatchObject({ status: "skipped", reason: "duplicate" });
    await manual.run(job);
    expect(sms.sent).toHaveLength(1);
    expect(outcomes.map((o) => o.status)).toEqual(["scheduled", "sent"]);
    await r.close();
  });

  it("a scheduler that runs jobs (or says nothing) still sends at once", async () => {
    for (const runsJobs of [true, undefined]) {
      const { r, sms, manual } = requester(runsJobs);
      const handled = await r.handle("iiko", order("enqueue-2"), { key: KEY });
      expect(handled.outcomes[0]).toMatchObject({ status: "sent" });
      expect(sms.sent).toHaveLength(1);
      expect(manual.jobs).toEqual([]);
      await r.close();
    }
  });
});
