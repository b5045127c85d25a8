/**
 * examples/express/server.mjs with REDIS_URL (issue 10): two processes of the example (against the
 * sources, see test/helpers/example-process.ts) share a real redis-server — the store
 * (otzovik/redis) and the BullMQ queue (otzovik/bullmq). Providers are never called: the example
 * runs in dev mode (its printing client stands in for SMS.ru), or in production mode with no
 * webhook accepted.
 *
 * - It says it uses Redis and BullMQ (where, never the URL, which may hold a password).
 * - One order sent to both processes is one message: the second copy is a duplicate.
 * - A web process (OTZOVIK_WORKER=false) only enqueues the delayed send; the other one's worker
 *   sends it.
 * - SIGTERM: both close (the requester, then the Redis client) and exit 0.
 * - NODE_ENV=production without HASH_SECRET (or with a short one): exits 1 naming it.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExampleProcess, runExample, startExample } from "../helpers/example-process.js";
import { rawRequest } from "../helpers/http.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";

const SCRIPT = "examples/express/server.mjs";
const JSON_TYPE = { "content-type": "application/json" };
const HASH_SECRET = "express-example-hash-secret-0123";

/** An R-Keeper "order completed" webhook. */
function rkeeper(id: string, phone: string): string {
  return JSON.stringify({ order: { id, status: "Выполнен", customer: { phone } } });
}

/** Lines of `text` that print an SMS (dev mode) for the masked phone `masked`. */
function smsLines(text: string, masked: string): string[] {
  return text.split("\n").filter((l) => l.startsWith(`dev   SMS to ${masked} `));
}

let redis: RedisServer;
let admin: Redis;

beforeAll(async () => {
  redis = await startRedisServer();
  admin = new Redis(redis.url);
});
afterAll(async () => {
  admin?.disconnect();
  await redis?.stop();
});

describe("two processes sharing Redis (dev mode)", { timeout: 60_000 }, () => {
  let web: ExampleProcess;
  let worker: ExampleProcess;

  afterAll(async () => {
    if (web?.alive()) await web.stop("SIGKILL");
    if (worker?.alive()) await worker.stop("SIGKILL");
  });

  it("say they use Redis and BullMQ; one order sent to both is one message, sent by the worker", async () => {
    const env = {
      REDIS_URL: redis.url,
      HASH_SECRET,
      // 3 s: the send is queued in BullMQ, not sent at once.
      DELAY_MINUTES: "0.05",
    };
    [web, worker] = await Promise.all([
      startExample(SCRIPT, { env: { ...env, OTZOVIK_WORKER: "false" } }),
      startExample(SCRIPT, { env }),
    ]);
    const where = `store: Redis (otzovik/redis) at 127.0.0.1:${redis.port}`;
    await web.waitFor(/^scheduler: .*$/m);
    await worker.waitFor(/^scheduler: .*$/m);
    expect(web.stdout()).toContain(`${where}\n`);
    expect(web.stdout()).toContain(
      'scheduler: BullMQ (otzovik/bullmq), queue "otzovik"; enqueue only (OTZOVIK_WORKER=false): a worker process sends\n',
    );
    expect(worker.stdout()).toContain(`${where}\n`);
    expect(worker.stdout()).toContain(
      'scheduler: BullMQ (otzovik/bullmq), queue "otzovik"; this process also runs its jobs\n',
    );
    // HASH_SECRET is set: no demo secret.
    expect(web.stdout() + worker.stdout()).not.toContain("demo hash secret");

    const path = "/api/webhook/rkeeper?key=dev-key";
    const body = rkeeper("RX-1", "+79161234501");
    const first = await rawRequest(web.port, { path, headers: JSON_TYPE, body });
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toEqual({
      ok: true,
      events: [{ id: "RX-1", status: "accepted", reason: null }],
    });
    await web.waitFor(
      /^info {2}review request scheduled {2}tenant=default source=rkeeper orderId=RX-1 phone=\+7916\*\*\*4501 runAt=\S+ scheduler=bullmq durable=true$/m,
    );

    // The same order through the other process, and through the first again: duplicates.
    for (const example of [worker, web]) {
      const again = await rawRequest(example.port, { path, headers: JSON_TYPE, body });
      expect(JSON.parse(again.body)).toEqual({
        ok: true,
        events: [
          {
            id: "RX-1",
            status: "skipped",
            reason: "duplicate",
            detail: "a review request for this order was already handled",
          },
        ],
      });
    }

    // The worker process runs the queued send; the web process never sends.
    await worker.waitFor(
      /^info {2}review request sent \(dry run\) {2}tenant=default source=rkeeper orderId=RX-1 phone=\+7916\*\*\*4501 channel=sms provider=sms\.ru$/m,
      20_000,
    );
    expect(smsLines(worker.stdout(), "+7916***4501")).toHaveLength(1);
    expect(smsLines(web.stdout(), "+7916***4501")).toEqual([]);
    // The order's record is in the shared Redis.
    expect(await admin.get("otzovik:dedupe:default:rkeeper:RX-1")).toBe(
      '{"state":"sent","channel":"sms"}',
    );

    // SIGTERM: both close cleanly; nothing scheduled is lost (it would wait in Redis).
    const [webExit, workerExit] = await Promise.all([web.stop("SIGTERM"), worker.stop("SIGTERM")]);
    expect(webExit).toEqual({ code: 0, signal: null });
    expect(workerExit).toEqual({ code: 0, signal: null });
    for (const example of [web, worker]) {
      expect(example.stdout()).toMatch(
        /^SIGTERM: closing \(no new webhooks; requests in flight get their answer\)\nscheduled review requests stay queued in Redis for a worker\n$/m,
      );
      expect(example.stderr()).toBe("");
      // No phone in clear, no secret.
      expect(example.stdout()).not.toContain("9161234501");
      expect(example.stdout()).not.toContain(HASH_SECRET);
    }
  });
});

