/**
 * @module filters/lib/test/exports-common
 * Memory and result accessors the JS side of the tests uses.
 */
import { results, output, lastError, lastErrorAt } from "./common";
import { errorMessage, LibError } from "../errors";

export function alloc(len: usize): usize { return heap.alloc(len > 0 ? len : 1); }
export function free(ptr: usize): void { heap.free(ptr); }
export function result(i: i32): i32 { return <u32>i < <u32>results.length ? results[i] : -999; }
export function outputPtr(): usize { return output.dataStart; }
export function outputLen(): i32 { return output.length; }
export function error(): i32 { return <i32>lastError; }
export function errorAt(): i32 { return lastErrorAt; }

/** Writes the message for `code` into the output buffer (tests check every code has one). */
export function errorText(code: i32): i32 {
  output.reset();
  output.appendString(errorMessage(<LibError>code));
  return output.length;
}

/** Forces a collection so memory measurements see only live data. */
export function collect(): void { __collect(); }
