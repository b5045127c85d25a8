/**
 * Issue 14 on the BullMQ path: the web process claims the order and enqueues it (no worker), a
 * worker process with its own Redis clients sends it later; the token was made at the claim and
 * rode in the job, so the SMS carries it and the web process resolves it: one order, one link,
 * across processes that share only Redis.
 */
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import type { ReviewRequester } from "../../src/requester/types.js";
import { bullmqScheduler } from "../../src/schedulers/bullmq.js";
import { redisStore } from "../../src/stores/redis.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";
import { IPHONE, linksRequester, PHONE, tokenOf, YANDEX } from "./world.js";

let redis: RedisServer;
const clients: Redis[] = [];
const open: { close(): Promise<unknown> }[] = [];
beforeAll(async () => {
  redis = await startRedisServer();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
  for (const client of clients.splice(0)) client.disconnect();
});
afterAll(async () => {
  await redis.stop();
});

function instance(queueName: string, worker: boolean, delayMs: number) {
  const client = new Redis(redis.url);
  clients.push(client);
  const made = linksRequester({
    store: redisStore({ client }),
    now: Date.now,
    extra: {
      delayMs,
      scheduler: bullmqScheduler({
        connection: { url: redis.url },
        queueName,
        worker,
        logger: { warn: () => {}, error: () => {} },
      }),
    },
  });
  open.push(made.requester as ReviewRequester);
  return made;
}

it("a job enqueued by the web process and sent by a worker carries the link made at the claim", async () => {
  const web = instance("links-bullmq", false, 300);
  const worker = instance("links-bullmq", true, 300);
  const scheduled = await web.requester.request({ phone: PHONE, orderId: "A-1" });
  expect(scheduled.outcomes[0]).toMatchObject({ status: "scheduled" });
  const queue = new Queue("links-bullmq", { connection: { url: redis.url } });
  open.push(queue);
  const [job] = await queue.getJobs(["delayed", "waiting"]);
  const token = String((job?.data.data as { link?: string } | undefined)?.link);
  expect(token).toMatch(/^[A-Za-z0-9_-]{8}$/);

  const deadline = Date.now() + 15_000;
  while (worker.sms.sent.length === 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
  expect(worker.sms.sent.map((s) => tokenOf(s.text))).toEqual([token]);
  expect(web.sms.sent).toEqual([]);

  const link = await web.requester.followLink(token, { method: "GET", userAgent: IPHONE });
  if (!link.found) throw new Error("not found");
  expect(link.location).toBe(YANDEX);
  await expect(link.done).resolves.toMatchObject({ status: "clicked", token, channel: "sms" });
  await expect(web.requester.stats({ since: Date.now() })).resolves.toMatchObject({
    sent: 1,
    clicked: 1,
  });
});
