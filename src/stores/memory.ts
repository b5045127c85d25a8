import * as z from "zod/mini";
import { OtzovikError, ValidationError } from "../core/errors.js";
import { MinHeap } from "../core/heap.js";
import { guard, optionsObject, parseOptions } from "../core/options.js";
import type { BatchResult, Store, StoreStep } from "./types.js";

const PROVIDER = "memory";

/** Default {@link MemoryStoreOptions.maxEntries}: entries with a TTL kept before LRU eviction. */
export const DEFAULT_MAX_ENTRIES = 100_000;
/** Default {@link MemoryStoreOptions.maxPermanentEntries}: entries without a TTL (opt-outs). */
export const DEFAULT_MAX_PERMANENT_ENTRIES = 100_000;

/** Expired entries reclaimed on each write, so memory is given back without timers. */
const PURGE_PER_WRITE = 16;

/** Options accepted by {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * How many entries **with a TTL** (dedupe claims, frequency caps, failure records) the store
   * keeps. When it is full, expired entries are reclaimed first; if none has expired, the least
   * recently used entry with a TTL is evicted (like Redis `volatile-lru`). A positive integer;
   * default `100_000`.
   */
  maxEntries?: number;
  /**
   * How many entries **without a TTL** (opt-outs) the store keeps. These are never evicted: once
   * the limit is reached, setting one more rejects with an {@link OtzovikError} (code
   * `"store_full"`) instead of forgetting anyone. A positive integer; default `100_000`.
   */
  maxPermanentEntries?: number;
  /**
   * The clock, in milliseconds, used for every expiry decision. Default `Date.now`. Inject a fake
   * clock in tests to move time without waiting.
   */
  now?: () => number;
}

/** Counters returned by {@link MemoryStore.stats}, for tests and monitoring. */
export interface MemoryStoreStats {
  /**
   * Entries with a TTL currently held, including expired ones not reclaimed yet (those read as
   * absent and are reclaimed on access, on writes and before any eviction). Never above
   * {@link MemoryStoreStats.maxEntries}.
   */
  entries: number;
  /** Entries without a TTL (opt-outs) currently held. Never above `maxPermanentEntries`. */
  permanentEntries: number;
  /** Live entries with a TTL evicted because the store was full (least recently used first). */
  evictions: number;
  /** Expired entries reclaimed so far. */
  expired: number;
  /** The configured {@link MemoryStoreOptions.maxEntries}. */
  maxEntries: number;
  /** The configured {@link MemoryStoreOptions.maxPermanentEntries}. */
  maxPermanentEntries: number;
}

/** The {@link Store} returned by {@link memoryStore}, with counters for tests and monitoring. */
export interface MemoryStore extends Store {
  /** Always `"memory"`. */
  readonly name: "memory";
  /** Entries currently held, with and without a TTL (expired ones not reclaimed yet included). */
  readonly size: number;
  /** Current counters; see {@link MemoryStoreStats}. */
  stats(): MemoryStoreStats;
  /** Runs batch steps atomically (synchronously, with no `await` in between); see {@link Store.batch}. */
  batch(steps: readonly StoreStep[]): Promise<BatchResult>;
  /** Drops every entry. Any later call rejects with an {@link OtzovikError} (`"store_closed"`). */
  close(): Promise<void>;
}

/** An entry with a TTL; also a node of the LRU list (least recently used at the head). */
interface Entry {
  readonly key: string;
  readonly value: string;
  readonly expiresAt: number;
  prev: Entry | null;
  next: Entry | null;
}

/**
 * Creates the default in-process {@link Store}: two maps, no timers, no dependencies.
 *
 * - **Entries with a TTL** are bounded by `maxEntries` (default `100_000`). When the store is full,
 *   expired entries are reclaimed first, then the least recently used entry with a TTL is evicted
 *   (like Redis `volatile-lru`). Reads, overwrites and failed claims count as use.
 * - **Entries without a TTL** (opt-outs) are never evicted. They are bounded separately by
 *   `maxPermanentEntries` (default `100_000`); one more rejects with an {@link OtzovikError}
 *   (code `"store_full"`) rather than silently forgetting someone who refused messages.
 * - **Expiry is exact**: a key whose TTL has elapsed reads as absent and can be claimed again. It is
 *   checked lazily on access; expired entries are reclaimed on writes and before any eviction, so
 *   no timer is created per key.
 * - {@link Store.claim} is atomic within the process: the check and the set run synchronously.
 *
 * The memory store is **per process** and is lost on restart. With several server instances (or
 * serverless functions) each would keep its own claims and opt-outs, so the same order could be
 * messaged twice and an opt-out could be ignored: use a shared, persistent store such as Redis.
 *
 * @param options - Limits and clock; see {@link MemoryStoreOptions}.
 * @returns A {@link MemoryStore}.
 * @throws {@link ConfigError} when an option is not a positive integer (or `now` not a function).
 *
 * @example
 * const store = memoryStore({ maxEntries: 50_000 });
 * if (await store.claim(`order:${orderId}`, "sent", 30 * 24 * 3600_000)) await sendReviewRequest();
 */
