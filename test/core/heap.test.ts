import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MinHeap } from "../../src/core/heap.js";

const byNumber = (a: number, b: number) => a - b;
const ascending = (values: number[]) => [...values].sort(byNumber);

function drain<T>(heap: MinHeap<T>): T[] {
  const out: T[] = [];
  while (heap.size > 0) out.push(heap.pop() as T);
  return out;
}

describe("MinHeap", () => {
  it("an empty heap peeks and pops undefined", () => {
    const heap = new MinHeap(byNumber);
    expect(heap.size).toBe(0);
    expect(heap.peek()).toBeUndefined();
    expect(heap.pop()).toBeUndefined();
    heap.push(3);
    heap.clear();
    expect(heap.size).toBe(0);
    expect(heap.pop()).toBeUndefined();
  });

  it("pops pushed items in sorted order (property)", { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 200 }), (values) => {
        const heap = new MinHeap(byNumber);
        for (const value of values) heap.push(value);
        expect(heap.size).toBe(values.length);
        expect(heap.peek()).toBe(ascending(values)[0]);
        expect(drain(heap)).toEqual(ascending(values));
      }),
      { seed: 8, numRuns: 300 },
    );
  });

  it("rebuild orders any array, and pushes and pops after it keep the order (property)", {
    timeout: 30_000,
  }, () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 200 }),
        fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 50 }),
        (initial, more) => {
          const heap = new MinHeap(byNumber);
          heap.push(1000);
          heap.rebuild([...initial]);
          expect(heap.size).toBe(initial.length);
          for (const value of more) heap.push(value);
          expect(drain(heap)).toEqual(ascending([...initial, ...more]));
        },
      ),
      { seed: 8, numRuns: 300 },
    );
  });

  it("interleaved pushes and pops always pop the smallest item held (property)", {
    timeout: 30_000,
  }, () => {
    const op = fc.oneof(fc.integer({ min: -20, max: 20 }), fc.constant("pop" as const));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const heap = new MinHeap(byNumber);
        const model: number[] = [];
        for (const step of ops) {
          if (step === "pop") {
            model.sort(byNumber);
            expect(heap.pop()).toBe(model.shift());
          } else {
            heap.push(step);
            model.push(step);
          }
          expect(heap.size).toBe(model.length);
        }
      }),
      { seed: 8, numRuns: 300 },
    );
  });

  it("a comparator with a sequence number makes ties come out in insertion order", () => {
    const heap = new MinHeap<{ at: number; seq: number }>((a, b) => a.at - b.at || a.seq - b.seq);
    const ats = [5, 1, 5, 1, 3, 5, 1];
    for (const [seq, at] of ats.entries()) heap.push({ at, seq });
    expect(drain(heap).map((item) => item.seq)).toEqual([1, 3, 6, 4, 0, 2, 5]);
  });
});
