/**
 * @module filters/payload-guard/redact
 * `Edits`: the replacements one body (or one stream event's data) needs, as raw byte ranges
 * inside JSON string content, applied in one pass (`apply`). Replacement text is JSON-escaped
 * here, so a configured mask with quotes or backslashes keeps the JSON valid; ranges never cut an
 * escape sequence (aligned here, whatever found them). Overlapping ranges merge, the first kind naming
 * the label. Same-length masking (`maskChar` over every byte) serves bodies whose
 * `content-length` already went out.
 */
import { escapedLength, escapeInto } from "../lib/json/escape";
import { alignEnd, alignStart } from "./detect/bytes";

export class Edits {
  starts: i32[] = [];
  ends: i32[] = [];
  labels: Array<Uint8Array> = [];

  reset(): void { this.starts.length = 0; this.ends.length = 0; this.labels.length = 0; }
  get length(): i32 { return this.starts.length; }

  /** Adds a replacement of raw [start, end) by `label` (unescaped UTF-8). */
  add(start: i32, end: i32, label: Uint8Array): void {
    // Texts come in body order and findings sorted in each: mostly an append, else slide back.
    this.starts.push(start); this.ends.push(end); this.labels.push(label);
    let i = this.starts.length - 1;
    while (i > 0 && unchecked(this.starts[i - 1]) > start) {
      unchecked(this.starts[i] = this.starts[i - 1]);
      unchecked(this.ends[i] = this.ends[i - 1]);
      unchecked(this.labels[i] = this.labels[i - 1]);
      i--;
    }
    unchecked(this.starts[i] = start);
    unchecked(this.ends[i] = end);
    unchecked(this.labels[i] = label);
  }

  /** Merges overlapping ranges (the first one's label names the merged range). */
  private merge(): void {
    const n = this.starts.length;
    if (n < 2) return;
    let w = 0;
    for (let i = 1; i < n; i++) {
      if (unchecked(this.starts[i]) < unchecked(this.ends[w])) {
        if (unchecked(this.ends[i]) > unchecked(this.ends[w])) unchecked(this.ends[w] = this.ends[i]);
        continue;
      }
      w++;
      unchecked(this.starts[w] = this.starts[i]);
      unchecked(this.ends[w] = this.ends[i]);
      unchecked(this.labels[w] = this.labels[i]);
    }
    this.starts.length = w + 1; this.ends.length = w + 1; this.labels.length = w + 1;
  }

  /**
   * The bytes with every range replaced: by its escaped label, or (`sameLength`) by `maskChar`
   * repeated over the range's raw length.
   */
  apply(src: Uint8Array, sameLength: bool, maskChar: u8): Uint8Array {
    // No range may cut an escape sequence, whatever found it: a phrase can match inside one (the
    // `u` of `\u0000`), and replacing half an escape breaks the JSON (found by the fuzzer).
    for (let i = 0; i < this.starts.length; i++) {
      const s = unchecked(this.starts[i]), e = unchecked(this.ends[i]);
      if (s < 0 || e > src.length || e <= s) continue;
      unchecked(this.starts[i] = alignStart(src.dataStart, src.length, s));
      unchecked(this.ends[i] = alignEnd(src.dataStart, src.length, e));
    }
    this.merge();
    const n = this.starts.length;
    let size = src.length, last = 0;
    for (let i = 0; i < n; i++) {
      const s = unchecked(this.starts[i]), e = unchecked(this.ends[i]);
      if (s < last || e > src.length || e <= s) continue;
      const l = unchecked(this.labels[i]);
      if (!sameLength) size += escapedLength(l.dataStart, l.length) - (e - s);
      last = e;
    }
    const out = new Uint8Array(size);
    let o: usize = out.dataStart, from = 0;
    for (let i = 0; i < n; i++) {
      const s = unchecked(this.starts[i]), e = unchecked(this.ends[i]);
      if (s < from || e > src.length || e <= s) continue;
      memory.copy(o, src.dataStart + <usize>from, <usize>(s - from));
      o += <usize>(s - from);
      if (sameLength) { memory.fill(o, maskChar, <usize>(e - s)); o += <usize>(e - s); }
      else { const l = unchecked(this.labels[i]); o += <usize>escapeInto(l.dataStart, l.length, o); }
      from = e;
    }
    memory.copy(o, src.dataStart + <usize>from, <usize>(src.length - from));
    o += <usize>(src.length - from);
    return out;
  }
}

/**
 * The label for `kind` from the configured mask (`{kind}` replaced). Not `String#replaceAll`:
 * AssemblyScript 0.28's grows its output by one doubling only, so a replacement much longer than
 * the mask writes past the allocation (heap corruption, then a trap; found by the fuzzer).
 */
export function maskLabel(mask: string, kind: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(mask.split("{kind}").join(kind), false));
}
