import { createHash, randomUUID } from "node:crypto";
import {
  type ConnectionOptions,
  DelayedError,
  type Job,
  type JobsOptions,
  Queue,
  UnrecoverableError,
  Worker,
} from "bullmq";
import * as z from "zod/mini";
import { errorMessage, OtzovikError } from "../core/errors.js";
import { createLogger, type Logger } from "../core/logger.js";
import { flag, guard, loggerOption, optionsObject, parseOptions } from "../core/options.js";
import type { JobData, JobHandler, ScheduledJob, Scheduler } from "./types.js";

const PROVIDER = "bullmq";

/** The name of every job this scheduler adds: a constant, so no name carries a phone. */
export const BULLMQ_JOB_NAME = "send";

/** Options for {@link bullmqScheduler}. */
export interface BullmqSchedulerOptions {
  /**
   * Where Redis is, exactly as BullMQ takes it: connection options (`{ host, port }`,
   * `{ url: process.env.REDIS_URL }`, with `password`, `tls`…) or a client instance (an ioredis
   * `Redis`, which must not use ioredis's `keyPrefix`; use {@link BullmqSchedulerOptions.prefix}).
   * From options, BullMQ opens its own connections and closes them on `close()`; a client you pass
   * stays yours to close (the worker's extra blocking connection, a copy of it, is closed).
   */
  readonly connection: ConnectionOptions;
  /** The BullMQ queue. Default `"otzovik"`; no `:`. Every process of one app uses the same. */
  readonly queueName?: string;
  /** BullMQ's key prefix: keys are `{prefix}:{queueName}:…`. Default BullMQ's `"bull"`. */
  readonly prefix?: string;
  /**
   * `true` (default): this process also runs due jobs. `false`: it only enqueues (a web process);
   * a separate worker process, created with the same requester options and `worker: true`, sends.
   */
  readonly worker?: boolean;
  /** Jobs one worker process runs at a time. A positive integer; default `10`. */
  readonly concurrency?: number;
  /**
   * Runs of a job whose handler **rejects** (the requester's handler reports a failed send itself
   * and resolves: a rejection means infrastructure trouble, such as the store being down). A
   * positive integer; default `5`. After the last one the job is kept as failed (see
   * {@link BullmqSchedulerOptions.keepFailedMs}) and logged.
   */
  readonly attempts?: number;
  /** Wait before the first re-run of a rejected job, doubling each time. Default `5000` ms. */
  readonly backoffMs?: number;
  /**
   * How long a worker's lock on a running job lasts; the worker renews it at half that. A job
   * whose worker died (a crash, `kill -9`) is found stalled within about `lockDurationMs +
   * stalledIntervalMs` and runs again. Default BullMQ's `30000` ms; at least `100`.
   */
  readonly lockDurationMs?: number;
  /** How often a worker looks for stalled jobs. Default BullMQ's `30000` ms; at least `100`. */
  readonly stalledIntervalMs?: number;
  /**
   * How many times a job may stall and still run again; one more stall fails it for good (logged).
   * At least `1`, so the run after a crash happens: that run finds the order marked "sending" and
   * reports it (`unknownOutcome`) instead of sending again. Default BullMQ's `1`.
   */
  readonly maxStalledCount?: number;
  /** How long a failed job stays in Redis for inspection. Default 7 days, in ms. */
  readonly keepFailedMs?: number;
  /** How many failed jobs stay in Redis for inspection, newest first. Default `1000`. */
  readonly keepFailedCount?: number;
  /** Where to log job failures, stalled jobs and connection errors (never job data). */
  readonly logger?: Partial<Logger>;
}

const positiveInteger = (max: number) =>
  guard<number>(
    (v) => Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= max,
    `must be an integer between 1 and ${max}`,
  );
const milliseconds = (min: number) =>
  guard<number>(
    (v) => Number.isSafeInteger(v) && (v as number) >= min,
    `must be a whole number of milliseconds, at least ${min}`,
  );