export function memoryStore(options?: MemoryStoreOptions): MemoryStore {
  const valid = parseOptions(optionsSchema, options === undefined ? {} : options, {
    provider: PROVIDER,
  });
  const maxEntries = valid.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const maxPermanentEntries = valid.maxPermanentEntries ?? DEFAULT_MAX_PERMANENT_ENTRIES;
  const now = valid.now ?? Date.now;

  /**
   * Entries with a TTL, by key. Their LRU order is a linked list rather than the Map's insertion
   * order: V8 Maps leave holes when entries are deleted from the front, which makes finding the
   * oldest entry slow under constant eviction.
   */
  let volatile = new Map<string, Entry>();
  let lruHead: Entry | null = null;
  let lruTail: Entry | null = null;
  /** Entries without a TTL. A key is in at most one of the two maps. */
  let permanent = new Map<string, string>();
  /** Min-heap of entries by `expiresAt`; items whose entry was replaced or removed are stale. */
  const heap = new MinHeap<Entry>(byExpiry);
  let evictions = 0;
  let expired = 0;
  let closed = false;

  function checkOpen(): void {
    if (closed) {
      throw new OtzovikError("The memory store is closed; create a new one.", {
        code: "store_closed",
        provider: PROVIDER,
      });
    }
  }

  function linkAtTail(entry: Entry): void {
    entry.prev = lruTail;
    entry.next = null;
    if (lruTail === null) lruHead = entry;
    else lruTail.next = entry;
    lruTail = entry;
  }

  function unlink(entry: Entry): void {
    if (entry.prev === null) lruHead = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next === null) lruTail = entry.prev;
    else entry.next.prev = entry.prev;
    entry.prev = null;
    entry.next = null;
  }

  /** Removes an entry with a TTL. Its heap item, if any, becomes stale. */
  function remove(entry: Entry): void {
    volatile.delete(entry.key);
    unlink(entry);
  }

  /** Removes the entry with a TTL under `key`, if there is one. */
  function removeKey(key: string): boolean {
    const entry = volatile.get(key);
    if (entry === undefined) return false;
    remove(entry);
    return true;
  }

  /** The live entry with a TTL for `key`, reclaiming it when expired. Does not touch LRU order. */
  function liveEntry(key: string, time: number): Entry | undefined {
    const entry = volatile.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > time) return entry;
    remove(entry);
    expired++;
    return undefined;
  }

  /** Marks `entry` as the most recently used. */
  function touch(entry: Entry): void {
    if (entry === lruTail) return;
    unlink(entry);
    linkAtTail(entry);
  }

  /** Reclaims up to `limit` expired entries, earliest expiry first. Returns how many it removed. */
  function purgeExpired(time: number, limit: number): number {
    let removed = 0;
    while (removed < limit) {
      const top = heap.peek();
      if (top === undefined || top.expiresAt > time) break;
      heap.pop();
      if (volatile.get(top.key) === top) {
        remove(top);
        expired++;
        removed++;
      }
    }
    return removed;
  }

  /**
   * Stores `value` under `key` with a TTL, replacing any entry with a TTL the key has. When the key
   * is new and the store is full, an expired entry is reclaimed or else the least recently used one
   * is evicted.
   */
  function putVolatile(key: string, value: string, ttlMs: number, time: number): void {
    purgeExpired(time, PURGE_PER_WRITE);
    if (!removeKey(key) && volatile.size >= maxEntries && purgeExpired(time, 1) === 0) {
      if (lruHead !== null) {
        remove(lruHead);
        evictions++;
      }
    }
    const entry: Entry = { key, value, expiresAt: time + ttlMs, prev: null, next: null };
    volatile.set(key, entry);
    linkAtTail(entry);
    heap.push(entry);
    // Replaced and evicted entries leave stale heap items behind; rebuild before they pile up.
    if (heap.size > 2 * volatile.size + 1024) heap.rebuild([...volatile.values()]);
  }

  /** Claims `key`: `null` when this call created it, else the value it holds. Synchronous. */
  function claimNow(key: string, value: string, ttlMs: number, time: number): string | null {
    const fixed = permanent.get(key);
    if (fixed !== undefined) return fixed;
    const existing = liveEntry(key, time);
    if (existing !== undefined) {
      touch(existing);
      return existing.value;
    }
    putVolatile(key, value, ttlMs, time);
    return null;
  }

  /** The value of `key`, or `null`. Synchronous. */
  function getNow(key: string, time: number): string | null {
    const fixed = permanent.get(key);
    if (fixed !== undefined) return fixed;
    const entry = liveEntry(key, time);
    if (entry === undefined) return null;
    touch(entry);
    return entry.value;
  }

  /** Sets `key`, with a TTL or kept until deleted. Synchronous; `ttlMs` already checked. */
  function setNow(key: string, value: string, ttlMs: number | undefined, time: number): void {
    if (ttlMs === undefined) {
      if (!permanent.has(key) && permanent.size >= maxPermanentEntries) {
        throw new OtzovikError(
          `Cannot keep more than ${maxPermanentEntries} entries without a TTL (opt-outs) in memory; nothing was forgotten, but this one was not saved. Use a persistent store such as Redis, or raise 'maxPermanentEntries'.`,
          { code: "store_full", provider: PROVIDER },
        );
      }
      removeKey(key);
      permanent.set(key, value);
      return;
    }
    permanent.delete(key);
    putVolatile(key, value, ttlMs, time);
  }

  /** Deletes `key`. Synchronous. */
  function deleteNow(key: string): void {
    permanent.delete(key);
    removeKey(key);
  }

  const store: MemoryStore = {
    name: PROVIDER,

    get size() {
      return volatile.size + permanent.size;
    },

    stats() {
      return {
        entries: volatile.size,
        permanentEntries: permanent.size,
        evictions,
        expired,
        maxEntries,
        maxPermanentEntries,
      };
    },

    async claim(key, value, ttlMs) {
      checkOpen();
      checkKey(key);
      checkValue(value);
      checkTtl(ttlMs);
      return claimNow(key, value, ttlMs, now()) === null;
    },

    async get(key) {
      checkOpen();
      checkKey(key);
      return getNow(key, now());
    },

    async set(key, value, ttlMs) {
      checkOpen();
      checkKey(key);
      checkValue(value);
      if (ttlMs !== undefined) checkTtl(ttlMs);
      setNow(key, value, ttlMs, now());
    },

    async delete(key) {
      checkOpen();
      checkKey(key);
      deleteNow(key);
    },

    async batch(steps) {
      checkOpen();
      if (!Array.isArray(steps)) {
        throw new ValidationError("`steps` must be an array of batch steps.", {
          code: "invalid_value",
          provider: PROVIDER,
        });
      }
      // Validate every step first, so a bad one fails the batch before anything changed.
      for (const step of steps) {
        checkKey(step?.key);
        if (step.op === "claim" || step.op === "set") checkValue(step.value);
        if (step.op === "claim" || (step.op === "set" && step.ttlMs !== undefined))
          checkTtl(step.ttlMs);
        if (!["claim", "absent", "get", "set", "delete"].includes(step.op)) {
          throw new ValidationError("Unknown batch step `op`.", {
            code: "invalid_value",
            provider: PROVIDER,
          });
        }
      }
      // No `await` from here on: the whole batch is atomic on the single JS thread.
      const time = now();
      const values: (string | null)[] = [];
      for (const [index, step] of steps.entries()) {
        if (step.op === "claim") {
          const existing = claimNow(step.key, step.value, step.ttlMs, time);
          values.push(existing);
          if (existing !== null) return { values, failedAt: index };
        } else if (step.op === "absent" || step.op === "get") {
          const value = getNow(step.key, time);
          values.push(value);
          if (step.op === "absent" && value !== null) return { values, failedAt: index };
        } else if (step.op === "set") {
          setNow(step.key, step.value, step.ttlMs, time);
          values.push(null);
        } else {
          deleteNow(step.key);
          values.push(null);
        }
      }
      return { values, failedAt: -1 };
    },

    async close() {
      closed = true;
      volatile = new Map();
      lruHead = null;
      lruTail = null;
      permanent = new Map();
      heap.clear();
    },
  };
  return store;
}

