import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import {
  BULLMQ_JOB_NAME,
  type BullmqSchedulerOptions,
  bullmqJobId,
  bullmqScheduler,
} from "../../src/schedulers/bullmq.js";
import type { ScheduledJob, Scheduler } from "../../src/schedulers/types.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";
import { describeSchedulerConformance } from "./conformance.js";

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

const quiet = { warn: () => {}, error: () => {} };

// Adding and picking up a job takes Redis round trips (a job due now runs a few ms later, a delayed
// one up to ~50 ms late): the suite's times are 20 times the in-process ones.
describeSchedulerConformance(
  "bullmq",
  (space) => bullmqScheduler({ connection: { url: redis.url }, queueName: space, logger: quiet }),
  { durable: true, timeScale: 20 },
);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 20 ms until it holds (rejects after `timeoutMs`). */
async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await sleep(20);
  }
}

describe("bullmqScheduler", () => {
  let queues = 0;
  const open: { close(): Promise<unknown> }[] = [];
  /** A fresh queue name, so tests do not see each other's jobs. */
  const freshQueue = () => `bullmq-${++queues}`;

  function scheduler(queueName: string, options: Partial<BullmqSchedulerOptions> = {}) {
    const s = bullmqScheduler({
      connection: { url: redis.url },
      queueName,
      logger: quiet,
      ...options,
    });
    open.push(s);
    return s;
  }
  /** A scheduler that records what it runs. */
  async function recording(queueName: string, options: Partial<BullmqSchedulerOptions> = {}) {
    const s = scheduler(queueName, options);
    const ran: ScheduledJob[] = [];
    await s.start(async (job) => {
      ran.push(job);
    });
    return { s, ran };
  }
  /** BullMQ's own view of a queue, to inspect what the scheduler stored. */
  function inspect(queueName: string) {
    const q = new Queue(queueName, { connection: { url: redis.url } });
    open.push(q);
    return q;
  }

  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  it("names a job by the SHA-256 of its id: one job per id, and `false` for the copy", async () => {
    const name = freshQueue();
    const { s } = await recording(name, { worker: false });
    const id = "otzovik:dedupe:default:iiko:42";
    const runAt = Date.now() + 60_000;
    expect(await s.schedule({ id, runAt, data: { n: 1 } })).toBe(true);
    expect(await s.schedule({ id, runAt, data: { n: 2 } })).toBe(false);
    const jobs = await inspect(name).getJobs(["delayed", "waiting", "active"]);
    expect(jobs.map((j) => [j.id, j.name, j.data.id, j.data.data])).toEqual([
      [bullmqJobId(id), BULLMQ_JOB_NAME, id, { n: 1 }],
    ]);
    expect(bullmqJobId(id)).toMatch(/^[0-9a-f]{64}$/);
    expect(bullmqJobId(id)).toBe(bullmqJobId(id));
  });

  it("two processes scheduling one id at once: exactly one `true`, one job", async () => {
    const name = freshQueue();
    const { s: a } = await recording(name, { worker: false });
    const { s: b } = await recording(name, { worker: false });
    const job = { id: "otzovik:dedupe:default:iiko:race", runAt: Date.now() + 60_000, data: 1 };
    for (let round = 0; round < 5; round++) {
      const id = `${job.id}-${round}`;
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).schedule({ ...job, id })),
      );
      expect(answers.filter(Boolean)).toHaveLength(1);
    }
    expect(await inspect(name).getDelayedCount()).toBe(5);
  });

  it("keeps phones and order ids out of Redis key names, job names and events", async () => {
    const name = freshQueue();
    const { s, ran } = await recording(name);
    const phone = "+79161234567";
    const orderId = "order-7391";
    await s.schedule({
      id: `otzovik:dedupe:default:iiko:${orderId}`,
      runAt: Date.now() + 60_000,
      data: { phone, orderId },
    });
    await s.schedule({
      id: `otzovik:dedupe:default:iiko:${orderId}#2`,
      runAt: Date.now(),
      data: { phone, orderId },
    });
    await until(() => ran.length === 1);
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys("*");
      expect(keys.length).toBeGreaterThan(0);
      const bad = keys.filter((k) => k.includes("79161234567") || k.includes(orderId));
      expect(bad).toEqual([]);
      const jobKey = `bull:${name}:${bullmqJobId(`otzovik:dedupe:default:iiko:${orderId}`)}`;
      expect(await client.hget(jobKey, "name")).toBe("send");
      // The data holds the phone: the job needs it to send.
      expect(await client.hget(jobKey, "data")).toContain(phone);
      const events = JSON.stringify(await client.xrange(`bull:${name}:events`, "-", "+"));
      expect(events).toContain("completed");
      expect(events).not.toContain("79161234567");
      expect(events).not.toContain(orderId);
      // A completed job is removed at once, phone and all.
      expect(
        keys.filter((k) => k.endsWith(bullmqJobId(`otzovik:dedupe:default:iiko:${orderId}#2`))),
      ).toEqual([]);
    } finally {
      client.disconnect();
    }
  });

  it("`worker: false` only enqueues; a worker process runs the job", async () => {
    const name = freshQueue();
    const { s: web, ran: ranOnWeb } = await recording(name, { worker: false });
    // The requester reads this to schedule every send, also those due at once.
    expect(web.runsJobs).toBe(false);
    const runAt = Date.now();
    expect(await web.schedule({ id: "o1", runAt, data: { n: 1 } })).toBe(true);
    await sleep(300);
    expect(ranOnWeb).toEqual([]);
    expect(await inspect(name).getWaitingCount()).toBe(1);
    const { s: worker, ran } = await recording(name);
    expect(worker.runsJobs).toBe(true);
    await until(() => ran.length === 1);
    expect(ran).toEqual([{ id: "o1", runAt, data: { n: 1 } }]);
    expect(ranOnWeb).toEqual([]);
    expect(await web.close()).toEqual([]);
  });

  it("a pending job survives closing: a scheduler opened later runs it", async () => {
    const name = freshQueue();
    const first = await recording(name);
    const runAt = Date.now() + 400;
    await first.s.schedule({ id: "kept", runAt, data: "x" });
    expect(await first.s.close()).toEqual([]);
    await sleep(800);
    expect(first.ran).toEqual([]);
    const again = await recording(name);
    await until(() => again.ran.length === 1);
    expect(again.ran).toEqual([{ id: "kept", runAt, data: "x" }]);
    expect(first.ran).toEqual([]);
  });

  it("a job still running when close() is called can schedule (its retry): the job is kept", async () => {
    // Found by the flaky-provider proof (test/soak/redis-flaky-provider.soak.test.ts): a worker
    // stopped with SIGTERM lost the retries of the sends it was finishing ("scheduler is closed").
    const name = freshQueue();
    const s = scheduler(name);
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let running = false;
    let scheduled: Promise<boolean> | null = null;
    await s.start(async (job) => {
      if (job.id !== "first") return;
      running = true;
      await gate;
      scheduled = s.schedule({ id: "first#2", runAt: Date.now() + 200, data: { attempt: 2 } });
      await scheduled;
    });
    await s.schedule({ id: "first", runAt: Date.now(), data: { attempt: 1 } });
    await until(() => running);
    const closing = s.close();
    await sleep(100);
    release();
    expect(await closing).toEqual([]);
    expect(await scheduled).toBe(true);
    await expect(s.schedule({ id: "later", runAt: Date.now(), data: null })).rejects.toMatchObject({
      code: "scheduler_closed",
    });
    const again = await recording(name);
    await until(() => again.ran.length === 1);
    expect(again.ran.map((j) => [j.id, j.data])).toEqual([["first#2", { attempt: 2 }]]);
  });

  it("retries a rejecting handler with backoff, then removes the job", async () => {
    const name = freshQueue();
    const errors: unknown[] = [];
    const s = scheduler(name, {
      attempts: 3,
      backoffMs: 50,
      logger: { error: (m, meta) => errors.push([m, meta]) },
    });
    const runs: number[] = [];
    await s.start(async () => {
      runs.push(Date.now());
      if (runs.length < 3) throw new Error("store down");
    });
    await s.schedule({ id: "flaky", runAt: Date.now(), data: null });
    await until(() => runs.length === 3);
    await until(async () => (await inspect(name).getJob(bullmqJobId("flaky"))) === undefined);
    expect(errors).toEqual([
      [
        "scheduled job failed",
        { scheduler: "bullmq", jobId: "flaky", attempt: 1, willRetry: true, error: "store down" },
      ],
      [
        "scheduled job failed",
        { scheduler: "bullmq", jobId: "flaky", attempt: 2, willRetry: true, error: "store down" },
      ],
    ]);
    // Exponential: 50 ms, then 100 ms.
    expect(runs[1]! - runs[0]!).toBeGreaterThanOrEqual(45);
    expect(runs[2]! - runs[1]!).toBeGreaterThanOrEqual(95);
  });

  it("keeps a job that failed every attempt; scheduling its id again replaces it", async () => {
    const name = freshQueue();
    const errors: unknown[] = [];
    const s = scheduler(name, {
      attempts: 2,
      backoffMs: 10,
      logger: { error: (m, meta) => errors.push([m, meta]) },
    });
    let failing = true;
    const ran: unknown[] = [];
    await s.start(async (job) => {
      ran.push(job.data);
      if (failing) throw new Error("store down");
    });
    await s.schedule({ id: "doomed", runAt: Date.now(), data: 1 });
    const q = inspect(name);
    await until(async () => (await q.getJobState(bullmqJobId("doomed"))) === "failed");
    expect(ran).toEqual([1, 1]);
    expect(errors.at(-1)).toEqual([
      "scheduled job failed",
      { scheduler: "bullmq", jobId: "doomed", attempt: 2, willRetry: false, error: "store down" },
    ]);
    failing = false;
    expect(await s.schedule({ id: "doomed", runAt: Date.now(), data: 2 })).toBe(true);
    await until(() => ran.length === 3);
    expect(ran).toEqual([1, 1, 2]);
    await until(async () => (await q.getJob(bullmqJobId("doomed"))) === undefined);
  });

  it("runs jobs again after their worker is killed (kill -9), within the stall settings", async () => {
    const name = freshQueue();
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const child: ChildProcess = spawn(
      process.execPath,
      ["--import", "tsx", "test/schedulers/fixtures/hanging-worker.ts"],
      {
        cwd: root,
        env: { ...process.env, NODE_OPTIONS: "", REDIS_URL: redis.url, QUEUE: name },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
    });
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      await until(() => out.includes("ready"), 20_000);
      const { s: web } = await recording(name, { worker: false });
      await web.schedule({ id: "o-killed", runAt: Date.now(), data: { n: 1 } });
      await until(() => out.includes("running o-killed"), 10_000);
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    const warnings: unknown[] = [];
    const started = Date.now();
    const s = scheduler(name, {
      lockDurationMs: 1000,
      stalledIntervalMs: 300,
      logger: { warn: (m, meta) => warnings.push([m, meta]), error: () => {} },
    });
    const ran: ScheduledJob[] = [];
    await s.start(async (job) => {
      ran.push(job);
    });
    await until(() => ran.length === 1, 15_000);
    expect(ran.map((j) => [j.id, j.data])).toEqual([["o-killed", { n: 1 }]]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(warnings).toEqual([
      [
        "a scheduled job stalled (its worker stopped?); it runs again",
        { scheduler: "bullmq", queue: name, bullmqJobId: bullmqJobId("o-killed") },
      ],
    ]);
  }, 40_000);

  it("leaves a Redis client it was given open; closes the connections it opened", async () => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    try {
      const name = freshQueue();
      const s = bullmqScheduler({ connection: client, queueName: name, logger: quiet });
      const ran: ScheduledJob[] = [];
      await s.start(async (job) => {
        ran.push(job);
      });
      await s.schedule({ id: "mine", runAt: Date.now(), data: null });
      await until(() => ran.length === 1);
      expect(await s.close()).toEqual([]);
      expect(await client.ping()).toBe("PONG");
      const clients = await client.client("LIST");
      // Only this test's own client is left connected: the worker's blocking copy is closed.
      expect(String(clients).trim().split("\n")).toHaveLength(1);
    } finally {
      client.disconnect();
    }
  });

  it("rejects when closed or not started, and for a job without a valid time", async () => {
    const s = scheduler(freshQueue());
    await expect(s.schedule({ id: "x", runAt: Date.now(), data: null })).rejects.toMatchObject({
      code: "scheduler_not_started",
      provider: "bullmq",
    });
    await s.start(async () => {});
    await expect(s.schedule({ id: "x", runAt: Number.NaN, data: null })).rejects.toMatchObject({
      code: "invalid_job",
    });
    expect(s.name).toBe("bullmq");
    expect(s.durable).toBe(true);
    expect(await s.close()).toEqual([]);
    expect(await s.close()).toEqual([]);
    await expect(s.schedule({ id: "x", runAt: Date.now(), data: null })).rejects.toMatchObject({
      code: "scheduler_closed",
    });
  });

  it("validates its options at creation, naming the option", () => {
    const connection = { host: "127.0.0.1", port: 1 };
    const cases: [Partial<BullmqSchedulerOptions>, string][] = [
      [
        { connection: undefined },
        "Option `connection` must be what BullMQ connects with: options such as { host, port } or { url }, or an ioredis client.",
      ],
      [
        { connection: "redis://x" as never },
        "Option `connection` must be what BullMQ connects with: options such as { host, port } or { url }, or an ioredis client.",
      ],
      [
        { queueName: "a:b" },
        "Option `queueName` must be a non-empty string of at most 200 characters without `:`.",
      ],
      [
        { queueName: "" },
        "Option `queueName` must be a non-empty string of at most 200 characters without `:`.",
      ],
      [{ prefix: "" }, "Option `prefix` must be a non-empty string of at most 200 characters."],
      [{ worker: "yes" as never }, "Option `worker` must be true or false."],
      [{ concurrency: 0 }, "Option `concurrency` must be an integer between 1 and 1000."],
      [{ concurrency: 1.5 }, "Option `concurrency` must be an integer between 1 and 1000."],
      [{ attempts: 0 }, "Option `attempts` must be an integer between 1 and 100."],
      [{ backoffMs: -1 }, "Option `backoffMs` must be a whole number of milliseconds, at least 0."],
      [
        { lockDurationMs: 50 },
        "Option `lockDurationMs` must be a whole number of milliseconds, at least 100.",
      ],
      [
        { stalledIntervalMs: Number.NaN },
        "Option `stalledIntervalMs` must be a whole number of milliseconds, at least 100.",
      ],
      [{ maxStalledCount: 0 }, "Option `maxStalledCount` must be an integer between 1 and 100."],
      [
        { keepFailedMs: 1.5 },
        "Option `keepFailedMs` must be a whole number of milliseconds, at least 0.",
      ],
      [{ keepFailedCount: -1 }, "Option `keepFailedCount` must be a whole number, at least 0."],
      [
        { logger: "console" as never },
        "Option `logger` must be an object with debug/info/warn/error methods.",
      ],
    ];
    for (const [options, message] of cases) {
      const create = () => bullmqScheduler({ connection, ...options } as BullmqSchedulerOptions);
      expect(create).toThrow(ConfigError);
      expect(create).toThrow(`[otzovik] [bullmq] ${message}`);
    }
    expect(() => bullmqScheduler(null as never)).toThrow("Options object is required.");
    // Valid options open nothing until start().
    const idle: Scheduler = bullmqScheduler({
      connection,
      queueName: null as never,
      concurrency: 1000,
      keepFailedCount: 0,
    });
    expect(idle.name).toBe("bullmq");
  });
});
