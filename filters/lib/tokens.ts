/**
 * @module filters/lib/tokens
 * Estimates how many tokens a UTF-8 text has for OpenAI's o200k_base tokenizer, without a
 * vocabulary: one pass classifies the bytes into script classes (ASCII words, digit runs,
 * punctuation, whitespace runs, other Latin, CJK, other scripts, 4-byte characters such as
 * emoji) and a linear model with coefficients calibrated against o200k_base turns the counts
 * into tokens. Calibration and the error per kind of text are in bench/ (suite `tokens`).
 * Works on raw JSON string content too (`jsonEscaped`), reading `\n`, `\"` and `\uXXXX` as the
 * characters they stand for.
 */
import { CharCode } from "./charcode";
import { ProseEnd, ProseScan, scanProse } from "./tokens-swar";

/** Counts per class, the estimator's features. Reusable: `clear()` between texts. */
export class TokenFeatures {
  /** ASCII letter runs; a lower→upper case change starts a new run (camelCase). */
  words: i32 = 0;
  /** Letters beyond the fifth in each word (long and rare words split into several tokens). */
  longLetters: i32 = 0;
  /** Groups of up to three digits (o200k splits numbers that way). */
  digitGroups: i32 = 0;
  /** ASCII punctuation and symbols. */
  punct: i32 = 0;
  /** Runs of spaces or tabs, except a single space right before a word. */
  spaceRuns: i32 = 0;
  /** Runs of line breaks. */
  newlineRuns: i32 = 0;
  /** Two-byte characters up to U+024F (accented Latin letters). */
  latin: i32 = 0;
  /** Other two-byte characters (Greek, Cyrillic, Hebrew, Arabic, …). */
  other2: i32 = 0;
  /** CJK ideographs, kana, CJK punctuation and Hangul (U+3000–U+D7FF). */
  cjk: i32 = 0;
  /** Other three-byte characters (Indic scripts, symbols, variation selectors, …). */
  other3: i32 = 0;
  /** Four-byte characters (emoji, rare ideographs). */
  four: i32 = 0;
  /** Bytes that are not valid UTF-8 leads, counted as one token each. */
  invalid: i32 = 0;

  clear(): void {
    this.words = 0; this.longLetters = 0; this.digitGroups = 0; this.punct = 0; this.spaceRuns = 0;
    this.newlineRuns = 0; this.latin = 0; this.other2 = 0; this.cjk = 0; this.other3 = 0; this.four = 0; this.invalid = 0;
  }
}

// Coefficients in thousandths of a token per counted unit, fitted by bench/calibrate-tokens.ts.
// LATIN, OTHER2 and INVALID are not covered by the generated corpus and keep hand-set values.
const C_WORD: i64 = 1130;
const C_LONG: i64 = 0;
const C_DIGITS: i64 = 1477;
const C_PUNCT: i64 = 382;
const C_SPACE: i64 = 576;
const C_NEWLINE: i64 = 1401;
const C_LATIN: i64 = 500;
const C_OTHER2: i64 = 600;
const C_CJK: i64 = 987;
const C_OTHER3: i64 = 1094;
const C_FOUR: i64 = 2010;
const C_INVALID: i64 = 1000;

/** Tokens for features gathered from one or more spans (rounded, at least 1 for any text). */
export function tokensFromFeatures(f: TokenFeatures): i64 {
  const milli = C_WORD * <i64>f.words + C_LONG * <i64>f.longLetters + C_DIGITS * <i64>f.digitGroups +
    C_PUNCT * <i64>f.punct + C_SPACE * <i64>f.spaceRuns + C_NEWLINE * <i64>f.newlineRuns +
    C_LATIN * <i64>f.latin + C_OTHER2 * <i64>f.other2 + C_CJK * <i64>f.cjk + C_OTHER3 * <i64>f.other3 +
    C_FOUR * <i64>f.four + C_INVALID * <i64>f.invalid;
  if (milli <= 0) return 0;
  const t = (milli + 500) / 1000;
  return t > 0 ? t : 1;
}

