/**
 * A binary min-heap of slot numbers ordered by each slot's key (for the memory store: its expiry
 * time), which also records where each slot sits, so a slot can be removed or re-keyed in
 * O(log n) and the heap never holds stale items. Two `Int32Array`s: 8 bytes per slot.
 */
export class SlotHeap {
  private heap: Int32Array = new Int32Array(0);
  private pos: Int32Array = new Int32Array(0);
  private keys: Float64Array = new Float64Array(0);
  private count = 0;

  /** Slots in the heap. */
  get size(): number {
    return this.count;
  }

  /**
   * Moves to larger arrays (the owner allocates them, as views into its own buffer): `heap` and
   * `pos` get the current contents, and keys are read from `keys` from now on.
   */
  resize(heap: Int32Array, pos: Int32Array, keys: Float64Array): void {
    heap.set(this.heap.subarray(0, this.count));
    pos.set(this.pos);
    this.heap = heap;
    this.pos = pos;
    this.keys = keys;
  }

  /** The slot with the smallest key, or `-1` when the heap is empty. */
  peek(): number {
    return this.count === 0 ? -1 : (this.heap[0] as number);
  }

  /** Adds a slot that is not in the heap. */
  push(slot: number): void {
    const i = this.count++;
    this.place(slot, i);
    this.up(i);
  }

  /** Removes a slot that is in the heap. */
  remove(slot: number): void {
    const i = this.pos[slot] as number;
    const last = this.heap[--this.count] as number;
    if (i === this.count) return;
    this.place(last, i);
    this.fix(i);
  }

  /** Restores the order after the key of `slot` (in the heap) changed. */
  update(slot: number): void {
    this.fix(this.pos[slot] as number);
  }

  /** Empties the heap and drops its arrays. */
  clear(): void {
    this.heap = new Int32Array(0);
    this.pos = new Int32Array(0);
    this.keys = new Float64Array(0);
    this.count = 0;
  }

  private place(slot: number, i: number): void {
    this.heap[i] = slot;
    this.pos[slot] = i;
  }

  private key(i: number): number {
    return this.keys[this.heap[i] as number] as number;
  }

  private fix(i: number): void {
    if (!this.up(i)) this.down(i);
  }

  /** Moves the item at `i` towards the root while it is smaller than its parent. */
  private up(start: number): boolean {
    const slot = this.heap[start] as number;
    const key = this.keys[slot] as number;
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.key(parent) <= key) break;
      this.place(this.heap[parent] as number, i);
      i = parent;
    }
    this.place(slot, i);
    return i !== start;
  }

  /** Moves the item at `i` towards the leaves while a child is smaller. */
  private down(start: number): void {
    const slot = this.heap[start] as number;
    const key = this.keys[slot] as number;
    const n = this.count;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.key(right) < this.key(left) ? right : left;
      if (this.key(child) >= key) break;
      this.place(this.heap[child] as number, i);
      i = child;
    }
    this.place(slot, i);
  }
}
