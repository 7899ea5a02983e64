/**
 * @module filters/payload-guard/detect/scanner
 * `Detectors`: every enabled detector of one direction over one text (raw JSON string content)
 * in a single pass. A bit table over byte pairs sends each position only to the detectors whose
 * shape can start with that pair, so plain prose costs one table load per byte. The same pass
 * notes the whitespace runs the phrase matcher must fold (anything but a lone space: `\n`,
 * tabs, several spaces), so phrases need no pass of their own over the text to find them.
 * `pendingStart` is what the stream holdback asks: from which offset could the end of this text
 * still become a match once more text arrives?
 */
import { Kind } from "../kinds";
import { at, isAlnum, isDigitB, isUpper, boundaryBefore, alignStart, alignEnd } from "./bytes";
import { FindingList } from "./findings";
import { matchEmail, matchPhone, matchCard, matchSsn, matchIpv4, matchIban, ibanRunEnd, numberRunEnd } from "./pii";
import { matchOpenAIKey, matchAwsKey, matchGithubToken, matchSlackToken, matchPrivateKey, matchJwt, privateKeyOpen } from "./secrets";
import { PhraseSet } from "./phrases";
import { SpaceRuns, spaceRunEnd } from "./spaces";

/** Bytes of the byte-pair stop table (one per pair of bytes). */
export const STOP_TABLE_SIZE: i32 = 65536;
const NO_STOPS = new StaticArray<u8>(0);

/** Trigger bits per byte. */
const T_DIGIT: u8 = 1, T_PHONE: u8 = 2, T_AT: u8 = 4, T_UPPER: u8 = 8, T_S: u8 = 16, T_G: u8 = 32, T_X: u8 = 64, T_OTHER: u8 = 128;

/**
 * Triggers that need a second byte (an uppercase letter needs another, `A` of `AKIA` a `K` or
 * `S`, the `(` or `+` of a phone a digit or `(`).
 */
const PAIR_BITS: u32 = T_PHONE | T_UPPER | T_S | T_G | T_X | T_OTHER;
/** The second byte each lower-case or `-` trigger needs (`g` also takes `i`). */
const SECOND: StaticArray<u8> = new StaticArray<u8>(256);
SECOND[0x73] = 0x6b; SECOND[0x67] = 0x68; SECOND[0x78] = 0x6f; SECOND[0x65] = 0x79; SECOND[0x2d] = 0x2d;

export class Detectors {
  /** Per kind: 0 off, else the action (see `Action`). */
  actions: StaticArray<u8>;
  phrases: PhraseSet = new PhraseSet();
  /** Whitespace runs of the last scanned text that phrase folding changes. */
  runs: SpaceRuns = new SpaceRuns();
  private triggers: StaticArray<u8> = new StaticArray<u8>(256);
  /** Per byte pair (first | second << 8), bit `stopBit` set where scanning must stop (see `prepare`). */
  private stops: StaticArray<u8> = NO_STOPS;
  private stopBit: u32 = 0;
  private digitKinds: bool = false;
  private phone: bool = false;
  private card: bool = false;
  private ssn: bool = false;
  private ipv4: bool = false;
  private iban: bool = false;
  private aws: bool = false;
  private pem: bool = false;

  constructor(kindCount: i32) {
    this.actions = new StaticArray<u8>(kindCount);
  }

  on(k: i32): bool { return <u32>k < <u32>this.actions.length && unchecked(this.actions[k]) != 0; }

  /** Any detector enabled at all. */
  get any(): bool {
    for (let i = 0; i < this.actions.length; i++) if (unchecked(this.actions[i]) != 0) return true;
    return false;
  }

