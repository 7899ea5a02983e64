/**
 * @module filters/lib/sse
 * An incremental Server-Sent Events parser (WHATWG algorithm) for response bodies that arrive
 * in arbitrary chunks: a chunk may end mid-line, between the CR and LF of a CRLF, or inside a
 * multi-byte character; the events produced are the same for every chunking. Lines end in LF,
 * CRLF or a lone CR; `data:` lines of one event join with LF; one space after the colon is
 * dropped; comment lines (`: ping`) and unknown fields are ignored; a leading BOM is skipped.
 * Memory is bounded: an event or line larger than `maxEventBytes` is a `TooLarge` error.
 *
 * Events wait in one arena (data, name and id of each, back to back) that is reused once they
 * are all read, so `nextView()` hands them out without allocating; `next()` copies one into a
 * new `SseEvent` for callers that keep events.
 *
 * @example
 *   parser.push(ptr, len);
 *   for (let ev = parser.next(); ev; ev = parser.next()) handle(ev.data);
 *   // per-chunk code, no allocation: while (parser.nextView()) handle(parser.view.dataPtr, parser.view.dataLen);
 *   // at end of body: parser.end() flushes an event that lacked its blank line (complete = false)
 */
import { CharCode } from "./charcode";
import { LibError } from "./errors";
import { ByteBuffer } from "./bytes";

export const DEFAULT_MAX_EVENT_BYTES: i32 = 1 << 20;

export class SseEvent {
  /** The `event:` field, or null for the default type ("message"). */
  type: Uint8Array | null = null;
  /** The `data:` lines joined with LF. */
  data: Uint8Array;
  /** The `id:` field seen in this event, or null. */
  id: Uint8Array | null = null;
  /** The `retry:` field in milliseconds, or -1. */
  retry: i64 = -1;
  /** False for an event flushed by `end()` without its terminating blank line. */
  complete: bool = true;

  constructor(data: Uint8Array) { this.data = data; }

  /** True when the type is `name` (null type counts as "message"). */
  isType(name: string): bool {
    const t = this.type;
    if (t === null) return name == "message";
    return String.UTF8.decodeUnsafe(t.dataStart, <usize>t.length, false) == name;
  }
}

/**
 * The event `SseParser.nextView()` moved to, as spans of the parser's memory: valid until the
 * parser's next `push`, `end` or `reset`.
 */
export class SseEventView {
  /** The `event:` field (`typeLen` 0 and `hasType` false for the default type). */
  typePtr: usize = 0;
  typeLen: i32 = 0;
  hasType: bool = false;
  /** The `data:` lines joined with LF. */
  dataPtr: usize = 0;
  dataLen: i32 = 0;
  /** False for an event flushed by `end()` without its terminating blank line. */
  complete: bool = true;
}

// One waiting event's record in `SseParser.marks`: offsets into the arena (-1: field absent).
const M_DATA = 0, M_DATA_LEN = 1, M_TYPE = 2, M_TYPE_LEN = 3, M_ID = 4, M_ID_LEN = 5, M_COMPLETE = 6, M_SIZE = 7;

const WORD_DATA: u32 = 0x61746164; // "data" little-endian

const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;
const LFS: u64 = 0x0a0a0a0a0a0a0a0a;
const CRS: u64 = 0x0d0d0d0d0d0d0d0d;

/** Offset of the first CR or LF in [from, len) of the bytes at `ptr`, or -1; eight bytes per step. */
export function findLineEnd(ptr: usize, from: i32, len: i32): i32 {
  let i = from;
  while (i + 8 <= len) {
    const v = load<u64>(ptr + <usize>i);
    const a = v ^ LFS, b = v ^ CRS;
    const m = (((a - ONES) & ~a) | ((b - ONES) & ~b)) & HIGHS;
    if (m != 0) return i + <i32>(ctz(m) >> 3);
    i += 8;
  }
  while (i < len) {
    const c = <u32>load<u8>(ptr + <usize>i);
    if (c == CharCode.LF || c == CharCode.CR) return i;
    i++;
  }
  return -1;
}

