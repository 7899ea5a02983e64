/**
 * @module filters/payload-guard/detect/phrases
 * Phrase detection: the shipped prompt-injection list and the user's named lists in one
 * Aho–Corasick automaton (lib's `PhraseMatcher`, ASCII case folding) run over the text with
 * every whitespace run — including the JSON escapes `\n`, `\r`, `\t` — folded to one space. The
 * detectors' pass has already listed the runs that fold (`SpaceRuns`), so folding is a few copies
 * between them, or nothing for a text without any; a list of segments turns matches back into raw
 * offsets for redaction. `pendingStart` tells the stream holdback where a phrase may still be
 * under way at the end of the text.
 *
 * Most text holds no phrase, so the automaton does not read every byte: a Wu–Manber shift table
 * over case-folded 4-byte grams of the phrases' first `m` bytes (m = the shortest phrase) skips
 * ahead up to m − 3 bytes at a time, and only where a window could start a phrase does the
 * automaton run, from that position, for at most the longest phrase.
 */
import { PhraseMatcher, PhraseMatcherBuilder, MatchList } from "../../lib/matcher";
import { asciiLower } from "../../lib/charcode";
import { FindingList } from "./findings";
import { SpaceRuns } from "./spaces";

/** Entries of the shift table: 2^14 (16 KB) leave as few candidate windows as 2^16 on English and code, in a quarter of the cache. */
const SHIFT_BITS: u32 = 14;
const SHIFT_SIZE: i32 = 1 << SHIFT_BITS;

/** Folds case and whitespace runs of a configured phrase (trimmed), as the text is folded. */
export function foldPhrase(s: string): Uint8Array {
  const raw = Uint8Array.wrap(String.UTF8.encode(s, false));
  const out = new Uint8Array(raw.length);
  let n = 0, space = false;
  for (let i = 0; i < raw.length; i++) {
    const c = <u32>raw[i];
    if (c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d) { space = n > 0; continue; }
    if (space) { out[n++] = 0x20; space = false; }
    out[n++] = <u8>asciiLower(c);
  }
  return out.subarray(0, n);
}

export class PhraseSet {
  private builder: PhraseMatcherBuilder = new PhraseMatcherBuilder();
  private kinds: i32[] = [];
  private folded: Uint8Array[] = [];
  matcher: PhraseMatcher | null = null;
  /** Longest folded phrase (bytes): the most the holdback keeps for phrases. */
  maxLength: i32 = 0;
  private firstBytes: StaticArray<bool> = new StaticArray<bool>(256);
  private hits: MatchList = new MatchList(4096);
  private norm: Uint8Array = new Uint8Array(1024);
  /** The folded text of the last scan: `norm`, or the raw text itself when nothing folded. */
  private normPtr: usize = 0;
  private normLen: i32 = 0;
  /** Linear segments of the folding: normalised offset `segNorm[k]` is raw offset `segRaw[k]`, and on until the next. */
  private segNorm: StaticArray<i32> = new StaticArray<i32>(64);
  private segRaw: StaticArray<i32> = new StaticArray<i32>(64);
  private segs: i32 = 0;
  /** Wu–Manber: window length (shortest phrase, capped), and the shift per gram hash; m = 0 disables it. */
  private m: i32 = 0;
  private shift: StaticArray<u8> = new StaticArray<u8>(0);

  get count(): i32 { return this.kinds.length; }

  /** Adds a phrase reported as `kind`; false for a phrase that folds to nothing. */
  add(phrase: string, kind: i32): bool {
    const f = foldPhrase(phrase);
    if (f.length == 0) return false;
    this.builder.addBytes(f);
    this.kinds.push(kind);
    this.folded.push(f);
    if (f.length > this.maxLength) this.maxLength = f.length;
    this.firstBytes[<i32>f[0]] = true;
    return true;
  }

  /** Compiles the automaton; false when it would be too large. */
  build(): bool {
    if (this.kinds.length == 0) return true;
    this.matcher = this.builder.build();
    if (this.matcher === null) return false;
    let m = 64;
    for (let i = 0; i < this.folded.length; i++) m = min(m, unchecked(this.folded[i]).length);
    if (m >= 8) {
      const shift = new StaticArray<u8>(SHIFT_SIZE);
      memory.fill(changetype<usize>(shift), <u8>(m - 3), SHIFT_SIZE);
      for (let i = 0; i < this.folded.length; i++) {
        const f = unchecked(this.folded[i]);
        for (let q = 0; q + 4 <= m; q++) {
          const h = gramHash(load<u32>(f.dataStart + <usize>q));
          const d = m - 4 - q;
          if (<i32>unchecked(shift[h]) > d) unchecked(shift[h] = <u8>d);
        }
      }
      this.shift = shift;
      this.m = m;
    }
    return true;
  }

