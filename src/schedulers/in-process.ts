import * as z from "zod/mini";
import { errorMessage, OtzovikError } from "../core/errors.js";
import { MinHeap } from "../core/heap.js";
import { createLogger, type Logger } from "../core/logger.js";
import { guard, loggerOption, optionsObject, parseOptions } from "../core/options.js";
import type { JobHandler, ScheduledJob, Scheduler } from "./types.js";

/** Options for {@link inProcessScheduler}. */
export interface InProcessSchedulerOptions {
  /** Most pending jobs; scheduling one more rejects. Default 100,000. */
  readonly maxPending?: number;
  /** Where to log (job failures, and the warning that pending jobs do not survive a restart). */
  readonly logger?: Partial<Logger>;
}

/** What {@link inProcessScheduler} accepts. */
const optionsSchema = optionsObject({
  maxPending: z.nullish(
    guard<number>(
      (v) => Number.isSafeInteger(v) && (v as number) >= 1,
      "must be a positive integer",
    ),
  ),
  logger: z.nullish(loggerOption),
});

/** Longest delay `setTimeout` accepts (about 24.8 days); longer waits re-arm. */
const MAX_TIMER_MS = 2_147_483_647;

/** A pending job and its insertion number, which orders jobs due at the same time. */
interface Pending {
  readonly job: ScheduledJob;
  readonly seq: number;
}

/** Heap order of pending jobs: by `runAt`, then first scheduled first. */
function byRunAt(a: Pending, b: Pending): number {
  return a.job.runAt - b.job.runAt || a.seq - b.seq;
}

/**
 * The default {@link Scheduler}: jobs wait in memory, under one timer however many there are.
 *
 * **Pending jobs do not survive a restart**: a review request held back by quiet hours or a
 * `delay` is lost if the process stops before it is due. `close()` resolves with those jobs so you
 * can log or persist them; use a durable scheduler when that matters.
 *
 * Timers are looked up at call time, so fake timers (`vi.useFakeTimers()`) drive it in tests.
 *
 * @throws {@link ConfigError} naming the option: `maxPending` not a positive integer, `logger` not
 *   an object.
 */
export function inProcessScheduler(options: InProcessSchedulerOptions = {}): Scheduler {
  const valid = parseOptions(optionsSchema, options, { provider: "in-process" });
  const maxPending = valid.maxPending ?? 100_000;
  const logger = createLogger(valid.logger ?? undefined);
  const heap = new MinHeap<Pending>(byRunAt);
  let seq = 0;
  const pending = new Set<string>();
  let handler: JobHandler | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let armedFor = Number.POSITIVE_INFINITY;
  let closed = false;
  let warned = false;

  function arm(): void {
    const next = heap.peek()?.job;
    if (closed || !next) return;
    if (timer && armedFor <= next.runAt) return;
    if (timer) clearTimeout(timer);
    armedFor = next.runAt;
    timer = setTimeout(fire, Math.min(Math.max(0, next.runAt - Date.now()), MAX_TIMER_MS));
  }

  function fire(): void {
    timer = null;
    armedFor = Number.POSITIVE_INFINITY;
    const now = Date.now();
    for (
      let next = heap.peek()?.job;
      next && next.runAt <= now && !closed;
      next = heap.peek()?.job
    ) {
      heap.pop();
      pending.delete(next.id);
      run(next);
    }
    arm();
  }

  function run(job: ScheduledJob): void {
    if (!handler) return;
    handler(job).catch((error: unknown) => {
      logger.error("scheduled job failed", {
        scheduler: "in-process",
        jobId: job.id,
        error: errorMessage(error),
      });
    });
  }

  return {
    name: "in-process",
    durable: false,
    start(h) {
      handler = h;
    },
    async schedule(job) {
      if (closed)
        throw new OtzovikError("The scheduler is closed.", {
          code: "scheduler_closed",
          provider: "in-process",
        });
      if (!handler)
        throw new OtzovikError("Call start(handler) before schedule().", {
          code: "scheduler_not_started",
          provider: "in-process",
        });
      if (!Number.isFinite(job.runAt))
        throw new OtzovikError("Job `runAt` must be a finite epoch time in ms.", {
          code: "invalid_job",
          provider: "in-process",
        });
      if (pending.has(job.id)) return false;
      if (pending.size >= maxPending) {
        throw new OtzovikError(
          `${maxPending} jobs are already pending; use a durable scheduler or raise \`maxPending\`.`,
          {
            code: "scheduler_full",
            provider: "in-process",
            retryable: true,
          },
        );
      }
      if (!warned) {
        warned = true;
        logger.warn(
          "review requests are scheduled in-process: pending sends are lost if this process stops (use a durable scheduler to keep them)",
        );
      }
      pending.add(job.id);
      heap.push({ job, seq: seq++ });
      arm();
      return true;
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      pending.clear();
      const jobs: ScheduledJob[] = [];
      for (let next = heap.pop(); next; next = heap.pop()) jobs.push(next.job);
      return jobs;
    },
  };
}
