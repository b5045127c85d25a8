import { afterEach, describe, expect, it } from "vitest";
import type { ScheduledJob, Scheduler } from "../../src/schedulers/types.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until `done()` holds, polling every 5 ms, for up to `ms`. The suite waits for what must
 * happen instead of sleeping a fixed time: a loaded machine delays a job, and a check made after a
 * fixed sleep would then fail (or, for "not yet", pass for the wrong reason).
 */
async function until(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await sleep(5);
}

/** How long a job may take to be picked up once due, on a loaded machine. */
const PICKUP_MS = 5_000;

/** How {@link describeSchedulerConformance} adapts to a scheduler's contract. */
export interface SchedulerConformanceOptions {
  /**
   * The scheduler keeps pending jobs in a service (Redis) across `close()`: instead of "close()
   * resolves with the pending jobs, and they never run", the suite checks that close() resolves
   * `[]`, nothing runs while closed, and a scheduler made again on the same space runs them.
   */
  readonly durable?: boolean;
  /**
   * Multiplies every time in the suite (default 1). A scheduler behind a service takes round trips
   * of a few ms to add and to pick up a job, which the in-process timings (a job due in 20 ms must
   * not have run 5 ms after scheduling) leave no room for on a loaded machine; the checks stay the
   * same, only further apart.
   */
  readonly timeScale?: number;
}

/**
 * What every {@link Scheduler} must do, on real (short) timers so durable implementations can run
 * it against their backing service.
 *
 * `make(space)` returns a new scheduler; `space` is fresh for each test (a durable scheduler puts
 * its jobs in a queue of that name, so tests do not see each other's jobs), and the same within a
 * test (a durable scheduler made twice in one test sees the jobs of the first).
 */
export function describeSchedulerConformance(
  name: string,
  make: (space: string) => Scheduler | Promise<Scheduler>,
  options: SchedulerConformanceOptions = {},
): void {
  const t = (ms: number) => ms * (options.timeScale ?? 1);
  let spaces = 0;
  // Room for PICKUP_MS waits on a loaded machine; an idle one takes well under a second a test.
  describe(`${name} scheduler conformance`, { timeout: 30_000 }, () => {
    let scheduler: Scheduler | null = null;
    let space = "";
    afterEach(async () => {
      await scheduler?.close();
      scheduler = null;
    });

    async function started() {
      const ran: ScheduledJob[] = [];
      /** When each job ran, by id (`Date.now()` as the handler starts). */
      const ranAt = new Map<string, number>();
      space = `conformance-${++spaces}`;
      scheduler = await make(space);
      await scheduler.start(async (job) => {
        ranAt.set(job.id, Date.now());
        ran.push(job);
      });
      return { scheduler, ran, ranAt };
    }

    it("runs jobs when due, in runAt order, with their data", async () => {
      const { scheduler, ran, ranAt } = await started();
      const now = Date.now();
      await scheduler.schedule({ id: "b", runAt: now + t(60), data: { n: 2 } });
      await scheduler.schedule({
        id: "a",
        runAt: now + t(20),
        data: { n: 1, nested: ["x", null, true] },
      });
      await scheduler.schedule({ id: "past", runAt: now - 1000, data: null });
      await until(() => ran.length === 3, t(60) + PICKUP_MS);
      expect(ran.map((j) => j.id)).toEqual(["past", "a", "b"]);
      expect(ran[1]?.data).toEqual({ n: 1, nested: ["x", null, true] });
      expect(ran[1]?.runAt).toBe(now + t(20));
      // None ran before it was due (a timer may fire a millisecond early by Date.now()).
      expect(ranAt.get("a")).toBeGreaterThanOrEqual(now + t(20) - 2);
      expect(ranAt.get("b")).toBeGreaterThanOrEqual(now + t(60) - 2);
    });

    it("schedules one job per id while it is pending", async () => {
      const { scheduler, ran } = await started();
      const runAt = Date.now() + t(30);
      expect(await scheduler.schedule({ id: "order-1", runAt, data: 1 })).toBe(true);
      expect(await scheduler.schedule({ id: "order-1", runAt, data: 2 })).toBe(false);
      await until(() => ran.length > 0, t(30) + PICKUP_MS);
      await sleep(t(60));
      expect(ran.map((j) => j.data)).toEqual([1]);
    });

    if (options.durable) {
      it("close() keeps pending jobs: they run once a scheduler is back, not before", async () => {
        const { scheduler: first, ran } = await started();
        await first.schedule({ id: "later", runAt: Date.now() + t(30), data: "x" });
        expect(await first.close()).toEqual([]);
        await sleep(t(60));
        expect(ran).toEqual([]);
        const { scheduler: again, ran: ranAgain } = await restarted();
        await until(() => ranAgain.length > 0, PICKUP_MS);
        expect(ranAgain.map((j) => [j.id, j.data])).toEqual([["later", "x"]]);
        expect(ran).toEqual([]);
        expect(await again.close()).toEqual([]);
      });
    } else {
      it("close() resolves with the jobs still pending, and they never run", async () => {
        const { scheduler, ran } = await started();
        await scheduler.schedule({ id: "later", runAt: Date.now() + 60_000, data: "x" });
        const pending = await scheduler.close();
        expect(pending.map((j) => j.id)).toEqual(["later"]);
        expect(ran).toEqual([]);
      });
    }

    /** A new scheduler on the space of the current test (after the first was closed). */
    async function restarted() {
      const ran: ScheduledJob[] = [];
      scheduler = await make(space);
      await scheduler.start(async (job) => {
        ran.push(job);
      });
      return { scheduler, ran };
    }

    it("a failing handler does not stop later jobs", async () => {
      space = `conformance-${++spaces}`;
      scheduler = await make(space);
      const ran: string[] = [];
      await scheduler.start(async (job) => {
        ran.push(job.id);
        if (job.id === "first") throw new Error("boom");
      });
      await scheduler.schedule({ id: "first", runAt: Date.now() + t(10), data: null });
      await scheduler.schedule({ id: "second", runAt: Date.now() + t(30), data: null });
      await until(() => ran.length === 2, t(30) + PICKUP_MS);
      expect(ran).toEqual(["first", "second"]);
    });

    it("a running job can schedule its own id again (a send moved out of quiet hours)", async () => {
      space = `conformance-${++spaces}`;
      const current = await make(space);
      scheduler = current;
      const ran: ScheduledJob[] = [];
      const answers: boolean[] = [];
      await current.start(async (job) => {
        ran.push(job);
        if (job.data === 1) {
          const runAt = Date.now() + t(30);
          answers.push(await current.schedule({ id: job.id, runAt, data: 2 }));
          answers.push(await current.schedule({ id: job.id, runAt, data: 3 }));
        }
      });
      await current.schedule({ id: "order-1", runAt: Date.now() + t(10), data: 1 });
      await until(() => ran.length === 2, t(40) + 2 * PICKUP_MS);
      await sleep(t(60));
      expect(ran.map((j) => j.data)).toEqual([1, 2]);
      expect(answers).toEqual([true, false]);
    });
  });
}
