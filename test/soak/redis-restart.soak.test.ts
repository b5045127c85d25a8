/**
 * Issue 10, proof 3: Redis is restarted mid-run (with an append-only file) → no crash; webhooks get
 * 503 while Redis is down (the POS retries); after recovery every accepted order is sent exactly
 * once.
 *
 * A web process (enqueue only) and a worker process share a redis-server with `appendonly yes`
 * (fsync on every write). The POS posts 600 iiko webhooks, 8 at a time, each until it is answered
 * 200 (250 ms between tries). Sends are delayed 1.5 s, so BullMQ jobs are waiting, due and running
 * when Redis is killed (SIGKILL, after a third of the webhooks were accepted). It stays down 3 s,
 * then starts again on the same port and directory and reads its append-only file back.
 *
 * What holds: no crash, 503s while Redis is down, every webhook answered 200 in the end, every
 * order answered "accepted" sent exactly once, nothing sent twice — and every order told
 * "duplicate" after a 503 sent too: a claim that lands after its request was answered 503 (the
 * store's 2 s timeout is longer than the adapter's 1.5 s answer deadline) is sent by the process
 * that made it, not given back (giving it back after the POS's retry had found it a "duplicate"
 * lost up to 8 orders a run, one per POS connection, in 9 runs of 13).
 *
 * The gap that remains, counted and bounded here rather than asserted away: Redis writes a claim
 * to its append-only file and is killed before it answers. The claimer sees a connection error
 * and answers 503; the POS's retry finds the claim, is told "duplicate", and nobody sends the
 * order (its ledger entry stays "claimed" or "sending"). Closing it needs a claim that a retry can
 * take over (a short lease answered 503 until the claimer confirms it); issue 10 stays open for it.
 */
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import {
  type App,
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
  type WebhookAnswer,
} from "./redis/harness.js";

const ORDERS = 600;
const DOWN_MS = 3_000;
/** Webhooks the POS has in flight at a time. */
const POS_CONNECTIONS = 8;

