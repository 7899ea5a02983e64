/**
 * @module filters/payload-guard/detect/scanner
 * `Detectors`: every enabled detector of one direction over one text (raw JSON string content)
 * in a single pass. A byte-class table sends each position only to the detectors whose shape can
 * start with that byte, so plain prose costs one table load per byte. `pendingStart` is what the
 * stream holdback asks: from which offset could the end of this text still become a match once
 * more text arrives?
 */
import { Kind } from "../kinds";
import { at, isAlnum, isDigitB, isUpper, boundaryBefore, alignStart, alignEnd } from "./bytes";
import { FindingList } from "./findings";
import { matchEmail, matchPhone, matchCard, matchSsn, matchIpv4, matchIban, ibanRunEnd, numberRunEnd } from "./pii";
import { matchOpenAIKey, matchAwsKey, matchGithubToken, matchSlackToken, matchPrivateKey, matchJwt, privateKeyOpen } from "./secrets";
import { PhraseSet } from "./phrases";

/** Trigger bits per byte. */
const T_DIGIT: u8 = 1, T_PHONE: u8 = 2, T_AT: u8 = 4, T_UPPER: u8 = 8, T_S: u8 = 16, T_G: u8 = 32, T_X: u8 = 64, T_OTHER: u8 = 128;

/** Triggers that need a second byte, and the second byte each first byte needs (`g` also takes `i`). */
const PAIR_BITS: u32 = T_S | T_G | T_X | T_OTHER;
const SECOND: StaticArray<u8> = new StaticArray<u8>(256);
SECOND[0x73] = 0x6b; SECOND[0x67] = 0x68; SECOND[0x78] = 0x6f; SECOND[0x65] = 0x79; SECOND[0x2d] = 0x2d;

export class Detectors {
  /** Per kind: 0 off, else the action (see `Action`). */
  actions: StaticArray<u8>;
  phrases: PhraseSet = new PhraseSet();
  private triggers: StaticArray<u8> = new StaticArray<u8>(256);
  private pairs: StaticArray<u8> = new StaticArray<u8>(8192);
  private digitKinds: bool = false;

  constructor(kindCount: i32) {
    this.actions = new StaticArray<u8>(kindCount);
  }

  on(k: i32): bool { return <u32>k < <u32>this.actions.length && unchecked(this.actions[k]) != 0; }

  /** Any detector enabled at all. */
  get any(): bool {
    for (let i = 0; i < this.actions.length; i++) if (unchecked(this.actions[i]) != 0) return true;
    return false;
  }

  /** Fills the trigger table from the enabled kinds (call once after setting `actions`). */
  prepare(): void {
    const t = this.triggers;
    this.digitKinds = this.on(Kind.Card) || this.on(Kind.Ssn) || this.on(Kind.Ipv4) || this.on(Kind.Phone);
    if (this.digitKinds) for (let c = 0x30; c <= 0x39; c++) t[c] |= T_DIGIT;
    if (this.on(Kind.Phone)) { t[0x2b] |= T_PHONE; t[0x28] |= T_PHONE; }
    if (this.on(Kind.Email)) t[0x40] |= T_AT;
    if (this.on(Kind.Iban)) for (let c = 0x41; c <= 0x5a; c++) t[c] |= T_UPPER;
    if (this.on(Kind.AwsAccessKey)) t[0x41] |= T_UPPER;
    if (this.on(Kind.OpenAIKey)) t[0x73] |= T_S;
    if (this.on(Kind.GithubToken)) t[0x67] |= T_G;
    if (this.on(Kind.SlackToken)) t[0x78] |= T_X;
    if (this.on(Kind.PrivateKey)) t[0x2d] |= T_OTHER;
    if (this.on(Kind.Jwt)) t[0x65] |= T_OTHER;
    // Pair table: bit (first | second << 8) is set where scanning must stop.
    const bm = this.pairs;
    for (let c = 0; c < 256; c++) {
      const bits = <u32>t[c];
      if (bits == 0) continue;
      if ((bits & ~PAIR_BITS) != 0) { for (let d = 0; d < 256; d++) setBit(bm, c | (d << 8)); continue; }
      setBit(bm, c | (<i32>SECOND[c] << 8));
      if (c == 0x67) setBit(bm, c | (0x69 << 8));
    }
  }

  /** Every finding in the `len` raw bytes at `p` (offsets relative to `p`), sorted by start. */
  scan(p: usize, len: i32, out: FindingList): void {
    out.reset();
    const t = changetype<usize>(this.triggers);
    const bm = changetype<usize>(this.pairs);
    // Each step tests the byte and its successor against one bit table, so the common letters
    // that only start a secret as a pair (`e` of `ey`, `s` of `sk`) cost no mispredicted branch.
    let i = 0;
    const last = len - 1;
    while (i < last) {
      const w = <u32>load<u16>(p + <usize>i);
      if ((<u32>load<u8>(bm + <usize>(w >> 3)) & (<u32>1 << (w & 7))) == 0) { i++; continue; }
      const c = w & 0xff;
      const e = this.at(p, len, i, c, <u32>load<u8>(t + <usize>c), out);
      i = e > i ? e : i + 1;
    }
    if (i == last) {
      const c = <u32>load<u8>(p + <usize>i);
      const bits = <u32>load<u8>(t + <usize>c);
      if ((bits & ~PAIR_BITS) != 0) this.at(p, len, i, c, bits, out);
    }
    this.phrases.scan(p, len, this.actions, out);
    out.sortByStart();
  }