  /** Raw offset of normalised offset `n` (binary search over the segments). */
  private rawAt(n: i32): i32 {
    let lo = 0, hi = this.segs - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (unchecked(this.segNorm[mid]) <= n) lo = mid; else hi = mid - 1;
    }
    return unchecked(this.segRaw[lo]) + n - unchecked(this.segNorm[lo]);
  }

  /**
   * Folds the raw text at `p` by its whitespace runs (`runs`, from the detectors' pass): the
   * plain bytes between runs are copied whole and each run becomes one space, so the text is
   * never read byte by byte here. A text without runs is matched where it lies, uncopied.
   */
  private fold(p: usize, len: i32, runs: SpaceRuns): void {
    const count = runs.length;
    // Every run adds two segments: where its space lands, and where the text after it resumes.
    const segs = 2 * count + 1;
    if (this.segNorm.length < segs) { this.segNorm = new StaticArray<i32>(segs); this.segRaw = new StaticArray<i32>(segs); }
    const sn = changetype<usize>(this.segNorm), sr = changetype<usize>(this.segRaw);
    store<i32>(sn, 0);
    store<i32>(sr, 0);
    this.segs = segs;
    if (count == 0) { this.normPtr = p; this.normLen = len; return; }
    // 8 bytes of slack: short runs are copied a word at a time and may write past their end.
    if (this.norm.length < len + 8) this.norm = new Uint8Array(len + 8);
    const norm = this.norm.dataStart;
    let n = 0, from = 0;
    for (let k = 0; k < count; k++) {
      const s = runs.start(k), e = runs.end(k);
      const plain = s - from;
      copyPlain(norm + <usize>n, p + <usize>from, plain, len - from);
      n += plain;
      const o = <usize>(2 * k + 1) << 2;
      store<i32>(sn + o, n);
      store<i32>(sr + o, s);
      store<u8>(norm + <usize>n, 0x20);
      n++;
      store<i32>(sn + o, n, 4);
      store<i32>(sr + o, e, 4);
      from = e;
    }
    const plain = len - from;
    if (plain > 0) { memory.copy(norm + <usize>n, p + <usize>from, <usize>plain); n += plain; }
    this.normPtr = norm;
    this.normLen = n;
  }

  /** Adds every phrase match in the raw text (offsets relative to the text) whose kind is enabled. */
  scan(p: usize, len: i32, runs: SpaceRuns, enabled: StaticArray<u8>, out: FindingList): void {
    const m = this.matcher;
    this.normLen = 0;
    if (m === null || len == 0) return;
    this.fold(p, len, runs);
    const hits = this.hits;
    hits.reset();
    const norm = this.normPtr, n = this.normLen, w = this.m;
    if (w == 0) m.run(0, norm, n, 0, hits);
    else {
      // Skip while the window's last gram ends no phrase prefix; at a candidate, run the automaton from it.
      const shift = changetype<usize>(this.shift), longest = this.maxLength;
      let pos = 0;
      while (pos + w <= n) {
        const d = <i32>load<u8>(shift + <usize>gramHash(load<u32>(norm + <usize>(pos + w - 4))));
        if (d > 0) { pos += d; continue; }
        const before = hits.length;
        m.run(0, norm + <usize>pos, min(longest, n - pos), pos, hits);
        // Keep only the phrases that start here; later starts are candidates of their own.
        let other = false;
        for (let j = before; j < hits.length; j++) if (hits.start(j) != pos) { other = true; break; }
        if (other) compact(hits, before, pos);
        pos++;
      }
    }
    for (let i = 0; i < hits.length; i++) {
      const kind = unchecked(this.kinds[hits.pattern(i)]);
      if (<u32>kind >= <u32>enabled.length || unchecked(enabled[kind]) == 0) continue;
      out.add(kind, this.rawAt(hits.start(i)), this.rawAt(hits.end(i) - 1) + 1);
    }
  }

  /**
   * Raw offset from which the end of the text could be the start of a phrase still to be
   * completed, or `len` when none. Call right after `scan` over the same text.
   */
  pendingStart(len: i32): i32 {
    const n = this.normLen;
    if (this.matcher === null || n == 0) return len;
    const norm = this.normPtr;
    let from = n - this.maxLength + 1;
    if (from < 0) from = 0;
    for (let s = from; s < n; s++) {
      const c = asciiLower(<u32>load<u8>(norm + <usize>s));
      if (!this.firstBytes[<i32>c]) continue;
      const tail = n - s;
      for (let k = 0; k < this.folded.length; k++) {
        const f = unchecked(this.folded[k]);
        if (f.length <= tail) continue;
        let same = true;
        for (let j = 0; j < tail; j++) if (asciiLower(<u32>load<u8>(norm + <usize>(s + j))) != <u32>f[j]) { same = false; break; }
        if (same) return this.rawAt(s);
      }
    }
    return len;
  }
}

/**
 * Copies `n` bytes (`avail` readable at `src`): runs between whitespace are short (a line of code,
 * a few words), so a word loop beats a call to the bulk copy; it may write up to 7 bytes past the
 * end (the buffer has the slack) and reads past it only when those bytes are still text.
 */
// @ts-ignore: decorator
@inline function copyPlain(dst: usize, src: usize, n: i32, avail: i32): void {
  if (n > 64 || n + 8 > avail) { memory.copy(dst, src, <usize>n); return; }
  for (let i = 0; i < n; i += 8) store<u64>(dst + <usize>i, load<u64>(src + <usize>i));
}

/** Case-folded hash of a 4-byte gram (`| 0x20` folds ASCII letters; other bytes may collide, which only costs a check). */
// @ts-ignore: decorator
@inline function gramHash(w: u32): u32 {
  return ((w | 0x20202020) * 2654435761) >>> (32 - SHIFT_BITS);
}

/** Drops the matches of [from, end) that do not start at `pos`. */
function compact(hits: MatchList, from: i32, pos: i32): void {
  const n = hits.length;
  const keep = new Array<i32>();
  for (let j = from; j < n; j++) if (hits.start(j) == pos) { keep.push(hits.pattern(j)); keep.push(hits.end(j)); }
  hits.length = from;
  for (let j = 0; j < keep.length; j += 2) hits.add(unchecked(keep[j]), pos, unchecked(keep[j + 1]));
}
