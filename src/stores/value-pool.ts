/**
 * Interned values with reference counts, so an entry of the memory store holds a 4-byte id rather
 * than its own copy of a string. The requester's values come from a small set (`{"state":"sent",
 * "channel":"sms"}`, a cap's `{"state":"capped"}`…), so a million entries share a few dozen
 * strings. Any other string works too: a value no other entry holds costs one map entry and the
 * string itself, and is dropped with the last entry holding it.
 */
export class ValuePool {
  private readonly ids = new Map<string, number>();
  private strings: (string | undefined)[] = [];
  private refs: number[] = [];
  private free: number[] = [];

  /** Distinct values held. */
  get size(): number {
    return this.ids.size;
  }

  /** The id of `value`, counting one more holder. */
  acquire(value: string): number {
    const known = this.ids.get(value);
    if (known !== undefined) {
      this.refs[known] = (this.refs[known] as number) + 1;
      return known;
    }
    const id = this.free.pop() ?? this.strings.length;
    this.strings[id] = value;
    this.refs[id] = 1;
    this.ids.set(value, id);
    return id;
  }

  /** One holder of `id` is gone; the value is dropped with the last one. */
  release(id: number): void {
    const left = (this.refs[id] as number) - 1;
    this.refs[id] = left;
    if (left > 0) return;
    this.ids.delete(this.strings[id] as string);
    this.strings[id] = undefined;
    this.free.push(id);
  }

  /** The value of a held `id`. */
  value(id: number): string {
    return this.strings[id] as string;
  }

  /** Drops every value. */
  clear(): void {
    this.ids.clear();
    this.strings = [];
    this.refs = [];
    this.free = [];
  }
}
