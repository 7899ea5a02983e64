/**
 * @module filters/sdk/hostcalls/buffers
 * Bodies, connection data, configuration and callout payloads as bytes. Envoy accepts only three
 * shapes of `set_buffer_bytes` on a body (reference §10.9): start 0 drops `size` bytes and
 * prepends; start ≥ length appends; anything in between is BAD_ARGUMENT. `replaceBuffer`,
 * `appendBuffer` and `prependBuffer` use exactly those shapes.
 */
import { BufferType, Status } from "../types";
import { proxy_get_buffer_bytes, proxy_get_buffer_status, proxy_set_buffer_bytes } from "./raw";
import { SLOT_A, SLOT_B, release, takeBytes } from "./memory";
import { lastStatus, record } from "./status";

/** Current length of a buffer; -1 on a non-OK status (NotFound: not readable now). */
export function getBufferSize(buffer: BufferType): i64 {
  if (record(proxy_get_buffer_status(buffer, SLOT_A, SLOT_B)) != Status.Ok) return -1;
  return <i64>load<u32>(SLOT_A);
}

/**
 * Up to `maxSize` bytes from `start` (the host clamps the range). An empty range is an empty
 * buffer, not null; null means a non-OK status.
 */
export function getBufferBytes(buffer: BufferType, start: u32 = 0, maxSize: u32 = u32.MAX_VALUE): ArrayBuffer | null {
  if (record(proxy_get_buffer_bytes(buffer, start, maxSize, SLOT_A, SLOT_B)) != Status.Ok) return null;
  return takeBytes(load<usize>(SLOT_A), load<usize>(SLOT_B));
}

// The block the host wrote the last borrowed read into (0: none). At most one is kept: a new
// borrow frees the previous one, so a forgotten release costs one block, never a leak per call.
let borrowed: usize = 0;

/**
 * Reads up to `maxSize` bytes from `start` without a managed copy: the bytes stay in the block
 * the host allocated for them, at `borrowedPtr()`, until `releaseBorrowed()` or the next borrow
 * frees it. For per-chunk reading (a body seen chunk by chunk), where `getBufferBytes` would
 * allocate and copy a new ArrayBuffer each time. Returns the length, or -1 on a non-OK status.
 */
export function borrowBufferBytes(buffer: BufferType, start: u32 = 0, maxSize: u32 = u32.MAX_VALUE): i32 {
  releaseBorrowed();
  if (record(proxy_get_buffer_bytes(buffer, start, maxSize, SLOT_A, SLOT_B)) != Status.Ok) return -1;
  borrowed = load<usize>(SLOT_A);
  return borrowed == 0 ? 0 : <i32>load<usize>(SLOT_B);
}

/** Where the bytes of the last `borrowBufferBytes` lie (0 when it read nothing). */
export function borrowedPtr(): usize {
  return borrowed;
}

/** Frees the block of the last `borrowBufferBytes`; its bytes must not be read afterwards. */
export function releaseBorrowed(): void {
  if (borrowed != 0) {
    release(borrowed);
    borrowed = 0;
  }
}

/** The whole buffer decoded as UTF-8 (configuration, mostly); null on a non-OK status. */
export function getBufferString(buffer: BufferType): string | null {
  const bytes = getBufferBytes(buffer);
  return bytes === null ? null : String.UTF8.decode(bytes);
}

/** Raw `proxy_set_buffer_bytes`: replace `size` bytes at `start` with `value` (see the shapes above). */
export function setBufferBytes(buffer: BufferType, start: u32, size: u32, value: ArrayBuffer): Status {
  return record(proxy_set_buffer_bytes(buffer, start, size, changetype<usize>(value), value.byteLength));
}

/** Replaces the whole buffer with `value`. */
export function replaceBuffer(buffer: BufferType, value: ArrayBuffer): Status {
  const size = getBufferSize(buffer);
  if (size < 0) return lastStatus();
  return setBufferBytes(buffer, 0, <u32>size, value);
}

/** Adds `value` after the current bytes. */
export function appendBuffer(buffer: BufferType, value: ArrayBuffer): Status {
  const size = getBufferSize(buffer);
  if (size < 0) return lastStatus();
  return setBufferBytes(buffer, <u32>size, 0, value);
}

/** Adds `value` before the current bytes. */
export function prependBuffer(buffer: BufferType, value: ArrayBuffer): Status {
  return setBufferBytes(buffer, 0, 0, value);
}
