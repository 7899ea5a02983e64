/**
 * @module filters/lib/json/escape
 * Writing text as JSON string content: `escapedLength` counts, `escapeInto` writes (count, then
 * allocate once). Quotes, backslashes and control bytes are escaped; valid UTF-8 is copied as is.
 */
import { CharCode } from "../charcode";

const HEX = "0123456789abcdef";

/** Bytes needed to write the `len` bytes at `ptr` as JSON string content (without quotes). */
export function escapedLength(ptr: usize, len: i32): i32 {
  let n = len;
  for (let i = 0; i < len; i++) {
    const c = <u32>load<u8>(ptr + <usize>i);
    if (c == CharCode.QUOTE || c == CharCode.BACKSLASH) n += 1;
    else if (c < <u32>CharCode.SPACE) n += (c == CharCode.LF || c == CharCode.CR || c == CharCode.TAB || c == 0x08 || c == 0x0c) ? 1 : 5;
  }
  return n;
}

/** Writes the escaped form of `len` bytes at `ptr` to `dst`; returns the bytes written. */
export function escapeInto(ptr: usize, len: i32, dst: usize): i32 {
  let o = dst;
  for (let i = 0; i < len; i++) {
    const c = <u32>load<u8>(ptr + <usize>i);
    if (c == CharCode.QUOTE || c == CharCode.BACKSLASH) {
      store<u8>(o++, CharCode.BACKSLASH);
      store<u8>(o++, <u8>c);
    } else if (c < <u32>CharCode.SPACE) {
      store<u8>(o++, CharCode.BACKSLASH);
      if (c == CharCode.LF) store<u8>(o++, CharCode.n);
      else if (c == CharCode.CR) store<u8>(o++, CharCode.r);
      else if (c == CharCode.TAB) store<u8>(o++, CharCode.t);
      else if (c == 0x08) store<u8>(o++, CharCode.b);
      else if (c == 0x0c) store<u8>(o++, CharCode.f);
      else {
        store<u8>(o++, CharCode.u);
        store<u8>(o++, CharCode._0);
        store<u8>(o++, CharCode._0);
        store<u8>(o++, <u8>HEX.charCodeAt(c >> 4));
        store<u8>(o++, <u8>HEX.charCodeAt(c & 15));
      }
    } else {
      store<u8>(o++, <u8>c);
    }
  }
  return <i32>(o - dst);
}

/** `text` (UTF-8 bytes) as a complete JSON string literal, quotes included. */
export function jsonStringLiteral(text: Uint8Array): Uint8Array {
  const n = escapedLength(text.dataStart, text.length);
  const out = new Uint8Array(n + 2);
  store<u8>(out.dataStart, CharCode.QUOTE);
  escapeInto(text.dataStart, text.length, out.dataStart + 1);
  store<u8>(out.dataStart + <usize>n + 1, CharCode.QUOTE);
  return out;
}