  /** Tries the detectors triggered at `i`; returns where scanning resumes. */
  private at(p: usize, len: i32, i: i32, c: u32, bits: u32, out: FindingList): i32 {
    if ((bits & T_AT) != 0) {
      const m = matchEmail(p, len, i);
      if (m >= 0) return this.add(p, len, Kind.Email, <i32>(m >> 32), <i32>m, out);
      return i + 1;
    }
    if ((bits & (T_DIGIT | T_PHONE)) != 0) {
      if (!boundaryBefore(p, i, false) || (i > 0 && (at(p, i - 1) == 0x2e || at(p, i - 1) == 0x2b || at(p, i - 1) == 0x2d))) return this.skipNumber(p, len, i);
      let e = -1;
      if (isDigitB(c)) {
        if (this.on(Kind.Ipv4) && (e = matchIpv4(p, len, i)) >= 0) return this.add(p, len, Kind.Ipv4, i, e, out);
        if (this.on(Kind.Card) && (e = matchCard(p, len, i)) >= 0) return this.add(p, len, Kind.Card, i, e, out);
        if (this.on(Kind.Ssn) && (e = matchSsn(p, len, i)) >= 0) return this.add(p, len, Kind.Ssn, i, e, out);
      }
      if (this.on(Kind.Phone) && (e = matchPhone(p, len, i)) >= 0) return this.add(p, len, Kind.Phone, i, e, out);
      return isDigitB(c) ? this.skipNumber(p, len, i) : i + 1;
    }
    // Cheap look at the next byte before any real work: `s` must be `sk`, `g` `gh`/`gi`, and so on.
    const d = i + 1 < len ? at(p, i + 1) : 0;
    if ((bits & T_UPPER) == 0 && !((bits & T_S) != 0 ? d == 0x6b : (bits & T_G) != 0 ? (d == 0x68 || d == 0x69) :
      (bits & T_X) != 0 ? d == 0x6f : c == 0x2d ? d == 0x2d : c == 0x65 ? d == 0x79 : false)) return i + 1;
    if (!boundaryBefore(p, i, true)) return i + 1;
    let e = -1;
    if ((bits & T_UPPER) != 0) {
      if (this.on(Kind.AwsAccessKey) && (e = matchAwsKey(p, len, i)) >= 0) return this.add(p, len, Kind.AwsAccessKey, i, e, out);
      if (this.on(Kind.Iban)) {
        if ((e = matchIban(p, len, i)) >= 0) return this.add(p, len, Kind.Iban, i, e, out);
        const skip = ibanRunEnd(p, len, i);
        if (skip > i) return skip;
      }
      return i + 1;
    }
    if ((bits & T_S) != 0) return (e = matchOpenAIKey(p, len, i)) >= 0 ? this.add(p, len, Kind.OpenAIKey, i, e, out) : i + 1;
    if ((bits & T_G) != 0) return (e = matchGithubToken(p, len, i)) >= 0 ? this.add(p, len, Kind.GithubToken, i, e, out) : i + 1;
    if ((bits & T_X) != 0) return (e = matchSlackToken(p, len, i)) >= 0 ? this.add(p, len, Kind.SlackToken, i, e, out) : i + 1;
    if (c == 0x2d) return (e = matchPrivateKey(p, len, i)) >= 0 ? this.add(p, len, Kind.PrivateKey, i, e, out) : i + 1;
    if (c == 0x65) return (e = matchJwt(p, len, i)) >= 0 ? this.add(p, len, Kind.Jwt, i, e, out) : i + 1;
    return i + 1;
  }

  /** Past the digits (and digit separators) at `i`: no number starts inside another. */
  private skipNumber(p: usize, len: i32, i: i32): i32 {
    return numberRunEnd(p, len, i);
  }

  private add(p: usize, len: i32, kind: i32, s: i32, e: i32, out: FindingList): i32 {
    const a = alignStart(p, len, s), b = alignEnd(p, len, e);
    if (a < b) out.add(kind, a, b);
    return e;
  }

  /**
   * Offset from which the end of the text could still grow into a match (`len` when nothing is
   * pending): the trailing run of key characters (addresses, keys, tokens), a trailing run of
   * digits and separators (cards, phones, IBANs), an unterminated PEM block, a phrase prefix.
   * Call after `scan` of the same text (phrases reuse its folding).
   */
  pendingStart(p: usize, len: i32): i32 {
    let s = len;
    // Trailing "word": anything but whitespace, an escape letter or a quote.
    let i = len;
    while (i > 0) {
      const c = at(p, i - 1);
      if (c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d || c == 0 || c == 0x22) break;
      if (isAlnum(c) && i - 2 >= 0 && at(p, i - 2) == 0x5c) { i--; break; }
      i--;
    }
    if (i < s) s = i;
    if (this.digitKinds || this.on(Kind.Iban)) {
      // Digit groups may contain single spaces, dashes, dots and parentheses.
      let j = s;
      while (j > 0) {
        const c = at(p, j - 1);
        if (isDigitB(c) || isUpper(c) || c == 0x2d || c == 0x2e || c == 0x28 || c == 0x29 || c == 0x2b) { j--; continue; }
        if (c == 0x20 && j - 2 >= 0 && at(p, j - 2) != 0x20) { j--; continue; }
        break;
      }
      // Only held when the run carries digits.
      for (let k = j; k < len; k++) if (isDigitB(at(p, k))) { if (j < s) s = j; break; }
    }
    if (this.on(Kind.PrivateKey)) {
      for (let k = len - 11; k >= 0; k--) {
        if (at(p, k) == 0x2d && privateKeyOpen(p, len, k)) { if (k < s) s = k; break; }
      }
    }
    const ph = this.phrases.pendingStart(len);
    return ph < s ? ph : s;
  }
}


function setBit(bm: StaticArray<u8>, w: i32): void {
  bm[w >> 3] = <u8>(<i32>bm[w >> 3] | (1 << (w & 7)));
}
