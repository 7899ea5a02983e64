/**
 * @module filters/lib/utf8
 * UTF-8 validation and character-boundary finding over raw bytes (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF). Bodies arrive in chunks that may end inside a
 * character; these helpers tell how many trailing bytes to carry over and where a span can be
 * cut without splitting a character.
 */

/** A well-formed sequence was not found at this position. */
export const UTF8_INVALID: i32 = 0;
/** The bytes so far are a valid prefix but the input ends before the sequence does. */
export const UTF8_INCOMPLETE: i32 = -1;

/**
 * Length (1–4) of the well-formed UTF-8 sequence starting at `p`, `UTF8_INVALID` if the bytes
 * cannot start one, or `UTF8_INCOMPLETE` if `avail` bytes are a valid but unfinished prefix.
 * `avail` must be at least 1.
 */
export function utf8SequenceAt(p: usize, avail: usize): i32 {
  const c = <u32>load<u8>(p);
  if (c < 0x80) return 1;
  if (c < 0xc2) return UTF8_INVALID;
  if (c < 0xe0) {
    if (avail < 2) return UTF8_INCOMPLETE;
    return (<u32>load<u8>(p, 1) & 0xc0) == 0x80 ? 2 : UTF8_INVALID;
  }
  if (c < 0xf0) {
    // The second byte's allowed range depends on the lead: E0 excludes overlongs, ED surrogates.
    let lo: u32 = 0x80, hi: u32 = 0xbf;
    if (c == 0xe0) lo = 0xa0;
    else if (c == 0xed) hi = 0x9f;
    if (avail < 2) return UTF8_INCOMPLETE;
    const c1 = <u32>load<u8>(p, 1);
    if (c1 < lo || c1 > hi) return UTF8_INVALID;
    if (avail < 3) return UTF8_INCOMPLETE;
    return (<u32>load<u8>(p, 2) & 0xc0) == 0x80 ? 3 : UTF8_INVALID;
  }
  if (c < 0xf5) {
    let lo: u32 = 0x80, hi: u32 = 0xbf;
    if (c == 0xf0) lo = 0x90;
    else if (c == 0xf4) hi = 0x8f;
    if (avail < 2) return UTF8_INCOMPLETE;
    const c1 = <u32>load<u8>(p, 1);
    if (c1 < lo || c1 > hi) return UTF8_INVALID;
    if (avail < 3) return UTF8_INCOMPLETE;
    if ((<u32>load<u8>(p, 2) & 0xc0) != 0x80) return UTF8_INVALID;
    if (avail < 4) return UTF8_INCOMPLETE;
    return (<u32>load<u8>(p, 3) & 0xc0) == 0x80 ? 4 : UTF8_INVALID;
  }
  return UTF8_INVALID;
}

/**
 * Offset of the first byte that is not part of a well-formed sequence, or -1 when all `len`
 * bytes are valid UTF-8. A sequence cut off by the end of input counts as invalid here; use
 * `utf8IncompleteTail` first when validating a chunk of a longer stream.
 */
export function utf8InvalidAt(ptr: usize, len: usize): isize {
  let i: usize = 0;
  while (i < len) {
    // Eight ASCII bytes at a time: the common case in JSON and prose.
    if (i + 8 <= len && (load<u64>(ptr + i) & 0x8080808080808080) == 0) { i += 8; continue; }
    const n = utf8SequenceAt(ptr + i, len - i);
    if (n <= 0) return <isize>i;
    i += <usize>n;
  }
  return -1;
}

/** True when the `len` bytes at `ptr` are well-formed UTF-8. */
export function isValidUtf8(ptr: usize, len: usize): bool {
  return utf8InvalidAt(ptr, len) < 0;
}

/** Safe wrapper of `isValidUtf8` for a byte array. */
export function isValidUtf8Bytes(bytes: Uint8Array): bool {
  return utf8InvalidAt(bytes.dataStart, <usize>bytes.length) < 0;
}

/**
 * Number of bytes (0–3) at the end of a chunk that begin a character the chunk does not
 * finish: carry them over to the next chunk. Invalid trailing bytes are not counted (they are
 * an error for the validator, not something to wait for).
 */
export function utf8IncompleteTail(ptr: usize, len: usize): i32 {
  // A lead byte is at most 3 bytes before the end when its sequence is unfinished.
  const lookback: usize = len < 3 ? len : 3;
  for (let k: usize = 1; k <= lookback; k++) {
    const c = <u32>load<u8>(ptr + len - k);
    if ((c & 0xc0) == 0x80) continue; // continuation byte: keep looking for the lead
    if (c < 0x80) return 0;
    return utf8SequenceAt(ptr + len - k, k) == UTF8_INCOMPLETE ? <i32>k : 0;
  }
  return 0;
}

/**
 * The largest offset ≤ `pos` that does not fall inside a multi-byte character: where a span
 * can be cut (e.g. to truncate a log excerpt) without producing invalid UTF-8.
 */
export function utf8BoundaryAtOrBefore(ptr: usize, len: usize, pos: usize): usize {
  if (pos >= len) return len;
  let p = pos;
  // At most three continuation bytes can precede a character's lead byte.
  let steps = 0;
  while (p > 0 && steps < 3 && (<u32>load<u8>(ptr + p) & 0xc0) == 0x80) { p--; steps++; }
  if ((<u32>load<u8>(ptr + p) & 0xc0) == 0x80) return pos; // not UTF-8 here: nothing to protect
  return p;
}