export class SseParser {
  /** Largest event (data + fields) or line accepted. */
  maxEventBytes: i32;
  /** `TooLarge` once a limit was exceeded; the parser then refuses further input. */
  error: LibError = LibError.None;
  /** Comment lines seen (keep-alives). */
  comments: i32 = 0;

  /** The event `nextView()` moved to. */
  readonly view: SseEventView = new SseEventView();

  private carry: ByteBuffer = new ByteBuffer(256);
  /** Waiting events' bytes, then the current event's data (from `dataStart`), each data line + LF. */
  private arena: ByteBuffer = new ByteBuffer(512);
  private dataStart: i32 = 0;
  private type: ByteBuffer = new ByteBuffer(32);
  private id: ByteBuffer = new ByteBuffer(32);
  private dataLines: i32 = 0;
  private hasType: bool = false;
  private hasId: bool = false;
  private retry: i64 = -1;
  private pendingLF: bool = false;
  private atStart: bool = true;
  /** `M_SIZE` numbers per waiting event, and its retry. */
  private marks: i32[] = [];
  private retries: i64[] = [];
  private readyCount: i32 = 0;
  private readIndex: i32 = 0;

  constructor(maxEventBytes: i32 = DEFAULT_MAX_EVENT_BYTES) {
    this.maxEventBytes = maxEventBytes;
  }

  /** Forgets all state (a new stream). */
  reset(): void {
    this.error = LibError.None;
    this.comments = 0;
    this.carry.reset();
    this.arena.reset();
    this.dataStart = 0;
    this.clearEvent();
    this.pendingLF = false;
    this.atStart = true;
    this.marks.length = 0;
    this.retries.length = 0;
    this.readyCount = 0;
    this.readIndex = 0;
  }

  /**
   * Feeds the next `len` bytes of the body. Returns the number of complete events waiting in
   * `next()`, or -1 once an error was found.
   */
  push(ptr: usize, len: i32): i32 {
    if (this.error != LibError.None) return -1;
    if (this.readIndex >= this.readyCount) this.recycle();
    let i = 0;
    // The LF of a CRLF whose CR ended the previous chunk belongs to that line break.
    if (this.pendingLF && len > 0) {
      if (<u32>load<u8>(ptr) == CharCode.LF) i = 1;
      this.pendingLF = false;
    }
    while (i < len) {
      const j = findLineEnd(ptr, i, len);
      if (j < 0) {
        if (this.carry.length + (len - i) > this.maxEventBytes) return this.tooLarge();
        this.carry.append(ptr + <usize>i, len - i);
        break;
      }
      if (this.carry.length > 0) {
        if (this.carry.length + (j - i) > this.maxEventBytes) return this.tooLarge();
        this.carry.append(ptr + <usize>i, j - i);
        this.line(this.carry.dataStart, this.carry.length);
        this.carry.reset();
      } else {
        this.line(ptr + <usize>i, j - i);
      }
      if (this.error != LibError.None) return -1;
      let next = j + 1;
      if (<u32>load<u8>(ptr + <usize>j) == CharCode.CR) {
        if (next < len) { if (<u32>load<u8>(ptr + <usize>next) == CharCode.LF) next++; }
        else this.pendingLF = true;
      }
      i = next;
    }
    return this.readyCount - this.readIndex;
  }

  /** Safe wrapper of `push` for a byte array. */
  pushBytes(bytes: Uint8Array): i32 {
    return this.push(bytes.dataStart, bytes.length);
  }

  /** The next complete event as a new object (its bytes copied), or null. */
  next(): SseEvent | null {
    if (this.readIndex >= this.readyCount) return null;
    const m = this.readIndex++ * M_SIZE;
    const marks = this.marks;
    const ev = new SseEvent(this.copy(unchecked(marks[m + M_DATA]), unchecked(marks[m + M_DATA_LEN])));
    const t = unchecked(marks[m + M_TYPE]);
    if (t >= 0) ev.type = this.copy(t, unchecked(marks[m + M_TYPE_LEN]));
    const id = unchecked(marks[m + M_ID]);
    if (id >= 0) ev.id = this.copy(id, unchecked(marks[m + M_ID_LEN]));
    ev.retry = unchecked(this.retries[m / M_SIZE]);
    ev.complete = unchecked(marks[m + M_COMPLETE]) != 0;
    return ev;
  }