describe("proof 3: Redis is killed and restarted while webhooks flow", () => {
  const env = proofSetup({ appendOnly: true });

  it("no crash, 503 while Redis is down, every accepted order sent exactly once (orders in flight at the crash: counted)", {
    timeout: 240_000,
  }, async () => {
    const { redis, sms, pos } = env;
    const settings = {
      redisUrl: redis.url,
      smsRuUrl: sms.url,
      delaysMs: [1500],
      retryDelaysMs: [200, 400, 800, 1600, 3200],
    };
    const [web, worker] = await Promise.all([
      startApp("web", settings),
      startApp("worker", settings),
    ]);
    const all = orders("p3", ORDERS);
    const accepted = new Map<string, number>();
    const answers = new Map<string, { tries: number; events: WebhookAnswer["events"] }>();
    let answered = 0;
    let triesMax = 0;
    const started = Date.now();
    const posting = pool(all, POS_CONNECTIONS, async (order) => {
      const { answer, tries } = await pos.deliver(web.port, order.body);
      answers.set(order.id, { tries, events: answer.events });
      triesMax = Math.max(triesMax, tries);
      answered++;
      for (const event of answer.events)
        if (event.status === "accepted") accepted.set(event.id, (accepted.get(event.id) ?? 0) + 1);
    });
    posting.catch(() => {});

    await until(
      () => answered >= ORDERS / 3,
      60_000,
      () => `${answered} webhooks accepted`,
    );
    const accepting = answered;
    await redis.kill();
    const killedAt = Date.now() - started;
    // Taken once Redis is gone: what the requests in flight at the kill got is not "while down".
    const before = { answered, messages: sms.accepted(), status503: pos.count(503) };
    await sleep(DOWN_MS);
    const down = {
      answered: answered - before.answered,
      status503: pos.count(503) - before.status503,
      messages: sms.accepted() - before.messages,
    };
    await redis.start();
    const restartedAt = Date.now() - started;
    await posting;
    const postedMs = Date.now() - started;

    /** Orders the POS was told were accepted (an `accepted` event in a 200 answer). */
    const acceptedOrders = all.filter((o) => accepted.has(o.id));
    const unsent = () => acceptedOrders.filter((o) => !sms.sent.has(o.id));
    await until(
      () => unsent().length === 0,
      90_000,
      () =>
        `${unsent().length} accepted orders not sent: ${JSON.stringify(
          unsent().map((o) => ({ order: o.id, outcomes: tally([web, worker]).get(o.id) })),
        )}\nweb log:\n${web.stderr()}\nworker log:\n${worker.stderr()}`,
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
    const counts = await queueCounts(redis.url);

    // The remaining gap (see the file's comment): orders whose claim Redis wrote but never answered.
    const orphaned = all.filter((o) => !sms.sent.has(o.id));
    const ledger = new Redis(redis.url);
    const states = await Promise.all(
      orphaned.map((o) => ledger.get(`otzovik:dedupe:default:iiko:${o.id}`)),
    );
    ledger.disconnect();
    const errors = (app: App) =>
      app
        .stderr()
        .split("\n")
        .filter((l) => l.startsWith("log ")).length;
    console.log(
      `proof 3: ${ORDERS} orders, Redis killed at ${seconds(killedAt)} (${accepting} webhooks accepted by then, ${before.answered} once it was down), ` +
        `down ${seconds(restartedAt - killedAt)}: ${down.status503} answers 503 and ${down.answered} accepted while down, ` +
        `${down.messages} messages sent meanwhile; all webhooks answered 200 at ${seconds(postedMs)} ` +
        `(answers ${JSON.stringify(Object.fromEntries(pos.statuses))}, at most ${triesMax} tries for one); ` +
        `${acceptedOrders.length} orders accepted, ${all.length - acceptedOrders.length} answered only "duplicate" after 503s, ` +
        `${orphaned.length} never sent (ledger ${JSON.stringify(states)}); ` +
        `${sms.accepted()} messages at the provider, ${sms.duplicates().length} duplicates; ` +
        `web outcomes ${JSON.stringify(outcomeCounts([web]))}, worker ${JSON.stringify(outcomeCounts([worker]))}; ` +
        `log lines (warn/error) web ${errors(web)}, worker ${errors(worker)}; queue ${JSON.stringify(counts)}; done in ${seconds(totalMs)}`,
    );

    // No crash.
    expect([web.alive(), worker.alive()]).toEqual([true, true]);
    expect([...crashLines(web), ...crashLines(worker)]).toEqual([]);
    // While Redis was down the web process answered 503, and the POS's retries got through later.
    expect(down.status503).toBeGreaterThan(0);
    expect([...pos.statuses.keys()].sort()).toEqual([200, 503]);
    expect(pos.count(200)).toBe(ORDERS);
    // Every accepted order accepted once, and sent exactly once; nothing else sent, nothing twice.
    expect([...accepted.values()].every((n) => n === 1)).toBe(true);
    expect(sms.duplicates()).toEqual([]);
    expect(acceptedOrders.filter((o) => sms.sent.get(o.id) !== 1)).toEqual([]);
    // Orders told "duplicate" after a 503 were claimed by the request that got the 503: sent too.
    expect(sms.accepted()).toBe(ORDERS - orphaned.length);
    // The remaining gap, bounded: only orders being posted when Redis died (answered 503 first,
    // then "duplicate"), their claim written and never acknowledged, so at most one per POS
    // connection, and never sent (not sent twice either).
    for (const [index, order] of orphaned.entries()) {
      expect(answers.get(order.id)).toMatchObject({
        tries: expect.any(Number),
        events: [{ id: order.id, status: "skipped", reason: "duplicate" }],
      });
      expect(states[index]).toMatch(/"state":"(claimed|sending)"/);
    }
    expect(orphaned.filter((o) => answers.get(o.id)!.tries < 2)).toEqual([]);
    expect(orphaned.length).toBeLessThanOrEqual(POS_CONNECTIONS);
    expect(counts).toMatchObject({ waiting: 0, delayed: 0, active: 0, failed: 0 });
  });
});
