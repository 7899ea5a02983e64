/**
 * @module filters/lib/matcher
 * Case-insensitive (ASCII folding) matching of many literal phrases at once: an Aho–Corasick
 * automaton compiled once from configuration into a dense transition table over byte classes
 * (only bytes that occur in some phrase get their own class), so scanning costs one table
 * load per input byte whatever the number of phrases. Reports every occurrence with its
 * phrase index and byte offsets, also across chunk boundaries (`MatchStream`).
 *
 * @example
 *   const b = new PhraseMatcherBuilder();
 *   b.add("ignore previous instructions"); b.add("system prompt");
 *   const m = b.build();                  // null on error: b.error says why
 *   const hits = new MatchList(16);
 *   m!.scan(ptr, len, hits);
 */
import { asciiLower } from "./charcode";
import { LibError } from "./errors";

/** Upper bound on automaton size (states × classes × 4 bytes) accepted from configuration. */
export const MAX_TABLE_BYTES: i32 = 32 << 20;

/** Matches found by a scan: phrase index and [start, end) byte offsets, in order of end. */
export class MatchList {
  private data: StaticArray<i32>;
  length: i32 = 0;
  /** Matches that did not fit (the list keeps the first `capacity`). */
  dropped: i32 = 0;

  constructor(readonly capacity: i32) {
    this.data = new StaticArray<i32>((capacity > 0 ? capacity : 1) * 3);
  }

  reset(): void { this.length = 0; this.dropped = 0; }

  add(pattern: i32, start: i32, end: i32): void {
    if (this.length >= this.capacity) { this.dropped++; return; }
    const i = this.length * 3;
    unchecked(this.data[i] = pattern);
    unchecked(this.data[i + 1] = start);
    unchecked(this.data[i + 2] = end);
    this.length++;
  }

  pattern(i: i32): i32 { return <u32>i < <u32>this.length ? unchecked(this.data[i * 3]) : -1; }
  start(i: i32): i32 { return <u32>i < <u32>this.length ? unchecked(this.data[i * 3 + 1]) : -1; }
  end(i: i32): i32 { return <u32>i < <u32>this.length ? unchecked(this.data[i * 3 + 2]) : -1; }
}

/** Collects phrases, then compiles them into a `PhraseMatcher`. */
export class PhraseMatcherBuilder {
  private phrases: Uint8Array[] = [];
  /** Why `add` or `build` failed. */
  error: LibError = LibError.None;
  /** Index of the offending phrase, or -1. */
  errorPhrase: i32 = -1;

  /** Adds a phrase (its UTF-8 bytes); returns its index, or -1 for an empty phrase. */
  add(phrase: string): i32 {
    return this.addBytes(Uint8Array.wrap(String.UTF8.encode(phrase, false)));
  }

  addBytes(phrase: Uint8Array): i32 {
    if (phrase.length == 0) {
      this.error = LibError.InvalidPattern;
      this.errorPhrase = this.phrases.length;
      return -1;
    }
    this.phrases.push(phrase);
    return this.phrases.length - 1;
  }

  get count(): i32 { return this.phrases.length; }

  /** The compiled matcher, or null (`error` set) for no phrases or an oversized automaton. */
  build(): PhraseMatcher | null {
    if (this.error != LibError.None) return null;
    const phrases = this.phrases;
    if (phrases.length == 0) { this.error = LibError.InvalidPattern; return null; }
    // Byte classes: one per distinct folded byte used by a phrase; class 0 is "anything else".
    const classOf = new StaticArray<u8>(256);
    let classes = 1;
    let totalBytes = 0;
    for (let p = 0; p < phrases.length; p++) {
      const ph = unchecked(phrases[p]);
      totalBytes += ph.length;
      for (let i = 0; i < ph.length; i++) {
        const b = asciiLower(<u32>ph[i]);
        if (classOf[b] == 0) {
          if (classes == 255) { this.error = LibError.InvalidPattern; this.errorPhrase = p; return null; }
          classOf[b] = <u8>classes;
          classes++;
        }
      }
    }
    for (let c: u32 = 0x41; c <= 0x5a; c++) classOf[c] = classOf[c | 0x20];
    // The trie has at most totalBytes + 1 states: refuse before allocating too much.
    if (<i64>(totalBytes + 1) * <i64>classes * 4 > <i64>MAX_TABLE_BYTES) { this.error = LibError.TooLarge; return null; }
    const maxStates = totalBytes + 1;
    const next = new StaticArray<i32>(maxStates * classes); // 0 = no edge (root is never a target)
    const output = new StaticArray<i32>(maxStates);          // phrase ending exactly here, or -1
    const lengths = new StaticArray<i32>(phrases.length);
    for (let s = 0; s < maxStates; s++) output[s] = -1;
    let states = 1;
    for (let p = 0; p < phrases.length; p++) {
      const ph = unchecked(phrases[p]);
      let s = 0;
      for (let i = 0; i < ph.length; i++) {
        const c = <i32>classOf[<i32>ph[i]];
        let t = next[s * classes + c];
        if (t == 0) { t = states++; next[s * classes + c] = t; }
        s = t;
      }
      if (output[s] < 0) output[s] = p; // a repeated phrase reports its first index
      lengths[p] = ph.length;
    }
    // Breadth-first: failure links, dictionary links, and the full transition function.
    const fail = new StaticArray<i32>(states);
    const dict = new StaticArray<i32>(states); // nearest proper suffix state with output, or -1
    const queue = new StaticArray<i32>(states);
    let head = 0, tail = 0;
    dict[0] = -1;
    for (let c = 0; c < classes; c++) {
      const t = next[c];
      if (t != 0) { fail[t] = 0; dict[t] = -1; queue[tail++] = t; }
    }
    while (head < tail) {
      const s = queue[head++];
      for (let c = 0; c < classes; c++) {
        const t = next[s * classes + c];
        const viaFail = next[fail[s] * classes + c];
        if (t != 0) {
          fail[t] = viaFail;
          dict[t] = output[viaFail] >= 0 ? viaFail : dict[viaFail];
          queue[tail++] = t;
        } else {
          next[s * classes + c] = viaFail;
        }
      }
    }
    const table = new StaticArray<i32>(states * classes);
    memory.copy(changetype<usize>(table), changetype<usize>(next), <usize>states * <usize>classes * 4);
    const out = new StaticArray<i32>(states);
    memory.copy(changetype<usize>(out), changetype<usize>(output), <usize>states * 4);
    return new PhraseMatcher(classOf, classes, states, table, out, dict, lengths);
  }
}

