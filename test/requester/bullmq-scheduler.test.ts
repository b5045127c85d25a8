import { Queue } from "bullmq";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSmsRuClient } from "../../src/providers/sms-ru.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type { Outcome, RequesterOptions, ReviewRequester } from "../../src/requester/types.js";
import {
  type BullmqSchedulerOptions,
  bullmqJobId,
  bullmqScheduler,
} from "../../src/schedulers/bullmq.js";
import { memoryStore } from "../../src/stores/memory.js";
import { createFakeSmsRu } from "../../src/testing/sms-ru.js";
import { fixture } from "../helpers/fixtures.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";

const KEY = "bullmq-webhook-key-0123456789";
const ORDER = "9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805";
const smsFake = createFakeSmsRu({ apiKey: "sms-key" });
const server = setupServer(...smsFake.handlers);

let redis: RedisServer;
beforeAll(async () => {
  server.listen({ onUnhandledRequest: "error" });
  redis = await startRedisServer();
});
afterAll(async () => {
  server.close();
  await redis?.stop();
});

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
  smsFake.reset();
});

let queues = 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await sleep(20);
  }
}
const smsSent = () => smsFake.requests.filter((q) => q.path.endsWith("/sms/send"));

/** A requester on a BullMQ scheduler, recording its outcomes and warnings. */
function requester(
  queueName: string,
  scheduler: Partial<BullmqSchedulerOptions> = {},
  overrides: Partial<RequesterOptions> = {},
) {
  const outcomes: Outcome[] = [];
  const warnings: string[] = [];
  const record = (o: Outcome) => void outcomes.push(o);
  const r: ReviewRequester = createReviewRequester({
    keys: KEY,
    business: "Кофейня «Зерно»",
    reviewUrl: "https://yandex.ru/maps/org/zerno/1/reviews",
    channels: [
      {
        type: "sms",
        client: createSmsRuClient({ apiKey: "sms-key", sender: "Zerno", retry: false }),
      },
    ],
    quietHours: false,
    scheduler: bullmqScheduler({
      connection: { url: redis.url },
      queueName,
      logger: { warn: () => {}, error: () => {} },
      ...scheduler,
    }),
    logger: { warn: (m) => warnings.push(m), error: () => {} },
    onSent: record,
    onFailed: record,
    onSkipped: record,
    ...overrides,
  });
  open.push(r);
  return { r, outcomes, warnings };
}

function inspect(queueName: string) {
  const q = new Queue(queueName, { connection: { url: redis.url } });
  open.push(q);
  return q;
}

describe("the requester on bullmqScheduler", () => {
  it("a delayed send is a BullMQ job: it runs once and the SMS goes out once", async () => {
    const name = `requester-${++queues}`;
    const { r, outcomes, warnings } = requester(name, {}, { delayMs: 1500 });
    const body = fixture("iiko", "iiko-01-delivery-closed.json");
    const first = await r.handle("iiko", body, { key: KEY });
    expect(first.outcomes).toMatchObject([{ status: "scheduled", orderId: ORDER }]);
    const delayed = await inspect(name).getJobs(["delayed"]);
    expect(delayed.map((j) => j.id)).toEqual([bullmqJobId(delayed[0]!.data.id)]);
    expect(delayed[0]!.data.id).toMatch(/^otzovik:dedupe:.*:iiko:/);
    // A copy of the webhook is a duplicate: no second job.
    const copy = await r.handle("iiko", body, { key: KEY });
    expect(copy.outcomes).toMatchObject([{ status: "skipped", reason: "duplicate" }]);
    expect(smsSent()).toHaveLength(0);

    await until(() => outcomes.length === 2);
    expect(outcomes.map((o) => o.status)).toEqual(["skipped", "sent"]);
    expect(outcomes[1]).toMatchObject({ status: "sent", orderId: ORDER, phone: "+79161234567" });
    expect(smsSent()).toHaveLength(1);
    expect(smsSent()[0]?.form).toMatchObject({ to: "79161234567" });
    await sleep(500);
    expect(smsSent()).toHaveLength(1);
    expect(await inspect(name).getJobCounts("delayed", "waiting", "active", "failed")).toEqual({
      delayed: 0,
      waiting: 0,
      active: 0,
      failed: 0,
    });
    expect(await r.close()).toEqual({ pending: [] });
    expect(warnings.filter((w) => w.includes("not sent"))).toEqual([]);
  });

  it("a retry from retryDelaysMs is a BullMQ job `…#2`", async () => {
    const name = `requester-${++queues}`;
    const { r, outcomes } = requester(name, {}, { retryDelaysMs: [400] });
    smsFake.enqueue("unavailable");
    const result = await r.handle("iiko", fixture("iiko", "iiko-01-delivery-closed.json"), {
      key: KEY,
    });
    expect(result.outcomes).toMatchObject([{ status: "failed", willRetry: true, attempt: 1 }]);
    const delayed = await inspect(name).getJobs(["delayed", "waiting", "active"]);
    expect(delayed.map((j) => j.data.id)).toEqual([expect.stringMatching(/#2$/)]);
    expect(delayed[0]!.id).toBe(bullmqJobId(delayed[0]!.data.id));
    await until(() => outcomes.some((o) => o.status === "sent"));
    expect(outcomes.map((o) => o.status)).toEqual(["failed", "sent"]);
    expect(smsSent()).toHaveLength(2);
  });

  it("a web process (worker: false) enqueues; the worker process sends", async () => {
    const name = `requester-${++queues}`;
    // The two processes share the store, as they would share Redis.
    const store = memoryStore();
    const web = requester(name, { worker: false }, { delayMs: 1200, store });
    const worker = requester(name, { worker: true }, { delayMs: 1200, store });
    const result = await web.r.handle("iiko", fixture("iiko", "iiko-01-delivery-closed.json"), {
      key: KEY,
    });
    expect(result.outcomes).toMatchObject([{ status: "scheduled" }]);
    await until(() => worker.outcomes.length === 1);
    expect(worker.outcomes).toMatchObject([{ status: "sent", orderId: ORDER }]);
    expect(web.outcomes).toEqual([]);
    expect(smsSent()).toHaveLength(1);
  });
});
