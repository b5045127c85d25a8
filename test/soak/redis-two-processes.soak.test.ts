/**
 * Issue 10, proof 1: two Node processes, each with its own requester, on one Redis receive the
 * same 1,000 distinct iiko webhooks, every copy sent to both (4,000 requests, interleaved) →
 * exactly 1,000 messages at the fake SMS.ru.
 *
 * Both processes run the app (./redis/app.ts) with the Redis store and the BullMQ scheduler and
 * send at once (no delay): what keeps one order to one message across processes is the store's
 * claim. The four copies of an order (A, B, A, B) are queued next to each other and 32 requests
 * are in flight at a time, so the copies of an order race each other in the two processes. Every
 * request is answered 200 (the POS would send again on anything else: a 503 if claiming took
 * longer than the adapter's 1.5 s, which a loaded machine could cause; the figures say if any).
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  type App,
  crashLines,
  orders,
  outcomeCounts,
  pool,
  proofSetup,
  seconds,
  shuffle,
  startApp,
  tally,
  until,
} from "./redis/harness.js";

const ORDERS = 1_000;
const CONCURRENCY = 32;

describe("proof 1: two processes on one Redis, every webhook twice to each", () => {
  const env = proofSetup();
  let a: App;
  let b: App;
  beforeAll(async () => {
    const settings = { redisUrl: env.redis.url, smsRuUrl: env.sms.url };
    [a, b] = await Promise.all([startApp("both", settings), startApp("both", settings)]);
  }, 90_000);

  it("1,000 orders, 4,000 requests → 4,000 × 200, 1,000 accepted, exactly 1,000 messages", {
    timeout: 240_000,
  }, async () => {
    const { sms, pos } = env;
    const all = shuffle(orders("p1", ORDERS), 20261001);
    const requests = all.flatMap((order) =>
      [a, b, a, b].map((app, copy) => ({ order, app, copy })),
    );
    const accepted = new Map<string, number>();
    const started = Date.now();
    let tries = 0;
    await pool(requests, CONCURRENCY, async ({ order, app }) => {
      // As a POS does: anything but 200 (a 503 if claiming took too long) is sent again.
      const { answer, tries: n } = await pos.deliver(app.port, order.body);
      tries += n;
      for (const event of answer.events)
        if (event.status === "accepted") accepted.set(event.id, (accepted.get(event.id) ?? 0) + 1);
    });
    const answeredMs = Date.now() - started;
    await until(
      () => sms.accepted() >= ORDERS,
      60_000,
      () => `${sms.accepted()} of ${ORDERS} messages`,
    );
    // Anything sent twice would arrive about as fast as the first copy: give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const totalMs = Date.now() - started;

    const outcomes = tally([a, b]);
    const sentBy = { a: 0, b: 0 };
    for (const o of [...outcomes.values()].flat())
      if (o.status === "sent") sentBy[o.pid === a.pid ? "a" : "b"]++;
    console.log(
      `proof 1: ${requests.length} requests (${CONCURRENCY} at a time) answered in ${seconds(answeredMs)}, ` +
        `statuses ${JSON.stringify(Object.fromEntries(pos.statuses))}; ` +
        `${[...accepted.values()].reduce((x, y) => x + y, 0)} events accepted; ` +
        `${sms.accepted()} messages at the provider for ${ORDERS} orders, ${sms.duplicates().length} duplicates ` +
        `(process A sent ${sentBy.a}, B ${sentBy.b}); outcomes ${JSON.stringify(outcomeCounts([a, b]))}; ` +
        `all sent in ${seconds(totalMs)}`,
    );

    expect(pos.count(200)).toBe(4 * ORDERS);
    // Every try was answered 200 or 503, or (status 0) lost at the socket, as a keep-alive socket
    // the server closed while the POS reused it is on a loaded machine; the POS retries those too.
    expect([...pos.statuses.keys()].filter((s) => ![0, 200, 503].includes(s))).toEqual([]);
    expect(tries).toBe(pos.count(200) + pos.count(503) + pos.count(0));
    // Each order accepted by exactly one of its four copies; the three others are duplicates.
    expect(accepted.size).toBe(ORDERS);
    expect([...accepted.values()].every((n) => n === 1)).toBe(true);
    expect(sms.accepted()).toBe(ORDERS);
    expect(sms.sent.size).toBe(ORDERS);
    expect(sms.duplicates()).toEqual([]);
    // One `sent` per order; the other copies were duplicates (3 per order when none got a 503).
    const counts = outcomeCounts([a, b]);
    expect(Object.keys(counts).sort()).toEqual(["sent", "skipped:duplicate"]);
    expect(counts.sent).toBe(ORDERS);
    if (pos.count(503) === 0) expect(counts["skipped:duplicate"]).toBe(3 * ORDERS);
    expect(
      all.filter(
        (order) => outcomes.get(order.id)?.filter((o) => o.status === "sent").length !== 1,
      ),
    ).toEqual([]);
    // Both processes did part of the sending, and both are still up.
    expect(sentBy.a).toBeGreaterThan(0);
    expect(sentBy.b).toBeGreaterThan(0);
    expect([a.alive(), b.alive()]).toEqual([true, true]);
    expect([...crashLines(a), ...crashLines(b)]).toEqual([]);
  });
});
