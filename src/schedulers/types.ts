/** JSON-serialisable job data, so a durable scheduler can store it (Redis, BullMQ). */
export type JobData = string | number | boolean | null | JobData[] | { [key: string]: JobData };

/** A send to run later. */
export interface ScheduledJob {
  /**
   * Unique job id (the requester uses its dedupe key). Scheduling an id that is already pending
   * is a no-op, so a retried webhook cannot schedule a second message.
   */
  readonly id: string;
  /** When to run, in epoch milliseconds. */
  readonly runAt: number;
  /** What the handler needs to run the job. */
  readonly data: JobData;
}

/** Runs one due job. A rejection is logged by the scheduler; the handler reports its own outcome. */
export type JobHandler = (job: ScheduledJob) => Promise<void>;

/**
 * Runs jobs at a given time. The requester registers its handler once with {@link Scheduler.start}
 * and then schedules delayed sends and sends held back by quiet hours.
 *
 * The default {@link inProcessScheduler} keeps jobs in memory: pending sends are lost when the
 * process stops. A durable implementation (`bullmqScheduler` of `otzovik/bullmq`) keeps them
 * across restarts and runs each job once across all processes.
 *
 * A running job is no longer pending: its handler may schedule its own id again (a send that
 * became due in quiet hours waits for the morning).
 */
export interface Scheduler {
  /** A short name for logs, e.g. `"in-process"`. */
  readonly name: string;
  /** `true` when pending jobs survive a restart of the process. */
  readonly durable: boolean;
  /**
   * `false` when this process only enqueues and never runs jobs (a web process beside a separate
   * worker, a serverless route): the requester then schedules every send, also those due at once,
   * so this process sends nothing itself. Default (absent): `true`.
   */
  readonly runsJobs?: boolean;
  /** Registers the job handler. Called once, before the first {@link Scheduler.schedule}. */
  start(handler: JobHandler): void | Promise<void>;
  /** Schedules a job; resolves `false` when a job with the same id is already pending. */
  schedule(job: ScheduledJob): Promise<boolean>;
  /**
   * Stops running jobs and resolves with the jobs that were still pending (not run), which this
   * scheduler drops. A {@link Scheduler.durable} scheduler keeps its pending jobs for the next
   * process and resolves `[]`.
   */
  close(): Promise<ScheduledJob[]>;
}
