/**
 * @module filters/sdk/hostcalls/headers
 * Header, trailer and metadata maps. Keys may be given as strings (the host lowercases them) or
 * raw bytes. Envoy's quirks (reference §10.8): `get` returns only the first value of a repeated
 * header; `replace` overwrites only the first occurrence (remove then add to really set a repeated
 * header); `getHeaderMapSize` is the sum of key and value bytes; maps 4–7 are read-only.
 */
import { MapType, Status } from "../types";
import {
  proxy_add_header_map_value, proxy_get_header_map_pairs, proxy_get_header_map_size, proxy_get_header_map_value,
  proxy_remove_header_map_value, proxy_replace_header_map_value, proxy_set_header_map_pairs,
} from "./raw";
import { SLOT_A, SLOT_B, release, takeBytes } from "./memory";
import { HeaderPair, parsePairsAt, pickPairStringsAt, serializePairs } from "./pairs";
import { record } from "./status";

/** First value of `key` as bytes; null when absent (NotFound) or the map is unavailable. */
export function getHeaderMapValueBytes(map: MapType, key: ArrayBuffer): ArrayBuffer | null {
  const status = record(proxy_get_header_map_value(map, changetype<usize>(key), key.byteLength, SLOT_A, SLOT_B));
  if (status != Status.Ok) return null;
  return takeBytes(load<usize>(SLOT_A), load<usize>(SLOT_B));
}

/** First value of `key` decoded as UTF-8; null when absent or the map is unavailable. */
export function getHeaderMapValue(map: MapType, key: string): string | null {
  const bytes = getHeaderMapValueBytes(map, String.UTF8.encode(key));
  return bytes === null ? null : String.UTF8.decode(bytes);
}

/** Every entry, in order, repeated keys included; null on a non-OK status or malformed reply. */
export function getHeaderMapPairs(map: MapType): HeaderPair[] | null {
  const status = record(proxy_get_header_map_pairs(map, SLOT_A, SLOT_B));
  if (status != Status.Ok) return null;
  const ptr = load<usize>(SLOT_A);
  const pairs = parsePairsAt(ptr, load<usize>(SLOT_B));
  release(ptr);
  if (pairs === null) record(Status.SerializationFailure);
  return pairs;
}

/** Header names as `getHeaderMapValues` takes them: lowercased (as the host does for a get) and encoded once. */
export function headerKeys(names: string[]): ArrayBuffer[] {
  const out = new Array<ArrayBuffer>(names.length);
  for (let i = 0; i < names.length; i++) unchecked(out[i] = String.UTF8.encode(unchecked(names[i]).toLowerCase()));
  return out;
}

/**
 * The first value of each of `keys` (from `headerKeys`) decoded as UTF-8, null for one absent, read
 * with one `proxy_get_header_map_pairs` instead of a call per header; null when the map is
 * unavailable or malformed.
 */
export function getHeaderMapValues(map: MapType, keys: ArrayBuffer[]): Array<string | null> | null {
  const status = record(proxy_get_header_map_pairs(map, SLOT_A, SLOT_B));
  if (status != Status.Ok) return null;
  const ptr = load<usize>(SLOT_A);
  const out = pickPairStringsAt(ptr, load<usize>(SLOT_B), keys);
  release(ptr);
  if (out === null) record(Status.SerializationFailure);
  return out;
}

/** Replaces the whole map (Envoy: removes every key, then adds the pairs). */
export function setHeaderMapPairs(map: MapType, pairs: HeaderPair[]): Status {
  const bytes = serializePairs(pairs);
  return record(proxy_set_header_map_pairs(map, changetype<usize>(bytes), bytes.byteLength));
}

/** Sum of key and value bytes in Envoy (not a count); -1 when the map is unavailable. */
export function getHeaderMapSize(map: MapType): i64 {
  if (record(proxy_get_header_map_size(map, SLOT_A)) != Status.Ok) return -1;
  return <i64>load<u32>(SLOT_A);
}

export function addHeaderMapValueBytes(map: MapType, key: ArrayBuffer, value: ArrayBuffer): Status {
  return record(proxy_add_header_map_value(map, changetype<usize>(key), key.byteLength, changetype<usize>(value), value.byteLength));
}

/** `addHeaderMapValueBytes` with the value given as `len` bytes at `ptr` (a value written into scratch memory). */
export function addHeaderMapValueAt(map: MapType, key: ArrayBuffer, ptr: usize, len: usize): Status {
  return record(proxy_add_header_map_value(map, changetype<usize>(key), key.byteLength, ptr, len));
}

/** Adds one more entry (a repeated header when the key exists). */
export function addHeaderMapValue(map: MapType, key: string, value: string): Status {
  return addHeaderMapValueBytes(map, String.UTF8.encode(key), String.UTF8.encode(value));
}

export function replaceHeaderMapValueBytes(map: MapType, key: ArrayBuffer, value: ArrayBuffer): Status {
  return record(proxy_replace_header_map_value(map, changetype<usize>(key), key.byteLength, changetype<usize>(value), value.byteLength));
}

/** Sets the first occurrence of `key` (adds it when absent); later repeats are left alone. */
export function replaceHeaderMapValue(map: MapType, key: string, value: string): Status {
  return replaceHeaderMapValueBytes(map, String.UTF8.encode(key), String.UTF8.encode(value));
}

export function removeHeaderMapValueBytes(map: MapType, key: ArrayBuffer): Status {
  return record(proxy_remove_header_map_value(map, changetype<usize>(key), key.byteLength));
}

/** Removes every occurrence of `key`; OK when it was absent. */
export function removeHeaderMapValue(map: MapType, key: string): Status {
  return removeHeaderMapValueBytes(map, String.UTF8.encode(key));
}
