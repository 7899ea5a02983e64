/**
 * @module filters/lib/json/values
 * Reading scalar values found by `JsonScanner`: strings (raw span, or decoded into a reusable
 * byte buffer only when asked), integers (i64, overflow checked), floats (f64, infinity
 * rejected), booleans and null. Each reader returns a neutral value and records the error in
 * the scanner (`JSON_FAIL` semantics) instead of trapping.
 */
import { CharCode } from "../charcode";
import { LibError } from "../errors";
import { ByteBuffer } from "../bytes";
import { utf8InvalidAt } from "../utf8";
import { JsonScanner, JSON_FAIL } from "./scanner";
import { decodeStringContent } from "./strings";
import { JsonKey } from "./key";

/**
 * A string value's raw content, between its quotes, as found in the body: `start`, `end`,
 * and whether it contains escapes (when it does not, the raw bytes are the decoded text).
 * The span's UTF-8 is checked only if the scanner's `validateUtf8` is on.
 */
export class JsonStringSpan {
  start: i32 = 0;
  end: i32 = 0;
  escaped: bool = false;
  get length(): i32 { return this.end - this.start; }
}

/** Fills `span` with the raw content of the string at `pos`; returns the offset after it. */
export function stringSpan(sc: JsonScanner, pos: i32, span: JsonStringSpan): i32 {
  if (pos < 0 || pos >= sc.len) return sc.fail(LibError.UnexpectedEnd, pos);
  if (sc.byteAt(pos) != CharCode.QUOTE) return sc.fail(LibError.TypeMismatch, pos);
  const e = sc.skipString(pos);
  if (e < 0) return e;
  span.start = pos + 1;
  span.end = e - 1;
  span.escaped = sc.sawEscape;
  return e;
}

/**
 * Appends the decoded (UTF-8) text of the string at `pos` to `out`; returns the offset after
 * the string. Escapes, surrogate pairs and UTF-8 are checked.
 */
export function readString(sc: JsonScanner, pos: i32, out: ByteBuffer): i32 {
  if (pos < 0 || pos >= sc.len) return sc.fail(LibError.UnexpectedEnd, pos);
  if (sc.byteAt(pos) != CharCode.QUOTE) return sc.fail(LibError.TypeMismatch, pos);
  const e = sc.skipString(pos);
  if (e < 0) return e;
  // The raw bytes between escapes are copied as they are: check them (escapes decode to valid
  // UTF-8 by construction, surrogates having been paired).
  const bad = utf8InvalidAt(sc.base + <usize>(pos + 1), <usize>(e - pos - 2));
  if (bad >= 0) return sc.fail(LibError.InvalidUtf8, pos + 1 + <i32>bad);
  if (!sc.sawEscape) {
    out.append(sc.base + <usize>(pos + 1), e - pos - 2);
    return e;
  }
  if (decodeStringContent(sc, pos + 1, e - 1, out) < 0) return JSON_FAIL;
  return e;
}

/** The decoded string at `pos` as a new byte array, or null (error recorded). */
export function stringBytes(sc: JsonScanner, pos: i32): Uint8Array | null {
  const out = new ByteBuffer(32);
  if (readString(sc, pos, out) < 0) return null;
  return out.toBytes();
}

/** True when the string at `pos` decodes to exactly the bytes of `key`. */
export function stringEquals(sc: JsonScanner, pos: i32, key: JsonKey): bool {
  if (pos < 0 || pos >= sc.len || sc.byteAt(pos) != CharCode.QUOTE) return false;
  const e = sc.skipString(pos);
  if (e < 0) return false;
  return sc.rawStringEquals(pos + 1, e - 1, sc.sawEscape, key.ptr, key.len);
}

/** 1 for `true`, 0 for `false`, -1 for anything else (`TypeMismatch` recorded). */
export function readBool(sc: JsonScanner, pos: i32): i32 {
  // (Compared as `pos <= len - n`: `pos + n` could overflow for a position near i32.MAX_VALUE.)
  if (pos >= 0 && pos <= sc.len - 4) {
    const w = load<u32>(sc.base + <usize>pos);
    if (w == 0x65757274) return 1; // "true"
    if (w == 0x736c6166 && pos <= sc.len - 5 && sc.byteAt(pos + 4) == CharCode.e) return 0; // "fals"+"e"
  }
  sc.fail(LibError.TypeMismatch, pos);
  return -1;
}

/** True when the value at `pos` is `null`. */
export function isNull(sc: JsonScanner, pos: i32): bool {
  return pos >= 0 && pos <= sc.len - 4 && load<u32>(sc.base + <usize>pos) == 0x6c6c756e;
}

