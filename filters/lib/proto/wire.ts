/**
 * @module filters/lib/proto/wire
 * The Protocol Buffers wire format, just enough for hand-written messages: varints, tags and
 * length-delimited fields. `ProtoWriter` fills a buffer whose exact size was counted first (a
 * nested message's length prefix must be known before its bytes, so encoders size, then write
 * once). `ProtoReader` walks untrusted bytes without ever reading outside them: every read is
 * bounded by the end of the enclosing message, and the first problem is recorded as a `LibError`
 * with its byte offset instead of trapping.
 */
import { LibError } from "../errors";
import { isValidUtf8 } from "../utf8";

/** The wire types of a field's tag (the low three bits). */
export const enum WireType {
  Varint = 0,
  Fixed64 = 1,
  Len = 2,
  /** Groups (3, 4) are a proto2 relic no Envoy message uses; the reader rejects them. */
  StartGroup = 3,
  EndGroup = 4,
  Fixed32 = 5,
}

/** Largest field number protobuf allows (2^29 - 1). */
export const MAX_FIELD_NUMBER: u32 = 0x1fffffff;

@inline export function makeTag(field: u32, wireType: WireType): u32 {
  return (field << 3) | <u32>wireType;
}

/** Bytes a varint takes for `v` (1 to 10). */
export function varintSize(v: u64): i32 {
  let n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

/** Bytes of a length-delimited field: tag, length prefix, payload. */
@inline export function lenFieldSize(field: u32, payload: i32): i32 {
  return varintSize(makeTag(field, WireType.Len)) + varintSize(<u64>payload) + payload;
}

/** Bytes of a varint field. */
@inline export function varintFieldSize(field: u32, v: u64): i32 {
  return varintSize(makeTag(field, WireType.Varint)) + varintSize(v);
}

/**
 * Writes fields into a buffer of exactly the counted size. A write that would pass the end is
 * dropped and marks the writer `overflowed` (a sizing bug, never a trap), so the encoder can
 * refuse to hand out a corrupt message.
 */
export class ProtoWriter {
  readonly bytes: Uint8Array;
  pos: i32 = 0;
  overflowed: bool = false;

  constructor(size: i32) {
    this.bytes = new Uint8Array(size > 0 ? size : 0);
  }

  /** True when every counted byte was written and nothing more. */
  get complete(): bool {
    return !this.overflowed && this.pos == this.bytes.length;
  }

  varint(v: u64): void {
    if (this.pos + varintSize(v) > this.bytes.length) {
      this.overflowed = true;
      return;
    }
    const base = this.bytes.dataStart;
    let p = this.pos;
    while (v >= 0x80) {
      store<u8>(base + <usize>p, <u8>(v & 0x7f) | 0x80);
      v >>= 7;
      p++;
    }
    store<u8>(base + <usize>p, <u8>v);
    this.pos = p + 1;
  }

  tag(field: u32, wireType: WireType): void {
    this.varint(<u64>makeTag(field, wireType));
  }

  /** A varint field; proto3 omits a zero, so callers decide whether to call this for 0. */
  varintField(field: u32, v: u64): void {
    this.tag(field, WireType.Varint);
    this.varint(v);
  }

  /** Tag and length prefix of a nested message or string whose payload follows. */
  lenHeader(field: u32, payload: i32): void {
    this.tag(field, WireType.Len);
    this.varint(<u64>payload);
  }

  /** A string field; `utf8Length` must be `String.UTF8.byteLength(s)`. */
  stringField(field: u32, s: string, utf8Length: i32): void {
    this.lenHeader(field, utf8Length);
    if (this.pos + utf8Length > this.bytes.length) {
      this.overflowed = true;
      return;
    }
    String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, this.bytes.dataStart + <usize>this.pos, false);
    this.pos += utf8Length;
  }
}

/**
 * Reads fields from `len` bytes at `ptr`. Callers loop `while (r.more(end))`, read a tag, then
 * either read the value or `skip` it; nested messages get their own `end` from `lenEnd`.
 * After the first error every read returns 0 and `more` returns false.
 */
