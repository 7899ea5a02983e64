/**
 * @module filters/sdk/hostcalls/pairs
 * Header/trailer/metadata maps as the ABI serializes them (reference §6.1):
 * `u32 count`, then `count × (u32 key_len, u32 value_len)`, then each key and value followed by
 * one NUL. Pairs hold raw bytes; string views are decoded on request only.
 */

/** One header (or metadata entry, or map property entry) as raw bytes. */
export class HeaderPair {
  constructor(public key: ArrayBuffer, public value: ArrayBuffer) {}

  /** A pair from two strings, UTF-8 encoded. */
  static of(key: string, value: string): HeaderPair {
    return new HeaderPair(String.UTF8.encode(key), String.UTF8.encode(value));
  }

  get keyString(): string {
    return String.UTF8.decode(this.key);
  }

  get valueString(): string {
    return String.UTF8.decode(this.value);
  }
}

/** Serializes pairs; null or no pairs give an empty buffer, which hosts read as "no headers". */
export function serializePairs(pairs: HeaderPair[] | null): ArrayBuffer {
  if (pairs === null || pairs.length == 0) return new ArrayBuffer(0);
  const count = pairs.length;
  // Count first, then allocate once.
  let size: usize = 4 + 8 * <usize>count;
  for (let i = 0; i < count; i++) {
    const p = unchecked(pairs[i]);
    size += <usize>p.key.byteLength + <usize>p.value.byteLength + 2;
  }
  const out = new ArrayBuffer(<i32>size);
  const base = changetype<usize>(out);
  store<u32>(base, <u32>count);
  let sizes = base + 4;
  let data = base + 4 + 8 * <usize>count;
  for (let i = 0; i < count; i++) {
    const p = unchecked(pairs[i]);
    const kl = <usize>p.key.byteLength;
    const vl = <usize>p.value.byteLength;
    store<u32>(sizes, <u32>kl);
    store<u32>(sizes, <u32>vl, 4);
    sizes += 8;
    memory.copy(data, changetype<usize>(p.key), kl);
    data += kl;
    store<u8>(data, 0); // the ArrayBuffer is zeroed already; written for clarity of the format
    data += 1;
    memory.copy(data, changetype<usize>(p.value), vl);
    data += vl;
    store<u8>(data, 0);
    data += 1;
  }
  return out;
}

/**
 * Parses `len` bytes at `ptr`. `len` 0 (and the spec's single NUL byte) is an empty map. Returns
 * null for anything malformed: a count that does not fit, a missing NUL, or bytes left over.
 */
export function parsePairsAt(ptr: usize, len: usize): HeaderPair[] | null {
  const pairs = new Array<HeaderPair>();
  if (len == 0 || (len == 1 && load<u8>(ptr) == 0)) return pairs;
  if (len < 4) return null;
  const count = <usize>load<u32>(ptr);
  // Each pair needs at least 10 bytes (two sizes and two NULs); checked before multiplying.
  if (count > (len - 4) / 10) return null;
  const end = ptr + len;
  let sizes = ptr + 4;
  let data = sizes + 8 * count;
  for (let i: usize = 0; i < count; i++) {
    const kl = <usize>load<u32>(sizes);
    const vl = <usize>load<u32>(sizes, 4);
    sizes += 8;
    if (kl >= end - data) return null; // room for the key and its NUL, without overflow
    const key = new ArrayBuffer(<i32>kl);
    memory.copy(changetype<usize>(key), data, kl);
    data += kl;
    if (load<u8>(data) != 0) return null;
    data += 1;
    if (vl >= end - data) return null;
    const value = new ArrayBuffer(<i32>vl);
    memory.copy(changetype<usize>(value), data, vl);
    data += vl;
    if (load<u8>(data) != 0) return null;
    data += 1;
    pairs.push(new HeaderPair(key, value));
  }
  if (data != end) return null;
  return pairs;
}

/**
 * The first value of each of `keys` (exact bytes, lowercase as Envoy keeps header names) in the
 * serialized map of `len` bytes at `ptr`, null for a key absent; null for a malformed map (as
 * `parsePairsAt`). Only the values asked for are copied: one pairs read then costs less than a
 * `get_header_map_value` per header when a filter reads several.
 */
export function pickPairValuesAt(ptr: usize, len: usize, keys: ArrayBuffer[]): Array<ArrayBuffer | null> | null {
  const out = new Array<ArrayBuffer | null>(keys.length);
  if (len == 0 || (len == 1 && load<u8>(ptr) == 0)) return out;
  if (len < 4) return null;
  const count = <usize>load<u32>(ptr);
  if (count > (len - 4) / 10) return null;
  const end = ptr + len;
  let sizes = ptr + 4;
  let data = sizes + 8 * count;
  for (let i: usize = 0; i < count; i++) {
    const kl = <usize>load<u32>(sizes);
    const vl = <usize>load<u32>(sizes, 4);
    sizes += 8;
    if (kl >= end - data) return null;
    const key = data;
    data += kl;
    if (load<u8>(data) != 0) return null;
    data += 1;
    if (vl >= end - data) return null;
    const value = data;
    data += vl;
    if (load<u8>(data) != 0) return null;
    data += 1;
    for (let k = 0; k < keys.length; k++) {
      const want = unchecked(keys[k]);
      if (unchecked(out[k]) !== null || <usize>want.byteLength != kl || memory.compare(changetype<usize>(want), key, kl) != 0) continue;
      const v = new ArrayBuffer(<i32>vl);
      memory.copy(changetype<usize>(v), value, vl);
      unchecked(out[k] = v);
    }
  }
  if (data != end) return null;
  return out;
}

/** Parses a serialized map held in an ArrayBuffer (e.g. a map-typed property value). */
export function parsePairs(buf: ArrayBuffer): HeaderPair[] | null {
  return parsePairsAt(changetype<usize>(buf), <usize>buf.byteLength);
}
