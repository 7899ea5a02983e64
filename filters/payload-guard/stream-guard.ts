/**
 * @module filters/payload-guard/stream-guard
 * Holdback for streamed (SSE) responses. Events are framed as they arrive; the generated text of
 * each (lib/llm's `OutputTextReader`) is appended to a window shared across events, and the
 * window is scanned as a whole, so a secret split over two events is one match. An event is
 * passed on only once no match can still grow into its text (`Detectors.pendingStart`: a
 * trailing word, a digit group, an open PEM block, a phrase prefix), so ordinary prose waits at
 * most for the next event; the window never holds more than `holdbackBytes` of text. Redacted
 * events are re-serialised (`event:` and `data:` lines); untouched ones pass byte for byte. A
 * `block` finding ends the stream with the provider's error event, and nothing after it passes.
 * Gemini's JSON-array stream is framed element by element instead (`array-frames`). A redacted
 * private key whose BEGIN line had to go out goes on being redacted up to its END line. An event
 * over `MAX_EVENT_BYTES` stops the framing (`oversized`): the caller fails closed or open.
 */
import { ByteBuffer } from "../lib/bytes";
import { SseParser } from "../lib/sse";
import { ApiKind } from "../lib/llm/api";
import { OutputTextReader } from "../lib/llm/stream-text";
import { Action, Kind } from "./kinds";
import { Direction } from "./config";
import { FindingList } from "./detect/findings";
import { endLinePrefix, privateKeyEnd, privateKeyOpen } from "./detect/secrets";
import { Edits } from "./redact";
import { elementEnd, elementStart } from "./array-frames";

const EMPTY_LABEL = new Uint8Array(0);
/** Largest event kept while its blank line has not arrived (the SSE parser's own event limit). */
export const MAX_EVENT_BYTES: i32 = 1 << 20;

class HeldEvent {
  block: Uint8Array;
  type: Uint8Array | null = null;
  data: Uint8Array | null = null;
  /** Text segments: [dataStart, dataEnd) of the data, at window offset winStart. */
  dataStarts: i32[] = [];
  dataEnds: i32[] = [];
  winStarts: i32[] = [];
  edits: Edits = new Edits();
  /** JSON-array element: bytes of separators before `data` in `block` (-1 for an SSE event). */
  prefix: i32 = -1;
  constructor(block: Uint8Array) { this.block = block; }
  get winEnd(): i32 {
    const n = this.winStarts.length;
    return n == 0 ? -1 : unchecked(this.winStarts[n - 1]) + unchecked(this.dataEnds[n - 1]) - unchecked(this.dataStarts[n - 1]);
  }
}

export class StreamGuard {
  /** Findings per kind released so far (counted when the event holding their start passes). */
  counts: StaticArray<i32>;
  /** Kind that blocked the stream, or -1. */
  blockKind: i32 = -1;
  flagged: bool = false;
  /** Largest number of text bytes held at once (for tests and the bench). */
  maxHeld: i32 = 0;
  private raw: ByteBuffer = new ByteBuffer(1024);
  private win: ByteBuffer = new ByteBuffer(1024);
  private held: HeldEvent[] = [];
  private parser: SseParser = new SseParser();
  private reader: OutputTextReader;
  private findings: FindingList = new FindingList();
  private lastKind: i32 = -1;
  /**
   * A redacted PEM private-key block whose BEGIN line has gone out without its END line: the
   * text that follows is key material, redacted up to the END line (or the stream's end) even
   * when the block is longer than the holdback window. `keyDone`: window offset handled so far.
   */
  private keyOpen: bool = false;
  private keyDone: i32 = 0;
  /**
   * Window prefix the detectors step over: the rest of a detector match whose start has gone out
   * (see `finishStraddling`). The phrases still read it, as they would the whole text.
   */
  private detectFrom: i32 = 0;

  /** Some bytes have been passed on (for a JSON array: its `[`). */
  started: bool = false;

  /** `array`: the stream is Gemini's JSON array (no `alt=sse`), framed element by element. */
  constructor(readonly dir: Direction, readonly kind: ApiKind, readonly holdback: i32, readonly labels: Array<Uint8Array>, kindCount: i32, readonly array: bool = false) {
    this.reader = new OutputTextReader(kind);
    this.counts = new StaticArray<i32>(kindCount);
  }

  get blocked(): bool { return this.blockKind >= 0; }

  /**
   * An event over `MAX_EVENT_BYTES` arrived: it cannot be framed and scanned in bounded memory.
   * The caller fails closed, or takes everything with `takeUnscanned` and lets the rest pass.
   */
  oversized: bool = false;

