/**
 * examples/worker: web.mjs (webhooks in, `worker: false`) and worker.mjs (`worker: true`) as
 * separate processes (against the sources, see test/helpers/example-process.ts) on a real
 * redis-server, in dev mode: the examples' printing client stands in for SMS.ru, so no provider is
 * called. What its README promises:
 *
 * - a delayed send is queued by the web process and sent by the worker, once;
 * - the same webhook again is a duplicate;
 * - a send queued while no worker runs is sent when one starts (it waits in Redis);
 * - SIGTERM: both close and exit 0.
 */
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExampleProcess, startExample } from "../helpers/example-process.js";
import { rawRequest } from "../helpers/http.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";

const JSON_TYPE = { "content-type": "application/json" };
const PATH = "/api/webhook/rkeeper?key=dev-key";
const READY = /^otzovik worker ready \(dev mode: messages are printed, not sent\)$/m;

/** An R-Keeper "order completed" webhook. */
function rkeeper(id: string, phone: string): string {
  return JSON.stringify({ order: { id, status: "Выполнен", customer: { phone } } });
}

/** The "sent" log line of order `id` to the masked phone `masked`. */
function sentLine(id: string, masked: string): RegExp {
  const phone = masked.replace(/[+*]/g, (c) => `\\${c}`);
  return new RegExp(
    `^info {2}review request sent \\(dry run\\) {2}tenant=default source=rkeeper orderId=${id} phone=${phone} channel=sms provider=sms\\.ru$`,
    "m",
  );
}

/** How many SMS lines were printed for the masked phone. */
function smsCount(text: string, masked: string): number {
  return text.split("\n").filter((l) => l.startsWith(`dev   SMS to ${masked} `)).length;
}

let redis: RedisServer;
let admin: Redis;
const running: ExampleProcess[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  admin = new Redis(redis.url);
});
afterAll(async () => {
  await Promise.all(running.filter((p) => p.alive()).map((p) => p.stop("SIGKILL")));
  admin?.disconnect();
  await redis?.stop();
});

describe("examples/worker: web and worker processes on one Redis", { timeout: 90_000 }, () => {
  it("the web process queues, the worker sends once; a send queued with no worker waits for one", async () => {
    // 3 s: long enough to be queued (not sent at once), short enough for a test.
    const env = { REDIS_URL: redis.url, DELAY_MINUTES: "0.05" };
    const [web, worker] = await Promise.all([
      startExample("examples/worker/web.mjs", { env }),
      startExample("examples/worker/worker.mjs", { env, ready: READY }),
    ]);
    running.push(web, worker);

    const first = await rawRequest(web.port, {
      path: PATH,
      headers: JSON_TYPE,
      body: rkeeper("W-1", "+79161234511"),
    });
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toEqual({
      ok: true,
      events: [{ id: "W-1", status: "accepted", reason: null }],
    });
    await web.waitFor(
      /^info {2}review request scheduled {2}tenant=default source=rkeeper orderId=W-1 phone=\+7916\*\*\*4511 runAt=\S+ scheduler=bullmq durable=true$/m,
    );
    const again = await rawRequest(web.port, {
      path: PATH,
      headers: JSON_TYPE,
      body: rkeeper("W-1", "+79161234511"),
    });
    expect(JSON.parse(again.body)).toEqual({
      ok: true,
      events: [
        {
          id: "W-1",
          status: "skipped",
          reason: "duplicate",
          detail: "a review request for this order was already handled",
        },
      ],
    });
    await worker.waitFor(sentLine("W-1", "+7916***4511"), 20_000);
    expect(smsCount(worker.stdout(), "+7916***4511")).toBe(1);
    expect(smsCount(web.stdout(), "+7916***4511")).toBe(0);

    // No worker: the send waits in Redis.
    expect(await worker.stop("SIGTERM")).toEqual({ code: 0, signal: null });
    expect(worker.stdout()).toMatch(
      /^SIGTERM: finishing running sends, then closing\nclosed: scheduled review requests stay queued in Redis\n$/m,
    );
    const queued = await rawRequest(web.port, {
      path: PATH,
      headers: JSON_TYPE,
      body: rkeeper("W-2", "+79161234522"),
    });
    expect(JSON.parse(queued.body).events[0].status).toBe("accepted");
    await web.waitFor(/review request scheduled {2}tenant=default source=rkeeper orderId=W-2 /);
    const queue = new Queue("otzovik", { connection: { url: redis.url } });
    try {
      expect(await queue.getJobCounts("delayed", "waiting", "active")).toEqual({
        delayed: 1,
        waiting: 0,
        active: 0,
      });
    } finally {
      await queue.close();
    }

    // A new worker (after the send was due, while it waited: up to 3 s) sends it.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    const next = await startExample("examples/worker/worker.mjs", { env, ready: READY });
    running.push(next);
    await next.waitFor(sentLine("W-2", "+7916***4522"), 20_000);
    expect(smsCount(next.stdout(), "+7916***4522")).toBe(1);
    expect(await admin.get("otzovik:dedupe:default:rkeeper:W-2")).toBe(
      '{"state":"sent","channel":"sms"}',
    );

    const [webExit, nextExit] = await Promise.all([web.stop("SIGTERM"), next.stop("SIGTERM")]);
    expect(webExit).toEqual({ code: 0, signal: null });
    expect(nextExit).toEqual({ code: 0, signal: null });
    expect(web.stdout()).toMatch(
      /^SIGTERM: closing \(no new webhooks; requests in flight get their answer\)\nclosed: scheduled review requests stay queued in Redis for the workers\n$/m,
    );
    for (const p of [web, worker, next]) {
      expect(p.stderr()).toBe("");
      expect(p.stdout()).not.toMatch(/91612345\d\d/);
    }
    expect(smsCount(web.stdout(), "+7916***4522")).toBe(0);
  });
});