describe("NODE_ENV=production with REDIS_URL", { timeout: 60_000 }, () => {
  const production = {
    NODE_ENV: "production",
    WEBHOOK_KEY: "prod-redis-webhook-key",
    BUSINESS_NAME: "Зерно",
    REVIEW_URL: "https://example.com/r",
    SMSRU_API_KEY: "smsru-test-key",
  };

  it.concurrent("without HASH_SECRET: exits 1 naming it, printing no secret", async () => {
    const run = await runExample(SCRIPT, { env: { ...production, REDIS_URL: redis.url } });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      [
        "NODE_ENV=production: not starting in dev mode (it would answer 200 and send nothing). Set:",
        "  HASH_SECRET (REDIS_URL is set: 16+ random characters, the same on every instance, e.g. `openssl rand -hex 32`)",
        "",
      ].join("\n"),
    );
  });

  it.concurrent("with a HASH_SECRET under 16 characters: exits 1 saying so", async () => {
    const run = await runExample(SCRIPT, {
      env: { ...production, REDIS_URL: redis.url, HASH_SECRET: "too-short" },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      "HASH_SECRET must be at least 16 characters: a random string, the same on every instance.\n",
    );
    expect(run.stderr).not.toContain("too-short");
  });

  it.concurrent("with OTZOVIK_WORKER neither true nor false: exits 1 saying so", async () => {
    const run = await runExample(SCRIPT, {
      env: { ...production, REDIS_URL: redis.url, HASH_SECRET, OTZOVIK_WORKER: "maybe" },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("OTZOVIK_WORKER must be true or false.\n");
  });

  it("fully configured: starts on Redis without printing the URL's password or any secret, exits 0 on SIGTERM", async () => {
    // The default user has no password, so AUTH with any password succeeds: the URL may carry one.
    const url = `redis://default:url-password-123@127.0.0.1:${redis.port}`;
    const example = await startExample(SCRIPT, {
      env: { ...production, REDIS_URL: url, HASH_SECRET },
    });
    try {
      await example.waitFor(/^sending through: sms\/sms\.ru$/m);
      expect(example.stdout()).toContain(
        `store: Redis (otzovik/redis) at 127.0.0.1:${redis.port}\n`,
      );
      // A wrong key is refused before anything reaches a provider.
      const wrongKey = await rawRequest(example.port, {
        path: "/api/webhook/rkeeper?key=dev-key",
        headers: JSON_TYPE,
        body: rkeeper("P-1", "+79161234567"),
      });
      expect(wrongKey.status).toBe(401);
    } finally {
      expect(await example.stop("SIGTERM")).toEqual({ code: 0, signal: null });
    }
    const output = example.stdout() + example.stderr();
    for (const secret of [
      "url-password-123",
      HASH_SECRET,
      "prod-redis-webhook-key",
      "smsru-test-key",
    ])
      expect(output).not.toContain(secret);
    expect(output).not.toContain("dev mode");
  });
});
