/**
 * @module filters/payload-guard/detect/spaces
 * Whitespace as phrase matching sees it in raw JSON string content: a space, tab, CR or LF byte,
 * or the escapes `\n`, `\r`, `\t`, and runs of them fold to one space. `SpaceRuns` lists the runs
 * that folding changes (every run but a lone space byte), in text order, so the phrase matcher
 * can fold a text with a few copies instead of reading it byte by byte.
 */
import { at } from "./bytes";

/** Length of the whitespace unit at `i` (1 for a byte, 2 for an escape), or 0. */
// @ts-ignore: decorator
@inline export function spaceUnit(p: usize, len: i32, i: i32): i32 {
  const c = at(p, i);
  if (c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d) return 1;
  if (c != 0x5c || i + 1 >= len) return 0;
  const d = at(p, i + 1);
  return d == 0x6e || d == 0x72 || d == 0x74 ? 2 : 0;
}

/** End of the run of whitespace units starting at `i` (`i` when none starts there). */
export function spaceRunEnd(p: usize, len: i32, i: i32): i32 {
  while (i < len) {
    // Indentation: eight spaces at a time.
    while (i + 8 <= len && load<u64>(p + <usize>i) == 0x2020202020202020) i += 8;
    const u = spaceUnit(p, len, i);
    if (u == 0) break;
    i += u;
  }
  return i;
}

/** The runs of one text that fold: [start, end) raw offsets, ascending. Reused across texts. */
export class SpaceRuns {
  private data: StaticArray<i32> = new StaticArray<i32>(64);
  length: i32 = 0;

  reset(): void { this.length = 0; }

  add(start: i32, end: i32): void {
    const i = this.length << 1;
    if (i + 2 > this.data.length) {
      const next = new StaticArray<i32>(this.data.length << 1);
      memory.copy(changetype<usize>(next), changetype<usize>(this.data), <usize>i << 2);
      this.data = next;
    }
    unchecked(this.data[i] = start);
    unchecked(this.data[i + 1] = end);
    this.length++;
  }

  start(k: i32): i32 { return unchecked(this.data[k << 1]); }
  end(k: i32): i32 { return unchecked(this.data[(k << 1) + 1]); }

  /**
   * Notes every folding run in raw [from, to) the slow way, byte by byte (for spans the pair
   * scan skipped over, such as a PEM block); escapes are stepped over whole.
   */
  collect(p: usize, len: i32, from: i32, to: i32): void {
    let i = from;
    while (i < to) {
      const e = spaceRunEnd(p, len, i);
      if (e > i) {
        if (e - i > 1 || at(p, i) != 0x20) this.add(i, e);
        i = e;
      } else i += at(p, i) == 0x5c ? 2 : 1;
    }
  }
}