const enum Run { None, Word, Digits, Space, Newline }

/** Classes of a byte, as `BYTE_CLASS` holds them. */
const enum ByteClass { Punct = 0, Lower = 1, Upper = 2, Digit = 3, Space = 4, Newline = 5, Wide = 6, Backslash = 7 }

/** The class of each byte value (256 bytes): one load instead of a chain of range tests. */
const BYTE_CLASS = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 5, 0, 0, 5, 0, 0, // 0x00
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0x10
  4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0x20
  3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0, // 0x30
  0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, // 0x40
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 7, 0, 0, 0, // 0x50
  0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, // 0x60
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, // 0x70
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, // 0x80
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, // 0x90
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, // 0xa0
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, // 0xb0
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, // 0xc0
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, // 0xd0
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, // 0xe0
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, // 0xf0
]);

// @ts-ignore: decorator
@inline function byteClass(c: u32): u32 { return <u32>load<u8>(BYTE_CLASS + <usize>c); }

/** The prose step's results (one text at a time: a proxy-wasm module is single-threaded). */
const prose = new ProseScan();

const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;

/** True when all eight bytes of `w` are ASCII lowercase letters (exact: a failing byte's carry cannot hide it). */
// @ts-ignore: decorator
@inline function allLower(w: u64): bool {
  const atLeastA = w + ONES * 0x1f; // high bit set where byte >= 'a' (for bytes < 0x80)
  const pastZ = w + ONES * 0x05;    // high bit set where byte > 'z'
  return (atLeastA & ~(pastZ | w) & HIGHS) == HIGHS;
}

/**
 * Adds the features of `len` bytes at `ptr` to `f`. With `jsonEscaped`, the bytes are raw JSON
 * string content and escapes count as the character they encode.
 *
 * One pass with the counts in locals and a byte-class table. Each class has an inner loop over
 * the bytes that keep its run going: letters (eight lowercase bytes per step at a word's start,
 * then the prose step of tokens-swar.ts, eight bytes of letters, single spaces and punctuation
 * per step, and words after single spaces without leaving the loop), digits, blanks, line breaks,
 * punctuation and non-ASCII characters; escapes go through the general step. A word or newline
 * run is counted when it starts; a word's extra letters and a digit run's groups when it ends.
 * The counts are those of the per-byte reference in filters/lib/test/tokens-reference.ts.
 */