export class PhraseMatcher {
  constructor(
    private classOf: StaticArray<u8>,
    private classes: i32,
    readonly states: i32,
    private table: StaticArray<i32>,
    private output: StaticArray<i32>,
    private dict: StaticArray<i32>,
    private lengths: StaticArray<i32>,
  ) {}

  get phraseCount(): i32 { return this.lengths.length; }

  /** Byte length of phrase `p`. */
  phraseLength(p: i32): i32 { return <u32>p < <u32>this.lengths.length ? unchecked(this.lengths[p]) : 0; }

  /**
   * Runs the automaton from `state` over `len` bytes at `ptr`, adding every match to `out`
   * with offsets relative to `base` (the stream offset of `ptr`). Returns the final state.
   */
  run(state: i32, ptr: usize, len: i32, base: i32, out: MatchList): i32 {
    const classOf = changetype<usize>(this.classOf);
    const table = changetype<usize>(this.table);
    const output = this.output;
    const classes = <usize>this.classes;
    let s = <usize>(<u32>state < <u32>this.states ? state : 0);
    for (let i = 0; i < len; i++) {
      const c = <usize>load<u8>(classOf + <usize>load<u8>(ptr + <usize>i));
      s = <usize>load<i32>(table + ((s * classes + c) << 2));
      if (unchecked(output[<i32>s]) >= 0 || unchecked(this.dict[<i32>s]) >= 0) this.report(<i32>s, base + i + 1, out);
    }
    return <i32>s;
  }

  private report(s: i32, end: i32, out: MatchList): void {
    let t = unchecked(this.output[s]) >= 0 ? s : unchecked(this.dict[s]);
    while (t >= 0) {
      const p = unchecked(this.output[t]);
      out.add(p, end - unchecked(this.lengths[p]), end);
      t = unchecked(this.dict[t]);
    }
  }

  /** Every occurrence in the `len` bytes at `ptr` (overlapping ones included). */
  scan(ptr: usize, len: i32, out: MatchList): i32 {
    out.reset();
    this.run(0, ptr, len, 0, out);
    return out.length;
  }

  /** Safe wrapper of `scan` for a byte array. */
  scanBytes(bytes: Uint8Array, out: MatchList): i32 {
    return this.scan(bytes.dataStart, bytes.length, out);
  }

  /** True when any phrase occurs; stops at the first match. */
  matchesAny(ptr: usize, len: i32): bool {
    const classOf = changetype<usize>(this.classOf);
    const table = changetype<usize>(this.table);
    const classes = <usize>this.classes;
    let s: usize = 0;
    for (let i = 0; i < len; i++) {
      const c = <usize>load<u8>(classOf + <usize>load<u8>(ptr + <usize>i));
      s = <usize>load<i32>(table + ((s * classes + c) << 2));
      if (unchecked(this.output[<i32>s]) >= 0 || unchecked(this.dict[<i32>s]) >= 0) return true;
    }
    return false;
  }
}

/** Matching across chunks of one body: state and offset carry over between `feed` calls. */
export class MatchStream {
  private state: i32 = 0;
  /** Bytes fed so far (offsets in matches are relative to the start of the stream). */
  offset: i32 = 0;

  constructor(readonly matcher: PhraseMatcher) {}

  reset(): void { this.state = 0; this.offset = 0; }

  /** Scans the next chunk, appending matches (a phrase split across chunks is found). */
  feed(ptr: usize, len: i32, out: MatchList): void {
    this.state = this.matcher.run(this.state, ptr, len, this.offset, out);
    this.offset += len;
  }
}
