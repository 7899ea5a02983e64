/**
 * @module filters/payload-guard/detect/pii
 * Personal data detectors over raw JSON string content. Each `match…` looks at one candidate
 * position (the scanner calls it only where the kind could start) and returns the end offset of
 * a match, or -1. Shapes:
 * - email: `local@domain.tld` (local `[A-Za-z0-9._%+-]`, dotted domain, a TLD of 2+ letters);
 * - phone: `+` and 8–15 digits, or 10–15 digits in 3+ groups separated by one space, dash, dot
 *   or parentheses (`(415) 555-2671`, `+44 20 7946 0958`); a bare run of digits is not a phone;
 * - card: 13–19 digits, single spaces or dashes allowed between them, passing the Luhn check;
 * - ssn: `ddd-dd-dddd` (or with spaces), never area 000/666/9xx, group 00 or serial 0000;
 * - ipv4: four dotted octets 0–255, not part of a longer dotted number (`1.2.3.4.5`);
 * - iban: two letters, two check digits, 11–30 letters or digits (compact or in groups of four),
 *   passing the ISO 7064 mod-97 check.
 */
import { at, isAlnum, isAlpha, isDigitB, isUpper, boundaryAfter } from "./bytes";

// @ts-ignore: decorator
@inline function isLocalChar(c: u32): bool {
  return isAlnum(c) || c == 0x2e || c == 0x5f || c == 0x25 || c == 0x2b || c == 0x2d;
}

/** Email around the `@` at `a`; returns [start, end) packed as start << 32 | end, or -1. */
export function matchEmail(p: usize, len: i32, a: i32): i64 {
  let s = a;
  while (s > 0 && isLocalChar(at(p, s - 1))) s--;
  // An escape letter (`\n` before the address) is not part of it.
  if (s > 0 && at(p, s - 1) == 0x5c && s < a) s++;
  while (s < a && at(p, s) == 0x2e) s++;
  if (s >= a) return -1;
  let e = a + 1, lastDot = -1, labelLen = 0;
  while (e < len) {
    const c = at(p, e);
    if (isAlnum(c) || (c == 0x2d && labelLen > 0)) { labelLen++; e++; continue; }
    if (c == 0x2e && labelLen > 0 && e + 1 < len && isAlnum(at(p, e + 1))) { lastDot = e; labelLen = 0; e++; continue; }
    break;
  }
  if (lastDot < 0) return -1;
  // The TLD: letters only, at least two.
  if (e - lastDot - 1 < 2) return -1;
  for (let i = lastDot + 1; i < e; i++) if (!isAlpha(at(p, i))) return -1;
  return (<i64>s << 32) | <i64>e;
}

/** Luhn check over the digits of [s, e) (separators skipped). */
function luhn(p: usize, s: i32, e: i32): bool {
  let sum = 0, dbl = false;
  for (let i = e - 1; i >= s; i--) {
    const c = at(p, i);
    if (!isDigitB(c)) continue;
    let d = <i32>(c - 0x30);
    if (dbl) { d <<= 1; if (d > 9) d -= 9; }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 == 0;
}

/** Card number starting at digit `s`. */
export function matchCard(p: usize, len: i32, s: i32): i32 {
  let i = s, digits = 0, end = -1;
  while (i < len) {
    const c = at(p, i);
    if (isDigitB(c)) {
      digits++; i++;
      if (digits > 19) return -1;
      end = i;
      continue;
    }
    if ((c == 0x20 || c == 0x2d) && i + 1 < len && isDigitB(at(p, i + 1)) && digits > 0) { i++; continue; }
    break;
  }
  if (digits < 13 || !boundaryAfter(p, len, end, false)) return -1;
  return luhn(p, s, end) ? end : -1;
}

function digitsAt(p: usize, len: i32, i: i32, n: i32): bool {
  if (i + n > len) return false;
  for (let k = 0; k < n; k++) if (!isDigitB(at(p, i + k))) return false;
  return true;
}

function num(p: usize, i: i32, n: i32): i32 {
  let v = 0;
  for (let k = 0; k < n; k++) v = v * 10 + <i32>(at(p, i + k) - 0x30);
  return v;
}

/** US SSN starting at digit `s`. */
export function matchSsn(p: usize, len: i32, s: i32): i32 {
  if (!digitsAt(p, len, s, 3) || s + 11 > len) return -1;
  const sep = at(p, s + 3);
  if ((sep != 0x2d && sep != 0x20) || at(p, s + 6) != sep) return -1;
  if (!digitsAt(p, len, s + 4, 2) || !digitsAt(p, len, s + 7, 4)) return -1;
  const e = s + 11;
  if (e < len && (isAlnum(at(p, e)) || (at(p, e) == 0x2d && e + 1 < len && isDigitB(at(p, e + 1))))) return -1;
  const area = num(p, s, 3), group = num(p, s + 4, 2), serial = num(p, s + 7, 4);
  if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0) return -1;
  return e;
}

