import * as z from "zod/mini";
import { OtzovikError } from "../core/errors.js";
import { createLogger, type Logger } from "../core/logger.js";
import { guard, loggerOption, optionsObject, parseOptions } from "../core/options.js";
import { conditionHolds, incremented, readSavedResult, savedResult } from "./batch.js";
import { EntryTable, FOREVER, NO_SLOT } from "./entry-table.js";
import { DIGEST_WORDS, keyDigest } from "./key-digest.js";
import type { BatchReceipt, BatchResult, Store, StoreStep } from "./types.js";
import { checkKey, checkReceipt, checkSteps, checkTtl, checkValue, describe } from "./validate.js";

const PROVIDER = "memory";

/** Default {@link MemoryStoreOptions.maxEntries}: entries with a TTL kept before LRU eviction. */
export const DEFAULT_MAX_ENTRIES = 2_000_000;
/** Default {@link MemoryStoreOptions.maxPermanentEntries}: entries without a TTL (opt-outs). */
export const DEFAULT_MAX_PERMANENT_ENTRIES = 100_000;

/** Expired entries reclaimed on each write, so memory is given back without timers. */
const PURGE_PER_WRITE = 16;

/** Options accepted by {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * How many entries **with a TTL** (dedupe claims, frequency caps, failure records) the store
   * keeps. When it is full, expired entries are reclaimed first; if none has expired, the least
   * recently used entry with a TTL is evicted (like Redis `volatile-lru`), the first time with a
   * warning. A positive integer; default `2_000_000`: the requester keeps two entries per order
   * (its claim and the contact's frequency cap), so the default remembers 1,000,000 orders. An
   * entry takes about 50 bytes (2,000,000: about 100 MB); memory is taken as entries arrive, not
   * up front.
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
  /**
   * Where the warning goes when a live entry is evicted (logged once; every eviction is counted in
   * {@link MemoryStoreStats.evictions}). Missing methods fall back as in `createLogger`: `warn`
   * goes to `console.warn`. The requester passes its own logger to the store it creates.
   */
  logger?: Partial<Logger>;
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
  /**
   * Entries with a TTL evicted because the store was full (least recently used first). Expired
   * entries are always reclaimed before anything is evicted, so each of these was younger than its
   * TTL: an order the requester would have recognised as a duplicate. The first one is logged as a
   * warning; anything above `0` means `maxEntries` is too small for the traffic.
   */
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
  /** Always `true`: see {@link Store.inProcess}. */
  readonly inProcess: true;
  /** Entries currently held, with and without a TTL (expired ones not reclaimed yet included). */
  readonly size: number;
  /** Current counters; see {@link MemoryStoreStats}. */
  stats(): MemoryStoreStats;
  /** Runs batch steps atomically (synchronously, with no `await` in between); see {@link Store.batch}. */
  batch(steps: readonly StoreStep[], receipt?: BatchReceipt): Promise<BatchResult>;
  /** Drops every entry. Any later call rejects with an {@link OtzovikError} (`"store_closed"`). */
  close(): Promise<void>;
}

