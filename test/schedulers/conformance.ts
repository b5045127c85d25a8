import { afterEach, describe, expect, it } from "vitest";
import type { ScheduledJob, Scheduler } from "../../src/schedulers/types.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What every {@link Scheduler} must do, on real (short) timers so durable implementations can run
 * it against their backing service.
 */
export function describeSchedulerConformance(
  name: string,
  make: () => Scheduler | Promise<Scheduler>,
): void {
  describe(`${name} scheduler conformance`, () => {
    let scheduler: Scheduler | null = null;
    afterEach(async () => {
      await scheduler?.close();
      scheduler = null;
    });

    async function started() {
      const ran: ScheduledJob[] = [];
      scheduler = await make();
      await scheduler.start(async (job) => {
        ran.push(job);
      });
      return { scheduler, ran };
    }

    it("runs jobs when due, in runAt order, with their data", async () => {
      const { scheduler, ran } = await started();
      const now = Date.now();
      await scheduler.schedule({ id: "b", runAt: now + 60, data: { n: 2 } });
      await scheduler.schedule({
        id: "a",
        runAt: now + 20,
        data: { n: 1, nested: ["x", null, true] },
      });
      await scheduler.schedule({ id: "past", runAt: now - 1000, data: null });
      await sleep(5);
      expect(ran.map((j) => j.id)).toEqual(["past"]);
      await sleep(150);
      expect(ran.map((j) => j.id)).toEqual(["past", "a", "b"]);
      expect(ran[1]?.data).toEqual({ n: 1, nested: ["x", null, true] });
    });

    it("schedules one job per id while it is pending", async () => {
      const { scheduler, ran } = await started();
      const runAt = Date.now() + 30;
      expect(await scheduler.schedule({ id: "order-1", runAt, data: 1 })).toBe(true);
      expect(await scheduler.schedule({ id: "order-1", runAt, data: 2 })).toBe(false);
      await sleep(120);
      expect(ran.map((j) => j.data)).toEqual([1]);
    });

    it("close() resolves with the jobs still pending, and they never run", async () => {
      const { scheduler, ran } = await started();
      await scheduler.schedule({ id: "later", runAt: Date.now() + 60_000, data: "x" });
      const pending = await scheduler.close();
      expect(pending.map((j) => j.id)).toEqual(["later"]);
      expect(ran).toEqual([]);
    });

    it("a failing handler does not stop later jobs", async () => {
      scheduler = await make();
      const ran: string[] = [];
      await scheduler.start(async (job) => {
        ran.push(job.id);
        if (job.id === "first") throw new Error("boom");
      });
      await scheduler.schedule({ id: "first", runAt: Date.now() + 10, data: null });
      await scheduler.schedule({ id: "second", runAt: Date.now() + 30, data: null });
      await sleep(120);
      expect(ran).toEqual(["first", "second"]);
    });
  });
}
