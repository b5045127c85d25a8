import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, OtzovikError, ValidationError } from "../../src/core/errors.js";
import {
  DEFAULT_MAX_ENTRIES,
  DEFAULT_MAX_PERMANENT_ENTRIES,
  type MemoryStoreOptions,
  memoryStore,
} from "../../src/stores/memory.js";
import { describeStoreConformance } from "./conformance.js";

/** A fake clock shared by the stores of the conformance suite. */
let fakeNow = 1_700_000_000_000;
describeStoreConformance("memory (fake clock)", () => memoryStore({ now: () => fakeNow }), {
  advanceTime: (ms) => {
    fakeNow += ms;
  },
  batch: true,
});

describeStoreConformance("memory (real clock)", () => memoryStore(), { batch: true });

/** A store with its own fake clock (and, unless given one, a logger that drops the eviction warning). */
function clocked(options: Omit<MemoryStoreOptions, "now"> = {}) {
  const clock = { time: 1_000_000 };
  const store = memoryStore({ logger: { warn: () => {} }, ...options, now: () => clock.time });
  return {
    store,
    clock,
    advance: (ms: number) => {
      clock.time += ms;
    },
  };
}

const MINUTE = 60_000;

describe("memoryStore", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  describe("options", () => {
    it("uses the documented defaults", () => {
      expect(DEFAULT_MAX_ENTRIES).toBe(2_000_000);
      expect(DEFAULT_MAX_PERMANENT_ENTRIES).toBe(100_000);
      const store = memoryStore();
      expect(store.name).toBe("memory");
      expect(store.size).toBe(0);
      expect(store.stats()).toEqual({
        entries: 0,
        permanentEntries: 0,
        evictions: 0,
        expired: 0,
        maxEntries: 2_000_000,
        maxPermanentEntries: 100_000,
      });
      expect(memoryStore({}).stats().maxEntries).toBe(2_000_000);
    });

    it("accepts custom limits", () => {
      const stats = memoryStore({ maxEntries: 1, maxPermanentEntries: 7 }).stats();
      expect(stats.maxEntries).toBe(1);
      expect(stats.maxPermanentEntries).toBe(7);
    });

    const bad: readonly unknown[] = [0, -1, 1.5, Number.NaN, Infinity, "10", null, 2 ** 60];
    for (const option of ["maxEntries", "maxPermanentEntries"] as const) {
      it.each(bad.map((v) => [String(v), v]))(
        `rejects ${option} = %s with a ConfigError naming it`,
        (_label, value) => {
          const create = () => memoryStore({ [option]: value } as MemoryStoreOptions);
          expect(create).toThrow(ConfigError);
          expect(create).toThrow(`Option \`${option}\` must be a positive integer`);
          try {
            create();
          } catch (err) {
            expect(err).toMatchObject({ code: "config_invalid", provider: "memory" });
            expect((err as Error).message).toMatch(/^\[otzovik\] \[memory\] /);
          }
        },
      );
    }

    it("rejects a clock that is not a function", () => {
      const create = () => memoryStore({ now: 5 as unknown as () => number });
      expect(create).toThrow(ConfigError);
      expect(create).toThrow(
        "[otzovik] [memory] Option `now` must be a function returning milliseconds.",
      );
    });

    it("rejects options that are not an object", () => {
      expect(() => memoryStore(null as unknown as MemoryStoreOptions)).toThrow(
        "Memory store options must be an object, got null.",
      );
      expect(() => memoryStore(100 as unknown as MemoryStoreOptions)).toThrow(ConfigError);
      expect(() => memoryStore([] as unknown as MemoryStoreOptions)).toThrow(
        "[otzovik] [memory] Memory store options must be an object, got an array.",
      );
    });
  });

  describe("argument validation", () => {
    it("rejects an invalid ttlMs with a ValidationError", async () => {
      const store = memoryStore();
      const err = await store.claim("k", "v", 0).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect(err).toMatchObject({ code: "invalid_ttl", provider: "memory", retryable: false });
      expect((err as Error).message).toBe(
        "[otzovik] [memory] `ttlMs` must be a positive integer number of milliseconds, got 0.",
      );
      await expect(store.set("k", "v", -5)).rejects.toThrow("got -5.");
      await expect(store.set("k", "v", 1.5)).rejects.toThrow("got 1.5.");
      await expect(store.set("k", "v", "10" as unknown as number)).rejects.toThrow("got a string.");
      expect(store.size).toBe(0);
    });

    it("rejects keys and values that are not strings", async () => {
      const store = memoryStore();
      await expect(store.get(42 as unknown as string)).rejects.toMatchObject({
        code: "invalid_key",
      });
      await expect(store.set("k", null as unknown as string)).rejects.toMatchObject({
        code: "invalid_value",
      });
      await expect(store.claim("k", { a: 1 } as unknown as string, MINUTE)).rejects.toThrow(
        "`value` must be a string, got object.",
      );
      await expect(store.delete(undefined as unknown as string)).rejects.toThrow(ValidationError);
      expect(store.size).toBe(0);
    });
  });

  describe("expiry", () => {
    it("is exact: present 1 ms before the TTL, absent at the TTL", async () => {
      const { store, advance } = clocked();
      await store.claim("k", "v", 100);
      advance(99);
      await expect(store.get("k")).resolves.toBe("v");
      await expect(store.claim("k", "other", 100)).resolves.toBe(false);
      advance(1);
      await expect(store.get("k")).resolves.toBeNull();
      await expect(store.claim("k", "other", 100)).resolves.toBe(true);
    });

    it("reclaims an expired entry when it is read", async () => {
      const { store, advance } = clocked();
      await store.set("k", "v", 100);
      advance(100);
      expect(store.stats().entries).toBe(1);
      await expect(store.get("k")).resolves.toBeNull();
      expect(store.stats()).toMatchObject({ entries: 0, expired: 1 });
    });

    it("reclaims expired entries on later writes, without timers", async () => {
      const setTimeoutSpy = vi.spyOn(globalThis, "setTimeout");
      const setIntervalSpy = vi.spyOn(globalThis, "setInterval");
      const { store, advance } = clocked();
      for (let i = 0; i < 1000; i++) await store.claim(`old-${i}`, "v", 100);
      advance(100);
      for (let i = 0; i < 100; i++) await store.claim(`new-${i}`, "v", MINUTE);
      expect(store.stats().entries).toBeLessThan(1100);
      for (let i = 0; i < 1000; i++) await store.claim(`new2-${i}`, "v", MINUTE);
      expect(store.stats()).toMatchObject({ entries: 1100, expired: 1000, evictions: 0 });
      expect(setTimeoutSpy).not.toHaveBeenCalled();
      expect(setIntervalSpy).not.toHaveBeenCalled();
    });

    it("follows the injected clock, even when it goes backwards", async () => {
      const { store, clock } = clocked();
      await store.set("k", "v", 1000);
      clock.time -= 10_000;
      await expect(store.get("k")).resolves.toBe("v");
      clock.time += 11_000;
      await expect(store.get("k")).resolves.toBeNull();
    });
  });

  describe("LRU eviction of entries with a TTL", () => {
    it("evicts the least recently used entry when full", async () => {
      const { store } = clocked({ maxEntries: 3 });
      await store.claim("a", "1", MINUTE);
      await store.claim("b", "2", MINUTE);
      await store.claim("c", "3", MINUTE);
      await store.claim("d", "4", MINUTE);
      await expect(store.get("a")).resolves.toBeNull();
      await expect(store.get("b")).resolves.toBe("2");
      expect(store.stats()).toMatchObject({ entries: 3, evictions: 1 });
    });

    it("keeps a recently read entry", async () => {
      const { store } = clocked({ maxEntries: 3 });
      await store.set("a", "1", MINUTE);
      await store.set("b", "2", MINUTE);
      await store.set("c", "3", MINUTE);
      await store.get("a");
      await store.set("d", "4", MINUTE);
      await expect(store.get("a")).resolves.toBe("1");
      await expect(store.get("b")).resolves.toBeNull();
      await expect(store.get("c")).resolves.toBe("3");
      await expect(store.get("d")).resolves.toBe("4");
    });

    it("counts overwrites and lost claims as use", async () => {
      const { store } = clocked({ maxEntries: 3 });
      await store.claim("a", "1", MINUTE);
      await store.claim("b", "2", MINUTE);
      await store.claim("c", "3", MINUTE);
      await expect(store.claim("a", "x", MINUTE)).resolves.toBe(false);
      await store.set("b", "2b", MINUTE);
      await store.claim("d", "4", MINUTE);
      await expect(store.get("c")).resolves.toBeNull();
      await expect(store.get("a")).resolves.toBe("1");
      await expect(store.get("b")).resolves.toBe("2b");
    });

    it("does not evict when a live key is overwritten in a full store", async () => {
      const { store } = clocked({ maxEntries: 2 });
      await store.set("a", "1", MINUTE);
      await store.set("b", "2", MINUTE);
      await store.set("a", "1b", MINUTE);
      await store.set("b", "2b", MINUTE);
      expect(store.stats()).toMatchObject({ entries: 2, evictions: 0 });
      await expect(store.get("a")).resolves.toBe("1b");
    });

    it("reclaims expired entries before evicting live ones", async () => {
      const { store, advance } = clocked({ maxEntries: 3 });
      await store.set("long-1", "1", 10 * MINUTE);
      await store.set("long-2", "2", 10 * MINUTE);
      await store.set("short", "3", MINUTE);
      advance(MINUTE);
      await store.set("new", "4", MINUTE);
      expect(store.stats()).toMatchObject({ entries: 3, evictions: 0, expired: 1 });
      await expect(store.get("long-1")).resolves.toBe("1");
      await expect(store.get("long-2")).resolves.toBe("2");
      await expect(store.get("new")).resolves.toBe("4");
    });

    it("evicts live entries only once no entry has expired", async () => {
      const { store, advance } = clocked({ maxEntries: 100 });
      for (let i = 0; i < 50; i++) await store.set(`live-${i}`, "v", 10 * MINUTE);
      for (let i = 0; i < 50; i++) await store.set(`short-${i}`, "v", MINUTE);
      advance(MINUTE);
      for (let i = 0; i < 50; i++) await store.set(`new-${i}`, "v", 10 * MINUTE);
      expect(store.stats()).toMatchObject({ entries: 100, evictions: 0, expired: 50 });
      await store.set("one-more", "v", 10 * MINUTE);
      expect(store.stats()).toMatchObject({ entries: 100, evictions: 1 });
      await expect(store.get("live-0")).resolves.toBeNull();
      await expect(store.get("live-1")).resolves.toBe("v");
    });

    it("stays within maxEntries after 200,000 distinct claims", async () => {
      const store = memoryStore({ maxEntries: 10_000, logger: { warn: () => {} } });
      let won = 0;
      for (let i = 0; i < 200_000; i++) {
        if (await store.claim(`order:${i}`, "sent", 30 * 24 * 3600_000)) won++;
      }
      expect(won).toBe(200_000);
      const stats = store.stats();
      expect(stats.entries).toBeLessThanOrEqual(10_000);
      expect(stats.entries).toBe(10_000);
      expect(stats.evictions).toBe(190_000);
      expect(store.size).toBe(10_000);
      await expect(store.get("order:199999")).resolves.toBe("sent");
      await expect(store.get("order:190000")).resolves.toBe("sent");
      await expect(store.get("order:189999")).resolves.toBeNull();
    });

    it("stays correct under many overwrites of the same keys", async () => {
      const { store, advance } = clocked({ maxEntries: 10 });
      for (let i = 0; i < 20_000; i++) {
        await store.set(`k${i % 5}`, String(i), MINUTE + (i % 7));
        if (i % 1000 === 0) advance(1);
      }
      expect(store.stats()).toMatchObject({ entries: 5, evictions: 0 });
      for (let j = 0; j < 5; j++) {
        await expect(store.get(`k${j}`)).resolves.toBe(String(19_995 + j));
      }
      advance(MINUTE + 7);
      for (let j = 0; j < 5; j++) await expect(store.get(`k${j}`)).resolves.toBeNull();
    });
  });

  describe("eviction of live entries", () => {
    it("is logged once as a warning and counted every time", async () => {
      const warn = vi.fn();
      const { store } = clocked({ maxEntries: 2, logger: { warn } });
      await store.claim("order:1", "v", MINUTE);
      await store.claim("order:2", "v", MINUTE);
      expect(warn).not.toHaveBeenCalled();
      await store.claim("order:3", "v", MINUTE);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith(
        "memory store full: evicted an entry before its TTL ran out (the order it remembered could be sent again if its webhook comes back); raise `maxEntries` or use a shared store such as Redis. Further evictions are only counted (stats().evictions).",
        { maxEntries: 2, ttlLeftMs: MINUTE },
      );
      await store.claim("order:4", "v", MINUTE);
      await store.set("order:5", "v", MINUTE);
      await store.batch([{ op: "claim", key: "order:6", value: "v", ttlMs: MINUTE }]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(store.stats()).toMatchObject({ entries: 2, evictions: 4, expired: 0 });
    });

    it("is not what happens to expired entries: reclaiming them logs nothing", async () => {
      const warn = vi.fn();
      const { store, advance } = clocked({ maxEntries: 2, logger: { warn } });
      await store.claim("order:1", "v", MINUTE);
      await store.claim("order:2", "v", MINUTE);
      advance(MINUTE);
      await store.claim("order:3", "v", MINUTE);
      await store.claim("order:4", "v", MINUTE);
      expect(store.stats()).toMatchObject({ entries: 2, evictions: 0, expired: 2 });
      expect(warn).not.toHaveBeenCalled();
    });

    it("goes to console.warn, prefixed, without a logger; a throwing logger is ignored", async () => {
      const consoleWarn = vi.spyOn(console, "warn").mockImplementation(() => {});
      const plain = memoryStore({ maxEntries: 1 });
      await plain.claim("a", "v", MINUTE);
      await plain.claim("b", "v", MINUTE);
      expect(consoleWarn).toHaveBeenCalledTimes(1);
      expect(consoleWarn.mock.calls[0]?.[0]).toMatch(/^\[otzovik\] memory store full: /);
      const broken = memoryStore({
        maxEntries: 1,
        logger: {
          warn: () => {
            throw new Error("logger down");
          },
        },
      });
      await broken.claim("a", "v", MINUTE);
      await expect(broken.claim("b", "v", MINUTE)).resolves.toBe(true);
      expect(broken.stats().evictions).toBe(1);
    });
  });

  describe("capacity of the default", () => {
    it("remembers 100,000 orders' claims and caps (200,000 entries): the first is still claimed", {
      timeout: 60_000,
    }, async () => {
      const warn = vi.fn();
      const store = memoryStore({ logger: { warn } });
      const ttl = 90 * 24 * 3600_000;
      for (let i = 0; i < 100_000; i++) {
        const won = await store.batch([
          { op: "claim", key: `otzovik:dedupe:default:iiko:order-${i}`, value: "c", ttlMs: ttl },
          { op: "claim", key: `otzovik:cap:default:${i.toString(16)}`, value: "p", ttlMs: ttl },
        ]);
        if (won.failedAt !== -1) throw new Error(`order ${i} was not new`);
      }
      expect(store.stats()).toMatchObject({ entries: 200_000, evictions: 0 });
      await expect(store.claim("otzovik:dedupe:default:iiko:order-0", "again", ttl)).resolves.toBe(
        false,
      );
      await expect(store.get("otzovik:cap:default:0")).resolves.toBe("p");
      expect(warn).not.toHaveBeenCalled();
    });
  });

  describe("entries without a TTL (opt-outs)", () => {
    it("are never evicted, even under a flood of entries with a TTL", async () => {
      const { store, advance } = clocked({ maxEntries: 10 });
      for (let i = 0; i < 5; i++) await store.set(`optout:${i}`, "1");
      for (let i = 0; i < 5_000; i++) {
        await store.claim(`order:${i}`, "sent", MINUTE);
        if (i % 100 === 0) advance(1000);
      }
      for (let i = 0; i < 5; i++) await expect(store.get(`optout:${i}`)).resolves.toBe("1");
      expect(store.stats()).toMatchObject({ entries: 10, permanentEntries: 5 });
      expect(store.size).toBe(15);
    });

    it("do not count against maxEntries", async () => {
      const { store } = clocked({ maxEntries: 2 });
      for (let i = 0; i < 50; i++) await store.set(`optout:${i}`, "1");
      await store.set("a", "1", MINUTE);
      await store.set("b", "1", MINUTE);
      expect(store.stats()).toMatchObject({ entries: 2, permanentEntries: 50, evictions: 0 });
    });

    it("reject one more beyond maxPermanentEntries with a store_full error", async () => {
      const { store } = clocked({ maxPermanentEntries: 2 });
      await store.set("optout:1", "1");
      await store.set("optout:2", "1");
      const err = await store.set("optout:3", "1").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OtzovikError);
      expect(err).toMatchObject({ code: "store_full", provider: "memory", retryable: false });
      const message = (err as Error).message;
      expect(message).toMatch(
        /^\[otzovik\] \[memory\] Cannot keep more than 2 entries without a TTL/,
      );
      expect(message).toContain("Use a persistent store such as Redis");
      expect(message).toContain("maxPermanentEntries");
      await expect(store.get("optout:3")).resolves.toBeNull();
      await expect(store.get("optout:1")).resolves.toBe("1");
      await expect(store.get("optout:2")).resolves.toBe("1");
      expect(store.stats().permanentEntries).toBe(2);
    });

    it("can still be overwritten or deleted when the limit is reached", async () => {
      const { store } = clocked({ maxPermanentEntries: 2 });
      await store.set("optout:1", "1");
      await store.set("optout:2", "1");
      await store.set("optout:1", "updated");
      await expect(store.get("optout:1")).resolves.toBe("updated");
      await store.delete("optout:2");
      await store.set("optout:3", "1");
      await expect(store.get("optout:3")).resolves.toBe("1");
    });

    it("keep a TTL'd entry intact when making it permanent is refused", async () => {
      const { store } = clocked({ maxPermanentEntries: 1 });
      await store.set("optout:1", "1");
      await store.set("k", "temp", MINUTE);
      await expect(store.set("k", "forever")).rejects.toMatchObject({ code: "store_full" });
      await expect(store.get("k")).resolves.toBe("temp");
      await store.set("optout:1", "moved", MINUTE);
      await store.set("k", "forever");
      expect(store.stats()).toMatchObject({ entries: 1, permanentEntries: 1 });
    });

    it("leave entries with a TTL usable when the permanent limit is reached", async () => {
      const { store } = clocked({ maxPermanentEntries: 1 });
      await store.set("optout:1", "1");
      await expect(store.claim("order:1", "sent", MINUTE)).resolves.toBe(true);
      await store.set("cap:1", "3", MINUTE);
      await expect(store.get("cap:1")).resolves.toBe("3");
    });
  });

  describe("close", () => {
    it("drops every entry and rejects later calls", async () => {
      const store = memoryStore();
      await store.set("a", "1");
      await store.claim("b", "1", MINUTE);
      await store.close();
      expect(store.size).toBe(0);
      await expect(store.get("a")).rejects.toMatchObject({ code: "store_closed" });
      await expect(store.claim("b", "1", MINUTE)).rejects.toThrow("closed");
      await expect(store.close()).resolves.toBeUndefined();
    });
  });

  describe("matches a simple model", () => {
    type Op =
      | { op: "claim"; key: number; ttl: number }
      | { op: "set"; key: number; ttl: number | undefined }
      | { op: "get"; key: number }
      | { op: "delete"; key: number }
      | { op: "advance"; ms: number };
    const key = fc.integer({ min: 0, max: 7 });
    const ttl = fc.integer({ min: 1, max: 50 });
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constant("claim" as const), key, ttl }),
      fc.record({ op: fc.constant("set" as const), key, ttl: fc.option(ttl, { nil: undefined }) }),
      fc.record({ op: fc.constant("get" as const), key }),
      fc.record({ op: fc.constant("delete" as const), key }),
      fc.record({ op: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 60 }) }),
    );

    it("behaves like an unbounded map with expiry when nothing needs evicting", {
      timeout: 60_000,
    }, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 80 }), async (ops) => {
          const { store, clock, advance } = clocked();
          const model = new Map<string, { value: string; expiresAt: number }>();
          const live = (k: string) => {
            const e = model.get(k);
            return e !== undefined && e.expiresAt > clock.time ? e : undefined;
          };
          for (const [i, o] of ops.entries()) {
            const value = `v${i}`;
            if (o.op === "advance") {
              advance(o.ms);
              continue;
            }
            const k = `key-${o.key}`;
            if (o.op === "claim") {
              const expected = live(k) === undefined;
              if (expected) model.set(k, { value, expiresAt: clock.time + o.ttl });
              expect(await store.claim(k, value, o.ttl)).toBe(expected);
            } else if (o.op === "set") {
              model.set(k, { value, expiresAt: clock.time + (o.ttl ?? Infinity) });
              await store.set(k, value, o.ttl);
            } else if (o.op === "get") {
              expect(await store.get(k)).toBe(live(k)?.value ?? null);
            } else {
              model.delete(k);
              await store.delete(k);
            }
          }
          for (let j = 0; j <= 7; j++) {
            expect(await store.get(`key-${j}`)).toBe(live(`key-${j}`)?.value ?? null);
          }
        }),
        { seed: 11, numRuns: 300 },
      );
    });

    it("never returns a wrong value and never loses a permanent entry when evicting", {
      timeout: 60_000,
    }, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(op, { maxLength: 120 }),
          fc.integer({ min: 1, max: 4 }),
          async (ops, maxEntries) => {
            const { store, clock, advance } = clocked({ maxEntries });
            const model = new Map<string, { value: string; expiresAt: number }>();
            for (const [i, o] of ops.entries()) {
              const value = `v${i}`;
              if (o.op === "advance") {
                advance(o.ms);
                continue;
              }
              const k = `key-${o.key}`;
              const e = model.get(k);
              if (o.op === "claim") {
                const won = await store.claim(k, value, o.ttl);
                // Losing is only allowed while the model says the key is live.
                if (!won) expect(e !== undefined && e.expiresAt > clock.time).toBe(true);
                if (won) model.set(k, { value, expiresAt: clock.time + o.ttl });
              } else if (o.op === "set") {
                model.set(k, { value, expiresAt: clock.time + (o.ttl ?? Infinity) });
                await store.set(k, value, o.ttl);
              } else if (o.op === "get") {
                const got = await store.get(k);
                const expected = e !== undefined && e.expiresAt > clock.time ? e.value : null;
                // An entry with a TTL may have been evicted; anything else must match exactly.
                if (got !== null || e?.expiresAt === Infinity) expect(got).toBe(expected);
                if (got === null) model.delete(k);
              } else {
                model.delete(k);
                await store.delete(k);
              }
              expect(store.stats().entries).toBeLessThanOrEqual(maxEntries);
            }
          },
        ),
        { seed: 12, numRuns: 300 },
      );
    });
  });
});
