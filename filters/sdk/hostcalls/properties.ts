/**
 * @module filters/sdk/hostcalls/properties
 * Host properties (`request.path`, `plugin_root_id`, `xds.route_name`, values other filters set).
 * A path is a list of segments joined by one NUL (reference §6.2). Values are raw bytes; Envoy
 * encodes ints as 8 bytes LE, bools as 1 byte, maps as pairs (§6.3), decoded by the helpers here.
 */
import { Status } from "../types";
import { proxy_get_property, proxy_set_property } from "./raw";
import { SLOT_A, SLOT_B, lenOf, ptrOf, takeBytes } from "./memory";
import { HeaderPair, parsePairs } from "./pairs";
import { record } from "./status";

/** `["request", "path"]` → `request\0path` (no trailing NUL). */
export function encodePropertyPath(path: string[]): ArrayBuffer {
  let size = 0;
  const parts = new Array<ArrayBuffer>();
  for (let i = 0; i < path.length; i++) {
    const bytes = String.UTF8.encode(unchecked(path[i]));
    parts.push(bytes);
    size += bytes.byteLength + (i > 0 ? 1 : 0);
  }
  const out = new ArrayBuffer(size);
  let at = changetype<usize>(out);
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) { store<u8>(at, 0); at += 1; }
    const part = unchecked(parts[i]);
    memory.copy(at, changetype<usize>(part), part.byteLength);
    at += part.byteLength;
  }
  return out;
}

/** A property path encoded once, for a property a filter sets on every request. */
export class PropertyPath {
  readonly encoded: ArrayBuffer;
  constructor(segments: string[]) { this.encoded = encodePropertyPath(segments); }
}

/** `setProperty` for a path encoded once and a value given as `len` bytes at `ptr`. */
export function setPropertyBytes(path: PropertyPath, ptr: usize, len: usize): Status {
  const p = path.encoded;
  return record(proxy_set_property(changetype<usize>(p), p.byteLength, ptr, len));
}

/** A property's raw bytes; null when absent (NotFound) or not serializable. */
export function getProperty(path: string[]): ArrayBuffer | null {
  const encoded = encodePropertyPath(path);
  if (record(proxy_get_property(changetype<usize>(encoded), encoded.byteLength, SLOT_A, SLOT_B)) != Status.Ok) return null;
  return takeBytes(load<usize>(SLOT_A), load<usize>(SLOT_B));
}

/** A string/bytes property decoded as UTF-8; null when absent. */
export function getPropertyString(path: string[]): string | null {
  const bytes = getProperty(path);
  return bytes === null ? null : String.UTF8.decode(bytes);
}

/** An int/uint/timestamp/duration property; `fallback` when absent or not 8 bytes. */
export function getPropertyInt(path: string[], fallback: i64 = 0): i64 {
  const bytes = getProperty(path);
  if (bytes === null) return fallback;
  if (bytes.byteLength != 8) { record(Status.SerializationFailure); return fallback; }
  return decodeInt(bytes);
}

/** A bool property; `fallback` when absent or not 1 byte. */
export function getPropertyBool(path: string[], fallback: bool = false): bool {
  const bytes = getProperty(path);
  if (bytes === null) return fallback;
  if (bytes.byteLength != 1) { record(Status.SerializationFailure); return fallback; }
  return decodeBool(bytes);
}

/** A map (or list, as keys) property; null when absent or malformed. */
export function getPropertyMap(path: string[]): HeaderPair[] | null {
  const bytes = getProperty(path);
  if (bytes === null) return null;
  const pairs = parsePairs(bytes);
  if (pairs === null) record(Status.SerializationFailure);
  return pairs;
}

/** 8 bytes little-endian; 0 for any other length. */
export function decodeInt(bytes: ArrayBuffer): i64 {
  return bytes.byteLength == 8 ? load<i64>(changetype<usize>(bytes)) : 0;
}

/** 1 byte, non-zero = true; false for any other length. */
export function decodeBool(bytes: ArrayBuffer): bool {
  return bytes.byteLength == 1 && load<u8>(changetype<usize>(bytes)) != 0;
}

/** IEEE-754 double, 8 bytes little-endian; NaN for any other length. */
export function decodeDouble(bytes: ArrayBuffer): f64 {
  return bytes.byteLength == 8 ? load<f64>(changetype<usize>(bytes)) : NaN;
}

/** Stores filter state `wasm.<path>` for this stream; NOT_FOUND in a root context. */
export function setProperty(path: string[], value: ArrayBuffer | null): Status {
  const encoded = encodePropertyPath(path);
  return record(proxy_set_property(changetype<usize>(encoded), encoded.byteLength, ptrOf(value), lenOf(value)));
}

export function setPropertyString(path: string[], value: string): Status {
  return setProperty(path, String.UTF8.encode(value));
}
