import { DIGEST_WORDS } from "./key-digest.js";
import { SlotHeap } from "./slot-heap.js";
import { ValuePool } from "./value-pool.js";

/** "No slot": a missing key, an empty list. */
export const NO_SLOT = -1;

/** Slots of a new table; it doubles from here as entries arrive. */
const FIRST_CAPACITY = 64;
/** Index buckets per slot: the open-addressing index is at most two-thirds full. */
const BUCKETS_PER_SLOT = 1.5;
/** Expiry of an entry kept until deleted. */
export const FOREVER = Number.POSITIVE_INFINITY;

/**
 * The memory store's entries, in typed arrays rather than one object per entry: about 50 bytes an
 * entry, however long its key (a 128-bit digest is kept instead) and whatever its value (an id in
 * a {@link ValuePool}).
 *
 * Per slot: the key digest (16 bytes), the expiry (8), the value id (4), the LRU links (8), the
 * slot's place in the expiry heap (8), and 1.5 index buckets (6). The index is open addressing
 * with linear probing and backward-shift deletion (no tombstones). Entries with a TTL are also in
 * an LRU list (least recently used at the head) and a min-heap by expiry; entries without one
 * (expiry `Infinity`) are in neither. Arrays start small and double up to `maxSlots`.
 *
 * The table does no limit or expiry checks of its own; the memory store decides what to keep.
 */
export class EntryTable {
  /** Entries with a finite expiry. */
  volatileCount = 0;
  /** Entries kept until deleted. */
  permanentCount = 0;

  private capacity = 0;
  /** Slots handed out so far; slots from here to `capacity` were never used. */
  private used = 0;
  /** Freed slots, linked through `next`. */
  private freeHead = NO_SLOT;
  private digests = new Uint32Array(0);
  private expires = new Float64Array(0);
  /** The value id of each slot in use; `-1` marks a free slot. */
  private valueIds = new Int32Array(0);
  private prev = new Int32Array(0);
  private next = new Int32Array(0);
  /** Open-addressing index: slot + 1, `0` for an empty bucket. */
  private index = new Int32Array(0);
  private lruHead = NO_SLOT;
  private lruTail = NO_SLOT;
  private readonly heap = new SlotHeap();
  private readonly values = new ValuePool();

  /** @param maxSlots - The most entries the table will ever hold at once. */
  constructor(private readonly maxSlots: number) {}

  /** The slot holding the key with this digest, or {@link NO_SLOT}. */
  find(digest: Uint32Array): number {
    const index = this.index;
    const n = index.length;
    if (n === 0) return NO_SLOT;
    const d0 = digest[0] as number;
    const d1 = digest[1] as number;
    const d2 = digest[2] as number;
    const d3 = digest[3] as number;
    const digests = this.digests;
    for (let i = this.home(d0); ; ) {
      const ref = index[i] as number;
      if (ref === 0) return NO_SLOT;
      const at = (ref - 1) * DIGEST_WORDS;
      if (
        digests[at] === d0 &&
        digests[at + 1] === d1 &&
        digests[at + 2] === d2 &&
        digests[at + 3] === d3
      ) {
        return ref - 1;
      }
      if (++i === n) i = 0;
    }
  }

  /**
   * Adds an entry for a digest that is not in the table (the caller checked, and made room).
   * `expiresAt` is a time in ms, or `Infinity` for an entry kept until deleted.
   */
  insert(digest: Uint32Array, value: string, expiresAt: number): number {
    const slot = this.allocate();
    this.digests.set(digest.subarray(0, DIGEST_WORDS), slot * DIGEST_WORDS);
    this.valueIds[slot] = this.values.acquire(value);
    this.expires[slot] = expiresAt;
    this.addToIndex(slot);
    if (expiresAt === FOREVER) this.permanentCount++;
    else this.addVolatile(slot);
    return slot;
  }

  /**
   * Replaces the value and expiry of a slot in use. An entry that gains a TTL joins the LRU list at
   * its tail; one that loses it leaves the list. The LRU position of an entry that keeps a TTL is
   * left alone (see {@link EntryTable.touch}).
   */
  update(slot: number, value: string, expiresAt: number): void {
    const old = this.valueIds[slot] as number;
    this.valueIds[slot] = this.values.acquire(value);
    this.values.release(old);
    const wasPermanent = this.expires[slot] === FOREVER;
    this.expires[slot] = expiresAt;
    const permanent = expiresAt === FOREVER;
    if (wasPermanent && permanent) return;
    if (!wasPermanent && !permanent) {
      this.heap.update(slot);
    } else if (permanent) {
      this.removeVolatile(slot);
      this.permanentCount++;
    } else {
      this.permanentCount--;
      this.addVolatile(slot);
    }
  }

  /** Removes the entry in `slot` and frees the slot. */
  remove(slot: number): void {
    this.removeFromIndex(slot);
    if (this.expires[slot] === FOREVER) this.permanentCount--;
    else this.removeVolatile(slot);
    this.values.release(this.valueIds[slot] as number);
    this.valueIds[slot] = -1;
    this.next[slot] = this.freeHead;
    this.freeHead = slot;
  }

  /** The value of a slot in use. */
  value(slot: number): string {
    return this.values.value(this.valueIds[slot] as number);
  }

  /** The expiry of a slot in use, in ms (`Infinity`: kept until deleted). */
  expiresAt(slot: number): number {
    return this.expires[slot] as number;
  }

  /** `true` when the slot's entry has no TTL. */
  isPermanent(slot: number): boolean {
    return this.expires[slot] === FOREVER;
  }