/** What {@link bullmqScheduler} accepts. */
const optionsSchema = optionsObject({
  connection: guard<ConnectionOptions>(
    (v) => typeof v === "object" && v !== null && !Array.isArray(v),
    "must be what BullMQ connects with: options such as { host, port } or { url }, or an ioredis client",
  ),
  queueName: z.nullish(
    guard<string>(
      (v) => typeof v === "string" && v.length > 0 && v.length <= 200 && !v.includes(":"),
      "must be a non-empty string of at most 200 characters without `:`",
    ),
  ),
  prefix: z.nullish(
    guard<string>(
      (v) => typeof v === "string" && v.length > 0 && v.length <= 200,
      "must be a non-empty string of at most 200 characters",
    ),
  ),
  worker: z.nullish(flag),
  concurrency: z.nullish(positiveInteger(1000)),
  attempts: z.nullish(positiveInteger(100)),
  backoffMs: z.nullish(milliseconds(0)),
  lockDurationMs: z.nullish(milliseconds(100)),
  stalledIntervalMs: z.nullish(milliseconds(100)),
  maxStalledCount: z.nullish(positiveInteger(100)),
  keepFailedMs: z.nullish(milliseconds(0)),
  keepFailedCount: z.nullish(
    guard<number>(
      (v) => Number.isSafeInteger(v) && (v as number) >= 0,
      "must be a whole number, at least 0",
    ),
  ),
  logger: z.nullish(loggerOption),
});

/** What a BullMQ job holds: the scheduled job, and the token of the `schedule()` that added it. */
interface StoredJob {
  readonly id: string;
  readonly runAt: number;
  readonly data: JobData;
  /** Random per `schedule()` call: tells whether the job with this id is the one it added. */
  readonly token: string;
}

/**
 * The BullMQ job id of a scheduled job id: the SHA-256 of it, in hex. Deterministic (scheduling
 * one order twice names one job), accepted by BullMQ whatever the id holds (BullMQ refuses custom
 * ids with `:`, and the requester's ids are `otzovik:dedupe:{tenant}:{source}:{order}`), and it
 * keeps order ids and anything else in the id out of Redis key names.
 *
 * Use it to find the job of an order in Redis or a BullMQ dashboard.
 *
 * @example
 * bullmqJobId("otzovik:dedupe:default:iiko:42") // 64 hex digits
 */
export function bullmqJobId(id: string): string {
  return createHash("sha256").update(id, "utf8").digest("hex");
}

/** A job this process is running, and the job it scheduled under its own id meanwhile, if any. */
interface Running {
  readonly job: Job<StoredJob>;
  readonly token: string | undefined;
  next: ScheduledJob | null;
}

function isStoredJob(value: unknown): value is StoredJob {
  const v = value as Partial<StoredJob> | null;
  return (
    typeof v === "object" &&
    v !== null &&
    typeof v.id === "string" &&
    typeof v.runAt === "number" &&
    "data" in v
  );
}

/**
 * A durable {@link Scheduler} on [BullMQ](https://docs.bullmq.io) (an optional peer dependency:
 * `npm install bullmq`): delayed sends, sends held back by quiet hours and retries are BullMQ jobs
 * in Redis, so they survive restarts and deploys, and each runs in one worker process however many
 * there are.
 *
 * - **Ids**: each job's BullMQ id is {@link bullmqJobId} of the requester's id, so scheduling an
 *   order that is already pending (waiting, delayed or running) is a no-op resolving `false`, also
 *   across processes. A job that failed for good (kept for inspection) is not pending: scheduling
 *   its id again replaces it (a job due now that already ran and was removed before `schedule()`
 *   could look counts as scheduled: `true`). The job name is always {@link BULLMQ_JOB_NAME};
 *   neither names nor ids carry a phone.
 * - **Data**: the job's data is the requester's job, which holds the customer's phone (it must, to
 *   send). Completed jobs are removed at once; failed ones are kept for
 *   {@link BullmqSchedulerOptions.keepFailedMs} / {@link BullmqSchedulerOptions.keepFailedCount}.
 *   Logs never show job data.
 * - **Web and worker processes**: with `worker: false` this process only enqueues; run a worker
 *   process with `worker: true` and the same requester options.
 * - **Crashes**: a worker killed mid-job leaves the job stalled; BullMQ's stalled-job check (see
 *   {@link BullmqSchedulerOptions.lockDurationMs}) runs it again, and the requester's ledger makes
 *   that run report the send's unknown outcome instead of sending twice.
 * - **Rejections**: a handler that rejects (infrastructure trouble) is retried with exponential
 *   backoff, {@link BullmqSchedulerOptions.attempts} runs in all.
 * - **A job rescheduling itself**: a running job that schedules its own id again (a send that
 *   became due in quiet hours waits for the morning) moves to the new time with the new data.
 * - **`close()`** closes the worker (after its running jobs finish) and the queue, and resolves
 *   with `[]`: pending jobs stay in Redis and run when a worker is back, nothing is lost. Until
 *   the worker has closed, `schedule()` still adds jobs, so a job that fails while `close()` waits
 *   for it schedules its retry; after that `schedule()` rejects (`scheduler_closed`).
 *
 * `runAt` in the past runs at once. Timers are Redis's and BullMQ's, not fake timers.
 *
 * @example
 * import { bullmqScheduler } from "otzovik/bullmq";
 * const requester = createReviewRequester({
 *   ...options,
 *   scheduler: bullmqScheduler({ connection: { url: process.env.REDIS_URL } }),
 * });
 *
 * @throws `ConfigError` (exported by `otzovik`) naming the option: `connection` missing,
 *   `queueName` empty or with `:`, a number out of range, `logger` not an object.
 */
