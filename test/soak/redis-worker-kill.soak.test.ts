/**
 * Issue 10, proof 2: 500 sends delayed 1–3 s; the worker process is killed with SIGKILL half-way
 * and started again → every one is sent exactly once or reported `unknownOutcome`; none lost, none
 * sent twice.
 *
 * A web process (enqueue only: `worker: false`) takes the 500 webhooks for five tenants whose
 * delays are 1.25, 1.5, 2, 2.5 and 3 s, so every send is a delayed BullMQ job. A worker process
 * (10 jobs at a time, lock 1 s, stalled check every 0.5 s) sends them through a fake SMS.ru that
 * takes 20 ms per message, so about ten sends are in flight when the worker is killed (SIGKILL)
 * once half the messages are out. A new worker then finds the killed worker's jobs stalled and runs
 * them again: the ledger's compare-and-set ("claimed" → "sending") makes each such run report the
 * order `unknownOutcome` (the message may be out) rather than send it again, or a duplicate when
 * the killed run had recorded its send.
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
  startApp,
  tally,
  until,
  WEBHOOK_KEY,
} from "./redis/harness.js";

const ORDERS = 500;
// Over 1 s: a send due within 1 s of the webhook goes out at once (dispatch.ts), not through the queue.
const DELAYS_MS = [1250, 1500, 2000, 2500, 3000];
const WORKER = { lockMs: 1000, stalledMs: 500, concurrency: 10 };

describe("proof 2: the worker is killed (SIGKILL) half-way through 500 delayed sends", () => {
  const env = proofSetup({ appendOnly: true, sms: { latencyMs: 20 } });

  it("every order is sent exactly once or reported unknownOutcome; none lost, none twice", {
    timeout: 240_000,
  }, async () => {
    const { redis, sms, pos } = env;
    const settings = { redisUrl: redis.url, smsRuUrl: sms.url, delaysMs: DELAYS_MS, ...WORKER };
    const [web, first] = await Promise.all([
      startApp("web", settings),
      startApp("worker", settings),
    ]);
    const all = orders("p2", ORDERS);
    const started = Date.now();
    await pool(all, 16, async (order, i) => {
      const { answer } = await pos.deliver(web.port, order.body, {
        key: `${WEBHOOK_KEY}-${i % DELAYS_MS.length}`,
      });
      expect(answer.events).toEqual([{ id: order.id, status: "accepted", reason: null }]);
    });
    const acceptedMs = Date.now() - started;

    await until(
      () => sms.accepted() >= ORDERS / 2,
      60_000,
      () => `${sms.accepted()} messages before the kill`,
    );
    const exit = await first.stop("SIGKILL");
    const atKill = sms.accepted();
    const killedAt = Date.now() - started;
    expect(exit).toEqual({ code: null, signal: "SIGKILL" });
    const second = await startApp("worker", settings);
    const workers = [first, second];

    /** Orders with a message at the provider, or reported unknownOutcome: accounted for. */
    const unknown = () =>
      new Set(
        workers.flatMap((w) =>
          w
            .outcomes()
            .filter((o) => o.unknownOutcome)
            .map((o) => o.orderId),
        ),
      );
    const unaccounted = () => {
      const doubtful = unknown();
      return all.filter((o) => !sms.sent.has(o.id) && !doubtful.has(o.id));
    };
    await until(
      () => unaccounted().length === 0,
      90_000,
      () => `${unaccounted().length} orders neither sent nor reported unknownOutcome`,
    );
    // Let anything still queued (and any second copy, which must not come) run out.
    await until(
      async () => {
        const counts = await queueCounts(redis.url);
        return counts.waiting! + counts.delayed! + counts.active! === 0;
      },
      30_000,
      () => "the queue did not empty",
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const totalMs = Date.now() - started;

    const doubtful = unknown();
    const outcomes = tally(workers);
    const secondRuns = [...outcomes.values()].filter((list) =>
      list.some((o) => o.pid === second.pid && o.status !== "sent"),
    ).length;
    const counts = await queueCounts(redis.url);
    console.log(
      `proof 2: ${ORDERS} webhooks accepted in ${seconds(acceptedMs)} (delays ${DELAYS_MS.join("/")} ms); ` +
        `worker killed (SIGKILL) at ${seconds(killedAt)} with ${atKill} messages out; ` +
        `${sms.accepted()} messages at the provider, ${sms.duplicates().length} duplicates; ` +
        `${doubtful.size} reported unknownOutcome (${[...doubtful].filter((id) => sms.sent.has(id)).length} of them had reached the provider); ` +
        `${secondRuns} orders re-run by the new worker; first worker outcomes ${JSON.stringify(outcomeCounts([first]))}, ` +
        `second ${JSON.stringify(outcomeCounts([second]))}; queue ${JSON.stringify(counts)}; done in ${seconds(totalMs)}`,
    );

    // The kill was half-way: messages had gone out, and not all of them.
    expect(atKill).toBeGreaterThanOrEqual(ORDERS / 2);
    expect(atKill).toBeLessThan(ORDERS);
    // None twice.
    expect(sms.duplicates()).toEqual([]);
    expect([...sms.sent.values()].every((n) => n === 1)).toBe(true);
    // None lost: each order is at the provider once, or reported unknownOutcome.
    expect(unaccounted()).toEqual([]);
    expect(sms.accepted() + [...doubtful].filter((id) => !sms.sent.has(id)).length).toBe(ORDERS);
    // Only what the killed worker had in hand can be in doubt: at most its concurrency.
    expect(doubtful.size).toBeLessThanOrEqual(WORKER.concurrency);
    // Every unknownOutcome is the re-run of an interrupted send ("interrupted", DeliveryUnknownError).
    for (const o of second.outcomes().filter((x) => x.unknownOutcome))
      expect(o).toMatchObject({ status: "failed", code: "delivery_unknown", attempt: 1 });
    // The web process only enqueued; nothing failed for good; no job left or failed in BullMQ.
    expect(outcomeCounts([web])).toEqual({ scheduled: ORDERS });
    for (const w of workers)
      expect(w.outcomes().filter((o) => o.status === "failed" && !o.unknownOutcome)).toEqual([]);
    expect(counts).toMatchObject({ waiting: 0, delayed: 0, active: 0, failed: 0 });
    expect([web.alive(), second.alive()]).toEqual([true, true]);
    expect([...crashLines(web), ...crashLines(second)]).toEqual([]);
  });
});
