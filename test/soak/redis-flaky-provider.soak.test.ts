/**
 * Issue 10, proof 4: a flaky provider (30% retryable failures) under the BullMQ scheduler → every
 * order sent once, through retries that survive a worker restart.
 *
 * A web process (enqueue only) takes 300 iiko webhooks, sent 1.25 s later by a worker process. The
 * fake SMS.ru refuses 30% of its calls with code 220 ("service temporarily unavailable": a
 * retryable `ProviderError`, nothing sent); whether the n-th call for an order is refused is
 * seeded per order and call, so the test knows in advance how many refusals each order meets
 * before it gets through, however the processes interleave. The requester retries each refusal as
 * a BullMQ job (after 0.2, 0.4, 0.8, 1.6, 3.2, 3.2, 3.2 s). Half-way the worker is restarted:
 * SIGTERM (it finishes what it runs, leaves the rest in Redis) and a new worker process.
 */
import { describe, expect, it } from "vitest";
import {
  crashLines,
  orders,
  outcomeCounts,
  pool,
  proofSetup,
  queueCounts,
  seconds,
  sleep,
  startApp,
  tally,
  until,
} from "./redis/harness.js";

const ORDERS = 300;
const RETRY_DELAYS_MS = [200, 400, 800, 1600, 3200, 3200, 3200];
const SEED = 20261004;

describe("proof 4: a provider failing 30% of the time, a worker restarted half-way", () => {
  const env = proofSetup({ appendOnly: true, sms: { refuseRate: 0.3, seed: SEED } });

  it("every order sent exactly once, its refusals retried through BullMQ across the restart", {
    timeout: 240_000,
  }, async () => {
    const { redis, sms, pos } = env;
    const all = orders("p4", ORDERS);
    /** Refusals each order meets before its first accepted call: the seeded decisions. */
    const refusals = new Map(
      all.map((o) => {
        let n = 0;
        while (sms.refuses(o.id, n + 1)) n++;
        return [o.id, n] as const;
      }),
    );
    const expectedRefusals = [...refusals.values()].reduce((x, y) => x + y, 0);
    // The seed gives every order a way through within the attempts the requester makes.
    expect(Math.max(...refusals.values())).toBeLessThan(RETRY_DELAYS_MS.length + 1);

    const settings = {
      redisUrl: redis.url,
      smsRuUrl: sms.url,
      delaysMs: [1250],
      retryDelaysMs: RETRY_DELAYS_MS,
    };
    const [web, first] = await Promise.all([
      startApp("web", settings),
      startApp("worker", settings),
    ]);
    const started = Date.now();
    await pool(all, 16, async (order) => {
      const { answer } = await pos.deliver(web.port, order.body);
      expect(answer.events).toEqual([{ id: order.id, status: "accepted", reason: null }]);
    });
    const acceptedMs = Date.now() - started;

    await until(
      () => sms.accepted() >= ORDERS / 2,
      60_000,
      () => `${sms.accepted()} messages before the restart`,
    );
    const atRestart = { sent: sms.accepted(), refused: sms.refused() };
    const restartedAt = Date.now() - started;
    const exit = await first.stop("SIGTERM", 20_000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(first.stdout()).toMatch(/^closed$/m);
    const second = await startApp("worker", settings);
    const workers = [first, second];

    const unsent = () => all.filter((o) => !sms.sent.has(o.id));
    await until(
      () => unsent().length === 0,
      120_000,
      () =>
        `${unsent().length} orders not sent: ${JSON.stringify(
          unsent().map((o) => ({
            order: o.id,
            calls: sms.calls.get(o.id) ?? 0,
            refusals: refusals.get(o.id),
            outcomes: tally(workers).get(o.id),
          })),
        )}\nfirst worker's log:\n${first.stderr()}\nsecond worker's log:\n${second.stderr()}`,
    );
    await until(
      async () => {
        const counts = await queueCounts(redis.url);
        return counts.waiting! + counts.delayed! + counts.active! === 0;
      },
      30_000,
      () => "the queue did not empty",
    );
    await sleep(2_000);
    const totalMs = Date.now() - started;

    const outcomes = tally(workers);
    /** Orders refused in the first worker and sent by the second: retries that survived. */
    const carried = all.filter((o) => {
      const list = outcomes.get(o.id) ?? [];
      return (
        list.some((x) => x.pid === first.pid && x.status === "failed" && x.willRetry) &&
        list.some((x) => x.pid === second.pid && x.status === "sent")
      );
    }).length;
    const counts = await queueCounts(redis.url);
    const histogram: Record<number, number> = {};
    for (const n of refusals.values()) histogram[n] = (histogram[n] ?? 0) + 1;
    console.log(
      `proof 4: ${ORDERS} orders accepted in ${seconds(acceptedMs)}; provider refused ${sms.refused()} of ` +
        `${sms.refused() + sms.accepted()} calls (${((100 * sms.refused()) / (sms.refused() + sms.accepted())).toFixed(1)}%; ` +
        `orders by refusals before success ${JSON.stringify(histogram)}); worker restarted (SIGTERM) at ` +
        `${seconds(restartedAt)} with ${atRestart.sent} sent and ${atRestart.refused} refused so far; ` +
        `${carried} orders refused under the first worker were sent by the second; ` +
        `${sms.accepted()} messages, ${sms.duplicates().length} duplicates; first worker ${JSON.stringify(outcomeCounts([first]))}, ` +
        `second ${JSON.stringify(outcomeCounts([second]))}; queue ${JSON.stringify(counts)}; done in ${seconds(totalMs)}`,
    );

    // Every order sent exactly once.
    expect(sms.duplicates()).toEqual([]);
    expect(sms.accepted()).toBe(ORDERS);
    expect(sms.sent.size).toBe(ORDERS);
    // …after exactly the refusals the seed set for it: each one retried, none given up, none lost.
    expect(sms.refused()).toBe(expectedRefusals);
    expect(all.filter((o) => sms.calls.get(o.id) !== refusals.get(o.id)! + 1)).toEqual([]);
    for (const order of all) {
      const list = outcomes.get(order.id) ?? [];
      const failures = list.filter((o) => o.status === "failed");
      expect(failures.map((o) => [o.attempt, o.willRetry, o.code])).toEqual(
        Array.from({ length: refusals.get(order.id)! }, (_, i) => [i + 1, true, "220"]),
      );
      expect(list.filter((o) => o.status === "sent")).toHaveLength(1);
    }
    expect(outcomeCounts(workers)).toEqual({ sent: ORDERS, "failed:retry": expectedRefusals });
    expect(outcomeCounts([web])).toEqual({ scheduled: ORDERS });
    // The restart was mid-run, and retries scheduled before it ran after it.
    expect(atRestart.sent).toBeLessThan(ORDERS);
    expect(carried).toBeGreaterThan(0);
    expect(counts).toMatchObject({ waiting: 0, delayed: 0, active: 0, failed: 0 });
    expect([web.alive(), second.alive()]).toEqual([true, true]);
    expect([...crashLines(web), ...crashLines(first), ...crashLines(second)]).toEqual([]);
  });
});
