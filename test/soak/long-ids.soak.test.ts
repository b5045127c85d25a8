/**
 * Issue 9 item 14: order ids from bodies are capped (200 characters) before they reach the store,
 * the logs or the answer. 300 orders with 300,000-character ids through the requester used to add
 * ~0.7 GB of RSS (each id kept in store keys and records); now each is an `invalid_payload` skip.
 */

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { createReviewRequester } from "../../src/requester/requester.js";
import { fixtureJson } from "../helpers/fixtures.js";
import { recordingSmsClient } from "../helpers/sms-clients.js";

const KEY = "soak-long-ids-key-0123456789";
const ORDERS = 300;
const ID_CHARS = 300_000;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function rssMb(): number {
  gc();
  gc();
  return process.memoryUsage().rss / 2 ** 20;
}

describe("soak: 300 orders with 300,000-character ids", () => {
  it("cost no lasting memory: each is invalid_payload, never stored, logged or echoed", async () => {
    const { client, sent } = recordingSmsClient();
    let logged = 0;
    const line = (message: string, meta?: Record<string, unknown>) => {
      logged += JSON.stringify({ message, ...meta }).length;
    };
    const r = createReviewRequester({
      keys: KEY,
      business: "B",
      reviewUrl: "https://r.example",
      quietHours: false,
      channels: [{ type: "sms", client }],
      logger: { debug: line, info: line, warn: line, error: line },
      hashSecret: "soak-hash-secret-0123456789",
    });
    const template = fixtureJson("iiko", "iiko-01-delivery-closed.json") as [
      { eventInfo: { id: string; order: { phone: string } } },
    ];
    const before = rssMb();
    let echoed = 0;
    const reasons = new Map<string, number>();
    for (let i = 0; i < ORDERS; i++) {
      const event = structuredClone(template[0]);
      event.eventInfo.id = `${String(i).padStart(6, "0")}${"x".repeat(ID_CHARS - 6)}`;
      event.eventInfo.order.phone = `+7916${String(1_000_000 + i)}`;
      const result = await r.handle("iiko", JSON.stringify([event]), { key: KEY });
      for (const o of result.outcomes) {
        echoed += o.orderId?.length ?? 0;
        const why = o.status === "skipped" ? `skipped:${o.reason}` : o.status;
        reasons.set(why, (reasons.get(why) ?? 0) + 1);
      }
    }
    const grown = rssMb() - before;
    console.log(
      `item 14: ${ORDERS} orders × ${ID_CHARS} chars: RSS +${grown.toFixed(1)} MB, ` +
        `${sent.length} sent, ${echoed} id chars echoed, ${logged} log chars, outcomes ${JSON.stringify(Object.fromEntries(reasons))}`,
    );
    await r.close?.();
    expect(Object.fromEntries(reasons)).toEqual({ "skipped:invalid_payload": ORDERS });
    expect(sent).toEqual([]);
    expect(echoed).toBe(0);
    expect(grown).toBeLessThan(100);
  }, 120_000);
});
