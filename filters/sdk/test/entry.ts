/**
 * @module filters/sdk/test/entry
 * The `sdk-tests` wasm module: thin exports over the SDK's byte-level code (pairs, property
 * paths, the filter-state protobuf) so uvu tests can check it against byte fixtures without a
 * host. Results are ArrayBuffers handed back as (pointer, `outputLen()`).
 */
import "../runtime/abort";
import { HeaderPair, parsePairsAt, pickPairStringsAt, pickPairValuesAt, serializePairs } from "../hostcalls/pairs";
import { headerKeys } from "../hostcalls/headers";
import { encodePropertyPath } from "../hostcalls/properties";
import { encodeSetEnvoyFilterStateArguments } from "../hostcalls/foreign";
import { LifeSpan } from "../types";
import { allocateForHost, release } from "../hostcalls/memory";

let output: ArrayBuffer = new ArrayBuffer(0);

function give(buf: ArrayBuffer): usize {
  output = buf;
  return changetype<usize>(buf);
}

export function alloc(size: usize): usize { return heap.alloc(size); }
export function free(ptr: usize): void { heap.free(ptr); }
export function outputLen(): i32 { return output.byteLength; }

/** The reference's §6.1 example: `[(":status","429"), ("retry-after","7")]`. */
export function serializeExample(): usize {
  return give(serializePairs([HeaderPair.of(":status", "429"), HeaderPair.of("retry-after", "7")]));
}

export function serializeEmpty(): usize {
  return give(serializePairs([]));
}

/** Parses `len` bytes at `ptr` and renders them as `k=v` lines, or returns 0 when malformed. */
export function parseAndRender(ptr: usize, len: usize): usize {
  const pairs = parsePairsAt(ptr, len);
  if (pairs === null) return 0;
  let text = pairs.length.toString();
  for (let i = 0; i < pairs.length; i++) text += "\n" + pairs[i].keyString + "=" + pairs[i].valueString;
  return give(String.UTF8.encode(text));
}

/**
 * Picks the values of `names` (`/`-separated, at `namesPtr`) from the map at `ptr` and renders one
 * line each (`-` for absent), or returns 0 when the map is malformed; `asStrings` takes the values
 * through `pickPairStringsAt` (decoded in place) instead of `pickPairValuesAt` (copied).
 */
export function pickAndRender(ptr: usize, len: usize, namesPtr: usize, namesLen: usize, asStrings: bool): usize {
  const names = String.UTF8.decodeUnsafe(namesPtr, namesLen).split("/");
  let text = "";
  if (asStrings) {
    const strings = pickPairStringsAt(ptr, len, headerKeys(names));
    if (strings === null) return 0;
    for (let i = 0; i < strings.length; i++) {
      const v = strings[i];
      text += (i > 0 ? "\n" : "") + (v === null ? "-" : v);
    }
  } else {
    const values = pickPairValuesAt(ptr, len, headerKeys(names));
    if (values === null) return 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      text += (i > 0 ? "\n" : "") + (v === null ? "-" : String.UTF8.decode(v));
    }
  }
  return give(String.UTF8.encode(text));
}

/** Encodes a path given as `/`-separated segments (tests cannot pass arrays directly). */
export function propertyPath(ptr: usize, len: usize): usize {
  const text = String.UTF8.decodeUnsafe(ptr, len);
  const segments = text.length == 0 ? new Array<string>() : text.split("/");
  return give(encodePropertyPath(segments));
}

export function filterStateArgs(pathPtr: usize, pathLen: usize, valuePtr: usize, valueLen: usize, span: i32): usize {
  const path = String.UTF8.decodeUnsafe(pathPtr, pathLen);
  const value = String.UTF8.decodeUnsafe(valuePtr, valueLen);
  return give(encodeSetEnvoyFilterStateArguments(path, value, <LifeSpan>span));
}

/** The allocator the host writes results through, and `release`, as the host and the SDK call them. */
export function hostAlloc(size: usize): usize { return allocateForHost(size); }
export function hostRelease(ptr: usize): void { release(ptr); }