  /** Takes the next chunk; returns the bytes to pass on now (possibly empty). */
  push(chunk: Uint8Array, eos: bool): Uint8Array {
    if (this.blocked) return new Uint8Array(0);
    this.raw.appendBytes(chunk);
    let from = 0;
    const p = this.raw.dataStart, n = this.raw.length;
    while (from < n) {
      const e = this.array ? elementEnd(p, from, n) : eventEnd(p, from, n, eos);
      if (e < 0) break;
      if (e - from > MAX_EVENT_BYTES) return this.overflow(from);
      this.frame(from, e);
      from = e;
    }
    // An event that never ends is not kept past the limit (bounded memory), nor passed unscanned.
    if (n - from > MAX_EVENT_BYTES) return this.overflow(from);
    if (from < n && eos) { this.frame(from, n); from = n; }
    if (from > 0) {
      const rest = this.raw.length - from;
      memory.copy(this.raw.dataStart, this.raw.dataStart + <usize>from, <usize>rest);
      this.raw.length = rest;
    }
    return this.decide(eos);
  }

  /** Stops framing at the oversized event starting at `from` of `raw`; passes what was scanned before it. */
  private overflow(from: i32): Uint8Array {
    this.oversized = true;
    const rest = this.raw.length - from;
    memory.copy(this.raw.dataStart, this.raw.dataStart + <usize>from, <usize>rest);
    this.raw.length = rest;
    return this.decide(false);
  }

  /**
   * After `oversized`, when the configuration fails open: the held events (their findings
   * applied, as at the end of a stream) and the unframed bytes, to pass on; nothing is held after.
   * A block among the held events still blocks (`blocked`).
   */
  takeUnscanned(): Uint8Array {
    const out = this.decide(true);
    if (this.blocked) return out;
    const all = new Uint8Array(out.length + this.raw.length);
    all.set(out, 0);
    memory.copy(all.dataStart + <usize>out.length, this.raw.dataStart, <usize>this.raw.length);
    this.raw.length = 0;
    return all;
  }

  /** One complete event block [s, e) of `raw`. */
  private frame(s: i32, e: i32): void {
    const block = new Uint8Array(e - s);
    memory.copy(block.dataStart, this.raw.dataStart + <usize>s, <usize>(e - s));
    const ev = new HeldEvent(block);
    let data: Uint8Array | null = null;
    let type: Uint8Array | null = null;
    if (this.array) {
      // The element after its separators; the closing `]` (or anything else) has no text.
      const ds = elementStart(block.dataStart, 0, block.length);
      if (ds < block.length && block[ds] == 0x7b) { ev.prefix = ds; data = block.subarray(ds); }
    } else {
      const parser = this.parser;
      parser.reset();
      parser.pushBytes(block);
      parser.end();
      const sse = parser.next();
      if (sse !== null) { type = sse.type; data = sse.data; }
    }
    if (data !== null) {
      ev.type = type;
      ev.data = data;
      const r = this.reader;
      const count = r.eventBytes(type, data);
      for (let i = 0; i < count; i++) {
        if (!this.dir.scans(r.spans.kind(i))) continue;
        const ts = r.spans.start(i), te = r.spans.end(i);
        if (te <= ts) continue;
        // A different kind of text (tool arguments after prose) never joins the previous one.
        const k = <i32>r.spans.kind(i);
        if ((i > 0 || (this.lastKind >= 0 && k != this.lastKind)) && this.win.length > 0) this.win.push(0);
        this.lastKind = k;
        ev.dataStarts.push(ts);
        ev.dataEnds.push(te);
        ev.winStarts.push(this.win.length);
        this.win.append(data.dataStart + <usize>ts, te - ts);
      }
    }
    this.held.push(ev);
  }

