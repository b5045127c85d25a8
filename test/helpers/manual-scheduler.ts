import type { JobHandler, ScheduledJob, Scheduler } from "../../src/schedulers/types.js";

/**
 * A scheduler that only keeps what it is given: the test runs the handler itself, as a durable
 * scheduler does after a worker was killed (BullMQ recovers the stalled job and runs it again).
 */
export function manualScheduler(options: { runsJobs?: boolean } = {}) {
  let handler: JobHandler | null = null;
  const jobs: ScheduledJob[] = [];
  const scheduler: Scheduler = {
    name: "manual",
    durable: true,
    ...(options.runsJobs === undefined ? {} : { runsJobs: options.runsJobs }),
    start(h) {
      handler = h;
    },
    async schedule(job) {
      if (jobs.some((j) => j.id === job.id)) return false;
      jobs.push(job);
      return true;
    },
    async close() {
      return [];
    },
  };
  const run = (job: ScheduledJob) => {
    if (!handler) throw new Error("not started");
    return handler(job);
  };
  return { scheduler, jobs, run };
}