/**
 * Creates the default in-process {@link Store}: typed arrays, no timers, no dependencies.
 *
 * - **Compact**: a key is kept as a 128-bit digest (the first 16 bytes of its SHA-256), never as
 *   text, and a value as an id into a table of distinct values with reference counts. An entry
 *   costs about 50 bytes, whatever the length of its key, plus its value when no other entry
 *   holds the same one (the requester's values all come from a small set). The arrays start
 *   small and double as entries arrive.
 * - **Entries with a TTL** are bounded by `maxEntries` (default `2_000_000`, about 100 MB when
 *   full). The requester keeps two per order (the order's claim and the contact's frequency cap),
 *   so the default remembers the last 1,000,000 orders within their TTLs. When the store is full,
 *   expired entries are reclaimed first, then the least recently used entry with a TTL is evicted
 *   (like Redis `volatile-lru`); reads, overwrites and failed claims count as use. An evicted
 *   entry was still live, so an order it remembered could be sent again: the first eviction is
 *   logged as a warning, every one is counted in {@link MemoryStoreStats.evictions}.
 * - **Entries without a TTL** (opt-outs) are never evicted. They are bounded separately by
 *   `maxPermanentEntries` (default `100_000`); one more rejects with an {@link OtzovikError}
 *   (code `"store_full"`) rather than silently forgetting someone who refused messages.
 * - **Expiry is exact**: a key whose TTL has elapsed reads as absent and can be claimed again. It is
 *   checked lazily on access; expired entries are reclaimed on writes and before any eviction, so
 *   no timer is created per key.
 * - {@link Store.claim} and {@link Store.batch} are atomic within the process: they run
 *   synchronously.
 *
 * The memory store is **per process** and is lost on restart. With several server instances (or
 * serverless functions) each would keep its own claims and opt-outs, so the same order could be
 * messaged twice and an opt-out could be ignored: use a shared, persistent store such as Redis.
 *
 * @param options - Limits, clock and logger; see {@link MemoryStoreOptions}.
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
  const logger = createLogger(valid.logger ?? undefined);

  const table = new EntryTable(maxEntries + maxPermanentEntries);
  /** The digest of the key being worked on; every operation hashes its key into it first. */
  const digest = new Uint32Array(DIGEST_WORDS);
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

  /** Hashes `key` into `digest` and finds its slot, expired or not. */
  function locate(key: string): number {
    keyDigest(key, digest);
    return table.find(digest);
  }

  /** The slot of `key` when it holds a live entry; an expired one is reclaimed. Sets `digest`. */
  function liveSlot(key: string, time: number): number {
    const slot = locate(key);
    if (slot === NO_SLOT || table.expiresAt(slot) > time) return slot;
    table.remove(slot);
    expired++;
    return NO_SLOT;
  }

  /** Reclaims up to `limit` expired entries, earliest expiry first. Returns how many it removed. */
  function purgeExpired(time: number, limit: number): number {
    let removed = 0;
    while (removed < limit) {
      const slot = table.earliestExpiry();
      if (slot === NO_SLOT || table.expiresAt(slot) > time) break;
      table.remove(slot);
      expired++;
      removed++;
    }
    return removed;
  }

  /**
   * Makes room for one more entry with a TTL: reclaims an expired entry, or else evicts the least
   * recently used one. That one has not expired (nothing had), so it is a loss worth a warning.
   */
  function makeRoom(time: number): void {
    if (table.volatileCount < maxEntries || purgeExpired(time, 1) > 0) return;
    const slot = table.leastRecentlyUsed();
    if (slot === NO_SLOT) return;
    const leftMs = table.expiresAt(slot) - time;
    table.remove(slot);
    if (evictions++ === 0) {
      logger.warn(
        "memory store full: evicted an entry before its TTL ran out (the order it remembered could be sent again if its webhook comes back); raise `maxEntries` or use a shared store such as Redis. Further evictions are only counted (stats().evictions).",
        { maxEntries, ttlLeftMs: leftMs },
      );
    }
  }

  /** Stores a new entry with a TTL for the key in `digest` (known to be absent). */
  function insertVolatile(value: string, ttlMs: number, time: number): void {
    purgeExpired(time, PURGE_PER_WRITE);
    makeRoom(time);
    table.insert(digest, value, time + ttlMs);
  }

  /** Claims `key`: `null` when this call created it, else the value it holds. Synchronous. */
  function claimNow(key: string, value: string, ttlMs: number, time: number): string | null {
    const slot = liveSlot(key, time);
    if (slot !== NO_SLOT) {
      if (!table.isPermanent(slot)) table.touch(slot);
      return table.value(slot);
    }
    insertVolatile(value, ttlMs, time);
    return null;
  }

  /** The value of `key`, or `null`. Synchronous. */
  function getNow(key: string, time: number): string | null {
    const slot = liveSlot(key, time);
    if (slot === NO_SLOT) return null;
    if (!table.isPermanent(slot)) table.touch(slot);
    return table.value(slot);
  }

  /** Sets `key`, with a TTL or kept until deleted. Synchronous; `ttlMs` already checked. */
  function setNow(key: string, value: string, ttlMs: number | undefined, time: number): void {
    if (ttlMs === undefined) {
      const slot = locate(key);
      if (slot !== NO_SLOT && table.isPermanent(slot)) {
        table.update(slot, value, FOREVER);
        return;
      }
      if (table.permanentCount >= maxPermanentEntries) {
        throw new OtzovikError(
          `Cannot keep more than ${maxPermanentEntries} entries without a TTL (opt-outs) in memory; nothing was forgotten, but this one was not saved. Use a persistent store such as Redis, or raise 'maxPermanentEntries'.`,
          { code: "store_full", provider: PROVIDER },
        );
      }
      if (slot === NO_SLOT) table.insert(digest, value, FOREVER);
      else table.update(slot, value, FOREVER);
      return;
    }
    purgeExpired(time, PURGE_PER_WRITE);
    const slot = locate(key);
    if (slot === NO_SLOT) {
      insertVolatile(value, ttlMs, time);
    } else if (!table.isPermanent(slot)) {
      // Expired or not, the entry is replaced in place: no room needed.
      table.update(slot, value, time + ttlMs);
      table.touch(slot);
    } else {
      makeRoom(time);
      table.update(slot, value, time + ttlMs);
    }
  }

  /** Deletes `key`. Synchronous. */
  function deleteNow(key: string): void {
    const slot = locate(key);
    if (slot !== NO_SLOT) table.remove(slot);
  }

  /** The steps of a batch, at `time`, with no `await`: see {@link Store.batch}. */
  function runSteps(steps: readonly StoreStep[], time: number): BatchResult {
    const values: (string | null)[] = [];
    for (const [index, step] of steps.entries()) {
      if (step.op === "claim") {
        const existing = claimNow(step.key, step.value, step.ttlMs, time);
        values.push(existing);
        if (existing !== null) return { values, failedAt: index };
      } else if (step.op === "absent" || step.op === "expect" || step.op === "get") {
        const value = getNow(step.key, time);
        values.push(value);
        if (!conditionHolds(step, value)) return { values, failedAt: index };
      } else if (step.op === "set") {
        setNow(step.key, step.value, step.ttlMs, time);
        values.push(null);
      } else if (step.op === "incr") {
        const value = incremented(getNow(step.key, time), step.by);
        setNow(step.key, value, step.ttlMs, time);
        values.push(value);
      } else {
        deleteNow(step.key);
        values.push(null);
      }
    }
    return { values, failedAt: -1 };
  }

  const store: MemoryStore = {
    name: PROVIDER,
    inProcess: true,

    get size() {
      return table.volatileCount + table.permanentCount;
    },

    stats() {
      return {
        entries: table.volatileCount,
        permanentEntries: table.permanentCount,
        evictions,
        expired,
        maxEntries,
        maxPermanentEntries,
      };
    },

    async claim(key, value, ttlMs) {
      checkOpen();
      checkKey(key, PROVIDER);
      checkValue(value, PROVIDER);
      checkTtl(ttlMs, PROVIDER);
      return claimNow(key, value, ttlMs, now()) === null;
    },

    async get(key) {
      checkOpen();
      checkKey(key, PROVIDER);
      return getNow(key, now());
    },

    async set(key, value, ttlMs) {
      checkOpen();
      checkKey(key, PROVIDER);
      checkValue(value, PROVIDER);
      if (ttlMs !== undefined) checkTtl(ttlMs, PROVIDER);
      setNow(key, value, ttlMs, now());
    },

    async delete(key) {
      checkOpen();
      checkKey(key, PROVIDER);
      deleteNow(key);
    },

    async batch(steps, receipt) {
      checkOpen();
      // Validate every step first, so a bad one fails the batch before anything changed.
      checkSteps(steps, PROVIDER);
      checkReceipt(receipt, PROVIDER);
      // No `await` from here on: the whole batch is atomic on the single JS thread.
      const time = now();
      if (receipt) {
        const saved = readSavedResult(getNow(receipt.key, time));
        if (saved) return saved;
      }
      const result = runSteps(steps, time);
      if (receipt) setNow(receipt.key, savedResult(result), receipt.ttlMs, time);
      return result;
    },

    async close() {
      closed = true;
      table.clear();
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
    logger: z.nullish(loggerOption),
  },
  (options) =>
    `Memory store options must be an object, got ${Array.isArray(options) ? "an array" : describe(options)}`,
);
