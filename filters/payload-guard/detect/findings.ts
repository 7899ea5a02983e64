/**
 * @module filters/payload-guard/detect/findings
 * `FindingList`: what the detectors found in one text, as (kind, start, end) byte offsets into
 * the raw JSON string content that was scanned. Reused across requests (no allocation once warm).
 */

export class FindingList {
  private data: StaticArray<i32> = new StaticArray<i32>(3 * 16);
  length: i32 = 0;

  reset(): void { this.length = 0; }

  add(kind: i32, start: i32, end: i32): void {
    const need = (this.length + 1) * 3;
    if (need > this.data.length) {
      const next = new StaticArray<i32>(this.data.length * 2);
      memory.copy(changetype<usize>(next), changetype<usize>(this.data), <usize>this.length * 12);
      this.data = next;
    }
    const i = this.length * 3;
    unchecked(this.data[i] = kind);
    unchecked(this.data[i + 1] = start);
    unchecked(this.data[i + 2] = end);
    this.length++;
  }

  kind(i: i32): i32 { return <u32>i < <u32>this.length ? unchecked(this.data[i * 3]) : -1; }
  start(i: i32): i32 { return <u32>i < <u32>this.length ? unchecked(this.data[i * 3 + 1]) : -1; }
  end(i: i32): i32 { return <u32>i < <u32>this.length ? unchecked(this.data[i * 3 + 2]) : -1; }

  /** Sorts by start (insertion sort: lists are short and nearly sorted already). */
  sortByStart(): void {
    const d = this.data;
    for (let i = 1; i < this.length; i++) {
      const k = unchecked(d[i * 3]), s = unchecked(d[i * 3 + 1]), e = unchecked(d[i * 3 + 2]);
      let j = i - 1;
      while (j >= 0 && unchecked(d[j * 3 + 1]) > s) {
        unchecked(d[(j + 1) * 3] = d[j * 3]);
        unchecked(d[(j + 1) * 3 + 1] = d[j * 3 + 1]);
        unchecked(d[(j + 1) * 3 + 2] = d[j * 3 + 2]);
        j--;
      }
      unchecked(d[(j + 1) * 3] = k);
      unchecked(d[(j + 1) * 3 + 1] = s);
      unchecked(d[(j + 1) * 3 + 2] = e);
    }
  }
}
