/**
 * @module filters/sdk/hostcalls/memory
 * Out-slots for the host to write results into, and the ownership rule for what the host
 * allocates: a range the host wrote through the allocator belongs to the module, so it is copied
 * into a managed object and freed at once. Pointer 0 means "empty" and is never freed.
 */

// Three 8-byte out-slots, enough for (ptr, len, cas) or a u64. Host calls never re-enter the
// module except through the allocator, which does not touch them, so static slots are safe.
const SLOTS: usize = memory.data(24, 8);
export const SLOT_A: usize = SLOTS;
export const SLOT_B: usize = SLOTS + 8;
export const SLOT_C: usize = SLOTS + 16;

// Nearly every block the host writes (a body chunk, a header map, a shared value) is read and
// released before the next host call: one long-lived block serves them, so the common host call
// costs the module no allocator work. A second block wanted while it is out, or a larger one,
// comes from the heap as before; a block the host allocated but never handed over (a failed
// write) only sends later results to the heap.
const HOST_BLOCK_BYTES: usize = 16 << 10;
let hostBlock: usize = 0;
let hostBlockOut = false;

/** Memory for the host to write a result into (`proxy_on_memory_allocate`); freed with `release`. */
export function allocateForHost(size: usize): usize {
  if (!hostBlockOut && size <= HOST_BLOCK_BYTES) {
    if (hostBlock == 0) hostBlock = heap.alloc(HOST_BLOCK_BYTES);
    hostBlockOut = true;
    return hostBlock;
  }
  return heap.alloc(size);
}

/** Copies `len` host-written bytes at `ptr` into a new ArrayBuffer and frees the host's block. */
export function takeBytes(ptr: usize, len: usize): ArrayBuffer {
  const out = new ArrayBuffer(<i32>len);
  if (len > 0) memory.copy(changetype<usize>(out), ptr, len);
  release(ptr);
  return out;
}

/** Frees a block the host allocated in module memory; pointer 0 (an empty result) is left alone. */
export function release(ptr: usize): void {
  if (ptr == 0) return;
  if (ptr == hostBlock) hostBlockOut = false;
  else heap.free(ptr);
}

/** Pointer to a buffer's bytes, or 0 for null. */
// @ts-ignore: decorator
@inline
export function ptrOf(buf: ArrayBuffer | null): usize {
  return buf === null ? 0 : changetype<usize>(buf);
}

/** Length of a buffer, or 0 for null. */
// @ts-ignore: decorator
@inline
export function lenOf(buf: ArrayBuffer | null): usize {
  return buf === null ? 0 : <usize>buf.byteLength;
}

/** UTF-8 bytes of a string (no terminator). */
// @ts-ignore: decorator
@inline
export function utf8(text: string): ArrayBuffer {
  return String.UTF8.encode(text);
}