  /**
   * Fills the trigger tables from the enabled kinds (call once, after setting `actions` and
   * building the phrases). The pair table (`STOP_TABLE_SIZE` bytes) may be shared with the other
   * direction: each marks its stops with its own bit.
   */
  prepare(stops: StaticArray<u8>, bit: u8): void {
    const t = this.triggers;
    this.stops = stops;
    this.stopBit = bit;
    this.phone = this.on(Kind.Phone); this.card = this.on(Kind.Card); this.ssn = this.on(Kind.Ssn);
    this.ipv4 = this.on(Kind.Ipv4); this.iban = this.on(Kind.Iban); this.aws = this.on(Kind.AwsAccessKey);
    this.pem = this.on(Kind.PrivateKey);
    this.digitKinds = this.card || this.ssn || this.ipv4 || this.phone;
    if (this.digitKinds) for (let c = 0x30; c <= 0x39; c++) t[c] |= T_DIGIT;
    if (this.phone) { t[0x2b] |= T_PHONE; t[0x28] |= T_PHONE; }
    if (this.on(Kind.Email)) t[0x40] |= T_AT;
    if (this.iban) for (let c = 0x41; c <= 0x5a; c++) t[c] |= T_UPPER;
    if (this.aws) t[0x41] |= T_UPPER;
    if (this.on(Kind.OpenAIKey)) t[0x73] |= T_S;
    if (this.on(Kind.GithubToken)) t[0x67] |= T_G;
    if (this.on(Kind.SlackToken)) t[0x78] |= T_X;
    if (this.pem) t[0x2d] |= T_OTHER;
    if (this.on(Kind.Jwt)) t[0x65] |= T_OTHER;
    const bm = stops;
    for (let c = 0; c < 256; c++) {
      const bits = <u32>t[c];
      if (bits == 0) continue;
      if ((bits & ~PAIR_BITS) != 0) { for (let d = 0; d < 256; d++) stopAt(bm, c | (d << 8), bit); continue; }
      if ((bits & T_PHONE) != 0) {
        for (let d = 0x30; d <= 0x39; d++) stopAt(bm, c | (d << 8), bit);
        stopAt(bm, c | (0x28 << 8), bit);
        continue;
      }
      if ((bits & T_UPPER) != 0) {
        // An IBAN opens with two letters; an AWS key id with `AK` or `AS`.
        if (this.iban) for (let d = 0x41; d <= 0x5a; d++) stopAt(bm, c | (d << 8), bit);
        else { stopAt(bm, c | (0x4b << 8), bit); stopAt(bm, c | (0x53 << 8), bit); }
        continue;
      }
      stopAt(bm, c | (<i32>SECOND[c] << 8), bit);
      if (c == 0x67) stopAt(bm, c | (0x69 << 8), bit);
    }
    if (this.phrases.count > 0) {
      // Whitespace the phrase folding changes: tab, CR, LF, two spaces, a space before an
      // escape, and every escape (each is stepped over whole, so `\\n` is not read as `\n`).
      for (let d = 0; d < 256; d++) {
        stopAt(bm, 0x09 | (d << 8), bit); stopAt(bm, 0x0a | (d << 8), bit); stopAt(bm, 0x0d | (d << 8), bit); stopAt(bm, 0x5c | (d << 8), bit);
      }
      stopAt(bm, 0x20 | (0x20 << 8), bit); stopAt(bm, 0x20 | (0x09 << 8), bit); stopAt(bm, 0x20 | (0x0a << 8), bit);
      stopAt(bm, 0x20 | (0x0d << 8), bit); stopAt(bm, 0x20 | (0x5c << 8), bit);
    }
  }

  /**
   * Every finding in the `len` raw bytes at `p` (offsets relative to `p`), sorted by start. The
   * detectors start at `skip`, the phrases at 0: the stream holdback passes the rest of a
   * detector match whose start it already released, which a pass over the whole text would have
   * stepped over (no detector match starts inside another) while its phrases still read it.
   */
  scan(p: usize, len: i32, out: FindingList, skip: i32 = 0): void {
    out.reset();
    this.runs.reset();
    const t = changetype<usize>(this.triggers);
    const bm = changetype<usize>(this.stops), mask = this.stopBit;
    if (mask == 0) return;
    let i = 0;
    if (skip > 0) {
      // The whitespace runs the pass would have met there (a PEM block's line breaks).
      if (this.phrases.count > 0) this.runs.collect(p, len, 0, skip);
      const r = this.runs.length;
      i = r > 0 && this.runs.end(r - 1) > skip ? this.runs.end(r - 1) : skip;
      if (i > len) i = len;
    }
    // The text is read as overlapping byte pairs, each looked up in a byte table (eight per
    // step, one branch for the eight), so the common letters that only start a secret as a pair
    // (`e` of `ey`, `s` of `sk`) and the spaces between words cost no branch of their own.
    const last = len - 1;
    while (i + 9 <= len) {
      const q = p + <usize>i;
      const any = <u32>load<u8>(bm + <usize>load<u16>(q)) | <u32>load<u8>(bm + <usize>load<u16>(q, 1))
        | <u32>load<u8>(bm + <usize>load<u16>(q, 2)) | <u32>load<u8>(bm + <usize>load<u16>(q, 3))
        | <u32>load<u8>(bm + <usize>load<u16>(q, 4)) | <u32>load<u8>(bm + <usize>load<u16>(q, 5))
        | <u32>load<u8>(bm + <usize>load<u16>(q, 6)) | <u32>load<u8>(bm + <usize>load<u16>(q, 7));
      if ((any & mask) == 0) { i += 8; continue; }
      while ((<u32>load<u8>(bm + <usize>load<u16>(p + <usize>i)) & mask) == 0) i++;
      const c = <u32>load<u8>(p + <usize>i);
      const bits = <u32>load<u8>(t + <usize>c);
      // No detector starts with a whitespace byte or a backslash: a stop there is for the phrases.
      const e = bits == 0 ? this.space(p, len, i) : this.at(p, len, i, c, bits, out);
      i = e > i ? e : i + 1;
    }
    while (i < last) {
      const w = <u32>load<u16>(p + <usize>i);
      if ((<u32>load<u8>(bm + <usize>w) & mask) == 0) { i++; continue; }
      const c = w & 0xff;
      const bits = <u32>load<u8>(t + <usize>c);
      // No detector starts with a whitespace byte or a backslash: a stop there is for the phrases.
      const e = bits == 0 ? this.space(p, len, i) : this.at(p, len, i, c, bits, out);
      i = e > i ? e : i + 1;
    }
    if (i == last) {
      const c = <u32>load<u8>(p + <usize>i);
      const bits = <u32>load<u8>(t + <usize>c);
      if ((bits & ~PAIR_BITS) != 0) this.at(p, len, i, c, bits, out);
      else if (c == 0x09 || c == 0x0a || c == 0x0d) this.runs.add(i, len);
    }
    this.phrases.scan(p, len, this.runs, this.actions, out);
    out.sortByStart();
  }

