/**
 * @module filters/lib/json/strings
 * Decoding the raw content of a JSON string (escapes, surrogate pairs) into UTF-8 bytes.
 */
import { CharCode } from "../charcode";
import { LibError } from "../errors";
import { ByteBuffer } from "../bytes";
import { JsonScanner, JSON_FAIL } from "./scanner";

/**
 * Decodes the raw content of a JSON string (`start`…`end`, between the quotes) into `out` as
 * UTF-8. Returns `end`, or `JSON_FAIL` (error recorded in `sc`).
 */
export function decodeStringContent(sc: JsonScanner, start: i32, end: i32, out: ByteBuffer): i32 {
  if (start < 0 || end > sc.len || start > end) return sc.fail(LibError.InvalidSpan, start);
  const base = sc.base;
  let i = start;
  let run = start;
  while (i < end) {
    const c = sc.byteAt(i);
    if (c != CharCode.BACKSLASH) { i++; continue; }
    out.append(base + <usize>run, i - run);
    if (i + 1 >= end) return sc.fail(LibError.InvalidEscape, i);
    const e = sc.byteAt(i + 1);
    let next = i + 2;
    if (e == CharCode.n) out.push(0x0a);
    else if (e == CharCode.t) out.push(0x09);
    else if (e == CharCode.r) out.push(0x0d);
    else if (e == CharCode.b) out.push(0x08);
    else if (e == CharCode.f) out.push(0x0c);
    else if (e == CharCode.QUOTE || e == CharCode.BACKSLASH || e == CharCode.SLASH) out.push(e);
    else if (e == CharCode.u) {
      let cp = sc.hex4(i + 2);
      if (cp < 0) return JSON_FAIL;
      next = i + 6;
      if (cp >= 0xdc00 && cp <= 0xdfff) return sc.fail(LibError.UnpairedSurrogate, i);
      if (cp >= 0xd800 && cp <= 0xdbff) {
        if (next + 6 > end || sc.byteAt(next) != CharCode.BACKSLASH || sc.byteAt(next + 1) != CharCode.u) {
          return sc.fail(LibError.UnpairedSurrogate, i);
        }
        const lo = sc.hex4(next + 2);
        if (lo < 0) return JSON_FAIL;
        if (lo < 0xdc00 || lo > 0xdfff) return sc.fail(LibError.UnpairedSurrogate, i);
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        next += 6;
      }
      appendCodePoint(out, <u32>cp);
    } else {
      return sc.fail(LibError.InvalidEscape, i);
    }
    i = next;
    run = i;
  }
  out.append(base + <usize>run, end - run);
  return end;
}

/** Appends the UTF-8 encoding of a Unicode scalar value. */
export function appendCodePoint(out: ByteBuffer, cp: u32): void {
  if (cp < 0x80) {
    out.push(cp);
  } else if (cp < 0x800) {
    out.push(0xc0 | (cp >> 6));
    out.push(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out.push(0xe0 | (cp >> 12));
    out.push(0x80 | ((cp >> 6) & 0x3f));
    out.push(0x80 | (cp & 0x3f));
  } else {
    out.push(0xf0 | (cp >> 18));
    out.push(0x80 | ((cp >> 12) & 0x3f));
    out.push(0x80 | ((cp >> 6) & 0x3f));
    out.push(0x80 | (cp & 0x3f));
  }
}