/**
 * The integer at `pos`. A fraction or exponent is `NotAnInteger`, a value outside i64 is
 * `NumberOutOfRange`; on error 0 is returned and `sc.error` is set (check it when 0).
 */
export function readI64(sc: JsonScanner, pos: i32): i64 {
  sc.error = LibError.None;
  if (pos < 0 || pos >= sc.len) { sc.fail(LibError.UnexpectedEnd, pos); return 0; }
  const c0 = sc.byteAt(pos);
  if (c0 != CharCode.MINUS && c0 - CharCode._0 >= 10) { sc.fail(LibError.TypeMismatch, pos); return 0; }
  const e = sc.skipNumber(pos);
  if (e < 0) return 0;
  const negative = c0 == CharCode.MINUS;
  let i = negative ? pos + 1 : pos;
  // Accumulate toward the negative side so that i64.MIN_VALUE is representable.
  let v: i64 = 0;
  const limit: i64 = i64.MIN_VALUE / 10;
  while (i < e) {
    const d = sc.byteAt(i);
    if (d - CharCode._0 >= 10) { sc.fail(LibError.NotAnInteger, i); return 0; }
    const digit = <i64>(d - CharCode._0);
    if (v < limit || (v == limit && digit > 8)) { sc.fail(LibError.NumberOutOfRange, pos); return 0; }
    v = v * 10 - digit;
    i++;
  }
  if (!negative) {
    if (v == i64.MIN_VALUE) { sc.fail(LibError.NumberOutOfRange, pos); return 0; }
    return -v;
  }
  return v;
}

/** Exact powers of ten up to 1e22: the range where one multiplication rounds correctly. */
const POW10: StaticArray<f64> = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/**
 * The number at `pos` as f64. A value too large for f64 (e.g. `1e400`) is `NumberOutOfRange`;
 * on error 0 is returned and `sc.error` is set. Short numbers take an exact fast path; longer
 * ones the standard library's correctly rounding parser.
 */
export function readF64(sc: JsonScanner, pos: i32): f64 {
  sc.error = LibError.None;
  if (pos < 0 || pos >= sc.len) { sc.fail(LibError.UnexpectedEnd, pos); return 0; }
  const c0 = sc.byteAt(pos);
  if (c0 != CharCode.MINUS && c0 - CharCode._0 >= 10) { sc.fail(LibError.TypeMismatch, pos); return 0; }
  const e = sc.skipNumber(pos);
  if (e < 0) return 0;
  const negative = c0 == CharCode.MINUS;
  let i = negative ? pos + 1 : pos;
  let mantissa: u64 = 0;
  let digits = 0;
  let scale = 0;
  while (i < e && sc.byteAt(i) - CharCode._0 < 10) {
    if (digits < 19) { mantissa = mantissa * 10 + <u64>(sc.byteAt(i) - CharCode._0); if (mantissa != 0) digits++; }
    else scale++;
    i++;
  }
  if (i < e && sc.byteAt(i) == CharCode.DOT) {
    i++;
    while (i < e && sc.byteAt(i) - CharCode._0 < 10) {
      if (digits < 19) { mantissa = mantissa * 10 + <u64>(sc.byteAt(i) - CharCode._0); if (mantissa != 0) digits++; scale--; }
      i++;
    }
  }
  let exp = 0;
  let expOverflow = false;
  if (i < e) { // exponent
    i++;
    let expNeg = false;
    const s = sc.byteAt(i);
    if (s == CharCode.MINUS || s == CharCode.PLUS) { expNeg = s == CharCode.MINUS; i++; }
    while (i < e) {
      if (exp < 100000) exp = exp * 10 + <i32>(sc.byteAt(i) - CharCode._0);
      else expOverflow = true;
      i++;
    }
    if (expNeg) exp = -exp;
  }
  let result: f64;
  const total = scale + exp;
  if (mantissa == 0) {
    result = 0;
  } else if (!expOverflow && digits <= 15 && total >= -22 && total <= 22) {
    const m = <f64>mantissa;
    result = total >= 0 ? m * unchecked(POW10[total]) : m / unchecked(POW10[-total]);
  } else {
    // Rare: long mantissas or large exponents. Allocates a short string for the std parser.
    const text = String.UTF8.decodeUnsafe(sc.base + <usize>pos, <usize>(e - pos), false);
    result = parseFloat(text);
    return checkFinite(sc, result, pos);
  }
  return checkFinite(sc, negative ? -result : result, pos);
}

function checkFinite(sc: JsonScanner, v: f64, pos: i32): f64 {
  if (!isFinite(v)) { sc.fail(LibError.NumberOutOfRange, pos); return 0; }
  return v;
}