export class ProtoReader {
  readonly start: usize;
  readonly end: usize;
  pos: usize;
  error: LibError = LibError.None;
  /** Byte offset (from the start of the input) where the error was found; -1 when none. */
  errorAt: i32 = -1;

  constructor(ptr: usize, len: i32) {
    this.start = ptr;
    this.end = ptr + <usize>(len > 0 ? len : 0);
    this.pos = ptr;
  }

  get ok(): bool {
    return this.error == LibError.None;
  }

  /** True while no error occurred and bytes remain before `end`. */
  @inline more(end: usize): bool {
    return this.error == LibError.None && this.pos < end;
  }

  fail(code: LibError): void {
    if (this.error != LibError.None) return;
    this.error = code;
    this.errorAt = <i32>(this.pos - this.start);
  }

  /** A varint of at most 10 bytes; a longer one, or a 10th byte above 1, does not fit 64 bits. */
  varint(end: usize): u64 {
    let result: u64 = 0;
    let shift: u64 = 0;
    let p = this.pos;
    for (let i = 0; i < 10; i++) {
      if (p >= end) {
        this.fail(LibError.UnexpectedEnd);
        return 0;
      }
      const b = <u64>load<u8>(p);
      p++;
      if (i == 9 && b > 1) {
        this.fail(LibError.NumberOutOfRange);
        return 0;
      }
      result |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = p;
        return result;
      }
      shift += 7;
    }
    this.fail(LibError.NumberOutOfRange);
    return 0;
  }

  /**
   * A field's tag; 0 after an error. Field number 0 and wire types 6, 7 are malformed; groups
   * (3, 4) are refused here too, since skipping one means matching nested start/end tags and no
   * RLS message has one: a group can only be garbage or an attack on the skipper.
   */
  tag(end: usize): u32 {
    const at = this.pos;
    const t = this.varint(end);
    if (!this.ok) return 0;
    const wireType = <u32>(t & 7);
    if (t > <u64>0xffffffff || (t >> 3) == 0 || wireType > 5 || wireType == WireType.StartGroup || wireType == WireType.EndGroup) {
      this.pos = at;
      this.fail(LibError.UnexpectedByte);
      return 0;
    }
    return <u32>t;
  }

  /** Reads a length prefix and returns where that payload ends (0 after an error). */
  lenEnd(end: usize): usize {
    const n = this.varint(end);
    if (!this.ok) return 0;
    if (n > <u64>(end - this.pos)) {
      this.fail(LibError.UnexpectedEnd);
      return 0;
    }
    return this.pos + <usize>n;
  }

  /** A length-delimited UTF-8 string; invalid UTF-8 is an error, as in protobuf's own parsers. */
  string(end: usize, maxBytes: i32): string {
    const stop = this.lenEnd(end);
    if (!this.ok) return "";
    const n = stop - this.pos;
    if (n > <usize>maxBytes) {
      this.fail(LibError.TooLarge);
      return "";
    }
    if (!isValidUtf8(this.pos, n)) {
      this.fail(LibError.InvalidUtf8);
      return "";
    }
    const s = String.UTF8.decodeUnsafe(this.pos, n, false);
    this.pos = stop;
    return s;
  }

  /** Steps over a field's value, whatever its (valid) wire type. */
  skip(wireType: u32, end: usize): void {
    if (wireType == WireType.Varint) {
      this.varint(end);
    } else if (wireType == WireType.Fixed64 || wireType == WireType.Fixed32) {
      const n: usize = wireType == WireType.Fixed64 ? 8 : 4;
      if (end - this.pos < n) this.fail(LibError.UnexpectedEnd);
      else this.pos += n;
    } else if (wireType == WireType.Len) {
      const stop = this.lenEnd(end);
      if (this.ok) this.pos = stop;
    } else {
      this.fail(LibError.UnexpectedByte); // groups and invalid types never get past `tag`
    }
  }
}
