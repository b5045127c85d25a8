/**
 * Orders two items: negative when `a` comes first, positive when `b` does, `0` when either may.
 */
export type Compare<T> = (a: T, b: T) => number;

/**
 * A binary min-heap: the item that {@link Compare} puts first is always on top. `push` and `pop`
 * take O(log n), `peek` and `size` O(1), `rebuild` O(n). Items that compare equal come out in no
 * particular order; add a sequence number to the comparison when ties must keep insertion order.
 */
export class MinHeap<T> {
  private items: T[] = [];

  /** @param compare - Which of two items comes first. */
  constructor(private readonly compare: Compare<T>) {}

  /** How many items the heap holds. */
  get size(): number {
    return this.items.length;
  }

  /** The first item, left in place; `undefined` when the heap is empty. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Adds an item. */
  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as T;
      if (this.compare(p, item) <= 0) break;
      items[i] = p;
      i = parent;
    }
    items[i] = item;
  }

  /** Removes and returns the first item; `undefined` when the heap is empty. */
  pop(): T | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0] as T;
    const last = items.pop() as T;
    if (items.length > 0) {
      items[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  /** Replaces the contents with `items` (taken over, not copied) in one O(n) pass. */
  rebuild(items: T[]): void {
    this.items = items;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** Removes every item. */
  clear(): void {
    this.items = [];
  }

  private siftDown(start: number): void {
    const items = this.items;
    const item = items[start] as T;
    const n = items.length;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && this.compare(items[right] as T, items[left] as T) < 0) child = right;
      const c = items[child] as T;
      if (this.compare(c, item) >= 0) break;
      items[i] = c;
      i = child;
    }
    items[i] = item;
  }
}
