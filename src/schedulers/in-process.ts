import { ConfigError, OtzovikError } from "../core/errors.js";
import { createLogger, type Logger } from "../core/logger.js";
import type { JobHandler, ScheduledJob, Scheduler } from "./types.js";

/** Options for {@link inProcessScheduler}. */
export interface InProcessSchedulerOptions {
  /** Most pending jobs; scheduling one more rejects. Default 100,000. */
  readonly maxPending?: number;
  /** Where to log (job failures, and the warning that pending jobs do not survive a restart). */
  readonly logger?: Partial<Logger>;
}

/** Longest delay `setTimeout` accepts (about 24.8 days); longer waits re-arm. */
const MAX_TIMER_MS = 2_147_483_647;

/** A binary min-heap of jobs by `runAt`, then by insertion order. */
class JobHeap {
  private readonly items: { job: ScheduledJob; seq: number }[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  peek(): ScheduledJob | undefined {
    return this.items[0]?.job;
  }

  private less(a: number, b: number): boolean {
    const x = this.items[a] as { job: ScheduledJob; seq: number };
    const y = this.items[b] as { job: ScheduledJob; seq: number };
    return x.job.runAt < y.job.runAt || (x.job.runAt === y.job.runAt && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    const items = this.items;
    [items[a], items[b]] = [items[b] as (typeof items)[number], items[a] as (typeof items)[number]];
  }

  push(job: ScheduledJob): void {
    this.items.push({ job, seq: this.seq++ });
    let i = this.items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): ScheduledJob | undefined {
    const top = this.items[0];
    const last = this.items.pop();
    if (!top || !last || this.items.length === 0) return top?.job;
    this.items[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < this.items.length && this.less(l, min)) min = l;
      if (r < this.items.length && this.less(r, min)) min = r;
      if (min === i) break;
      this.swap(i, min);
      i = min;
    }
    return top.job;
  }

  drain(): ScheduledJob[] {
    const jobs: ScheduledJob[] = [];
    for (let job = this.pop(); job; job = this.pop()) jobs.push(job);
    return jobs;
  }
}

/**
 * The default {@link Scheduler}: jobs wait in memory, under one timer however many there are.
 *
 * **Pending jobs do not survive a restart**: a review request held back by quiet hours or a
 * `delay` is lost if the process stops before it is due. `close()` resolves with those jobs so you
 * can log or persist them; use a durable scheduler when that matters.
 *
 * Timers are looked up at call time, so fake timers (`vi.useFakeTimers()`) drive it in tests.
 */
export function inProcessScheduler(options: InProcessSchedulerOptions = {}): Scheduler {
  const maxPending = options.maxPending ?? 100_000;
  if (!Number.isSafeInteger(maxPending) || maxPending < 1) {
    throw new ConfigError("Option `maxPending` must be a positive integer.", {
      provider: "in-process",
    });
  }
  const logger = createLogger(options.logger);
  const heap = new JobHeap();
  const pending = new Set<string>();
  let handler: JobHandler | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let armedFor = Number.POSITIVE_INFINITY;
  let closed = false;
  let warned = false;

  function arm(): void {
    const next = heap.peek();
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
    for (let next = heap.peek(); next && next.runAt <= now && !closed; next = heap.peek()) {
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
        error: error instanceof Error ? error.message : String(error),
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
      heap.push(job);
      arm();
      return true;
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      pending.clear();
      return heap.drain();
    },
  };
}
