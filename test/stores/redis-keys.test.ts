import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_PREFIX, redisKeyOf } from "../../src/stores/redis/keys.js";

describe("Redis key layout", () => {
  it("keeps the requester's keys as they are under the default prefix", () => {
    const key = redisKeyOf(DEFAULT_PREFIX);
    expect(key("otzovik:dedupe:default:iiko:42")).toBe("otzovik:dedupe:default:iiko:42");
    expect(key("otzovik:optout:t:abc")).toBe("otzovik:optout:t:abc");
    expect(key("mine")).toBe("otzovik::mine");
    expect(key("")).toBe("otzovik::");
    expect(key("otzovik:")).toBe("otzovik:");
    expect(key("otzovik::x")).toBe("otzovik::otzovik::x");
    expect(key("otzovik")).toBe("otzovik::otzovik");
  });

  it("moves them under another prefix, never doubling it", () => {
    const key = redisKeyOf("shop1");
    expect(key("otzovik:cap:t:abc")).toBe("shop1:cap:t:abc");
    expect(key("shop1:cap:t:abc")).toBe("shop1::shop1:cap:t:abc");
    expect(redisKeyOf("{otzovik}")("otzovik:cap:t:abc")).toBe("{otzovik}:cap:t:abc");
  });

  it("never gives two keys one Redis key", { timeout: 30_000 }, () => {
    // Keys built from the pieces that could make two forms meet.
    const piece = fc.constantFrom("otzovik", ":", "::", "a", "otzovik:", "", "shop1", "é");
    const key = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(""));
    for (const prefix of ["otzovik", "shop1", "a"]) {
      const redisKey = redisKeyOf(prefix);
      fc.assert(
        fc.property(key, key, (a, b) => a === b || redisKey(a) !== redisKey(b)),
        { seed: 20_260_314, numRuns: 3_000 },
      );
    }
  });
});
