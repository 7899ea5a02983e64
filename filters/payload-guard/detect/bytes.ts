/**
 * @module filters/payload-guard/detect/bytes
 * Byte classes the detectors share, over raw JSON string content: a preceding escape such as
 * `\n` counts as a word boundary (its letter is not part of the next word), and a match is never
 * allowed to start or end inside an escape sequence, so redacting it keeps the JSON valid.
 */

// @ts-ignore: decorator
@inline export function at(p: usize, i: i32): u32 { return <u32>load<u8>(p + <usize>i); }
// @ts-ignore: decorator
@inline export function isDigitB(c: u32): bool { return c - 0x30 < 10; }
// @ts-ignore: decorator
@inline export function isUpper(c: u32): bool { return c - 0x41 < 26; }
// @ts-ignore: decorator
@inline export function isLower(c: u32): bool { return c - 0x61 < 26; }
// @ts-ignore: decorator
@inline export function isAlpha(c: u32): bool { return (c | 0x20) - 0x61 < 26; }
// @ts-ignore: decorator
@inline export function isAlnum(c: u32): bool { return c - 0x30 < 10 || (c | 0x20) - 0x61 < 26; }
/** Letters, digits, `_` and `-`: the alphabet of API keys and base64url. */
// @ts-ignore: decorator
@inline export function isKeyChar(c: u32): bool { return isAlnum(c) || c == 0x5f || c == 0x2d; }

/** Number of consecutive backslashes ending just before `i`. */
export function backslashesBefore(p: usize, i: i32): i32 {
  let n = 0;
  while (i - n - 1 >= 0 && at(p, i - n - 1) == 0x5c) n++;
  return n;
}

/** True when the byte at `i` is the letter of an escape (`\n`, `\t`, `\u…`): not text of its own. */
export function isEscapeLetter(p: usize, i: i32): bool {
  return (backslashesBefore(p, i) & 1) == 1;
}

/** The byte before `i` does not continue a word (`word` says which bytes would). */
export function boundaryBefore(p: usize, i: i32, keyChars: bool): bool {
  if (i == 0) return true;
  const c = at(p, i - 1);
  if (!(keyChars ? isKeyChar(c) : isAlnum(c))) return true;
  return isEscapeLetter(p, i - 1);
}

/** The byte at `i` (the one after a match) does not continue it. */
export function boundaryAfter(p: usize, len: i32, i: i32, keyChars: bool): bool {
  if (i >= len) return true;
  const c = at(p, i);
  return !(keyChars ? isKeyChar(c) : isAlnum(c));
}

/** Moves `start` forward out of an escape sequence it would cut. */
export function alignStart(p: usize, len: i32, start: i32): i32 {
  // Look back over at most 5 bytes for an unescaped backslash whose escape covers `start`.
  for (let k = 1; k <= 5 && start - k >= 0; k++) {
    if (at(p, start - k) != 0x5c || (backslashesBefore(p, start - k) & 1) == 1) continue;
    const width = start - k + 1 < len && at(p, start - k + 1) == 0x75 ? 6 : 2;
    if (start - k + width > start) return start - k + width;
    break;
  }
  return start;
}

/** Moves `end` back so the match does not end inside an escape sequence. */
export function alignEnd(p: usize, len: i32, end: i32): i32 {
  for (let k = 1; k <= 5 && end - k >= 0; k++) {
    if (at(p, end - k) != 0x5c || (backslashesBefore(p, end - k) & 1) == 1) continue;
    const width = end - k + 1 < len && at(p, end - k + 1) == 0x75 ? 6 : 2;
    if (end - k + width > end) return end - k;
    break;
  }
  return end;
}
