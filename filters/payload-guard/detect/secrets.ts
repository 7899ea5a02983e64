/**
 * @module filters/payload-guard/detect/secrets
 * Credentials of well-known shapes, over raw JSON string content. Each `match…` is called at a
 * position where its prefix could start (after a word boundary) and returns the end of the
 * match, or -1:
 * - openai_key: `sk-` then 20+ of `[A-Za-z0-9_-]` (`sk-proj-…`, `sk-ant-…` included);
 * - aws_access_key: `AKIA` or `ASIA` then 16 of `[A-Z0-9]`;
 * - github_token: `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_` then 36+ letters or digits, `github_pat_` then 22+;
 * - slack_token: `xoxb-`/`xoxa-`/`xoxp-`/`xoxr-`/`xoxs-` then 10+ of `[A-Za-z0-9-]`;
 * - private_key: a PEM `-----BEGIN … PRIVATE KEY-----` block through its END line (to the end of
 *   the text when the END line is missing: a truncated key is still a key);
 * - jwt: `eyJ…` header, `.`, `eyJ…` payload, `.`, signature (base64url; the signature may be empty).
 */
import { at, isAlnum, isDigitB, isUpper, isKeyChar, boundaryAfter } from "./bytes";

function startsWith(p: usize, len: i32, i: i32, lit: string): bool {
  const n = lit.length;
  if (i + n > len) return false;
  for (let k = 0; k < n; k++) if (at(p, i + k) != <u32>lit.charCodeAt(k)) return false;
  return true;
}

function runOf(p: usize, len: i32, i: i32, keyChars: bool): i32 {
  while (i < len && (keyChars ? isKeyChar(at(p, i)) : isAlnum(at(p, i)))) i++;
  return i;
}

export function matchOpenAIKey(p: usize, len: i32, s: i32): i32 {
  if (!startsWith(p, len, s, "sk-")) return -1;
  const e = runOf(p, len, s + 3, true);
  return e - (s + 3) >= 20 ? e : -1;
}

export function matchAwsKey(p: usize, len: i32, s: i32): i32 {
  if (!startsWith(p, len, s, "AKIA") && !startsWith(p, len, s, "ASIA")) return -1;
  if (s + 20 > len) return -1;
  for (let i = s + 4; i < s + 20; i++) { const c = at(p, i); if (!isUpper(c) && !isDigitB(c)) return -1; }
  return boundaryAfter(p, len, s + 20, false) ? s + 20 : -1;
}

export function matchGithubToken(p: usize, len: i32, s: i32): i32 {
  if (startsWith(p, len, s, "github_pat_")) {
    const e = runOf(p, len, s + 11, true);
    return e - (s + 11) >= 22 ? e : -1;
  }
  if (s + 4 > len || at(p, s) != 0x67 || at(p, s + 1) != 0x68 || at(p, s + 3) != 0x5f) return -1;
  const t = at(p, s + 2);
  if (t != 0x70 && t != 0x6f && t != 0x75 && t != 0x73 && t != 0x72) return -1;
  const e = runOf(p, len, s + 4, false);
  return e - (s + 4) >= 36 && boundaryAfter(p, len, e, true) ? e : -1;
}

export function matchSlackToken(p: usize, len: i32, s: i32): i32 {
  if (!startsWith(p, len, s, "xox") || s + 5 > len || at(p, s + 4) != 0x2d) return -1;
  const t = at(p, s + 3);
  if (t != 0x62 && t != 0x61 && t != 0x70 && t != 0x72 && t != 0x73) return -1;
  let e = s + 5;
  while (e < len && (isAlnum(at(p, e)) || at(p, e) == 0x2d)) e++;
  return e - (s + 5) >= 10 ? e : -1;
}

/** End of `PRIVATE KEY-----` after a `-----BEGIN ` / `-----END ` at `i`, or -1. */
function pemLabelEnd(p: usize, len: i32, i: i32): i32 {
  // Up to 40 bytes of `[A-Z0-9 ]` (RSA, EC, OPENSSH, ENCRYPTED …) ending with the label.
  const limit = i + 40 + 16 < len ? i + 40 + 16 : len;
  for (let k = i; k < limit; k++) {
    const c = at(p, k);
    if (c == 0x50 && startsWith(p, len, k, "PRIVATE KEY-----")) return k + 16;
    if (!isUpper(c) && !isDigitB(c) && c != 0x20) return -1;
  }
  return -1;
}

export function matchPrivateKey(p: usize, len: i32, s: i32): i32 {
  if (!startsWith(p, len, s, "-----BEGIN ")) return -1;
  const h = pemLabelEnd(p, len, s + 11);
  if (h < 0) return -1;
  for (let i = h; i + 9 <= len; i++) {
    if (at(p, i) == 0x2d && startsWith(p, len, i, "-----END ")) {
      const e = pemLabelEnd(p, len, i + 9);
      if (e >= 0) return e;
    }
  }
  return len;
}

/** A base64url segment of at least `min` bytes from `i`; returns its end or -1. */
function segment(p: usize, len: i32, i: i32, min: i32): i32 {
  const e = runOf(p, len, i, true);
  return e - i >= min ? e : -1;
}

export function matchJwt(p: usize, len: i32, s: i32): i32 {
  if (!startsWith(p, len, s, "eyJ")) return -1;
  const h = segment(p, len, s, 10);
  if (h < 0 || h >= len || at(p, h) != 0x2e || !startsWith(p, len, h + 1, "eyJ")) return -1;
  const b = segment(p, len, h + 1, 10);
  if (b < 0 || b >= len || at(p, b) != 0x2e) return -1;
  const e = runOf(p, len, b + 1, true);
  return boundaryAfter(p, len, e, true) ? e : -1;
}

/** True when a private-key header starts at `s` and no END line follows yet (the stream holds it). */
export function privateKeyOpen(p: usize, len: i32, s: i32): bool {
  if (!startsWith(p, len, s, "-----BEGIN ")) return false;
  const h = pemLabelEnd(p, len, s + 11);
  if (h < 0) return s + 11 + 56 > len; // the header itself may still be arriving
  for (let i = h; i + 9 <= len; i++) {
    if (at(p, i) == 0x2d && startsWith(p, len, i, "-----END ") && pemLabelEnd(p, len, i + 9) >= 0) return false;
  }
  return true;
}

/** End of the first complete PEM `-----END … PRIVATE KEY-----` line at or after `from`, or -1. */
export function privateKeyEnd(p: usize, len: i32, from: i32): i32 {
  for (let i = from; i + 9 <= len; i++) {
    if (at(p, i) == 0x2d && startsWith(p, len, i, "-----END ")) {
      const e = pemLabelEnd(p, len, i + 9);
      if (e >= 0) return e;
    }
  }
  return -1;
}

/**
 * Start of a tail of [from, len) that could still grow into an END line (`-----EN`,
 * `-----END RSA PRIV`), or `len` when none: a stream must not let it go before it is complete.
 */
export function endLinePrefix(p: usize, from: i32, len: i32): i32 {
  const END = "-----END ";
  const lo = len - 9 - 56 > from ? len - 9 - 56 : from;
  for (let k = lo; k < len; k++) {
    if (at(p, k) != 0x2d) continue;
    let ok = true;
    for (let j = k; j < len && ok; j++) {
      const c = at(p, j), o = j - k;
      if (o < 9) ok = c == <u32>END.charCodeAt(o);
      else ok = isUpper(c) || isDigitB(c) || c == 0x20 || c == 0x2d;
    }
    if (ok) return k;
  }
  return len;
}