  /** Marks an entry with a TTL as the most recently used. */
  touch(slot: number): void {
    if (slot === this.lruTail) return;
    this.unlink(slot);
    this.linkAtTail(slot);
  }

  /** The least recently used entry with a TTL, or {@link NO_SLOT}. */
  leastRecentlyUsed(): number {
    return this.lruHead;
  }

  /** The entry with a TTL that expires first, or {@link NO_SLOT}. */
  earliestExpiry(): number {
    return this.heap.peek();
  }

  /** Drops every entry and every array. */
  clear(): void {
    this.volatileCount = 0;
    this.permanentCount = 0;
    this.capacity = 0;
    this.used = 0;
    this.freeHead = NO_SLOT;
    this.digests = new Uint32Array(0);
    this.expires = new Float64Array(0);
    this.valueIds = new Int32Array(0);
    this.prev = new Int32Array(0);
    this.next = new Int32Array(0);
    this.index = new Int32Array(0);
    this.lruHead = NO_SLOT;
    this.lruTail = NO_SLOT;
    this.heap.clear();
    this.values.clear();
  }

  /** The bucket where a digest's probe starts: its first word scaled to the index size. */
  private home(d0: number): number {
    return Math.floor((d0 * this.index.length) / 0x100000000);
  }

  private allocate(): number {
    if (this.freeHead !== NO_SLOT) {
      const slot = this.freeHead;
      this.freeHead = this.next[slot] as number;
      return slot;
    }
    if (this.used === this.capacity) this.grow();
    return this.used++;
  }

  /**
   * Doubles the arrays (up to `maxSlots`) and rebuilds the index. Every array is a view into one
   * new `ArrayBuffer`: one large allocation that the allocator maps and unmaps on its own, so the
   * old generation's memory goes back to the system instead of lingering as free heap.
   */
  private grow(): void {
    const capacity = Math.min(Math.max(FIRST_CAPACITY, this.capacity * 2), this.maxSlots);
    if (capacity <= this.capacity) throw new Error("memory store table is full");
    const buckets = Math.ceil(capacity * BUCKETS_PER_SLOT);
    // Float64 first (8-byte aligned), then the 4-byte arrays.
    const buffer = new ArrayBuffer(capacity * 8 + capacity * 4 * (DIGEST_WORDS + 5) + buckets * 4);
    let offset = 0;
    const take = <T>(
      make: (buffer: ArrayBuffer, offset: number, length: number) => T,
      length: number,
      bytes: number,
    ): T => {
      const view = make(buffer, offset, length);
      offset += length * bytes;
      return view;
    };
    const f64 = (b: ArrayBuffer, o: number, n: number) => new Float64Array(b, o, n);
    const u32 = (b: ArrayBuffer, o: number, n: number) => new Uint32Array(b, o, n);
    const i32 = (b: ArrayBuffer, o: number, n: number) => new Int32Array(b, o, n);
    const expires = take(f64, capacity, 8);
    expires.set(this.expires);
    const digests = take(u32, capacity * DIGEST_WORDS, 4);
    digests.set(this.digests);
    const valueIds = take(i32, capacity, 4);
    valueIds.set(this.valueIds);
    const prev = take(i32, capacity, 4);
    prev.set(this.prev);
    const next = take(i32, capacity, 4);
    next.set(this.next);
    this.heap.resize(take(i32, capacity, 4), take(i32, capacity, 4), expires);
    this.index = take(i32, buckets, 4);
    this.capacity = capacity;
    this.expires = expires;
    this.digests = digests;
    this.valueIds = valueIds;
    this.prev = prev;
    this.next = next;
    for (let slot = 0; slot < this.used; slot++) {
      if ((this.valueIds[slot] as number) >= 0) this.addToIndex(slot);
    }
  }

  private addToIndex(slot: number): void {
    const index = this.index;
    const n = index.length;
    let i = this.home(this.digests[slot * DIGEST_WORDS] as number);
    while (index[i] !== 0) if (++i === n) i = 0;
    index[i] = slot + 1;
  }

  /**
   * Empties the slot's bucket, then moves later entries of the probe run back into the hole unless
   * their home bucket lies (cyclically) after it: every remaining entry stays reachable from its
   * home without tombstones.
   */
  private removeFromIndex(slot: number): void {
    const index = this.index;
    const n = index.length;
    let hole = this.home(this.digests[slot * DIGEST_WORDS] as number);
    while (index[hole] !== slot + 1) if (++hole === n) hole = 0;
    for (let j = hole; ; ) {
      if (++j === n) j = 0;
      const ref = index[j] as number;
      if (ref === 0) break;
      const home = this.home(this.digests[(ref - 1) * DIGEST_WORDS] as number);
      const reachable = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!reachable) {
        index[hole] = ref;
        hole = j;
      }
    }
    index[hole] = 0;
  }

  private addVolatile(slot: number): void {
    this.volatileCount++;
    this.linkAtTail(slot);
    this.heap.push(slot);
  }

  private removeVolatile(slot: number): void {
    this.volatileCount--;
    this.unlink(slot);
    this.heap.remove(slot);
  }

  private linkAtTail(slot: number): void {
    this.prev[slot] = this.lruTail;
    this.next[slot] = NO_SLOT;
    if (this.lruTail === NO_SLOT) this.lruHead = slot;
    else this.next[this.lruTail] = slot;
    this.lruTail = slot;
  }

  private unlink(slot: number): void {
    const prev = this.prev[slot] as number;
    const next = this.next[slot] as number;
    if (prev === NO_SLOT) this.lruHead = next;
    else this.next[prev] = next;
    if (next === NO_SLOT) this.lruTail = prev;
    else this.prev[next] = prev;
  }
}