export function bullmqScheduler(options: BullmqSchedulerOptions): Scheduler {
  const valid = parseOptions(optionsSchema, options, { provider: PROVIDER });
  const connection = valid.connection;
  const queueName = valid.queueName ?? "otzovik";
  const prefix = valid.prefix ?? undefined;
  const runsWorker = valid.worker ?? true;
  const logger = createLogger(valid.logger ?? undefined);
  const jobOptions: JobsOptions = {
    attempts: valid.attempts ?? 5,
    backoff: { type: "exponential", delay: valid.backoffMs ?? 5000 },
    removeOnComplete: true,
    removeOnFail: {
      age: Math.ceil((valid.keepFailedMs ?? 7 * 86_400_000) / 1000),
      count: valid.keepFailedCount ?? 1000,
    },
  };
  const workerSettings = {
    concurrency: valid.concurrency ?? 10,
    lockDuration: valid.lockDurationMs ?? 30_000,
    stalledInterval: valid.stalledIntervalMs ?? 30_000,
    maxStalledCount: valid.maxStalledCount ?? 1,
  };

  let handler: JobHandler | null = null;
  let queue: Queue<StoredJob> | null = null;
  let worker: Worker<StoredJob> | null = null;
  /** `close()` was called: `start()` refuses. */
  let closed = false;
  /**
   * The worker has closed (its running jobs are done) and the queue is closing: `schedule()`
   * refuses. Until then it still adds jobs, so a job finishing during `close()` can schedule its
   * retry instead of losing it.
   */
  let refusing = false;
  /** Jobs this process is running, by BullMQ id. */
  const running = new Map<string, Running>();
  /** Errors the processor has logged already, so the `failed` event does not log them again. */
  const logged = new WeakSet<object>();

  function logError(what: string) {
    return (error: unknown) =>
      logger.error(what, { scheduler: PROVIDER, queue: queueName, error: errorMessage(error) });
  }

  function openQueue(): Queue<StoredJob> {
    if (queue) return queue;
    queue = new Queue<StoredJob>(queueName, { connection, ...(prefix ? { prefix } : {}) });
    queue.on("error", logError("BullMQ queue error"));
    return queue;
  }

  async function run(job: Job<StoredJob>, token?: string): Promise<void> {
    const stored = job.data;
    if (job.name !== BULLMQ_JOB_NAME || !isStoredJob(stored)) {
      const error = new UnrecoverableError(
        `Job ${job.id} is not an otzovik job (name ${JSON.stringify(job.name)}): not run.`,
      );
      logged.add(error);
      logger.error("scheduled job dropped", {
        scheduler: PROVIDER,
        queue: queueName,
        bullmqJobId: job.id,
        error: error.message,
      });
      throw error;
    }
    const current: Running = { job, token, next: null };
    const key = job.id as string;
    running.set(key, current);
    let failure: { error: unknown } | null = null;
    try {
      await (handler as JobHandler)({ id: stored.id, runAt: stored.runAt, data: stored.data });
    } catch (error) {
      failure = { error };
    } finally {
      running.delete(key);
    }
    const attempt = job.attemptsMade + 1;
    const attempts = job.opts.attempts ?? 1;
    const next = current.next;
    if (failure) {
      logger.error("scheduled job failed", {
        scheduler: PROVIDER,
        jobId: stored.id,
        attempt,
        willRetry: next === null && attempt < attempts,
        error: errorMessage(failure.error),
      });
    }
    if (next) {
      // The job scheduled its own id again: it moves to the new time, with the new data.
      await job.updateData({
        id: next.id,
        runAt: next.runAt,
        data: next.data,
        token: randomUUID(),
      });
      await job.moveToDelayed(next.runAt, token);
      throw new DelayedError();
    }
    if (failure) {
      const error =
        failure.error instanceof Error ? failure.error : new Error(errorMessage(failure.error));
      logged.add(error);
      throw error;
    }
  }

  function openWorker(): void {
    if (worker || !runsWorker) return;
    worker = new Worker<StoredJob>(queueName, run, {
      connection,
      ...(prefix ? { prefix } : {}),
      ...workerSettings,
    });
    worker.on("error", logError("BullMQ worker error"));
    worker.on("stalled", (bullmqJobId) =>
      logger.warn("a scheduled job stalled (its worker stopped?); it runs again", {
        scheduler: PROVIDER,
        queue: queueName,
        bullmqJobId,
      }),
    );
    worker.on("failed", (job, error) => {
      if (logged.has(error)) return;
      logger.error("scheduled job failed", {
        scheduler: PROVIDER,
        jobId: isStoredJob(job?.data) ? job.data.id : null,
        bullmqJobId: job?.id ?? null,
        willRetry: false,
        error: errorMessage(error),
      });
    });
  }

  return {
    name: PROVIDER,
    durable: true,
    runsJobs: runsWorker,
    start(h) {
      if (closed)
        throw new OtzovikError("The scheduler is closed.", {
          code: "scheduler_closed",
          provider: PROVIDER,
        });
      handler = h;
      openQueue();
      openWorker();
    },
    async schedule(job) {
      if (refusing)
        throw new OtzovikError("The scheduler is closed.", {
          code: "scheduler_closed",
          provider: PROVIDER,
        });
      if (!handler)
        throw new OtzovikError("Call start(handler) before schedule().", {
          code: "scheduler_not_started",
          provider: PROVIDER,
        });
      if (typeof job.id !== "string" || !Number.isFinite(job.runAt))
        throw new OtzovikError("Job `id` must be a string and `runAt` a finite epoch time in ms.", {
          code: "invalid_job",
          provider: PROVIDER,
        });
      const jobId = bullmqJobId(job.id);
      const mine = running.get(jobId);
      if (mine) {
        // Running here, so no longer pending: its successor replaces it when the handler is done.
        if (mine.next) return false;
        mine.next = job;
        return true;
      }
      const q = openQueue();
      // BullMQ answers an add under an existing id with that id, as if it had added it: the token
      // tells which `schedule()` the job under this id belongs to.
      for (let tries = 0; tries < 3; tries++) {
        const token = randomUUID();
        await q.add(
          BULLMQ_JOB_NAME,
          { id: job.id, runAt: job.runAt, data: job.data, token },
          { ...jobOptions, jobId, delay: Math.max(0, job.runAt - Date.now()) },
        );
        const stored = await q.getJob(jobId);
        // Gone already: it was due, ran and was removed within one round trip.
        if (!stored) return true;
        if (stored.data?.token === token) return true;
        if (!stored.finishedOn) return false;
        // Failed for good and kept for inspection: not pending, so this schedule replaces it. (Two
        // processes replacing one failed job at the same moment may both resolve `true`, one's
        // removal taking the other's new job: one job still results. The requester never
        // schedules one id twice at once; its ledger claim comes first.)
        await q.remove(jobId);
      }
      return false;
    },
    async close() {
      if (closed) return [];
      closed = true;
      try {
        // Waits for the running jobs, which may still schedule (a retry): the queue stays open.
        await worker?.close();
      } finally {
        refusing = true;
        await queue?.close();
      }
      // Pending jobs stay in Redis and run when a worker is back: none is lost.
      return [];
    },
  };
}