  /** A stop at whitespace or a backslash: notes a run that folding changes; returns where scanning resumes. */
  private space(p: usize, len: i32, i: i32): i32 {
    const e = spaceRunEnd(p, len, i);
    // Another escape (`\\`, `\"`, `\u`): two ordinary bytes; an escaped backslash never starts one.
    if (e == i) return at(p, i) == 0x5c && i + 1 < len && at(p, i + 1) == 0x5c ? i + 2 : i + 1;
    if (e - i > 1 || at(p, i) != 0x20) this.runs.add(i, e);
    return e;
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
        // Most numbers are short and end without a separator: no detector can take them (a card
        // needs 13 digits, an IPv4 dots, an SSN or a phone separators), so skip them at once.
        let j = i + 1;
        while (j < len && isDigitB(at(p, j))) j++;
        if (j - i < 13 && !numberGoesOn(p, len, j)) return j;
        if (this.ipv4 && (e = matchIpv4(p, len, i)) >= 0) return this.add(p, len, Kind.Ipv4, i, e, out);
        if (this.card && (e = matchCard(p, len, i)) >= 0) return this.add(p, len, Kind.Card, i, e, out);
        if (this.ssn && (e = matchSsn(p, len, i)) >= 0) return this.add(p, len, Kind.Ssn, i, e, out);
      }
      if (this.phone && (e = matchPhone(p, len, i)) >= 0) return this.add(p, len, Kind.Phone, i, e, out);
      return isDigitB(c) ? this.skipNumber(p, len, i) : i + 1;
    }
    // Cheap look at the next byte before any real work: `s` must be `sk`, `g` `gh`/`gi`, and so on.
    const d = i + 1 < len ? at(p, i + 1) : 0;
    if ((bits & T_UPPER) == 0 && !((bits & T_S) != 0 ? d == 0x6b : (bits & T_G) != 0 ? (d == 0x68 || d == 0x69) :
      (bits & T_X) != 0 ? d == 0x6f : c == 0x2d ? d == 0x2d : c == 0x65 ? d == 0x79 : false)) return i + 1;
    if (!boundaryBefore(p, i, true)) return i + 1;
    let e = -1;
    if ((bits & T_UPPER) != 0) {
      if (this.aws && (e = matchAwsKey(p, len, i)) >= 0) return this.add(p, len, Kind.AwsAccessKey, i, e, out);
      if (this.iban) {
        if ((e = matchIban(p, len, i)) >= 0) return this.add(p, len, Kind.Iban, i, e, out);
        const skip = ibanRunEnd(p, len, i);
        if (skip > i) return skip;
      }
      return i + 1;
    }
    if ((bits & T_S) != 0) return (e = matchOpenAIKey(p, len, i)) >= 0 ? this.add(p, len, Kind.OpenAIKey, i, e, out) : i + 1;
    if ((bits & T_G) != 0) return (e = matchGithubToken(p, len, i)) >= 0 ? this.add(p, len, Kind.GithubToken, i, e, out) : i + 1;
    if ((bits & T_X) != 0) return (e = matchSlackToken(p, len, i)) >= 0 ? this.add(p, len, Kind.SlackToken, i, e, out) : i + 1;
    if (c == 0x2d && this.pem) {
      if ((e = matchPrivateKey(p, len, i)) < 0) return i + 1;
      // The block's line breaks are whitespace the phrase folding must know about.
      if (this.phrases.count > 0) this.runs.collect(p, len, i, e);
      return this.add(p, len, Kind.PrivateKey, i, e, out);
    }
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


/**
 * Whether the digits ending at `j` may go on into a card, SSN, IPv4 or phone shape: a space,
 * dash or dot before another digit or `(`, or a parenthesis.
 */
// @ts-ignore: decorator
@inline function numberGoesOn(p: usize, len: i32, j: i32): bool {
  if (j >= len) return false;
  const c = at(p, j);
  if (c == 0x28 || c == 0x29) return true;
  if (c != 0x20 && c != 0x2d && c != 0x2e) return false;
  if (j + 1 >= len) return false;
  const d = at(p, j + 1);
  return isDigitB(d) || d == 0x28;
}

function stopAt(bm: StaticArray<u8>, pair: i32, bit: u8): void {
  bm[pair] = bm[pair] | bit;
}