export function addTokenFeatures(f: TokenFeatures, ptr: usize, len: i32, jsonEscaped: bool = false): void {
  let words = 0, longLetters = 0, digitGroups = 0, punct = 0, spaceRuns = 0, newlineRuns = 0;
  let latin = 0, other2 = 0, cjk = 0, other3 = 0, four = 0, invalid = 0;
  let run = Run.None;
  let runLen = 0;
  let prevLower = false;
  let pendingSpace = 0; // length of the space run just before the current position
  prose.retry = 0; // kept in memory, not a local: the loops have few registers to spare
  prose.backoff = 0;
  let p = ptr;
  const end = len > 0 ? ptr + <usize>len : ptr;
  while (p < end) {
    let c = <u32>load<u8>(p);
    let width: usize = 1;
    if (c == CharCode.BACKSLASH && jsonEscaped && p + 1 < end) {
      const e = <u32>load<u8>(p + 1);
      width = 2;
      if (e == CharCode.n || e == CharCode.r) c = CharCode.LF;
      else if (e == CharCode.t) c = CharCode.TAB;
      else if (e == CharCode.u && p + 6 <= end) {
        // \uXXXX: judge by code point range; a surrogate pair is one 4-byte character.
        width = 6;
        c = 0;
        for (let k: usize = 2; k < 6; k++) {
          const h = <u32>load<u8>(p + k);
          const d = h - CharCode._0 < 10 ? h - CharCode._0 : ((h | 0x20) - CharCode.a + 10);
          c = (c << 4) | (d & 15);
        }
        if (c >= 0xd800 && c <= 0xdbff && p + 12 <= end && <u32>load<u8>(p + 6) == CharCode.BACKSLASH) {
          width = 12;
          c = 0x10000;
        }
        if (c >= 0x80) {
          // An escaped wide character ends the run (and, unlike a raw one, drops the blanks before it).
          if (run == Run.Word) { if (runLen > 5) longLetters += runLen - 5; }
          else if (run == Run.Digits) digitGroups += (runLen + 2) / 3;
          run = Run.None;
          runLen = 0;
          pendingSpace = 0;
          if (c >= 0x10000) four++;
          else if (c < 0x250) latin++;
          else if (c < 0x800) other2++;
          else if (c >= 0x3000 && c < 0xd800) cjk++;
          else other3++;
          p += width;
          continue;
        }
      } else c = e; // \" \\ \/ \b \f: the character itself
    }
    const cls = byteClass(c);
    switch (cls) {
      case ByteClass.Lower:
      case ByteClass.Upper: {
        const upper = cls == ByteClass.Upper;
        if (run == Run.Word && !(upper && prevLower)) {
          runLen++;
        } else {
          if (run == Run.Digits) digitGroups += (runLen + 2) / 3;
          else if (run == Run.Word && runLen > 5) longLetters += runLen - 5;
          run = Run.Word;
          runLen = 1;
          words++;
          // A single space before a word is part of the word's token.
          if (pendingSpace > 1) spaceRuns++;
        }
        prevLower = !upper;
        pendingSpace = 0;
        p += width;
        while (p + 8 <= end && allLower(load<u64>(p))) { p += 8; runLen += 8; prevLower = true; }
        // The rest of the word, and what follows while it is prose, eight bytes per step
        // (tokens-swar), up to a block it refuses.
        if (p >= prose.retry) {
          scanProse(prose, p, end, runLen, prevLower, jsonEscaped);
          if (prose.end != p) {
            p = prose.end;
            words += prose.words;
            longLetters += prose.longLetters;
            punct += prose.punct;
            if (prose.last != ProseEnd.Letter) {
              run = prose.last == ProseEnd.Space ? Run.Space : Run.None;
              runLen = pendingSpace = prose.last == ProseEnd.Space ? 1 : 0;
              continue;
            }
            runLen = prose.runLen;
            prevLower = prose.lastLower;
          }
        }
        // The rest of the word, and further words each after a single space.
        while (p < end) {
          const b = <u32>load<u8>(p);
          const k = byteClass(b);
          if (k == ByteClass.Lower) {
            runLen++;
            prevLower = true;
            p++;
          } else if (k == ByteClass.Upper) {
            if (prevLower) { // camelCase: a new word
              if (runLen > 5) longLetters += runLen - 5;
              words++;
              runLen = 1;
            } else runLen++;
            prevLower = false;
            p++;
          } else if (b == CharCode.SPACE && p + 1 < end) {
            const k2 = byteClass(<u32>load<u8>(p + 1));
            if (k2 != ByteClass.Lower && k2 != ByteClass.Upper) break;
            if (runLen > 5) longLetters += runLen - 5;
            words++;
            runLen = 1;
            prevLower = k2 == ByteClass.Lower;
            p += 2;
          } else break;
        }
        continue;
      }
      case ByteClass.Digit: {
        if (run != Run.Digits) {
          if (run == Run.Word && runLen > 5) longLetters += runLen - 5;
          run = Run.Digits;
          runLen = 0;
          if (pendingSpace > 1) spaceRuns++;
        }
        runLen++;
        pendingSpace = 0;
        p += width;
        while (p < end && <u32>load<u8>(p) - CharCode._0 < 10) { runLen++; p++; }
        continue;
      }
      case ByteClass.Space: {
        if (run != Run.Space) {
          if (run == Run.Word) { if (runLen > 5) longLetters += runLen - 5; }
          else if (run == Run.Digits) digitGroups += (runLen + 2) / 3;
          run = Run.Space;
          runLen = 0;
        }
        runLen++;
        p += width;
        while (p < end) {
          const b = <u32>load<u8>(p);
          if (b != CharCode.SPACE && b != CharCode.TAB) break;
          runLen++;
          p++;
        }
        pendingSpace = runLen;
        continue;
      }
      case ByteClass.Newline: {
        if (run != Run.Newline) {
          if (run == Run.Word) { if (runLen > 5) longLetters += runLen - 5; }
          else if (run == Run.Digits) digitGroups += (runLen + 2) / 3;
          run = Run.Newline;
          runLen = 0;
          newlineRuns++;
          if (pendingSpace > 0) spaceRuns++;
        }
        runLen++;
        pendingSpace = 0;
        p += width;
        while (p < end && byteClass(<u32>load<u8>(p)) == ByteClass.Newline) { runLen++; p++; }
        continue;
      }
      default: break;
    }
    // Punctuation, or the start of non-ASCII: either ends the run and a blank run before it.
    if (run == Run.Word) { if (runLen > 5) longLetters += runLen - 5; }
    else if (run == Run.Digits) digitGroups += (runLen + 2) / 3;
    if (pendingSpace > 1) spaceRuns++;
    run = Run.None;
    runLen = 0;
    pendingSpace = 0;
    if (cls != ByteClass.Wide) {
      // Punctuation (a backslash here is not an escape); the punctuation after it, raw.
      punct++;
      p += width;
      while (p < end && byteClass(<u32>load<u8>(p)) == ByteClass.Punct) { punct++; p++; }
      continue;
    }
    // Non-ASCII: whole UTF-8 sequences, classified by lead byte and code point, as long as they
    // last (nothing between them changes the run state). `c` may come from an escape (`\é`):
    // the sequence is then read from the backslash on, as the reference does.
    while (true) {
      if (c >= 0xe0 && c < 0xf0 && p + 2 < end) {
        const cp = ((c & 0x0f) << 12) | ((<u32>load<u8>(p + 1) & 0x3f) << 6) | (<u32>load<u8>(p + 2) & 0x3f);
        if (cp >= 0x3000 && cp < 0xd800) cjk++;
        else if (cp < 0x250) latin++;
        else if (cp < 0x800) other2++;
        else other3++;
        p += 3;
      } else if (c >= 0xc2 && c < 0xe0 && p + 1 < end) {
        const cp = ((c & 0x1f) << 6) | (<u32>load<u8>(p + 1) & 0x3f);
        if (cp < 0x250) latin++; else other2++;
        p += 2;
      } else if (c >= 0xf0 && c < 0xf5 && p + 3 < end) {
        four++;
        p += 4;
      } else {
        invalid++;
        p++;
      }
      if (p >= end) break;
      c = <u32>load<u8>(p);
      if (c < 0x80) break;
    }
  }
  if (run == Run.Word) { if (runLen > 5) longLetters += runLen - 5; }
  else if (run == Run.Digits) digitGroups += (runLen + 2) / 3;
  else if (run == Run.Space && runLen > 0) spaceRuns++;
  f.words += words; f.longLetters += longLetters; f.digitGroups += digitGroups; f.punct += punct;
  f.spaceRuns += spaceRuns; f.newlineRuns += newlineRuns; f.latin += latin; f.other2 += other2;
  f.cjk += cjk; f.other3 += other3; f.four += four; f.invalid += invalid;
}

const scratch = new TokenFeatures();

/** Estimated o200k_base tokens of the UTF-8 text at `ptr`. */
export function estimateTokens(ptr: usize, len: i32, jsonEscaped: bool = false): i64 {
  scratch.clear();
  addTokenFeatures(scratch, ptr, len, jsonEscaped);
  return tokensFromFeatures(scratch);
}

/** Safe wrapper of `estimateTokens` for a byte array. */
export function estimateTokensBytes(text: Uint8Array): i64 {
  return estimateTokens(text.dataStart, text.length, false);
}
