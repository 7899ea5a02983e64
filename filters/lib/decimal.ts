/**
 * @module filters/lib/decimal
 * Decimal integers without allocation churn: count the digits, then write them straight into
 * a caller's buffer (header values, metrics, JSON numbers); and strict parsing of unsigned
 * decimal text (header values such as `content-length`) that reports errors instead of trapping.
 */
import { ByteBuffer } from "./bytes";
import { LibError } from "./errors";

/** Number of decimal digits of `v` (1 for 0). */
export function decimalLength(v: u64): i32 {
  let n = 1;
  while (v >= 10) { v /= 10; n++; }
  return n;
}

/** Writes `v` in decimal at `dst`; returns the number of bytes written. */
export function writeU64(dst: usize, v: u64): i32 {
  const n = decimalLength(v);
  let p = dst + <usize>n;
  do {
    p--;
    store<u8>(p, <u8>(0x30 + <u32>(v % 10)));
    v /= 10;
  } while (v != 0);
  return n;
}

/** Writes `v` (with a minus sign when negative) at `dst`; returns the bytes written. */
export function writeI64(dst: usize, v: i64): i32 {
  if (v >= 0) return writeU64(dst, <u64>v);
  store<u8>(dst, 0x2d);
  // Negating i64.MIN_VALUE overflows: its magnitude is still right as u64.
  return 1 + writeU64(dst + 1, <u64>(0 - v));
}

/** Appends `v` in decimal. */
export function appendU64(out: ByteBuffer, v: u64): void {
  out.ensure(20);
  out.length += writeU64(out.dataStart + <usize>out.length, v);
}

/** Appends `v` in decimal, with a minus sign when negative. */
export function appendI64(out: ByteBuffer, v: i64): void {
  out.ensure(21);
  out.length += writeI64(out.dataStart + <usize>out.length, v);
}

/** The result of parsing a decimal number. */
export class ParsedU64 {
  value: u64 = 0;
  error: LibError = LibError.None;
  get ok(): bool { return this.error == LibError.None; }
}

/**
 * Parses `len` bytes of ASCII digits (no sign, no spaces, at least one digit) into `out`.
 * Returns false with `NumberSyntax` or `NumberOutOfRange` (above u64) in `out.error`.
 */
export function parseU64(ptr: usize, len: i32, out: ParsedU64): bool {
  out.value = 0;
  out.error = LibError.None;
  if (len <= 0) { out.error = LibError.NumberSyntax; return false; }
  let v: u64 = 0;
  for (let i = 0; i < len; i++) {
    const d = <u32>load<u8>(ptr + <usize>i) - 0x30;
    if (d >= 10) { out.error = LibError.NumberSyntax; return false; }
    if (v > (u64.MAX_VALUE - <u64>d) / 10) { out.error = LibError.NumberOutOfRange; return false; }
    v = v * 10 + <u64>d;
  }
  out.value = v;
  return true;
}
