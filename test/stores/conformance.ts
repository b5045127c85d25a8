import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OtzovikError } from "../../src/core/errors.js";
import { runBatch } from "../../src/stores/batch.js";
import type { BatchReceipt, BatchResult, Store, StoreStep } from "../../src/stores/types.js";

/** Options of {@link describeStoreConformance}. */
export interface StoreConformanceOptions {
  /**
   * Moves the store's clock forward by `ms` (a fake clock). Without it the suite uses real short
   * TTLs and waits for them, which is what a store backed by a server (Redis) needs.
   */
  advanceTime?: (ms: number) => void | Promise<void>;
  /** `true` when the store implements {@link Store.batch}; its batch is then tested too. */
  batch?: boolean;
}

/**
 * Real TTL, in ms, used by the tests that wait for expiry when the suite has no fake clock. Long
 * enough that a loaded machine's stalls between two steps (tens of ms) do not expire a key early.
 */
export const REAL_TTL_MS = 200;

/** Keys that must behave like any other key. */
export const UNUSUAL_KEYS: readonly string[] = [
  "",
  " ",
  "key with spaces",
  "a:b:c",
  "::",
  "otzovik:dedupe:iiko:42",
  "ключ-отзыв",
  "🔑📦",
  "e\u0301",
  "tab\tnew\nline",
  "nul\u0000byte",
  "*",
  "?",
  "[a-z]",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "k".repeat(10_000),
];

/** Values that must round-trip exactly. */
export const UNUSUAL_VALUES: readonly string[] = [
  "",
  " ",
  "0",
  "null",
  "false",
  "Спасибо за заказ! Оцените нас ⭐⭐⭐⭐⭐",
  "👨‍👩‍👧‍👦 e\u0301 \u200b",
  "line1\nline2\r\n\ttab",
  "nul\u0000byte",
  '{"nested":{"a":[1,2,3]},"s":"\\"quoted\\""}',
];

/** A JSON value of about 100 KB. */
export function largeJson(): string {
  const items = Array.from({ length: 1100 }, (_, i) => ({
    id: i,
    phone: `+7900${String(i).padStart(7, "0")}`,
    note: `Заказ №${i} — ${"x".repeat(40)}`,
  }));
  return JSON.stringify({ items });
}

const INVALID_TTLS: readonly unknown[] = [
  0,
  -1,
  1.5,
  Number.NaN,
  Infinity,
  -Infinity,
  "1000",
  null,
];

/**
 * Registers the {@link Store} conformance suite: what every store (memory, Redis, a user's own)
 * must do for the requester to be correct. Every test gets a fresh store from `makeStore` and
 * closes it afterwards; keys carry a random per-test prefix, so stores sharing one database
 * (Redis) do not see each other's keys. One test also uses the bare keys `__proto__`,
 * `constructor`, `toString` and `hasOwnProperty` (and deletes them): run it against a test database.
 *
 * Time: with `options.advanceTime` the suite moves the store's clock; without it, it uses real
 * TTLs of {@link REAL_TTL_MS} ms and waits.
 *
 * Invalid TTLs must reject (never throw synchronously) with an {@link OtzovikError} whose message
 * names `ttlMs`; the call must have no effect.
 */
