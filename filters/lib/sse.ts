/**
 * @module filters/lib/sse
 * An incremental Server-Sent Events parser (WHATWG algorithm) for response bodies that arrive
 * in arbitrary chunks: a chunk may end mid-line, between the CR and LF of a CRLF, or inside a
 * multi-byte character; the events produced are the same for every chunking. Lines end in LF,
 * CRLF or a lone CR; `data:` lines of one event join with LF; one space after the colon is
 * dropped; comment lines (`: ping`) and unknown fields are ignored; a leading BOM is skipped.
 * Memory is bounded: an event or line larger than `maxEventBytes` is a `TooLarge` error.
 *
 * @example
 *   parser.push(ptr, len);
 *   for (let ev = parser.next(); ev; ev = parser.next()) handle(ev.data);
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

const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;
const LFS: u64 = 0x0a0a0a0a0a0a0a0a;
const CRS: u64 = 0x0d0d0d0d0d0d0d0d;

/** Offset of the first CR or LF in [from, len), or -1; eight bytes per step. */
function findLineEnd(ptr: usize, from: i32, len: i32): i32 {
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

  private carry: ByteBuffer = new ByteBuffer(256);
  private data: ByteBuffer = new ByteBuffer(256);
  private type: ByteBuffer = new ByteBuffer(32);
  private id: ByteBuffer = new ByteBuffer(32);
  private dataLines: i32 = 0;
  private hasType: bool = false;
  private hasId: bool = false;
  private retry: i64 = -1;
  private pendingLF: bool = false;
  private atStart: bool = true;
  private ready: SseEvent[] = [];
  private readIndex: i32 = 0;

  constructor(maxEventBytes: i32 = DEFAULT_MAX_EVENT_BYTES) {
    this.maxEventBytes = maxEventBytes;
  }

  /** Forgets all state (a new stream). */
  reset(): void {
    this.error = LibError.None;
    this.comments = 0;
    this.carry.reset();
    this.clearEvent();
    this.pendingLF = false;
    this.atStart = true;
    this.ready.length = 0;
    this.readIndex = 0;
  }

  /**
   * Feeds the next `len` bytes of the body. Returns the number of complete events waiting in
   * `next()`, or -1 once an error was found.
   */
  push(ptr: usize, len: i32): i32 {
    if (this.error != LibError.None) return -1;
    if (this.readIndex >= this.ready.length) { this.ready.length = 0; this.readIndex = 0; }
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
    return this.ready.length - this.readIndex;
  }

  /** Safe wrapper of `push` for a byte array. */
  pushBytes(bytes: Uint8Array): i32 {
    return this.push(bytes.dataStart, bytes.length);
  }

  /** The next complete event, or null. */
  next(): SseEvent | null {
    if (this.readIndex >= this.ready.length) return null;
    return unchecked(this.ready[this.readIndex++]);
  }

  /**
   * End of body: a last line without its line break is processed, and an event that has data
   * but no terminating blank line is made available with `complete = false` (the WHATWG
   * algorithm would drop it; accounting may still want its usage). Returns the events waiting.
   */
  end(): i32 {
    if (this.error != LibError.None) return -1;
    if (this.carry.length > 0) {
      this.line(this.carry.dataStart, this.carry.length);
      this.carry.reset();
    }
    if (this.dataLines > 0) this.dispatch(false);
    else this.clearEvent();
    this.pendingLF = false;
    return this.ready.length - this.readIndex;
  }

  private tooLarge(): i32 {
    this.error = LibError.TooLarge;
    return -1;
  }

  private clearEvent(): void {
    this.data.reset();
    this.type.reset();
    this.id.reset();
    this.dataLines = 0;
    this.hasType = false;
    this.hasId = false;
    this.retry = -1;
  }

  private dispatch(complete: bool): void {
    // The data buffer ends with the LF appended after the last data line: drop it.
    const ev = new SseEvent(this.copy(this.data, this.data.length - 1));
    if (this.hasType && this.type.length > 0) ev.type = this.copy(this.type, this.type.length);
    if (this.hasId) ev.id = this.copy(this.id, this.id.length);
    ev.retry = this.retry;
    ev.complete = complete;
    this.ready.push(ev);
    this.clearEvent();
  }

  private copy(buf: ByteBuffer, n: i32): Uint8Array {
    const out = new Uint8Array(n > 0 ? n : 0);
    if (n > 0) memory.copy(out.dataStart, buf.dataStart, <usize>n);
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
    if (this.data.length + this.type.length + this.id.length + valueLen + 1 > this.maxEventBytes) {
      this.tooLarge();
      return;
    }
    if (fieldIs(p, colon, "data")) {
      this.data.append(value, valueLen);
      this.data.push(CharCode.LF);
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
