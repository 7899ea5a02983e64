/**
 * @module filters/lib/test/common
 * Shared state of the lib test module: an allocator for the JS side, a result slot table and an
 * output byte buffer, so thin exports can hand back more than one number.
 */
import { ByteBuffer } from "../bytes";
import { LibError } from "../errors";

export const results = new StaticArray<i32>(4096);
export const output = new ByteBuffer(256);
export let lastError: LibError = LibError.None;
export let lastErrorAt: i32 = -1;

export function setError(code: LibError, at: i32): void {
  lastError = code;
  lastErrorAt = at;
}

export function setResult(i: i32, v: i32): void {
  if (<u32>i < <u32>results.length) unchecked(results[i] = v);
}