export function describeStoreConformance(
  name: string,
  makeStore: () => Store | Promise<Store>,
  options: StoreConformanceOptions = {},
): void {
  const fake = options.advanceTime;
  /** TTL used by the time-dependent tests. */
  const ttl = fake ? 60_000 : REAL_TTL_MS;
  /**
   * TTL of the tests that never wait for expiry: long enough that a slow or loaded machine cannot
   * expire a key between two steps of a test (with real {@link REAL_TTL_MS} TTLs it could).
   */
  const live = 60_000;
  /** Lets `ms` pass: the fake clock when there is one, else real time. */
  const pass = async (ms: number): Promise<void> => {
    if (fake) await fake(ms);
    else await new Promise((resolve) => setTimeout(resolve, ms));
  };
  /** Lets the TTL used by the tests run out, with margin for real clocks. */
  const expire = () => pass(fake ? ttl + 1 : ttl * 2 + 20);

  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    let prefix: string;
    const k = (key: string) => `${prefix}${key}`;

    beforeEach(async () => {
      store = await makeStore();
      prefix = `otzovik-conformance:${Math.random().toString(36).slice(2)}:`;
    });

    afterEach(async () => {
      await store.close?.();
    });

    it("has a non-empty name", () => {
      expect(typeof store.name).toBe("string");
      expect(store.name.length).toBeGreaterThan(0);
    });

    describe("claim", () => {
      it("resolves true for the first claim and false for the next ones", async () => {
        await expect(store.claim(k("order"), "first", live)).resolves.toBe(true);
        await expect(store.claim(k("order"), "second", live)).resolves.toBe(false);
        await expect(store.claim(k("order"), "third", live)).resolves.toBe(false);
      });

      it("stores the value of the winning claim and keeps it on a lost claim", async () => {
        await store.claim(k("order"), "winner", live);
        await store.claim(k("order"), "loser", live);
        await expect(store.get(k("order"))).resolves.toBe("winner");
      });

      it("treats different keys independently", async () => {
        await expect(store.claim(k("a"), "1", live)).resolves.toBe(true);
        await expect(store.claim(k("b"), "1", live)).resolves.toBe(true);
        await expect(store.claim(k("A"), "1", live)).resolves.toBe(true);
        await expect(store.claim(k("a "), "1", live)).resolves.toBe(true);
        await expect(store.claim(k("a"), "1", live)).resolves.toBe(false);
      });

      it("succeeds again once the claim has expired", async () => {
        await expect(store.claim(k("order"), "first", ttl)).resolves.toBe(true);
        await expect(store.get(k("order"))).resolves.toBe("first");
        await expire();
        await expect(store.get(k("order"))).resolves.toBeNull();
        await expect(store.claim(k("order"), "again", ttl)).resolves.toBe(true);
        await expect(store.get(k("order"))).resolves.toBe("again");
        await expect(store.claim(k("order"), "third", ttl)).resolves.toBe(false);
      });

      it("succeeds on an expired key without reading it first", async () => {
        await store.claim(k("order"), "first", ttl);
        await expire();
        await expect(store.claim(k("order"), "again", ttl)).resolves.toBe(true);
      });

      it("does not extend the TTL of an existing claim when it loses", async () => {
        await store.claim(k("order"), "first", ttl);
        await pass(Math.floor(ttl / 2));
        await expect(store.claim(k("order"), "second", ttl)).resolves.toBe(false);
        await pass(Math.ceil(ttl / 2) + (fake ? 1 : ttl + 20));
        await expect(store.get(k("order"))).resolves.toBeNull();
      });

      it("resolves false on a key set without a TTL, even much later", async () => {
        await store.set(k("optout"), "1");
        await expect(store.claim(k("optout"), "x", ttl)).resolves.toBe(false);
        await expire();
        await expect(store.claim(k("optout"), "x", ttl)).resolves.toBe(false);
        await expect(store.get(k("optout"))).resolves.toBe("1");
      });

      it("resolves false on a key set with a TTL, and true after it expires", async () => {
        await store.set(k("cap"), "1", ttl);
        await expect(store.claim(k("cap"), "x", ttl)).resolves.toBe(false);
        await expire();
        await expect(store.claim(k("cap"), "x", ttl)).resolves.toBe(true);
      });

      it("succeeds again after the key is deleted", async () => {
        await store.claim(k("order"), "first", live);
        await store.delete(k("order"));
        await expect(store.claim(k("order"), "again", live)).resolves.toBe(true);
        await expect(store.get(k("order"))).resolves.toBe("again");
      });

      it("lets exactly one of 100 concurrent claims of one key win", async () => {
        const results = await Promise.all(
          Array.from({ length: 100 }, (_, i) => store.claim(k("hot"), `claimer-${i}`, live)),
        );
        expect(results.filter((r) => r === true)).toHaveLength(1);
        expect(results.filter((r) => r === false)).toHaveLength(99);
        const winner = results.indexOf(true);
        await expect(store.get(k("hot"))).resolves.toBe(`claimer-${winner}`);
      });

      it("lets every one of 100 concurrent claims of distinct keys win", async () => {
        const results = await Promise.all(
          Array.from({ length: 100 }, (_, i) => store.claim(k(`key-${i}`), String(i), live)),
        );
        expect(results.every((r) => r === true)).toBe(true);
        const values = await Promise.all(
          Array.from({ length: 100 }, (_, i) => store.get(k(`key-${i}`))),
        );
        expect(values).toEqual(Array.from({ length: 100 }, (_, i) => String(i)));
      });

      it("lets exactly one claim per key win when many keys are claimed concurrently", async () => {
        const calls = Array.from({ length: 200 }, (_, i) => ({ key: k(`key-${i % 20}`), i }));
        const results = await Promise.all(calls.map((c) => store.claim(c.key, String(c.i), live)));
        for (let key = 0; key < 20; key++) {
          const wins = results.filter((r, i) => r && i % 20 === key);
          expect(wins).toHaveLength(1);
        }
      });
    });

    describe("get, set, delete", () => {
      it("resolves null for a key that was never set", async () => {
        await expect(store.get(k("missing"))).resolves.toBeNull();
      });

      it("resolves set() with undefined and get() with the value", async () => {
        await expect(store.set(k("a"), "1")).resolves.toBeUndefined();
        await expect(store.get(k("a"))).resolves.toBe("1");
        await expect(store.set(k("b"), "2", live)).resolves.toBeUndefined();
        await expect(store.get(k("b"))).resolves.toBe("2");
      });

      it("overwrites an existing value, with or without a TTL", async () => {
        await store.set(k("a"), "1");
        await store.set(k("a"), "2");
        await expect(store.get(k("a"))).resolves.toBe("2");
        await store.set(k("a"), "3", live);
        await expect(store.get(k("a"))).resolves.toBe("3");
        await store.set(k("a"), "4", live);
        await expect(store.get(k("a"))).resolves.toBe("4");
        await store.claim(k("b"), "claimed", live);
        await store.set(k("b"), "overwritten", live);
        await expect(store.get(k("b"))).resolves.toBe("overwritten");
      });

      it("expires a key set with a TTL, and not before", async () => {
        await store.set(k("a"), "1", ttl);
        if (fake) {
          await pass(ttl - 1);
          await expect(store.get(k("a"))).resolves.toBe("1");
          await pass(1);
        } else {
          await expect(store.get(k("a"))).resolves.toBe("1");
          await expire();
        }
        await expect(store.get(k("a"))).resolves.toBeNull();
      });

      it("keeps a key set without a TTL after other keys expire", async () => {
        await store.set(k("optout"), "1");
        await store.set(k("temp"), "1", ttl);
        await expire();
        await expect(store.get(k("temp"))).resolves.toBeNull();
        await expect(store.get(k("optout"))).resolves.toBe("1");
        if (fake) {
          await pass(10 * 365 * 24 * 3600_000);
          await expect(store.get(k("optout"))).resolves.toBe("1");
        }
      });

      it("removes the TTL when a key is set again without one", async () => {
        await store.set(k("a"), "temp", ttl);
        await store.set(k("a"), "forever");
        await expire();
        await expect(store.get(k("a"))).resolves.toBe("forever");
      });

      it("gives a TTL to a key set without one when it is set again with one", async () => {
        await store.set(k("a"), "forever");
        await store.set(k("a"), "temp", ttl);
        await expire();
        await expect(store.get(k("a"))).resolves.toBeNull();
      });

      it("restarts the TTL when a key is set again with a TTL", async () => {
        await store.set(k("a"), "1", ttl);
        await pass(Math.floor(ttl / 2));
        await store.set(k("a"), "2", ttl);
        await pass(Math.ceil(ttl / 2) + 1);
        if (fake) await expect(store.get(k("a"))).resolves.toBe("2");
        await pass(fake ? ttl : ttl * 2 + 20);
        await expect(store.get(k("a"))).resolves.toBeNull();
      });

      it("expires a claim after its TTL", async () => {
        await store.claim(k("a"), "1", ttl);
        await expire();
        await expect(store.get(k("a"))).resolves.toBeNull();
      });

      it("deletes keys with and without a TTL", async () => {
        await store.set(k("a"), "1");
        await store.set(k("b"), "1", live);
        await store.claim(k("c"), "1", live);
        await expect(store.delete(k("a"))).resolves.toBeUndefined();
        await store.delete(k("b"));
        await store.delete(k("c"));
        await expect(store.get(k("a"))).resolves.toBeNull();
        await expect(store.get(k("b"))).resolves.toBeNull();
        await expect(store.get(k("c"))).resolves.toBeNull();
      });

      it("resolves when deleting a missing or expired key", async () => {
        await expect(store.delete(k("missing"))).resolves.toBeUndefined();
        await store.set(k("a"), "1", ttl);
        await expire();
        await expect(store.delete(k("a"))).resolves.toBeUndefined();
        await expect(store.delete(k("a"))).resolves.toBeUndefined();
      });

      it("deletes only the given key", async () => {
        await store.set(k("a"), "1");
        await store.set(k("ab"), "2");
        await store.set(k("a:b"), "3");
        await store.delete(k("a"));
        await expect(store.get(k("ab"))).resolves.toBe("2");
        await expect(store.get(k("a:b"))).resolves.toBe("3");
      });

      it("handles a key set, read and deleted by many concurrent calls", async () => {
        await Promise.all(Array.from({ length: 50 }, (_, i) => store.set(k(`key-${i}`), `${i}`)));
        const values = await Promise.all(
          Array.from({ length: 50 }, (_, i) => store.get(k(`key-${i}`))),
        );
        expect(values).toEqual(Array.from({ length: 50 }, (_, i) => `${i}`));
        await Promise.all(Array.from({ length: 50 }, (_, i) => store.delete(k(`key-${i}`))));
        const after = await Promise.all(
          Array.from({ length: 50 }, (_, i) => store.get(k(`key-${i}`))),
        );
        expect(after.every((v) => v === null)).toBe(true);
      });
    });

    describe("keys and values", () => {
      it.each(
        UNUSUAL_KEYS.map((key) => [
          key.length > 40 ? `${key.slice(0, 10)}… (${key.length})` : key,
          key,
        ]),
      )("key %j behaves like any other key", async (_label, raw) => {
        const key = k(raw);
        await expect(store.get(key)).resolves.toBeNull();
        await expect(store.claim(key, "claimed", live)).resolves.toBe(true);
        await expect(store.claim(key, "again", live)).resolves.toBe(false);
        await expect(store.get(key)).resolves.toBe("claimed");
        await store.set(key, "set");
        await expect(store.get(key)).resolves.toBe("set");
        await store.delete(key);
        await expect(store.get(key)).resolves.toBeNull();
        await expect(store.claim(key, "reclaimed", live)).resolves.toBe(true);
      });

      it("keeps unusual keys apart from each other", async () => {
        await Promise.all(UNUSUAL_KEYS.map((key, i) => store.set(k(key), `value-${i}`)));
        const values = await Promise.all(UNUSUAL_KEYS.map((key) => store.get(k(key))));
        expect(values).toEqual(UNUSUAL_KEYS.map((_, i) => `value-${i}`));
      });

      it("does not confuse unprefixed prototype names with stored keys", async () => {
        for (const raw of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
          await store.delete(raw);
          await expect(store.get(raw)).resolves.toBeNull();
          await expect(store.claim(raw, "x", live)).resolves.toBe(true);
          await expect(store.claim(raw, "y", live)).resolves.toBe(false);
          await expect(store.get(raw)).resolves.toBe("x");
          await store.delete(raw);
          await expect(store.get(raw)).resolves.toBeNull();
        }
      });

      it.each(UNUSUAL_VALUES.map((value) => [value, value]))(
        "value %j round-trips exactly",
        async (_label, value) => {
          await store.set(k("plain"), value);
          await expect(store.get(k("plain"))).resolves.toBe(value);
          await store.set(k("ttl"), value, live);
          await expect(store.get(k("ttl"))).resolves.toBe(value);
          await store.claim(k("claim"), value, live);
          await expect(store.get(k("claim"))).resolves.toBe(value);
        },
      );

      it("round-trips a 100 KB JSON value exactly", async () => {
        const json = largeJson();
        expect(json.length).toBeGreaterThan(100_000);
        await store.set(k("big"), json);
        await expect(store.get(k("big"))).resolves.toBe(json);
        await store.claim(k("big-claim"), json, live);
        const read = await store.get(k("big-claim"));
        expect(read).toBe(json);
        expect(JSON.parse(read ?? "")).toEqual(JSON.parse(json));
      });
    });

    if (options.batch) {
      it("implements batch()", () => {
        expect(typeof store.batch).toBe("function");
      });
    }

    describe.each(
      (options.batch
        ? [
            ["store.batch()", true],
            ["runBatch() over the base methods", false],
          ]
        : [["runBatch() over the base methods", false]]) as [string, boolean][],
    )("batch: %s", (_label, native) => {
      const run = (steps: readonly StoreStep[], receipt?: BatchReceipt): Promise<BatchResult> => {
        if (!native) return runBatch(store, steps, receipt);
        if (!store.batch) throw new Error("no batch");
        return store.batch(steps, receipt);
      };
      it("runs every step when no condition fails, returning the values before each step", async () => {
        await store.set(k("read"), "r");
        const result = await run([
          { op: "claim", key: k("order"), value: "claimed", ttlMs: live },
          { op: "absent", key: k("optout") },
          { op: "get", key: k("read") },
          { op: "set", key: k("written"), value: "w", ttlMs: live },
          { op: "delete", key: k("read") },
        ]);
        expect(result).toEqual({ values: [null, null, "r", null, null], failedAt: -1 });
        await expect(store.get(k("order"))).resolves.toBe("claimed");
        await expect(store.get(k("written"))).resolves.toBe("w");
        await expect(store.get(k("read"))).resolves.toBeNull();
      });

      it("stops at a lost claim, reporting the value held, and runs nothing after it", async () => {
        await store.claim(k("order"), "first", live);
        const result = await run([
          { op: "claim", key: k("order"), value: "second", ttlMs: live },
          { op: "set", key: k("after"), value: "x", ttlMs: live },
        ]);
        expect(result).toEqual({ values: ["first"], failedAt: 0 });
        await expect(store.get(k("order"))).resolves.toBe("first");
        await expect(store.get(k("after"))).resolves.toBeNull();
      });

      it("stops at a present key under `absent`, keeping the steps before it", async () => {
        await store.set(k("optout"), "manual");
        const result = await run([
          { op: "claim", key: k("order"), value: "claimed", ttlMs: live },
          { op: "absent", key: k("optout") },
          { op: "claim", key: k("cap"), value: "c", ttlMs: live },
        ]);
        expect(result).toEqual({ values: [null, "manual"], failedAt: 1 });
        await expect(store.get(k("order"))).resolves.toBe("claimed");
        await expect(store.get(k("cap"))).resolves.toBeNull();
      });

      it("goes on past `expect` when the key holds one of its values or nothing", async () => {
        await store.set(k("order"), "claimed", live);
        const result = await run([
          { op: "expect", key: k("order"), values: ["claimed", "other"] },
          { op: "expect", key: k("missing"), values: ["claimed"] },
          { op: "set", key: k("order"), value: "sending", ttlMs: live },
        ]);
        expect(result).toEqual({ values: ["claimed", null, null], failedAt: -1 });
        await expect(store.get(k("order"))).resolves.toBe("sending");
      });

      it("stops at `expect` when the key holds another value, changing nothing", async () => {
        await store.set(k("order"), "sending", live);
        const result = await run([
          { op: "expect", key: k("order"), values: ["claimed"] },
          { op: "set", key: k("order"), value: "sending again", ttlMs: live },
        ]);
        expect(result).toEqual({ values: ["sending"], failedAt: 0 });
        await expect(store.get(k("order"))).resolves.toBe("sending");
        const none = await run([{ op: "expect", key: k("order"), values: [] }]);
        expect(none).toEqual({ values: ["sending"], failedAt: 0 });
      });

      it("claims again once a key expired, and keeps keys set without a TTL", async () => {
        await run([
          { op: "set", key: k("short"), value: "1", ttlMs: ttl },
          { op: "set", key: k("forever"), value: "2" },
        ]);
        await expire();
        const result = await run([
          { op: "claim", key: k("short"), value: "again", ttlMs: ttl },
          { op: "absent", key: k("forever") },
        ]);
        expect(result).toEqual({ values: [null, "2"], failedAt: 1 });
      });

      it("lets exactly one of 50 concurrent batches claiming one key win", async () => {
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            run([
              { op: "claim", key: k("hot"), value: String(i), ttlMs: live },
              { op: "claim", key: k(`cap-${i}`), value: "c", ttlMs: live },
            ]),
          ),
        );
        expect(results.filter((r) => r.failedAt === -1)).toHaveLength(1);
        const winner = results.findIndex((r) => r.failedAt === -1);
        await expect(store.get(k("hot"))).resolves.toBe(String(winner));
      });

      // Over the base methods `expect` then `set` is two calls, so only a native batch promises this.
      if (native)
        it("lets exactly one of 50 concurrent compare-and-sets (expect, then set) win", async () => {
          await store.set(k("job"), "claimed", live);
          const results = await Promise.all(
            Array.from({ length: 50 }, (_, i) =>
              run([
                { op: "expect", key: k("job"), values: ["claimed"] },
                { op: "set", key: k("job"), value: `sending-${i}`, ttlMs: live },
              ]),
            ),
          );
          expect(results.filter((r) => r.failedAt === -1)).toHaveLength(1);
          const winner = results.findIndex((r) => r.failedAt === -1);
          await expect(store.get(k("job"))).resolves.toBe(`sending-${winner}`);
        });

      it("an empty batch does nothing", async () => {
        await expect(run([])).resolves.toEqual({ values: [], failedAt: -1 });
      });

      describe("incr", () => {
        it("counts from 0 on an absent key and answers the new value", async () => {
          await expect(run([{ op: "incr", key: k("n"), by: 1, ttlMs: live }])).resolves.toEqual({
            values: ["1"],
            failedAt: -1,
          });
          await expect(run([{ op: "incr", key: k("n"), by: 41, ttlMs: live }])).resolves.toEqual({
            values: ["42"],
            failedAt: -1,
          });
          await expect(run([{ op: "incr", key: k("n"), by: -2, ttlMs: live }])).resolves.toEqual({
            values: ["40"],
            failedAt: -1,
          });
          await expect(store.get(k("n"))).resolves.toBe("40");
        });

        it("counts a key holding anything but an integer of up to 15 digits as 0", async () => {
          for (const held of ["", "x", "1.5", " 7", "7 ", "1e3", "1234567890123456", "--1"]) {
            await store.set(k("odd"), held, live);
            const result = await run([{ op: "incr", key: k("odd"), by: 3, ttlMs: live }]);
            expect(result, JSON.stringify(held)).toEqual({ values: ["3"], failedAt: -1 });
          }
          await store.set(k("odd"), "-999999999999999", live);
          await expect(run([{ op: "incr", key: k("odd"), by: 1, ttlMs: live }])).resolves.toEqual({
            values: ["-999999999999998"],
            failedAt: -1,
          });
        });

        it("runs after a passed condition and not after a failed one", async () => {
          await store.claim(k("first"), "taken", live);
          const result = await run([
            { op: "incr", key: k("all"), by: 1, ttlMs: live },
            { op: "claim", key: k("first"), value: "again", ttlMs: live },
            { op: "incr", key: k("unique"), by: 1, ttlMs: live },
          ]);
          expect(result).toEqual({ values: ["1", "taken"], failedAt: 1 });
          await expect(store.get(k("all"))).resolves.toBe("1");
          await expect(store.get(k("unique"))).resolves.toBeNull();
        });

        it("gives the counter ttlMs from each increment", async () => {
          await run([{ op: "incr", key: k("t"), by: 1, ttlMs: ttl }]);
          await pass(Math.floor(ttl / 2));
          await run([{ op: "incr", key: k("t"), by: 1, ttlMs: ttl * 3 }]);
          await pass(ttl);
          await expect(store.get(k("t"))).resolves.toBe("2");
          await pass(ttl * 3);
          await expect(store.get(k("t"))).resolves.toBeNull();
          await expect(run([{ op: "incr", key: k("t"), by: 1, ttlMs: live }])).resolves.toEqual({
            values: ["1"],
            failedAt: -1,
          });
        });

        it("rejects a `by` that is not a safe integer, changing nothing", async () => {
          if (!native) return; // runBatch trusts the steps: the stores check them.
          for (const by of [1.5, Number.NaN, 2 ** 53, "1"]) {
            await expect(
              run([
                { op: "set", key: k("before"), value: "x", ttlMs: live },
                { op: "incr", key: k("bad"), by: by as number, ttlMs: live },
              ]),
            ).rejects.toThrow(/`by`/);
          }
          await expect(store.get(k("before"))).resolves.toBeNull();
          await expect(store.get(k("bad"))).resolves.toBeNull();
        });

        // Over the base methods an increment is a get and a set: only a native batch promises this.
        if (native)
          it("loses no increment among 50 concurrent ones", async () => {
            const results = await Promise.all(
              Array.from({ length: 50 }, () =>
                run([{ op: "incr", key: k("hot"), by: 1, ttlMs: live }]),
              ),
            );
            expect(results.map((r) => Number(r.values[0])).sort((a, b) => a - b)).toEqual(
              Array.from({ length: 50 }, (_, i) => i + 1),
            );
            await expect(store.get(k("hot"))).resolves.toBe("50");
          });
      });

      describe("with a receipt", () => {
        const receipt = (name: string, ttlMs = live): BatchReceipt => ({
          key: k(`receipt:${name}`),
          ttlMs,
        });

        it("answers the same batch again from the saved result, without running its steps", async () => {
          await store.set(k("read"), UNUSUAL_VALUES.join("|"));
          const steps: StoreStep[] = [
            { op: "claim", key: k("order"), value: "mine", ttlMs: live },
            { op: "absent", key: k("optout") },
            { op: "get", key: k("read") },
            { op: "set", key: k("written"), value: "w", ttlMs: live },
          ];
          const first = await run(steps, receipt("a"));
          expect(first).toEqual({
            values: [null, null, UNUSUAL_VALUES.join("|"), null],
            failedAt: -1,
          });
          await store.set(k("written"), "changed since", live);
          await store.set(k("read"), "changed too", live);
          await expect(run(steps, receipt("a"))).resolves.toEqual(first);
          await expect(store.get(k("written"))).resolves.toBe("changed since");
          await expect(store.get(k("order"))).resolves.toBe("mine");
        });

        it("saves a failed condition's result too, and never runs the batch again", async () => {
          await store.claim(k("order"), "theirs", live);
          const steps: StoreStep[] = [
            { op: "claim", key: k("order"), value: "mine", ttlMs: live },
            { op: "set", key: k("after"), value: "x", ttlMs: live },
          ];
          const first = await run(steps, receipt("b"));
          expect(first).toEqual({ values: ["theirs"], failedAt: 0 });
          await store.delete(k("order"));
          await expect(run(steps, receipt("b"))).resolves.toEqual(first);
          await expect(store.get(k("order"))).resolves.toBeNull();
          await expect(store.get(k("after"))).resolves.toBeNull();
        });

        it("runs a batch with another receipt, or with none, as usual", async () => {
          const steps: StoreStep[] = [{ op: "claim", key: k("order"), value: "mine", ttlMs: live }];
          await expect(run(steps, receipt("c"))).resolves.toEqual({ values: [null], failedAt: -1 });
          await expect(run(steps, receipt("d"))).resolves.toEqual({
            values: ["mine"],
            failedAt: 0,
          });
          await expect(run(steps)).resolves.toEqual({ values: ["mine"], failedAt: 0 });
          await expect(run(steps, receipt("c"))).resolves.toEqual({ values: [null], failedAt: -1 });
        });

        it("forgets the result after the receipt's TTL: the batch then runs again", async () => {
          // The order outlives the receipt (a fake clock moves every TTL at once).
          const steps: StoreStep[] = [
            { op: "claim", key: k("order"), value: "mine", ttlMs: ttl * 100 },
          ];
          await run(steps, receipt("e", ttl));
          await expire();
          await expect(run(steps, receipt("e", ttl))).resolves.toEqual({
            values: ["mine"],
            failedAt: 0,
          });
        });

        // Over the base methods the receipt is read and written in separate calls.
        if (native)
          it("runs a batch once however many copies with its receipt run concurrently", async () => {
            const results = await Promise.all(
              Array.from({ length: 30 }, () =>
                run([{ op: "claim", key: k("hot"), value: "mine", ttlMs: live }], receipt("f")),
              ),
            );
            expect(new Set(results.map((r) => JSON.stringify([r.failedAt, r.values]))).size).toBe(
              1,
            );
            // Run as often as it was asked, 29 copies would have lost the claim.
            expect(results[0]).toEqual({ values: [null], failedAt: -1 });
          });

        if (native)
          it.each([
            ["not an object", "receipt"],
            ["a key that is not a string", { key: 1, ttlMs: live }],
            ["a TTL of 0", { key: "r", ttlMs: 0 }],
          ])("rejects a receipt that is %s, changing nothing", async (_label, bad) => {
            const promise = run(
              [{ op: "claim", key: k("order"), value: "mine", ttlMs: live }],
              bad as unknown as BatchReceipt,
            );
            await expect(promise).rejects.toBeInstanceOf(OtzovikError);
            await expect(store.get(k("order"))).resolves.toBeNull();
          });
      });
    });

    describe("invalid TTL", () => {
      it.each(INVALID_TTLS.map((t) => [String(t), t]))(
        "claim() rejects ttlMs %s without creating the key",
        async (_label, bad) => {
          let promise: Promise<boolean> | undefined;
          expect(() => {
            promise = store.claim(k("a"), "1", bad as number);
            promise.catch(() => {});
          }).not.toThrow();
          await expect(promise).rejects.toBeInstanceOf(OtzovikError);
          await expect(promise).rejects.toThrow(/ttlMs/);
          await expect(store.get(k("a"))).resolves.toBeNull();
          await expect(store.claim(k("a"), "1", live)).resolves.toBe(true);
        },
      );

      it.each(INVALID_TTLS.map((t) => [String(t), t]))(
        "set() rejects ttlMs %s and keeps the previous value",
        async (_label, bad) => {
          await store.set(k("a"), "previous", live);
          let promise: Promise<void> | undefined;
          expect(() => {
            promise = store.set(k("a"), "1", bad as number);
            promise.catch(() => {});
          }).not.toThrow();
          await expect(promise).rejects.toBeInstanceOf(OtzovikError);
          await expect(promise).rejects.toThrow(/ttlMs/);
          await expect(store.get(k("a"))).resolves.toBe("previous");
          await expect(store.set(k("b"), "1", bad as number)).rejects.toThrow(/ttlMs/);
          await expect(store.get(k("b"))).resolves.toBeNull();
        },
      );
    });
  });
}
