/**
 * Issue 9 item 1, timed: big amoCRM bodies parse in linear time. Before the contact index, 400 won
 * leads + 400 contacts (a 24 KB JSON body) took 1.9 s and 800 + 800 in a 874 KB form body 17 s;
 * now each is tens of milliseconds. The bounds are generous (a loaded 2-core machine); the exact,
 * untimed regression test is test/sources/amocrm-linear.test.ts, the figures are `npm run bench`.
 */
import { describe, expect, it } from "vitest";
import { parseAmocrm } from "../../src/index.js";
import { amocrmFormBody, amocrmJsonBody } from "../sources/amocrm-bodies.js";

function timed(body: string): { ms: number; events: number } {
  parseAmocrm(body); // warm-up
  const start = performance.now();
  const result = parseAmocrm(body);
  return { ms: performance.now() - start, events: result.events.length };
}

describe("soak: big amoCRM bodies parse in linear time", () => {
  it.each([
    ["JSON", 400, amocrmJsonBody],
    ["JSON", 12_800, amocrmJsonBody],
    ["form", 400, amocrmFormBody],
    ["form", 800, amocrmFormBody],
  ] as const)("a %s body of %i won leads + as many contacts", { timeout: 60_000 }, (_, n, make) => {
    const body = make(n);
    const { ms, events } = timed(body);
    console.log(
      `item 1: amoCRM ${_} ${n}+${n} (${(body.length / 1024).toFixed(0)} KB): ${ms.toFixed(1)} ms`,
    );
    expect(events).toBe(2 * n);
    expect(ms).toBeLessThan(2_000);
  });
});