/** IPv4 address starting at digit `s`. */
export function matchIpv4(p: usize, len: i32, s: i32): i32 {
  let i = s;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (i >= len || at(p, i) != 0x2e) return -1;
      i++;
    }
    let n = 0, v = 0;
    while (i < len && isDigitB(at(p, i)) && n < 4) { v = v * 10 + <i32>(at(p, i) - 0x30); i++; n++; }
    if (n == 0 || n > 3 || v > 255 || (n > 1 && at(p, i - n) == 0x30)) return -1;
  }
  if (i < len && (isAlnum(at(p, i)) || (at(p, i) == 0x2e && i + 1 < len && isDigitB(at(p, i + 1))))) return -1;
  return i;
}

/** Phone number starting at `s` (a digit, `+` or `(`). */
export function matchPhone(p: usize, len: i32, s: i32): i32 {
  let i = s;
  const plus = at(p, i) == 0x2b;
  if (plus) i++;
  let digits = 0, groups = 0, end = -1, longest = 0;
  while (i < len) {
    let c = at(p, i);
    let paren = false;
    if (c == 0x28) { paren = true; i++; }
    let n = 0;
    while (i < len && isDigitB(at(p, i))) { n++; i++; }
    if (n == 0) return -1;
    if (paren) { if (i >= len || at(p, i) != 0x29) return -1; i++; }
    digits += n; groups++;
    if (n > longest) longest = n;
    if (digits > 15) return -1;
    end = i;
    if (i >= len) break;
    c = at(p, i);
    // `(415) 555`: the space after a closing parenthesis is the separator.
    if ((c == 0x20 || c == 0x2d || c == 0x2e) && i + 1 < len && (isDigitB(at(p, i + 1)) || at(p, i + 1) == 0x28)) { i++; continue; }
    if (c == 0x28) continue;
    break;
  }
  if (end < 0 || !boundaryAfter(p, len, end, false)) return -1;
  if (end < len && at(p, end) == 0x2e && end + 1 < len && isDigitB(at(p, end + 1))) return -1;
  if (plus && groups == 1) return digits >= 8 ? end : -1;
  if (groups < 3 && !(plus && groups >= 2)) return -1;
  const minDigits = plus ? 8 : 10;
  if (digits < minDigits || longest > 5) return -1;
  return end;
}

/** IBAN starting at uppercase letter `s`. */
export function matchIban(p: usize, len: i32, s: i32): i32 {
  if (s + 15 > len || !isUpper(at(p, s)) || !isUpper(at(p, s + 1)) || !isDigitB(at(p, s + 2)) || !isDigitB(at(p, s + 3))) return -1;
  // Collect up to 34 characters, remembering where each group of four ends (a candidate end).
  const chars = new StaticArray<u8>(34);
  const ends = new StaticArray<i32>(35);
  let n = 0, i = s;
  while (i < len && n < 34) {
    const c = at(p, i);
    if (isDigitB(c) || isUpper(c)) { unchecked(chars[n] = <u8>c); n++; i++; unchecked(ends[n] = i); continue; }
    if (c == 0x20 && n % 4 == 0 && i + 1 < len && (isDigitB(at(p, i + 1)) || isUpper(at(p, i + 1)))) { i++; continue; }
    break;
  }
  // Longest first; a following uppercase word may have been swallowed.
  for (let m = n; m >= 15; m--) {
    const e = unchecked(ends[m]);
    if (!boundaryAfter(p, len, e, false)) continue;
    if (mod97(chars, m) == 1) return e;
  }
  return -1;
}

function mod97(chars: StaticArray<u8>, n: i32): i32 {
  let r = 0;
  for (let k = 0; k < n; k++) {
    const c = <i32>unchecked(chars[(k + 4) % n]);
    if (c <= 0x39) r = (r * 10 + (c - 0x30)) % 97;
    else r = (r * 100 + (c - 0x41 + 10)) % 97;
  }
  return r;
}

/** End of an IBAN-shaped run (two letters, two digits, groups) at `s`, or -1: a failed IBAN is skipped whole. */
export function ibanRunEnd(p: usize, len: i32, s: i32): i32 {
  if (s + 4 > len || !isUpper(at(p, s)) || !isUpper(at(p, s + 1)) || !isDigitB(at(p, s + 2)) || !isDigitB(at(p, s + 3))) return -1;
  let i = s + 4;
  while (i < len) {
    const c = at(p, i);
    if (isDigitB(c) || isUpper(c)) { i++; continue; }
    if (c == 0x20 && i + 1 < len && (isDigitB(at(p, i + 1)) || isUpper(at(p, i + 1)))) { i++; continue; }
    break;
  }
  return i;
}

/** End of the number at digit `s`, with single separators between digit groups: no number starts inside it. */
export function numberRunEnd(p: usize, len: i32, s: i32): i32 {
  let i = s;
  while (i < len) {
    const c = at(p, i);
    if (isDigitB(c)) { i++; continue; }
    if ((c == 0x20 || c == 0x2d || c == 0x2e || c == 0x29) && i + 1 < len && isDigitB(at(p, i + 1))) { i++; continue; }
    if (c == 0x29 && i + 2 < len && at(p, i + 1) == 0x20 && isDigitB(at(p, i + 2))) { i += 2; continue; }
    break;
  }
  return i;
}
