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
 * Walks a serialized map in place, checking the format as it goes: `next()` moves to the next
 * pair (its key and value are then at `keyPtr`/`valuePtr`) and is false at the end, or at the
 * first malformed byte, which sets `malformed`: a count that does not fit, a missing NUL, or
 * bytes left over. `len` 0 (and the spec's single NUL byte) is an empty map.
 */
class PairCursor {
  keyPtr: usize = 0;
  keyLen: usize = 0;
  valuePtr: usize = 0;
  valueLen: usize = 0;
  malformed: bool = false;
  private sizes: usize = 0;
  private data: usize = 0;
  private end: usize = 0;
  private left: usize = 0;

  constructor(ptr: usize, len: usize) {
    // (AssemblyScript constructors cannot return early.)
    if (len == 0 || (len == 1 && load<u8>(ptr) == 0)) {
      // the empty map: no pairs
    } else if (len < 4) {
      this.malformed = true;
    } else {
      const count = <usize>load<u32>(ptr);
      // Each pair needs at least 10 bytes (two sizes and two NULs); checked before multiplying.
      if (count > (len - 4) / 10) {
        this.malformed = true;
      } else {
        this.end = ptr + len;
        this.sizes = ptr + 4;
        this.data = this.sizes + 8 * count;
        this.left = count;
      }
    }
  }

  next(): bool {
    if (this.malformed) return false;
    if (this.left == 0) {
      if (this.data != this.end) this.malformed = true;
      return false;
    }
    this.left--;
    const kl = <usize>load<u32>(this.sizes);
    const vl = <usize>load<u32>(this.sizes, 4);
    this.sizes += 8;
    let data = this.data;
    if (kl >= this.end - data) return this.fail(); // room for the key and its NUL, without overflow
    this.keyPtr = data;
    this.keyLen = kl;
    data += kl;
    if (load<u8>(data) != 0) return this.fail();
    data += 1;
    if (vl >= this.end - data) return this.fail();
    this.valuePtr = data;
    this.valueLen = vl;
    data += vl;
    if (load<u8>(data) != 0) return this.fail();
    this.data = data + 1;
    return true;
  }

  private fail(): bool {
    this.malformed = true;
    return false;
  }
}

function copyOut(ptr: usize, len: usize): ArrayBuffer {
  const out = new ArrayBuffer(<i32>len);
  memory.copy(changetype<usize>(out), ptr, len);
  return out;
}

/** Parses `len` bytes at `ptr` (see `PairCursor`); null for anything malformed. */
export function parsePairsAt(ptr: usize, len: usize): HeaderPair[] | null {
  const pairs = new Array<HeaderPair>();
  const c = new PairCursor(ptr, len);
  while (c.next()) pairs.push(new HeaderPair(copyOut(c.keyPtr, c.keyLen), copyOut(c.valuePtr, c.valueLen)));
  return c.malformed ? null : pairs;
}

// Where each wanted value lies in the serialized map: (ptr, len) pairs, ptr 0 for absent. Reused:
// a header read is on every request's path and needs no allocation of its own.
let spans = new StaticArray<usize>(16);

/** Fills `spans` with the first value of each of `keys` (exact bytes); false when the map is malformed. */
function locatePairValues(ptr: usize, len: usize, keys: ArrayBuffer[]): bool {
  const n = keys.length;
  if (spans.length < 2 * n) spans = new StaticArray<usize>(2 * n);
  for (let k = 0; k < 2 * n; k++) unchecked(spans[k] = 0);
  const c = new PairCursor(ptr, len);
  while (c.next()) {
    for (let k = 0; k < n; k++) {
      const want = unchecked(keys[k]);
      if (unchecked(spans[2 * k]) != 0 || <usize>want.byteLength != c.keyLen || memory.compare(changetype<usize>(want), c.keyPtr, c.keyLen) != 0) continue;
      unchecked(spans[2 * k] = c.valuePtr);
      unchecked(spans[2 * k + 1] = c.valueLen);
    }
  }
  return !c.malformed;
}

/**
 * The first value of each of `keys` (exact bytes, lowercase as Envoy keeps header names, e.g. from
 * `headerKeys`) in the serialized map of `len` bytes at `ptr`, copied; null for a key absent; null
 * for a malformed map (as `parsePairsAt`). Only the values asked for are copied: one pairs read
 * then costs less than a `get_header_map_value` per header when a filter reads several.
 */
export function pickPairValuesAt(ptr: usize, len: usize, keys: ArrayBuffer[]): Array<ArrayBuffer | null> | null {
  if (!locatePairValues(ptr, len, keys)) return null;
  const out = new Array<ArrayBuffer | null>(keys.length);
  for (let k = 0; k < keys.length; k++) {
    const p = unchecked(spans[2 * k]);
    if (p != 0) unchecked(out[k] = copyOut(p, unchecked(spans[2 * k + 1])));
  }
  return out;
}

/** `pickPairValuesAt` with each value decoded as UTF-8 straight from the map (no copy in between). */
export function pickPairStringsAt(ptr: usize, len: usize, keys: ArrayBuffer[]): Array<string | null> | null {
  if (!locatePairValues(ptr, len, keys)) return null;
  const out = new Array<string | null>(keys.length);
  for (let k = 0; k < keys.length; k++) {
    const p = unchecked(spans[2 * k]);
    if (p != 0) unchecked(out[k] = String.UTF8.decodeUnsafe(p, unchecked(spans[2 * k + 1])));
  }
  return out;
}

/** Parses a serialized map held in an ArrayBuffer (e.g. a map-typed property value). */
export function parsePairs(buf: ArrayBuffer): HeaderPair[] | null {
  return parsePairsAt(changetype<usize>(buf), <usize>buf.byteLength);
}
