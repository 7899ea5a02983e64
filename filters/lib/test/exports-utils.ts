/**
 * @module filters/lib/test/exports-utils
 * Thin exports over the small utilities: UTF-8, hash, decimal, duration, percent-decoding.
 */
import { utf8InvalidAt, utf8IncompleteTail, utf8BoundaryAtOrBefore } from "../utf8";
import { xxh64 } from "../hash";
import { appendI64, appendU64, parseU64, ParsedU64, decimalLength } from "../decimal";
import { parseDuration, appendDuration } from "../duration";
import { percentDecode } from "../percent";
import { output, setError } from "./common";

export function utf8Invalid(ptr: usize, len: i32): i32 { return <i32>utf8InvalidAt(ptr, <usize>len); }
export function utf8Tail(ptr: usize, len: i32): i32 { return utf8IncompleteTail(ptr, <usize>len); }
export function utf8Boundary(ptr: usize, len: i32, pos: i32): i32 { return <i32>utf8BoundaryAtOrBefore(ptr, <usize>len, <usize>pos); }

export function hash64(ptr: usize, len: i32, seed: u64): u64 { return xxh64(ptr, <usize>len, seed); }

export function decimalI64(v: i64): i32 { output.reset(); appendI64(output, v); return output.length; }
export function decimalU64(v: u64): i32 { output.reset(); appendU64(output, v); return output.length; }
export function decimalDigits(v: u64): i32 { return decimalLength(v); }
const parsed = new ParsedU64();
export function decimalParse(ptr: usize, len: i32): u64 {
  parseU64(ptr, len, parsed);
  setError(parsed.error, -1);
  return parsed.value;
}

export function durationParse(ptr: usize, len: i32): i64 {
  const d = parseDuration(ptr, len);
  setError(d.error, d.errorAt);
  return d.nanos;
}
export function durationFormat(millis: i64): i32 { output.reset(); appendDuration(output, millis); return output.length; }

function str(ptr: usize, len: i32): string { return String.UTF8.decodeUnsafe(ptr, <usize>len, false); }
/** A path segment percent-decoded, into the output buffer; -1 when malformed. */
export function percentDecoded(pPtr: usize, pLen: i32): i32 {
  output.reset();
  const m = percentDecode(str(pPtr, pLen));
  if (m === null) return -1;
  output.appendString(m!);
  return output.length;
}
