import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, OtzovikError } from "../../src/core/errors.js";
import { inProcessScheduler } from "../../src/schedulers/in-process.js";
import type { ScheduledJob } from "../../src/schedulers/types.js";
import { describeSchedulerConformance } from "./conformance.js";

describeSchedulerConformance("in-process", () =>
  inProcessScheduler({ logger: { warn: () => {} } }),
);

describe("inProcessScheduler specifics", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(options: Parameters<typeof inProcessScheduler>[0] = {}) {
    const warnings: string[] = [];
    const errors: unknown[] = [];
    const scheduler = inProcessScheduler({
      logger: { warn: (m) => warnings.push(m), error: (m, meta) => errors.push([m, meta]) },
      ...options,
    });
    const ran: ScheduledJob[] = [];
    scheduler.start(async (job) => {
      ran.push(job);
    });
    return { scheduler, ran, warnings, errors };
  }

  // 200,000 jobs: seconds on a loaded 2-core machine, so an explicit budget.
  it("keeps one timer however many jobs are pending", { timeout: 60_000 }, async () => {
    vi.useFakeTimers({ now: Date.parse("2026-03-14T20:30:00Z") });
    const { scheduler, ran } = setup({ maxPending: 300_000 });
    const base = Date.now();
    for (let i = 0; i < 200_000; i++)
      await scheduler.schedule({ id: `o${i}`, runAt: base + 3_600_000 + (i % 1000), data: i });
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(3_600_000 + 1000);
    expect(ran).toHaveLength(200_000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("waits longer than setTimeout's 24.8-day limit by re-arming", async () => {
    vi.useFakeTimers({ now: 0 });
    const { scheduler, ran } = setup();
    await scheduler.schedule({ id: "far", runAt: 40 * 86_400_000, data: null });
    await vi.advanceTimersByTimeAsync(30 * 86_400_000);
    expect(ran).toEqual([]);
    await vi.advanceTimersByTimeAsync(10 * 86_400_000);
    expect(ran.map((j) => j.id)).toEqual(["far"]);
  });

  it("an earlier job re-arms the timer sooner", async () => {
    vi.useFakeTimers({ now: 0 });
    const { scheduler, ran } = setup();
    await scheduler.schedule({ id: "late", runAt: 10_000, data: null });
    await scheduler.schedule({ id: "early", runAt: 1_000, data: null });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ran.map((j) => j.id)).toEqual(["early"]);
    await vi.advanceTimersByTimeAsync(9_000);
    expect(ran.map((j) => j.id)).toEqual(["early", "late"]);
  });

  it("warns once that pending jobs do not survive a restart", async () => {
    const { scheduler, warnings } = setup();
    await scheduler.schedule({ id: "a", runAt: Date.now() + 60_000, data: null });
    await scheduler.schedule({ id: "b", runAt: Date.now() + 60_000, data: null });
    expect(warnings).toEqual([
      "review requests are scheduled in-process: pending sends are lost if this process stops (use a durable scheduler to keep them)",
    ]);
    expect(scheduler.durable).toBe(false);
    await scheduler.close();
  });

  it("rejects when full, closed or not started", async () => {
    const { scheduler } = setup({ maxPending: 1 });
    await scheduler.schedule({ id: "a", runAt: Date.now() + 60_000, data: null });
    await expect(
      scheduler.schedule({ id: "b", runAt: Date.now(), data: null }),
    ).rejects.toMatchObject({ code: "scheduler_full", retryable: true });
    await scheduler.close();
    await expect(
      scheduler.schedule({ id: "c", runAt: Date.now(), data: null }),
    ).rejects.toBeInstanceOf(OtzovikError);
    await expect(
      inProcessScheduler().schedule({ id: "x", runAt: 0, data: null }),
    ).rejects.toMatchObject({ code: "scheduler_not_started" });
    expect(() => inProcessScheduler({ maxPending: 0 })).toThrow(ConfigError);
  });

  it("validates its options at creation, naming the option", () => {
    for (const maxPending of [0, -1, 1.5, Number.NaN, "10"])
      expect(() => inProcessScheduler({ maxPending: maxPending as number })).toThrow(
        "[otzovik] [in-process] Option `maxPending` must be a positive integer.",
      );
    expect(() => inProcessScheduler({ logger: "console" as never })).toThrow(
      "[otzovik] [in-process] Option `logger` must be an object with debug/info/warn/error methods.",
    );
    expect(() => inProcessScheduler(null as never)).toThrow(ConfigError);
    expect(() => inProcessScheduler(null as never)).toThrow("Options object is required.");
    expect(inProcessScheduler({ maxPending: null as never, logger: null as never }).name).toBe(
      "in-process",
    );
  });

  it("logs a failing job without its data", async () => {
    vi.useFakeTimers({ now: 0 });
    const errors: unknown[] = [];
    const scheduler = inProcessScheduler({
      logger: { warn: () => {}, error: (m, meta) => errors.push([m, meta]) },
    });
    scheduler.start(async () => {
      throw new Error("provider down");
    });
    await scheduler.schedule({ id: "j1", runAt: 10, data: { phone: "+79161234567" } });
    await vi.advanceTimersByTimeAsync(10);
    expect(errors).toEqual([
      ["scheduled job failed", { scheduler: "in-process", jobId: "j1", error: "provider down" }],
    ]);
  });
});
