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
 * "duplicate" after a 503 sent too, so all 600 are sent:
 * - a claim that lands after its request was answered 503 (the store's 2 s timeout is longer than
 *   the adapter's 1.5 s answer deadline) is sent by the process that made it, not given back
 *   (giving it back after the POS's retry had found it a "duplicate" lost up to 8 orders a run,
 *   one per POS connection, in 9 runs of 13);
 * - a claim Redis wrote to its append-only file and was killed before answering: the claimer asks
 *   again with the claim's receipt once Redis is back, learns it was made, and sends it (before
 *   receipts, 0–2 orders a run were told "duplicate" and never sent).
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
} from "./redis/harness.js";

const ORDERS = 600;
const DOWN_MS = 3_000;
/** Webhooks the POS has in flight at a time. */
const POS_CONNECTIONS = 8;

describe("proof 3: Redis is killed and restarted while webhooks flow", () => {
  const env = proofSetup({ appendOnly: true });

  it("no crash, 503 while Redis is down, every order sent exactly once, claims Redis never answered included", {
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
    let answered = 0;
    let triesMax = 0;
    const started = Date.now();
    const posting = pool(all, POS_CONNECTIONS, async (order) => {
      const { answer, tries } = await pos.deliver(web.port, order.body);
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

    // Nothing may be left: an order the POS was only told "duplicate" of was sent by the claimer.
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
        .filter((l) => l.startsWith("log ") && !l.includes('"level":"info"')).length;
    /** Log lines of `app` with this message. */
    const said = (app: App, message: string) =>
      app
        .stderr()
        .split("\n")
        .filter((l) => l.includes(JSON.stringify(message))).length;
    const unanswered = said(
      web,
      "the store did not answer an order's claim; asking it again until it does",
    );
    const recovered = said(
      web,
      "an order's claim had been made although the store did not answer: sending it",
    );
    console.log(
      `proof 3: ${ORDERS} orders, Redis killed at ${seconds(killedAt)} (${accepting} webhooks accepted by then, ${before.answered} once it was down), ` +
        `down ${seconds(restartedAt - killedAt)}: ${down.status503} answers 503 and ${down.answered} accepted while down, ` +
        `${down.messages} messages sent meanwhile; all webhooks answered 200 at ${seconds(postedMs)} ` +
        `(answers ${JSON.stringify(Object.fromEntries(pos.statuses))}, at most ${triesMax} tries for one); ` +
        `${acceptedOrders.length} orders accepted, ${all.length - acceptedOrders.length} answered only "duplicate" after 503s, ` +
        `${unanswered} claims unanswered by Redis, ${recovered} of them found made by their receipt and sent by the claimer; ` +
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
    // Orders told "duplicate" after a 503 were claimed by the request that got the 503: sent too,
    // whether Redis answered that claim late or never (then its receipt told the claimer).
    expect(orphaned.map((o, i) => ({ order: o.id, ledger: states[i] }))).toEqual([]);
    expect(sms.accepted()).toBe(ORDERS);
    expect(counts).toMatchObject({ waiting: 0, delayed: 0, active: 0, failed: 0 });
  });
});