  /**
   * Moves `view` to the next complete event without allocating; false when none is waiting.
   * The view's spans stay valid until the next `push`, `end` or `reset`.
   */
  nextView(): bool {
    if (this.readIndex >= this.readyCount) return false;
    const m = this.readIndex++ * M_SIZE;
    const marks = this.marks, v = this.view, base = this.arena.dataStart;
    v.dataPtr = base + <usize>unchecked(marks[m + M_DATA]);
    v.dataLen = unchecked(marks[m + M_DATA_LEN]);
    const t = unchecked(marks[m + M_TYPE]);
    v.hasType = t >= 0;
    v.typePtr = t >= 0 ? base + <usize>t : 0;
    v.typeLen = t >= 0 ? unchecked(marks[m + M_TYPE_LEN]) : 0;
    v.complete = unchecked(marks[m + M_COMPLETE]) != 0;
    return true;
  }

  /**
   * True when the parser holds nothing and waits at an event's start (not the stream's: a BOM may
   * come there), so the next bytes, if they are one whole event, are that event alone.
   */
  get betweenEvents(): bool {
    return this.error == LibError.None && !this.atStart && !this.pendingLF && this.carry.length == 0 &&
      this.dataLines == 0 && this.readIndex >= this.readyCount;
  }

  /**
   * Fast path for one complete raw event (its bytes through the blank line that ends it) when
   * the parser is between events: if the event is a single `data:` line ending in LF, `view`
   * is set to its data where it lies (no copy) and true is returned, as if the bytes had been
   * pushed and the event read. Otherwise nothing changes and the caller pushes the bytes.
   * `lineEnd`, when the caller already knows it, is the offset of the first line's CR or LF.
   */
  simpleEvent(ptr: usize, len: i32, lineEnd: i32 = -1): bool {
    if (!this.betweenEvents) return false;
    if (len < 7 || load<u32>(ptr) != WORD_DATA || load<u8>(ptr, 4) != CharCode.COLON || load<u8>(ptr + <usize>(len - 1)) != CharCode.LF) return false;
    const j = lineEnd >= 5 ? lineEnd : findLineEnd(ptr, 5, len);
    let k = j + 1;
    if (<u32>load<u8>(ptr + <usize>j) == CharCode.CR && k < len && <u32>load<u8>(ptr + <usize>k) == CharCode.LF) k++;
    // What follows the data line must be the blank line alone.
    const rest = len - k;
    if (!(rest == 1 || (rest == 2 && <u32>load<u8>(ptr + <usize>k) == CharCode.CR))) return false;
    const start = <u32>load<u8>(ptr, 5) == CharCode.SPACE ? 6 : 5;
    const n = j - start;
    if (n < 0 || n + 1 > this.maxEventBytes) return false;
    const v = this.view;
    v.dataPtr = ptr + <usize>start;
    v.dataLen = n;
    v.hasType = false;
    v.typePtr = 0;
    v.typeLen = 0;
    v.complete = true;
    return true;
  }

  /** All waiting events were read: their bytes and records are dropped, the current event's data moves to the front. */
  private recycle(): void {
    const a = this.arena;
    const cur = a.length - this.dataStart;
    if (this.dataStart > 0 && cur > 0) memory.copy(a.dataStart, a.dataStart + <usize>this.dataStart, <usize>cur);
    a.length = cur;
    this.dataStart = 0;
    this.marks.length = 0;
    this.retries.length = 0;
    this.readyCount = 0;
    this.readIndex = 0;
  }

  /**
   * End of body: a last line without its line break is processed, and an event that has data
   * but no terminating blank line is made available with `complete = false` (the WHATWG
   * algorithm would drop it; accounting may still want its usage). Returns the events waiting.
   */
  end(): i32 {
    if (this.error != LibError.None) return -1;
    if (this.readIndex >= this.readyCount) this.recycle();
    if (this.carry.length > 0) {
      this.line(this.carry.dataStart, this.carry.length);
      this.carry.reset();
    }
    if (this.dataLines > 0) this.dispatch(false);
    else this.clearEvent();
    this.pendingLF = false;
    return this.readyCount - this.readIndex;
  }

