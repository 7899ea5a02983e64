/**
 * @module filters/lib/tokens-swar
 * The token estimator's fast step for prose (filters/lib/tokens.ts): eight bytes per step, held in
 * a u64 (SWAR, "SIMD within a register": plain i64 arithmetic, no wasm SIMD, so any proxy-wasm
 * host loads it), without a branch per byte. It takes blocks made only of ASCII letters, single
 * spaces and punctuation, the bulk of English prose and chat, and counts words, letters past the
 * fifth of a word and punctuation exactly as the per-byte loop would; it stops before the first
 * block with anything else (a digit, a line break, a tab or control byte, two spaces in a row,
 * non-ASCII, and with `escaped` a backslash), which the per-byte loop then takes.
 *
 * Masks: a mask holds one answer per byte of the block in that byte's high bit (bit 8i+7 for the
 * i-th byte in memory, wasm being little-endian). They are exact per byte as long as no byte has
 * its high bit set: each is a sum of a byte below 0x80 and a constant of at most 0x80, so no
 * carry reaches the next byte. A block with a high byte is refused, whatever the other answers.
 * "The byte before" a block's first byte comes from the previous block's mask, shifted in by
 * `before` (the previous block's last byte moves to byte 0).
 */

const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;
const LOW7: u64 = 0x7f7f7f7f7f7f7f7f;
const LAST: u64 = 0x8000000000000000; // the high bit of a block's last byte

/** Each byte of `mask` moved `k` (1–7) bytes later, the first `k` taken from the end of `previous`. */
// @ts-ignore: decorator
@inline function before(mask: u64, previous: u64, k: u64): u64 {
  return (mask << (k * 8)) | (previous >> (64 - k * 8));
}

/** Mask of the bytes of `w` (all below 0x80) that are ASCII letters of either case. */
// @ts-ignore: decorator
@inline export function letterBytes(w: u64): u64 {
  const folded = w | (ONES * 0x20); // upper case to lower; nothing else lands in a–z
  return (folded + ONES * (0x80 - 0x61)) & ~(folded + ONES * (0x80 - 0x7b)) & HIGHS;
}

/** Mask of the bytes of `w` (all below 0x80) equal to `c`. */
// @ts-ignore: decorator
@inline function equalBytes(w: u64, c: u64): u64 {
  return ~((w ^ (ONES * c)) + LOW7) & HIGHS; // + 0x7f sets the high bit of every byte but a zero one
}

/** How the last byte the fast step took leaves the per-byte loop's state. */
export const enum ProseEnd { Letter, Space, Other }

/**
 * What `scanProse` found: how far it went, its counts, and the state of the per-byte loop after
 * the last byte it took. Reused: each call writes its results over the last ones.
 */
export class ProseScan {
  /** First byte not taken (the start pointer if the first block was refused). */
  end: usize = 0;
  /**
   * Where to try again: past the first byte it refused, and further after each refusal in a row
   * (in text that is not prose, code or emoji, each try would fail).
   */
  retry: usize = 0;
  /** Bytes the next early refusal adds to `retry` (0 after two blocks or more; the caller resets it per text). */
  backoff: usize = 0;
  words: i32 = 0;
  /** Letters past the fifth of their word, all counted (none left pending in `runLen`). */
  longLetters: i32 = 0;
  punct: i32 = 0;
  last: ProseEnd = ProseEnd.Letter;
  /** With `last` Letter: the last letter's place in its word, at most 5 (places past 5 are counted). */
  runLen: i32 = 0;
  /** With `last` Letter: whether it is lowercase. */
  lastLower: bool = false;
}

/**
 * Counts whole eight-byte blocks of prose from `p` while they are accepted, starting inside a
 * word: the letter before `p` is lowercase if `prevLower`, and at place `runLen` of its word
 * (letters past the fifth still uncounted, as the per-byte loop keeps them). With `escaped`, a
 * backslash (an escape) is refused too.
 */
export function scanProse(out: ProseScan, p: usize, end: usize, runLen: i32, prevLower: bool, escaped: bool): void {
  // One loop per mode, so that the raw one tests no backslash.
  if (escaped) scanBlocks(out, p, end, runLen, prevLower, true);
  else scanBlocks(out, p, end, runLen, prevLower, false);
}