/** A limit option: a positive integer; `undefined` gives the default, `null` is refused. */
function positiveIntegerOption() {
  return z.optional(
    guard<number>(
      (v) => typeof v === "number" && Number.isSafeInteger(v) && v > 0,
      (v) => `must be a positive integer, got ${describe(v)}`,
    ),
  );
}

/** What {@link memoryStore} accepts. */
const optionsSchema = optionsObject(
  {
    maxEntries: positiveIntegerOption(),
    maxPermanentEntries: positiveIntegerOption(),
    now: z.nullish(
      guard<() => number>(
        (v) => typeof v === "function",
        "must be a function returning milliseconds",
      ),
    ),
  },
  (options) =>
    `Memory store options must be an object, got ${Array.isArray(options) ? "an array" : describe(options)}`,
);

function checkTtl(ttlMs: unknown): void {
  if (typeof ttlMs !== "number" || !Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new ValidationError(
      `\`ttlMs\` must be a positive integer number of milliseconds, got ${describe(ttlMs)}.`,
      { code: "invalid_ttl", provider: PROVIDER },
    );
  }
}

function checkKey(key: unknown): void {
  if (typeof key !== "string") {
    throw new ValidationError(`\`key\` must be a string, got ${describe(key)}.`, {
      code: "invalid_key",
      provider: PROVIDER,
    });
  }
}

function checkValue(value: unknown): void {
  if (typeof value !== "string") {
    throw new ValidationError(`\`value\` must be a string, got ${describe(value)}.`, {
      code: "invalid_value",
      provider: PROVIDER,
    });
  }
}

/** A short description of a bad argument for error messages (never the content of a string). */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return "a string";
  return typeof value;
}

/** Heap order of entries: earliest expiry first. */
function byExpiry(a: Entry, b: Entry): number {
  return a.expiresAt - b.expiresAt;
}
