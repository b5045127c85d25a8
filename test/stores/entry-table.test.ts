import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EntryTable, FOREVER, NO_SLOT } from "../../src/stores/entry-table.js";
import { ValuePool } from "../../src/stores/value-pool.js";

/**
 * A digest whose first word (which picks the home bucket) comes from a tiny set, so many keys
 * share a home bucket, probe runs are long and wrap around the end of the index: what deleting
 * from the middle of a run (backward shift) must get right.
 */
function digestOf(key: number): Uint32Array {
  const homes = [0, 1, 0x7fffffff, 0xffffffff];
  return new Uint32Array([homes[key % homes.length] as number, key, key * 7, 0xabcdef]);
}

type Op =
  | { op: "put"; key: number; value: number; expiresAt: number }
  | { op: "remove"; key: number }
  | { op: "touch"; key: number };

const KEYS = 100;

describe("EntryTable", () => {
  it("behaves like a map with an LRU list and an earliest-expiry pointer (property)", {
    timeout: 60_000,
  }, () => {
    const key = fc.integer({ min: 0, max: KEYS - 1 });
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        arbitrary: fc.record({
          op: fc.constant("put" as const),
          key,
          value: fc.integer({ min: 0, max: 5 }),
          expiresAt: fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constant(FOREVER)),
        }),
        weight: 4,
      },
      { arbitrary: fc.record({ op: fc.constant("remove" as const), key }), weight: 2 },
      { arbitrary: fc.record({ op: fc.constant("touch" as const), key }), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const table = new EntryTable(KEYS);
        // The model: key → entry, and the LRU order of the keys with a TTL (least recent first).
        const model = new Map<number, { value: string; expiresAt: number }>();
        let lru: number[] = [];
        for (const o of ops) {
          const slot = table.find(digestOf(o.key));
          expect(slot === NO_SLOT).toBe(!model.has(o.key));
          if (o.op === "put") {
            const value = `v${o.value}`;
            const had = model.get(o.key);
            if (slot === NO_SLOT) table.insert(digestOf(o.key), value, o.expiresAt);
            else table.update(slot, value, o.expiresAt);
            model.set(o.key, { value, expiresAt: o.expiresAt });
            const wasVolatile = had !== undefined && had.expiresAt !== FOREVER;
            if (o.expiresAt === FOREVER) lru = lru.filter((k) => k !== o.key);
            else if (!wasVolatile) lru.push(o.key);
          } else if (slot !== NO_SLOT && o.op === "remove") {
            table.remove(slot);
            model.delete(o.key);
            lru = lru.filter((k) => k !== o.key);
          } else if (slot !== NO_SLOT && o.op === "touch" && !table.isPermanent(slot)) {
            table.touch(slot);
            lru = [...lru.filter((k) => k !== o.key), o.key];
          }
          const volatile = [...model.values()].filter((e) => e.expiresAt !== FOREVER);
          expect(table.volatileCount).toBe(volatile.length);
          expect(table.permanentCount).toBe(model.size - volatile.length);
          const head = table.leastRecentlyUsed();
          expect(head === NO_SLOT ? undefined : head).toBe(
            lru[0] === undefined ? undefined : table.find(digestOf(lru[0])),
          );
          const earliest = table.earliestExpiry();
          expect(earliest === NO_SLOT ? undefined : table.expiresAt(earliest)).toBe(
            volatile.length === 0 ? undefined : Math.min(...volatile.map((e) => e.expiresAt)),
          );
        }
        for (let k = 0; k < KEYS; k++) {
          const slot = table.find(digestOf(k));
          const entry = model.get(k);
          expect(slot === NO_SLOT ? undefined : table.value(slot)).toBe(entry?.value);
          expect(slot === NO_SLOT ? undefined : table.expiresAt(slot)).toBe(entry?.expiresAt);
        }
      }),
      { seed: 31, numRuns: 300 },
    );
  });

  it("grows from 64 slots, keeping every entry and the LRU order", () => {
    const table = new EntryTable(1000);
    for (let k = 0; k < 1000; k++) table.insert(digestOf(k), `v${k % 3}`, 10_000 + k);
    expect(table.volatileCount).toBe(1000);
    for (let k = 0; k < 1000; k++) {
      const slot = table.find(digestOf(k));
      expect(slot).not.toBe(NO_SLOT);
      expect(table.value(slot)).toBe(`v${k % 3}`);
    }
    expect(table.leastRecentlyUsed()).toBe(table.find(digestOf(0)));
    expect(table.expiresAt(table.earliestExpiry())).toBe(10_000);
    expect(table.find(digestOf(1000))).toBe(NO_SLOT);
  });

  it("reuses freed slots instead of growing, and refuses to grow past maxSlots", () => {
    const table = new EntryTable(3);
    for (let k = 0; k < 3; k++) table.insert(digestOf(k), "v", FOREVER);
    table.remove(table.find(digestOf(1)));
    table.insert(digestOf(7), "w", 5);
    expect(table.find(digestOf(1))).toBe(NO_SLOT);
    expect(table.value(table.find(digestOf(7)))).toBe("w");
    expect(() => table.insert(digestOf(8), "v", 5)).toThrow("memory store table is full");
  });

  it("clear drops every entry", () => {
    const table = new EntryTable(10);
    table.insert(digestOf(1), "v", 5);
    table.insert(digestOf(2), "v", FOREVER);
    table.clear();
    expect(table.find(digestOf(1))).toBe(NO_SLOT);
    expect([table.volatileCount, table.permanentCount]).toEqual([0, 0]);
    expect(table.leastRecentlyUsed()).toBe(NO_SLOT);
    expect(table.earliestExpiry()).toBe(NO_SLOT);
  });
});

describe("ValuePool", () => {
  it("keeps one copy of a value for all its holders and drops it with the last one", () => {
    const pool = new ValuePool();
    const a = pool.acquire('{"state":"sent","channel":"sms"}');
    const b = pool.acquire('{"state":"sent","channel":"sms"}');
    const c = pool.acquire('{"state":"capped"}');
    expect(a).toBe(b);
    expect(pool.size).toBe(2);
    pool.release(a);
    expect(pool.value(b)).toBe('{"state":"sent","channel":"sms"}');
    pool.release(b);
    expect(pool.size).toBe(1);
    // The freed id is reused for the next new value.
    expect(pool.acquire("other")).toBe(a);
    expect(pool.value(c)).toBe('{"state":"capped"}');
  });
});
