/**
 * @module filters/lib/percent
 * Percent-decoding of URL path segments (`%XX` → byte), for models named in a path (Gemini,
 * Vertex AI, Azure deployments). The decoded bytes must be valid UTF-8; a malformed escape or
 * invalid UTF-8 gives null rather than a guess, so a path can never smuggle odd bytes into a model.
 */
import { isValidUtf8 } from "./utf8";

function hex(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/** `%XX` decoding to UTF-8 bytes then text; null for a malformed escape or invalid UTF-8. */
export function percentDecode(s: string): string | null {
  if (!s.includes("%")) return s;
  const bytes = String.UTF8.encode(s, false);
  const src = changetype<usize>(bytes);
  const n = bytes.byteLength;
  const out = new Uint8Array(n);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u8>(src + <usize>i);
    if (c != 0x25) { out[o++] = <u8>c; continue; }
    if (i + 2 >= n) return null;
    const hi = hex(<i32>load<u8>(src + <usize>i + 1)), lo = hex(<i32>load<u8>(src + <usize>i + 2));
    if (hi < 0 || lo < 0) return null;
    out[o++] = <u8>((hi << 4) | lo);
    i += 2;
  }
  if (!isValidUtf8(out.dataStart, <usize>o)) return null;
  return String.UTF8.decodeUnsafe(out.dataStart, <usize>o, false);
}

/** A path segment percent-decoded into UTF-8 bytes (a model named in the path); null when malformed. */
export function percentDecodeSegment(s: string): Uint8Array | null {
  const text = percentDecode(s);
  if (text === null) return null;
  return Uint8Array.wrap(String.UTF8.encode(text!, false));
}
