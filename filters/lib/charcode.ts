/**
 * @module filters/lib/charcode
 * Names for the ASCII bytes the byte-level parsers compare against, so that code reads
 * `CharCode.QUOTE` rather than `0x22`.
 */

export const enum CharCode {
  TAB = 0x09,
  LF = 0x0a,
  CR = 0x0d,
  SPACE = 0x20,
  QUOTE = 0x22,
  HASH = 0x23,
  PERCENT = 0x25,
  PLUS = 0x2b,
  COMMA = 0x2c,
  MINUS = 0x2d,
  DOT = 0x2e,
  SLASH = 0x2f,
  _0 = 0x30,
  _9 = 0x39,
  COLON = 0x3a,
  QUESTION = 0x3f,
  A = 0x41,
  E = 0x45,
  F = 0x46,
  Z = 0x5a,
  LBRACKET = 0x5b,
  BACKSLASH = 0x5c,
  RBRACKET = 0x5d,
  a = 0x61,
  b = 0x62,
  d = 0x64,
  e = 0x65,
  f = 0x66,
  h = 0x68,
  m = 0x6d,
  n = 0x6e,
  r = 0x72,
  s = 0x73,
  t = 0x74,
  u = 0x75,
  z = 0x7a,
  LBRACE = 0x7b,
  RBRACE = 0x7d,
}

/** True for JSON's four whitespace bytes (space, tab, LF, CR). */
// @ts-ignore: decorator
@inline export function isJsonSpace(c: u32): bool {
  return c == CharCode.SPACE || c == CharCode.LF || c == CharCode.CR || c == CharCode.TAB;
}

/** True for an ASCII decimal digit. */
// @ts-ignore: decorator
@inline export function isDigit(c: u32): bool {
  return c - CharCode._0 < 10;
}

/** ASCII lower-casing; every other byte is returned unchanged. */
// @ts-ignore: decorator
@inline export function asciiLower(c: u32): u32 {
  return c - CharCode.A < 26 ? c | 0x20 : c;
}

/** Value of a hexadecimal digit, or -1. */
// @ts-ignore: decorator
@inline export function hexValue(c: u32): i32 {
  if (c - CharCode._0 < 10) return <i32>(c - CharCode._0);
  const l = c | 0x20;
  if (l - CharCode.a < 6) return <i32>(l - CharCode.a + 10);
  return -1;
}
