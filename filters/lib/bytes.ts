/**
 * @module filters/lib/bytes
 * `ByteBuffer`: a growable byte buffer that keeps its capacity across `reset()`, so a parser can
 * reuse one buffer for every request instead of allocating per call (wasm memory stays flat).
 */

export class ByteBuffer {
  private buf: Uint8Array;
  /** Bytes written so far. */
  length: i32 = 0;

  constructor(initialCapacity: i32 = 64) {
    this.buf = new Uint8Array(initialCapacity > 0 ? initialCapacity : 16);
  }

  /** Address of the first byte (valid until the next write that grows the buffer). */
  get dataStart(): usize { return this.buf.dataStart; }

  get capacity(): i32 { return this.buf.length; }

  /** Forgets the content, keeps the memory. */
  reset(): void { this.length = 0; }

  /** Makes room for `extra` more bytes (doubling, so appends are amortised O(1)). */
  ensure(extra: i32): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length << 1;
    if (cap < need) cap = need;
    const next = new Uint8Array(cap);
    memory.copy(next.dataStart, this.buf.dataStart, <usize>this.length);
    this.buf = next;
  }

  push(b: u32): void {
    if (this.length >= this.buf.length) this.ensure(1);
    store<u8>(this.buf.dataStart + <usize>this.length, <u8>b);
    this.length++;
  }

  append(ptr: usize, len: i32): void {
    if (len <= 0) return;
    this.ensure(len);
    memory.copy(this.buf.dataStart + <usize>this.length, ptr, <usize>len);
    this.length += len;
  }

  appendBytes(bytes: Uint8Array): void {
    this.append(bytes.dataStart, bytes.length);
  }

  /** Appends a string's UTF-8 encoding without an intermediate buffer. */
  appendString(s: string): void {
    const n = String.UTF8.byteLength(s, false);
    this.ensure(n);
    String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, this.buf.dataStart + <usize>this.length, false);
    this.length += n;
  }

  at(i: i32): u8 { return i >= 0 && i < this.length ? load<u8>(this.buf.dataStart + <usize>i) : 0; }

  /** True when the content equals the `len` bytes at `ptr`. */
  equals(ptr: usize, len: i32): bool {
    return len == this.length && memory.compare(this.buf.dataStart, ptr, <usize>len) == 0;
  }

  /** A copy of the content as an exactly sized array. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    memory.copy(out.dataStart, this.buf.dataStart, <usize>this.length);
    return out;
  }

  /** The content decoded as UTF-8 (invalid sequences become U+FFFD). */
  toString(): string {
    return String.UTF8.decodeUnsafe(this.buf.dataStart, <usize>this.length, false);
  }
}
