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

// @ts-ignore: decorator
@inline function isLetter(c: u32): bool { return (c | 0x20) - CharCode.a < 26; }
// @ts-ignore: decorator
@inline function isUpper(c: u32): bool { return c - CharCode.A < 26; }

/**
 * Adds the features of `len` bytes at `ptr` to `f`. With `jsonEscaped`, the bytes are raw JSON
 * string content and escapes count as the character they encode.
 */
export function addTokenFeatures(f: TokenFeatures, ptr: usize, len: i32, jsonEscaped: bool = false): void {
  let run = Run.None;
  let runLen = 0;
  let prevLower = false;
  let pendingSpace = 0; // length of the space run just before the current position
  let i = 0;
  while (i < len) {
    let c = <u32>load<u8>(ptr + <usize>i);
    let width = 1;
    if (jsonEscaped && c == CharCode.BACKSLASH && i + 1 < len) {
      const e = <u32>load<u8>(ptr + <usize>i + 1);
      width = 2;
      if (e == CharCode.n || e == CharCode.r) c = CharCode.LF;
      else if (e == CharCode.t) c = CharCode.TAB;
      else if (e == CharCode.u && i + 6 <= len) {
        // \uXXXX: judge by code point range; a surrogate pair is one 4-byte character.
        width = 6;
        c = 0;
        for (let k = 2; k < 6; k++) {
          const h = <u32>load<u8>(ptr + <usize>(i + k));
          const d = h - CharCode._0 < 10 ? h - CharCode._0 : ((h | 0x20) - CharCode.a + 10);
          c = (c << 4) | (d & 15);
        }
        if (c >= 0xd800 && c <= 0xdbff && i + 12 <= len && <u32>load<u8>(ptr + <usize>(i + 6)) == CharCode.BACKSLASH) {
          width = 12;
          c = 0x10000;
        }
        if (c < 0x80) { /* an escaped ASCII character: classify it below */ }
        else {
          endRun(f, run, runLen);
          run = Run.None;
          runLen = 0;
          pendingSpace = 0;
          countWide(f, c);
          i += width;
          continue;
        }
      } else c = e; // \" \\ \/ \b \f: the character itself
    }
    if (c < 0x80) {
      if (isLetter(c)) {
        const upper = isUpper(c);
        if (run == Run.Word && !(upper && prevLower)) {
          runLen++;
        } else {
          endRun(f, run, runLen);
          run = Run.Word;
          runLen = 1;
          // A single space before a word is part of the word's token.
          if (pendingSpace > 1) f.spaceRuns++;
        }
        prevLower = !upper;
        pendingSpace = 0;
      } else if (c - CharCode._0 < 10) {
        if (run != Run.Digits) { endRun(f, run, runLen); run = Run.Digits; runLen = 0; if (pendingSpace > 1) f.spaceRuns++; }
        runLen++;
        pendingSpace = 0;
      } else if (c == CharCode.SPACE || c == CharCode.TAB) {
        if (run != Run.Space) { endRun(f, run, runLen); run = Run.Space; runLen = 0; }
        runLen++;
        pendingSpace = runLen;
      } else if (c == CharCode.LF || c == CharCode.CR) {
        if (run != Run.Newline) { endRun(f, run, runLen); run = Run.Newline; runLen = 0; if (pendingSpace > 0) f.spaceRuns++; }
        runLen++;
        pendingSpace = 0;
      } else {
        endRun(f, run, runLen);
        if (pendingSpace > 1) f.spaceRuns++;
        run = Run.None;
        runLen = 0;
        pendingSpace = 0;
        f.punct++;
      }
      i += width;
      continue;
    }
    // Non-ASCII: a whole UTF-8 sequence, classified by its lead byte and code point.
    endRun(f, run, runLen);
    if (pendingSpace > 1) f.spaceRuns++;
    run = Run.None;
    runLen = 0;
    pendingSpace = 0;
    if (c >= 0xc2 && c < 0xe0 && i + 1 < len) {
      countWide(f, ((c & 0x1f) << 6) | (<u32>load<u8>(ptr + <usize>i + 1) & 0x3f));
      i += 2;
    } else if (c >= 0xe0 && c < 0xf0 && i + 2 < len) {
      countWide(f, ((c & 0x0f) << 12) | ((<u32>load<u8>(ptr + <usize>i + 1) & 0x3f) << 6) | (<u32>load<u8>(ptr + <usize>i + 2) & 0x3f));
      i += 3;
    } else if (c >= 0xf0 && c < 0xf5 && i + 3 < len) {
      f.four++;
      i += 4;
    } else {
      f.invalid++;
      i++;
    }
  }
  endRun(f, run, runLen);
  if (run == Run.Space && runLen > 0) f.spaceRuns++;
}

function endRun(f: TokenFeatures, run: Run, runLen: i32): void {
  if (run == Run.Word) {
    f.words++;
    if (runLen > 5) f.longLetters += runLen - 5;
  } else if (run == Run.Digits) {
    f.digitGroups += (runLen + 2) / 3;
  } else if (run == Run.Newline) {
    f.newlineRuns++;
  }
}

function countWide(f: TokenFeatures, cp: u32): void {
  if (cp >= 0x10000) f.four++;
  else if (cp < 0x250) f.latin++;
  else if (cp < 0x800) f.other2++;
  else if (cp >= 0x3000 && cp < 0xd800) f.cjk++;
  else f.other3++;
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
