/**
 * @module filters/lib/duration
 * Durations as configuration writes them ("500ms", "1m", "24h", "1h30m", "1.5s"): a sequence of
 * `<number><unit>` with units ns, us (or µs), ms, s, m, h, d; or a bare "0". Parsed to
 * nanoseconds with overflow checks; anything else is `InvalidDuration` with the byte offset.
 * Also formats milliseconds the way OpenAI's `x-ratelimit-reset-*` headers do ("6m0s", "12ms").
 */
import { LibError } from "./errors";
import { ByteBuffer } from "./bytes";
import { appendU64 } from "./decimal";

const NS_PER_US: i64 = 1000;
const NS_PER_MS: i64 = 1000_000;
const NS_PER_S: i64 = 1000_000_000;
const NS_PER_M: i64 = 60 * NS_PER_S;
const NS_PER_H: i64 = 60 * NS_PER_M;
const NS_PER_D: i64 = 24 * NS_PER_H;

export class Duration {
  nanos: i64 = 0;
  error: LibError = LibError.None;
  errorAt: i32 = -1;
  get ok(): bool { return this.error == LibError.None; }
  /** Whole milliseconds (rounded down). */
  get millis(): i64 { return this.nanos / NS_PER_MS; }
}

function bad(d: Duration, code: LibError, at: i32): Duration {
  d.nanos = 0;
  d.error = code;
  d.errorAt = at;
  return d;
}

/** Parses the `len` bytes at `ptr`. */
export function parseDuration(ptr: usize, len: i32): Duration {
  const d = new Duration();
  if (len <= 0) return bad(d, LibError.InvalidDuration, 0);
  if (len == 1 && load<u8>(ptr) == 0x30) return d; // "0"
  let total: i64 = 0;
  let i = 0;
  while (i < len) {
    // Number: digits with an optional fraction.
    const numStart = i;
    let whole: i64 = 0;
    let digits = 0;
    while (i < len && <u32>load<u8>(ptr + <usize>i) - 0x30 < 10) {
      if (whole > 922337203685477580) return bad(d, LibError.NumberOutOfRange, numStart);
      whole = whole * 10 + <i64>(load<u8>(ptr + <usize>i) - 0x30);
      i++;
      digits++;
    }
    let frac: i64 = 0, fracScale: i64 = 1;
    if (i < len && load<u8>(ptr + <usize>i) == 0x2e) {
      i++;
      while (i < len && <u32>load<u8>(ptr + <usize>i) - 0x30 < 10) {
        if (fracScale < 1000_000_000_000_000) { frac = frac * 10 + <i64>(load<u8>(ptr + <usize>i) - 0x30); fracScale *= 10; }
        i++;
        digits++;
      }
    }
    if (digits == 0) return bad(d, LibError.InvalidDuration, numStart);
    // Unit.
    const unitStart = i;
    while (i < len) {
      const c = <u32>load<u8>(ptr + <usize>i);
      if (c - 0x30 < 10 || c == 0x2e) break;
      i++;
    }
    const unit = unitNanos(ptr + <usize>unitStart, i - unitStart);
    if (unit == 0) return bad(d, LibError.InvalidDuration, unitStart);
    if (whole > i64.MAX_VALUE / unit) return bad(d, LibError.NumberOutOfRange, numStart);
    const part = whole * unit + (frac * unit) / fracScale;
    if (total > i64.MAX_VALUE - part) return bad(d, LibError.NumberOutOfRange, numStart);
    total += part;
  }
  d.nanos = total;
  return d;
}

/** Nanoseconds per unit for the unit spelled by the `n` bytes at `p`, or 0 if unknown. */
function unitNanos(p: usize, n: i32): i64 {
  const c0 = n > 0 ? <u32>load<u8>(p) : 0;
  const c1 = n > 1 ? <u32>load<u8>(p, 1) : 0;
  if (n == 1) {
    if (c0 == 0x73) return NS_PER_S;  // s
    if (c0 == 0x6d) return NS_PER_M;  // m
    if (c0 == 0x68) return NS_PER_H;  // h
    if (c0 == 0x64) return NS_PER_D;  // d
    return 0;
  }
  if (n == 2 && c1 == 0x73) {
    if (c0 == 0x6e) return 1;          // ns
    if (c0 == 0x75) return NS_PER_US; // us
    if (c0 == 0x6d) return NS_PER_MS; // ms
    return 0;
  }
  if (n == 3 && c0 == 0xc2 && c1 == 0xb5 && load<u8>(p, 2) == 0x73) return NS_PER_US; // µs (U+00B5)
  if (n == 3 && c0 == 0xce && c1 == 0xbc && load<u8>(p, 2) == 0x73) return NS_PER_US; // μs (U+03BC)
  return 0;
}

/** Parses a string (configuration values arrive decoded). */
export function parseDurationString(s: string): Duration {
  const b = String.UTF8.encode(s, false);
  return parseDuration(changetype<usize>(b), b.byteLength);
}

/**
 * Appends `millis` as OpenAI writes rate-limit resets: "12ms" below a second, otherwise hours,
 * minutes and seconds with up to three decimals ("1s", "6m0s", "1h2m3.5s"). Negative is "0s".
 */
export function appendDuration(out: ByteBuffer, millis: i64): void {
  if (millis <= 0) { out.appendString("0s"); return; }
  if (millis < 1000) { appendU64(out, <u64>millis); out.appendString("ms"); return; }
  const h = millis / 3_600_000;
  const m = (millis / 60_000) % 60;
  const s = (millis / 1000) % 60;
  let ms = millis % 1000;
  if (h > 0) { appendU64(out, <u64>h); out.push(0x68); }
  if (h > 0 || m > 0) { appendU64(out, <u64>m); out.push(0x6d); }
  appendU64(out, <u64>s);
  if (ms > 0) {
    out.push(0x2e);
    let digits = 3;
    while (ms % 10 == 0) { ms /= 10; digits--; }
    // Leading zeros of the fraction (e.g. .05).
    let pad = digits - (ms >= 100 ? 3 : ms >= 10 ? 2 : 1);
    while (pad-- > 0) out.push(0x30);
    appendU64(out, <u64>ms);
  }
  out.push(0x73);
}