  private decide(eos: bool): Uint8Array {
    const d = this.dir, f = this.findings;
    const wp = this.win.dataStart, n = this.win.length;
    if (n > this.maxHeld) this.maxHeld = n;
    f.reset();
    let r = n;
    // The first block finding: the events before it still pass, as they would have had the
    // stream arrived in smaller pieces (what the client gets must not depend on chunking).
    let blockAt = -1, blockKind = -1;
    let forced = false;
    const keyHold = this.keyOpen ? this.continueKey(eos) : n;
    if (n > 0) {
      d.detectors.scan(wp, n, f, this.detectFrom);
      // A match reaching into text that may still grow is not final (more digits can turn a
      // phone into a longer number): it blocks once settled, or once the holdback forces it out.
      const pending = eos ? n : d.detectors.pendingStart(wp, n);
      const forcedAt = !eos && n - pending > this.holdback ? n - this.holdback : -1;
      for (let i = 0; i < f.length; i++) {
        if (<Action>unchecked(d.detectors.actions[f.kind(i)]) != Action.Block) continue;
        if (f.end(i) > pending && !(forcedAt >= 0 && f.start(i) < forcedAt)) continue;
        if (blockAt < 0 || f.start(i) < blockAt) { blockAt = f.start(i); blockKind = f.kind(i); }
      }
      if (!eos || blockAt >= 0) {
        r = blockAt >= 0 ? blockAt : pending;
        if (blockAt < 0 && n - r > this.holdback) { r = n - this.holdback; forced = true; }
        // A match may not straddle the release point; moving it may expose another, so repeat.
        for (let changed = true, rounds = 0; changed && rounds <= f.length; rounds++) {
          changed = false;
          for (let i = 0; i < f.length; i++) {
            const s = f.start(i), e = f.end(i);
            if (s < r && e > r) { r = forced ? e : s; changed = true; }
          }
        }
        if (keyHold < r) r = keyHold;
      }
      if (blockAt < 0) this.noteOpenKey(r);
    }
    // Release events from the head while their text lies before r.
    const out = new ByteBuffer(256);
    let released = 0, textEnd = 0;
    const held = this.held;
    while (released < held.length) {
      const ev = unchecked(held[released]);
      const we = ev.winEnd;
      if (we > r) break;
      // Text left in the window must be read as it would be with what precedes it still there.
      if (we >= 0 && !eos && blockAt < 0 && !forced && !this.safeCut(we, n)) break;
      if (we >= 0) { this.applyFindings(ev); textEnd = we; }
      out.appendBytes(this.serialise(ev));
      this.started = true;
      released++;
    }
    if (released > 0) held.splice(0, released);
    if (blockAt >= 0) { this.blockKind = blockKind; held.length = 0; return out.toBytes(); }
    if (held.length == 0) textEnd = n;
    else if (textEnd > 0) this.finishStraddling(textEnd);
    if (textEnd > 0) {
      memory.copy(wp, wp + <usize>textEnd, <usize>(n - textEnd));
      this.win.length = n - textEnd;
      for (let i = 0; i < held.length; i++) {
        const ws = unchecked(held[i]).winStarts;
        for (let j = 0; j < ws.length; j++) unchecked(ws[j] -= textEnd);
      }
      this.keyDone = this.keyDone > textEnd ? this.keyDone - textEnd : 0;
      this.detectFrom = this.detectFrom > textEnd ? this.detectFrom - textEnd : 0;
    }
    return out.toBytes();
  }

  /**
   * Goes on redacting an open private key in the new text: up to its END line (then the key is
   * closed), or up to a tail that may be the start of that line. Returns the offset the window
   * must hold from (the possible END line), or the window's length.
   */
  private continueKey(eos: bool): i32 {
    const wp = this.win.dataStart, n = this.win.length, from = this.keyDone;
    if (from >= n) return n;
    let stop = privateKeyEnd(wp, n, from);
    if (stop >= 0) this.keyOpen = false;
    else stop = eos ? n : endLinePrefix(wp, from, n);
    this.redactHeld(from, stop);
    memory.fill(wp + <usize>from, 0, <usize>(stop - from));
    this.keyDone = stop;
    return this.keyOpen ? stop : n;
  }

  /** A redacted private-key block still open at the end of the window, part of it passing now: its rest follows. */
  private noteOpenKey(r: i32): void {
    const f = this.findings, d = this.dir, wp = this.win.dataStart, n = this.win.length;
    if (this.keyOpen || <Action>unchecked(d.detectors.actions[Kind.PrivateKey]) != Action.Redact) return;
    for (let i = 0; i < f.length; i++) {
      const s = f.start(i);
      if (f.kind(i) != Kind.PrivateKey || f.end(i) != n || s >= r || !privateKeyOpen(wp, n, s)) continue;
      this.keyOpen = true;
      this.keyDone = n;
    }
  }

  /** Redacts window text [from, to) in the held events (continuation: no label, not counted). */
  private redactHeld(from: i32, to: i32): void {
    for (let h = 0; h < this.held.length; h++) {
      const ev = unchecked(this.held[h]);
      for (let j = 0; j < ev.winStarts.length; j++) {
        const ws = unchecked(ev.winStarts[j]), ds = unchecked(ev.dataStarts[j]);
        const we = ws + unchecked(ev.dataEnds[j]) - ds;
        const os = from > ws ? from : ws, oe = to < we ? to : we;
        if (os < oe) ev.edits.add(ds + os - ws, ds + oe - ws, EMPTY_LABEL);
      }
    }
  }

  /**
   * Whether the window can lose its first `c` bytes without changing what the detectors find in
   * the rest: not inside a word (a match needs a boundary before it) nor inside a digit group
   * (which runs on over one separator and would hide a number after it).
   */
  private safeCut(c: i32, n: i32): bool {
    if (c <= 0 || c >= n) return true;
    const wp = this.win.dataStart;
    const a = <u32>load<u8>(wp + <usize>(c - 1)), b = <u32>load<u8>(wp + <usize>c);
    if (inWord(a) && inWord(b)) return false;
    if (isDigit(a) && isGroupSeparator(b) && c + 1 < n && isDigit(<u32>load<u8>(wp + <usize>(c + 1)))) return false;
    if (isGroupSeparator(a) && isDigit(b) && c >= 2 && isDigit(<u32>load<u8>(wp + <usize>(c - 2)))) return false;
    return true;
  }

