/**
 * @module filters/lib/json/spans
 * `SpanList`: a reusable list of string spans (raw start, raw end, escaped flag) that a walk
 * over a body fills in one pass, so callers get every text without closures or per-call
 * allocation once the list has grown to the size of typical bodies.
 */

export class SpanList {
  private data: StaticArray<i32>;
  /** Number of spans held. */
  length: i32 = 0;

  constructor(initialCapacity: i32 = 16) {
    this.data = new StaticArray<i32>((initialCapacity > 0 ? initialCapacity : 4) * 3);
  }

  reset(): void { this.length = 0; }

  add(start: i32, end: i32, escaped: bool): void {
    const need = (this.length + 1) * 3;
    if (need > this.data.length) {
      const next = new StaticArray<i32>(this.data.length * 2);
      memory.copy(changetype<usize>(next), changetype<usize>(this.data), <usize>this.length * 12);
      this.data = next;
    }
    const i = this.length * 3;
    unchecked(this.data[i] = start);
    unchecked(this.data[i + 1] = end);
    unchecked(this.data[i + 2] = escaped ? 1 : 0);
    this.length++;
  }

  start(i: i32): i32 { return <u32>i < <u32>this.length ? unchecked(this.data[i * 3]) : -1; }
  end(i: i32): i32 { return <u32>i < <u32>this.length ? unchecked(this.data[i * 3 + 1]) : -1; }
  escaped(i: i32): bool { return <u32>i < <u32>this.length ? unchecked(this.data[i * 3 + 2]) != 0 : false; }

  /** Sum of the raw byte lengths of all spans. */
  totalBytes(): i64 {
    let n: i64 = 0;
    for (let i = 0; i < this.length; i++) n += <i64>(unchecked(this.data[i * 3 + 1]) - unchecked(this.data[i * 3]));
    return n;
  }
}
