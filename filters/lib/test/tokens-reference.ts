/**
 * @module filters/lib/test/tokens-reference
 * The token estimator's feature pass as it was before it was made faster (a per-byte loop with
 * the counts in the object): kept, test-only, as the reference the fast pass in tokens.ts must
 * match count for count on every input, escaped or not.
 */
import { CharCode } from "../charcode";
import { TokenFeatures } from "../tokens";

const enum Run { None, Word, Digits, Space, Newline }

// @ts-ignore: decorator
@inline function isLetter(c: u32): bool { return (c | 0x20) - CharCode.a < 26; }
// @ts-ignore: decorator
@inline function isUpper(c: u32): bool { return c - CharCode.A < 26; }

/**
 * Adds the features of `len` bytes at `ptr` to `f`. With `jsonEscaped`, the bytes are raw JSON
 * string content and escapes count as the character they encode.
 */
export function addTokenFeaturesReference(f: TokenFeatures, ptr: usize, len: i32, jsonEscaped: bool = false): void {
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