  /**
   * A match that began in a released event and runs on into a held one: its rest is redacted in
   * the held events now. The rest stays in the window as it is, since whatever else the whole
   * text holds there (a shorter phrase inside a flagged one, a phrase running on past a phone
   * number) must still be found; only the detectors step over a detector match's rest
   * (`detectFrom`), so it is not found (and counted) again as a match of its own. No phrase
   * match is ever found again from its rest: the rest is shorter than the phrase.
   */
  private finishStraddling(cut: i32): void {
    const f = this.findings, d = this.dir;
    for (let i = 0; i < f.length; i++) {
      const fs = f.start(i), fe = f.end(i);
      if (fs >= cut || fe <= cut) continue;
      if (<Action>unchecked(d.detectors.actions[f.kind(i)]) == Action.Redact) this.redactHeld(cut, fe);
      if (f.kind(i) < Kind.PromptInjection && fe > this.detectFrom) this.detectFrom = fe;
    }
  }

  /** Redactions and counts for the findings that touch `ev`'s text. */
  private applyFindings(ev: HeldEvent): void {
    const f = this.findings, d = this.dir;
    for (let i = 0; i < f.length; i++) {
      const kind = f.kind(i), fs = f.start(i), fe = f.end(i);
      const a = <Action>unchecked(d.detectors.actions[kind]);
      for (let j = 0; j < ev.winStarts.length; j++) {
        const ws = unchecked(ev.winStarts[j]), ds = unchecked(ev.dataStarts[j]), de = unchecked(ev.dataEnds[j]);
        const we = ws + de - ds;
        const os = fs > ws ? fs : ws, oe = fe < we ? fe : we;
        if (os >= oe) continue;
        const first = fs >= ws && fs < we;
        if (first) { unchecked(this.counts[kind] += 1); if (a == Action.Flag) this.flagged = true; }
        if (a == Action.Redact) ev.edits.add(ds + os - ws, ds + oe - ws, first ? unchecked(this.labels[kind]) : EMPTY_LABEL);
      }
    }
  }

  private serialise(ev: HeldEvent): Uint8Array {
    const data = ev.data;
    if (ev.edits.length == 0 || data === null) return ev.block;
    const nd = ev.edits.apply(data, false, 0);
    const b = new ByteBuffer(nd.length + 32);
    if (ev.prefix >= 0) {
      b.append(ev.block.dataStart, ev.prefix);
      b.appendBytes(nd);
      return b.toBytes();
    }
    const t = ev.type;
    if (t !== null) { b.appendString("event: "); b.appendBytes(t); b.push(0x0a); }
    // Data lines: one `data:` line per LF in the (redacted) data.
    let ls = 0;
    for (let i = 0; i <= nd.length; i++) {
      if (i == nd.length || nd[i] == 0x0a) {
        b.appendString("data: ");
        b.append(nd.dataStart + <usize>ls, i - ls);
        b.push(0x0a);
        ls = i + 1;
      }
    }
    b.push(0x0a);
    return b.toBytes();
  }
}

// @ts-ignore: decorator
@inline function isDigit(c: u32): bool { return c - 0x30 < 10; }
/** Not whitespace, a quote or the window's separator byte. */
// @ts-ignore: decorator
@inline function inWord(c: u32): bool { return c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d && c != 0 && c != 0x22; }
/** Bytes a digit group runs on over (cards, phones, numbers): space, dash, dot, parentheses. */
// @ts-ignore: decorator
@inline function isGroupSeparator(c: u32): bool { return c == 0x20 || c == 0x2d || c == 0x2e || c == 0x28 || c == 0x29; }

/**
 * End (exclusive) of the event block starting at `from`: just after the blank line that ends it,
 * or -1 when it is not complete yet. Lines end with CRLF, LF or CR; a CR at the end of the data
 * waits for the next chunk (it may be half of a CRLF) unless the stream ended.
 */
function eventEnd(p: usize, from: i32, n: i32, eos: bool): i32 {
  let i = from, lineStart = from;
  while (i < n) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c != 0x0a && c != 0x0d) { i++; continue; }
    let next = i + 1;
    if (c == 0x0d) {
      if (next >= n && !eos) return -1;
      if (next < n && <u32>load<u8>(p + <usize>next) == 0x0a) next++;
    }
    if (i == lineStart) return next;
    lineStart = next;
    i = next;
  }
  return -1;
}
