/**
 * `otzovik serve` with REDIS_URL: the store in Redis (otzovik/redis over ioredis) and the sends
 * queued in BullMQ (otzovik/bullmq), both loaded only then. Two instances on one Redis are one
 * service: an order posted to each goes out once. No phone is written into Redis keys.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServe } from "../helpers/cli-process.js";
import { fixture } from "../helpers/fixtures.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";

const LISTENING = /otzovik listening on http:\/\/([\d.]+):(\d+)\n/;
const SENT = /^dev {3}SMS to \+7916\*\*\*4567 \(not sent, dev mode\): /gm;

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
}, 30_000);
afterAll(async () => {
  await redis?.stop();
});

/** Posts the real iiko closed delivery to an instance; the answer's events. */
async function post(port: string): Promise<unknown> {
  const response = await fetch(`http://127.0.0.1:${port}/api/webhook/iiko?key=dev-key`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: fixture("iiko", "iiko-01-delivery-closed.json"),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { events: unknown }).events;
}

describe("otzovik serve with REDIS_URL", () => {
  it("two instances on one Redis: the order goes out once; keys hold no phone; SIGTERM exits 0", {
    timeout: 90_000,
  }, async () => {
    const env = { REDIS_URL: redis.url, HASH_SECRET: "serve-redis-test-secret-0123456789" };
    const started = await Promise.allSettled([startServe(env), startServe(env)]);
    const running = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const [first, second] = running;
    try {
      if (!first || !second)
        throw (started.find((s) => s.status === "rejected") as PromiseRejectedResult).reason;
      const [, , firstPort] = await first.waitFor(LISTENING, 30_000);
      const [, , secondPort] = await second.waitFor(LISTENING, 30_000);
      for (const serve of [first, second]) {
        // The lines after the listening one may come in a later chunk: wait for the last.
        await serve.waitFor(/^scheduler: BullMQ .*\n/m, 30_000);
        expect(serve.stdout()).toContain(`store: Redis (otzovik/redis) at 127.0.0.1:${redis.port}`);
        expect(serve.stdout()).toContain(
          'scheduler: BullMQ (otzovik/bullmq), queue "otzovik"; this process also runs its jobs',
        );
      }
      expect(await post(firstPort as string)).toEqual([
        { id: "9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805", status: "accepted", reason: null },
      ]);
      await first.waitFor(SENT, 30_000);
      expect(await post(secondPort as string)).toEqual([
        {
          id: "9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805",
          status: "skipped",
          reason: "duplicate",
          detail: "a review request for this order was already handled",
        },
      ]);
      const sent = () => (first.stdout() + second.stdout()).match(SENT)?.length ?? 0;
      expect(sent()).toBe(1);

      const client = new Redis(redis.url);
      try {
        const keys = await client.keys("*");
        expect(keys.length).toBeGreaterThan(0);
        expect(keys.join("\n")).not.toMatch(/7916|9161234567/);
      } finally {
        client.disconnect();
      }

      for (const serve of [first, second]) {
        expect(await serve.stop("SIGTERM")).toEqual({ code: 0, signal: null });
        expect(serve.stdout()).toContain(
          "scheduled review requests stay queued in Redis for a worker",
        );
      }
      expect(sent()).toBe(1);
    } finally {
      await Promise.all(running.map((serve) => serve.stop("SIGKILL")));
    }
  });
});