/**
 * `scanProse`'s loop. Per block: W, the word starts, are the letters after a non-letter and the
 * capitals after a lowercase letter (camelCase); C, the other letters, continue a word; a letter
 * is past the fifth of its word when it and the four bytes before it are all in C. Punctuation is
 * every byte that is neither letter nor space. A single space before a word counts nothing, as in
 * the per-byte loop.
 */
// @ts-ignore: decorator
@inline function scanBlocks(out: ProseScan, p: usize, end: usize, runLen: i32, prevLower: bool, escaped: bool): void {
  // The state before `p` as the masks of an imagined previous block: its last byte a letter
  // (no non-letter, no space), the last min(runLen - 1, 4) of them continuing the word.
  let nonLetters0: u64 = 0;
  let lower0: u64 = prevLower ? LAST : 0;
  let spaces0: u64 = 0;
  const carried = runLen > 5 ? 4 : runLen - 1;
  let cont0: u64 = carried > 0 ? HIGHS << (64 - 8 * <u64>carried) : 0;
  let cont2: u64 = cont0 & (cont0 << 8);   // C and the byte before in C
  let cont4: u64 = cont2 & (cont2 << 16);  // C and the three bytes before in C
  let words: u64 = 0, longLetters: u64 = runLen > 5 ? <u64>(runLen - 5) : 0, punct: u64 = 0;
  const start = p;
  out.retry = end;
  while (p + 8 <= end) {
    const w = load<u64>(p);
    // Refused: non-ASCII (w's own high bit), control bytes (below 0x20), digits (0x30–0x39), a
    // space after a space and, escaped, a backslash. `upToSpace` (bytes <= 0x20) is the spaces
    // once control bytes are refused.
    const upToSpace = ~(w + ONES * (0x80 - 0x21)) & HIGHS;
    const fromSpace = w + ONES * (0x80 - 0x20);
    const digits = (w + ONES * (0x80 - 0x30)) & ~(w + ONES * (0x80 - 0x3a));
    let refused = ((w | ~fromSpace | digits) & HIGHS) | (upToSpace & before(upToSpace, spaces0, 1));
    if (escaped) refused |= equalBytes(w, 0x5c);
    if (refused != 0) {
      out.retry = p + <usize>(ctz(refused) >> 3) + 1;
      if (p - start < 16) { // refused at once or soon: prose is rare here, try less often
        out.retry += out.backoff;
        out.backoff = out.backoff < 256 ? out.backoff * 2 + 8 : out.backoff;
      } else out.backoff = 0;
      break;
    }
    const spaces = upToSpace;
    const letters = letterBytes(w);
    const nonLetters = letters ^ HIGHS;
    const lower = letters & (w << 2); // bit 5 (0x20) of a letter, shifted to bit 7: lowercase
    const camel = (letters ^ lower) & before(lower, lower0, 1);
    const starts = letters & (before(nonLetters, nonLetters0, 1) | camel);
    const cont = letters ^ starts;
    const c2 = cont & before(cont, cont0, 1);
    const c4 = c2 & before(c2, cont2, 2);
    const c5 = c4 & before(c4, cont4, 1);
    words += popcnt(starts);
    longLetters += popcnt(c5);
    punct += popcnt(nonLetters ^ spaces);
    nonLetters0 = nonLetters; lower0 = lower; spaces0 = spaces; cont0 = cont; cont2 = c2; cont4 = c4;
    p += 8;
  }
  out.end = p;
  out.words = <i32>words;
  out.punct = <i32>punct;
  if (p == start) { out.longLetters = 0; return; } // the caller's state stands, pending letters too
  out.longLetters = <i32>longLetters;
  if ((nonLetters0 & LAST) == 0) {
    out.last = ProseEnd.Letter;
    out.lastLower = (lower0 & LAST) != 0;
    // The last letter's place: 1 + the continuing letters that end the block (all 8 → past 5).
    const continuing = <i32>(clz(~cont0 & HIGHS) >> 3);
    out.runLen = continuing >= 4 ? 5 : continuing + 1;
  } else out.last = (spaces0 & LAST) != 0 ? ProseEnd.Space : ProseEnd.Other;
}
