/**
 * @module filters/token-limit/heap-bytes
 * `HeapBytes`: a growable byte buffer outside the collector, for the meter's copies of a response
 * (a non-streamed body, an incomplete SSE event), which can reach megabytes. Growing moves it with
 * `heap.realloc`, which frees the old block at once (or extends it in place): a managed buffer
 * would leave each outgrown copy as garbage the incremental collector reclaims only later, so the
 * allocator grows wasm memory instead (and wasm memory is never given back).
 */

export class HeapBytes {
  private ptr: usize;
  private cap: i32;
  /** Bytes written so far (may be lowered to drop a tail). */
  length: i32 = 0;

  constructor(private readonly initial: i32) {
    this.cap = initial;
    this.ptr = heap.alloc(<usize>initial);
  }

  /** Address of the first byte (valid until the next write that grows the buffer). */
  get dataStart(): usize { return this.ptr; }

  get capacity(): i32 { return this.cap; }

  /** Forgets the content; a block grown past `keep` bytes goes back to the allocator. */
  reset(keep: i32): void {
    this.length = 0;
    if (this.cap > keep) {
      heap.free(this.ptr);
      this.cap = this.initial;
      this.ptr = heap.alloc(<usize>this.initial);
    }
  }

  append(ptr: usize, len: i32): void {
    if (len <= 0) return;
    const need = this.length + len;
    if (need > this.cap) {
      // Half again, not double: the blocks it left behind then add up to a later size and are reused.
      let cap = this.cap + (this.cap >> 1);
      if (cap < need) cap = need;
      this.ptr = heap.realloc(this.ptr, <usize>cap);
      this.cap = cap;
    }
    memory.copy(this.ptr + <usize>this.length, ptr, <usize>len);
    this.length = need;
  }

  /** Returns the block to the allocator; the buffer must not be used afterwards. */
  dispose(): void {
    if (this.ptr != 0) heap.free(this.ptr);
    this.ptr = 0;
    this.cap = 0;
    this.length = 0;
  }
}
