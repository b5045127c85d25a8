/**
 * Issue 11 on two processes with the Redis store: two app processes (each a web server and a BullMQ
 * worker, each with its own Redis connections) send 200 orders by WhatsApp through a fake Meta on
 * loopback, which accepts every one. Then Meta's status webhook reports each message failed with
 * 131047 (outside the 24-hour window), signed with the app secret, and — as providers do — more
 * than once: three copies to each process, 1,200 requests, interleaved. What holds: every status
 * request answered 200, every order falls back to SMS exactly once (200 SMS, none twice), one
 * `undelivered` outcome per order, and a forged status changes nothing.
 */
import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { metaStatusPayload, signMetaStatus } from "../../src/testing/status/meta.js";
import {
  META_APP_SECRET,
  orders,
  outcomeCounts,
  pool,
  proofSetup,
  seconds,
  shuffle,
  startApp,
  startFakeMeta,
  tally,
  until,
} from "./redis/harness.js";

const ORDERS = 200;
const COPIES_PER_PROCESS = 3;

/** POSTs a status webhook to an app process; resolves with the HTTP status (0: no answer). */
function postStatus(port: number, body: string, signature: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/api/status/meta",
        headers: { "content-type": "application/json", "x-hub-signature-256": signature },
        timeout: 15_000,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", () => resolve(0));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(0));
    req.end(body);
  });
}

describe("status webhooks: two processes on one Redis", () => {
  const env = proofSetup();

  it("200 WhatsApps reported failed (131047), each status 3 times to each process → exactly 200 SMS", {
    timeout: 180_000,
  }, async () => {
    const { redis, sms, pos } = env;
    const meta = await startFakeMeta();
    try {
      const settings = { redisUrl: redis.url, smsRuUrl: sms.url, metaUrl: meta.url };
      const [a, b] = await Promise.all([startApp("both", settings), startApp("both", settings)]);
      const all = orders("st", ORDERS);
      const started = Date.now();
      await pool(all, 16, async (order, i) => {
        await pos.deliver((i % 2 === 0 ? a : b).port, order.body);
      });
      await until(
        () => meta.messageIds.size >= ORDERS,
        60_000,
        () => `${meta.messageIds.size} of ${ORDERS} WhatsApps`,
      );
      const sentAt = Date.now() - started;
      expect(sms.accepted()).toBe(0);

      // A forged status first: 401 from both, and nothing happens.
      const first = all[0]!;
      const forgedBody = JSON.stringify(
        metaStatusPayload({
          messageId: meta.messageIds.get(first.id)!,
          status: "failed",
          errorCode: 131047,
          recipient: first.digits,
        }),
      );
      const forged = await signMetaStatus(forgedBody, "not-the-app-secret");
      expect([
        await postStatus(a.port, forgedBody, forged),
        await postStatus(b.port, forgedBody, forged),
      ]).toEqual([401, 401]);

      const requests = shuffle(
        (
          await Promise.all(
            all.map(async (order) => {
              const body = JSON.stringify(
                metaStatusPayload({
                  messageId: meta.messageIds.get(order.id)!,
                  status: "failed",
                  errorCode: 131047,
                  recipient: order.digits,
                }),
              );
              const signature = await signMetaStatus(body, META_APP_SECRET);
              return [a, b].flatMap((app) =>
                Array.from({ length: COPIES_PER_PROCESS }, () => ({ app, body, signature })),
              );
            }),
          )
        ).flat(),
        11,
      );
      const answers = new Map<number, number>();
      await pool(requests, 32, async ({ app, body, signature }) => {
        const status = await postStatus(app.port, body, signature);
        answers.set(status, (answers.get(status) ?? 0) + 1);
      });
      const answeredAt = Date.now() - started;
      await until(
        () => sms.accepted() >= ORDERS,
        60_000,
        () => `${sms.accepted()} of ${ORDERS} SMS fallbacks`,
      );
      // A second fallback would arrive about as fast as the first: give it a moment.
      await new Promise((resolve) => setTimeout(resolve, 2_000));

      const outcomes = tally([a, b]);
      const undelivered = [...outcomes.values()].flat().filter((o) => o.status === "undelivered");
      console.log(
        `status proof: ${ORDERS} WhatsApps accepted by the fake Meta in ${seconds(sentAt)}; ` +
          `${requests.length} signed 131047 statuses (${COPIES_PER_PROCESS} to each of 2 processes per message) answered ${JSON.stringify(Object.fromEntries(answers))} by ${seconds(answeredAt)}; ` +
          `${sms.accepted()} SMS fallbacks for ${ORDERS} orders, ${sms.duplicates().length} duplicates; ` +
          `outcomes ${JSON.stringify(outcomeCounts([a, b]))}; ${undelivered.length} undelivered (A ${undelivered.filter((o) => o.pid === a.pid).length}, B ${undelivered.filter((o) => o.pid === b.pid).length})`,
      );

      expect(Object.fromEntries(answers)).toEqual({ 200: requests.length });
      expect([...meta.sent.values()].every((n) => n === 1)).toBe(true);
      expect(sms.accepted()).toBe(ORDERS);
      expect(sms.duplicates()).toEqual([]);
      expect(all.filter((o) => sms.sent.get(o.id) !== 1)).toEqual([]);
      expect(undelivered).toHaveLength(ORDERS);
      expect(undelivered.every((o) => o.fallback === true && o.code === "131047")).toBe(true);
      expect(new Set(undelivered.map((o) => o.orderId)).size).toBe(ORDERS);
      const smsSent = [...outcomes.values()]
        .flat()
        .filter((o) => o.status === "sent" && o.channel === "sms");
      expect(smsSent).toHaveLength(ORDERS);
      expect([a.alive(), b.alive()]).toEqual([true, true]);
    } finally {
      await meta.close();
    }
  });
});