  private tooLarge(): i32 {
    this.error = LibError.TooLarge;
    return -1;
  }

  private clearEvent(): void {
    this.arena.length = this.dataStart;
    this.type.reset();
    this.id.reset();
    this.dataLines = 0;
    this.hasType = false;
    this.hasId = false;
    this.retry = -1;
  }

  private dispatch(complete: bool): void {
    const a = this.arena, marks = this.marks;
    // The data ends with the LF appended after the last data line: drop it.
    marks.push(this.dataStart);
    marks.push(a.length - this.dataStart - 1);
    if (this.hasType && this.type.length > 0) {
      marks.push(a.length);
      marks.push(this.type.length);
      a.append(this.type.dataStart, this.type.length);
    } else { marks.push(-1); marks.push(0); }
    if (this.hasId) {
      marks.push(a.length);
      marks.push(this.id.length);
      a.append(this.id.dataStart, this.id.length);
    } else { marks.push(-1); marks.push(0); }
    marks.push(complete ? 1 : 0);
    this.retries.push(this.retry);
    this.readyCount++;
    this.dataStart = a.length;
    this.clearEvent();
  }

  private copy(offset: i32, n: i32): Uint8Array {
    const out = new Uint8Array(n > 0 ? n : 0);
    if (n > 0) memory.copy(out.dataStart, this.arena.dataStart + <usize>offset, <usize>n);
    return out;
  }

  /** One line, without its line break. */
  private line(p: usize, n: i32): void {
    if (this.atStart) {
      this.atStart = false;
      if (n >= 3 && load<u8>(p) == 0xef && load<u8>(p, 1) == 0xbb && load<u8>(p, 2) == 0xbf) { p += 3; n -= 3; }
    }
    if (n == 0) {
      if (this.dataLines > 0) this.dispatch(true);
      else this.clearEvent();
      return;
    }
    if (<u32>load<u8>(p) == CharCode.COLON) { this.comments++; return; }
    let colon = 0;
    while (colon < n && <u32>load<u8>(p + <usize>colon) != CharCode.COLON) colon++;
    let v = colon < n ? colon + 1 : n;
    if (v < n && <u32>load<u8>(p + <usize>v) == CharCode.SPACE) v++;
    const value = p + <usize>v;
    const valueLen = n - v;
    if (this.arena.length - this.dataStart + this.type.length + this.id.length + valueLen + 1 > this.maxEventBytes) {
      this.tooLarge();
      return;
    }
    if (fieldIs(p, colon, "data")) {
      this.arena.append(value, valueLen);
      this.arena.push(CharCode.LF);
      this.dataLines++;
    } else if (fieldIs(p, colon, "event")) {
      this.type.reset();
      this.type.append(value, valueLen);
      this.hasType = true;
    } else if (fieldIs(p, colon, "id")) {
      // An id containing NUL is ignored, as the standard says.
      for (let k = 0; k < valueLen; k++) if (load<u8>(value + <usize>k) == 0) return;
      this.id.reset();
      this.id.append(value, valueLen);
      this.hasId = true;
    } else if (fieldIs(p, colon, "retry")) {
      let ms: i64 = 0;
      if (valueLen == 0 || valueLen > 15) return;
      for (let k = 0; k < valueLen; k++) {
        const d = <u32>load<u8>(value + <usize>k) - CharCode._0;
        if (d >= 10) return;
        ms = ms * 10 + <i64>d;
      }
      this.retry = ms;
    }
  }
}

/** True when the `n` bytes at `p` spell the ASCII field `name`. */
function fieldIs(p: usize, n: i32, name: string): bool {
  if (n != name.length) return false;
  for (let i = 0; i < n; i++) if (<u32>load<u8>(p + <usize>i) != <u32>name.charCodeAt(i)) return false;
  return true;
}
