/**
 * @module harness/memory
 * Bounds-checked access to a module's linear memory, the host→module copy through the
 * module's allocator (`copyToPointerSize` in cpp-host), and the header-pairs codec of §6.1.
 * Every hostcall goes through here, so a bad pointer becomes INVALID_MEMORY_ACCESS
 * instead of a host crash.
 */

/** Thrown by accessors on an out-of-range pointer; hostcalls turn it into INVALID_MEMORY_ACCESS. */
export class MemoryFault extends Error {
  constructor(readonly ptr: number, readonly len: number) {
    super(`memory access out of bounds: ptr=${ptr} len=${len}`);
  }
}

/** Limits from cpp-host's pairs parser: beyond them the pairs silently decode to nothing. */
const MAX_PAIRS_BYTES = 1024 * 1024;
const MAX_PAIRS_COUNT = 1024;

export type Pair = [string, string];
const utf8 = new TextEncoder();
const EMPTY = new Uint8Array(0);
const fromUtf8 = new TextDecoder();

export const text = (b: Uint8Array): string => fromUtf8.decode(b);

/** `readString` remembers this many short strings (names a module repeats) by their bytes. */
const RECENT_STRINGS = 16;
const RECENT_MAX_BYTES = 64;
function sameBytesAt(a: Uint8Array, mem: Uint8Array, at: number): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== mem[at + i]) return false;
  return true;
}
export const bytes = (s: string | Uint8Array): Uint8Array => (typeof s === "string" ? utf8.encode(s) : s);

export class ModuleMemory {
  /** Set by the VM: calls the exported allocator (with the allocator-time hostcall restrictions). */
  allocate: (size: number) => number = () => 0;

  /** The module's Memory, looked up once per instance (the VM calls `forget()` when it instantiates). */
  private mem: WebAssembly.Memory | null = null;
  /** Views over the current buffer, made again only when `memory.grow` replaced it (hostcalls made one per access). */
  private views: { buffer: ArrayBuffer; u8: Uint8Array; dv: DataView; shared: boolean } | null = null;

  constructor(private readonly memory: () => WebAssembly.Memory) {}

  forget(): void { this.mem = null; this.views = null; }

  get buffer(): ArrayBuffer { return (this.mem ??= this.memory()).buffer; }
  get pages(): number { return this.buffer.byteLength / 65536; }

  /** The views over memory, after checking `[ptr, ptr + len)` lies inside it. */
  private checked(ptr: number, len: number): { u8: Uint8Array; dv: DataView } {
    let v = this.views;
    // `memory.grow` detaches the old buffer (its views' length becomes 0): only then is the Memory
    // asked again. (A shared memory's buffer is never detached, so it is asked every time.) The
    // view's `length` is read rather than the buffer's `byteLength`, a builtin call each time.
    if (v === null || v.u8.length === 0 || v.shared) {
      const buffer = this.buffer;
      if (v === null || v.buffer !== buffer) {
        v = this.views = { buffer, u8: new Uint8Array(buffer), dv: new DataView(buffer), shared: typeof SharedArrayBuffer !== "undefined" && buffer instanceof SharedArrayBuffer };
      }
    }
    const p = ptr >>> 0, l = len >>> 0;
    if (p + l > v.u8.length) throw new MemoryFault(p, l);
    return v;
  }

  /** Throws MemoryFault unless `[ptr, ptr + len)` lies inside memory. */
  check(ptr: number, len: number): void { this.checked(ptr, len); }

  /** A copy of `len` bytes at `ptr`. */
  read(ptr: number, len: number): Uint8Array {
    const p = ptr >>> 0;
    return this.checked(p, len).u8.slice(p, p + (len >>> 0));
  }
  /** `len` bytes at `ptr` as a view into memory (no copy): for a callee that copies what it keeps, before the module runs again. */
  view(ptr: number, len: number): Uint8Array {
    const p = ptr >>> 0;
    return this.checked(p, len).u8.subarray(p, p + (len >>> 0));
  }
  /** Decoded straight from memory: no intermediate copy. */
  readString(ptr: number, len: number): string {
    const p = ptr >>> 0, n = len >>> 0;
    const u8 = this.checked(p, n).u8;
    if (n === 0 || n > RECENT_MAX_BYTES) return text(u8.subarray(p, p + n));
    // Names come again and again (shared-data keys, property paths, header names): a recent one
    // is found by its bytes, which costs far less than a TextDecoder call.
    const recent = this.recent;
    for (let i = 0; i < recent.length; i++) {
      const r = recent[i];
      if (r.bytes.length === n && sameBytesAt(r.bytes, u8, p)) return r.text;
    }
    const b = u8.slice(p, p + n);
    const t = text(b);
    if (recent.length < RECENT_STRINGS) recent.push({ bytes: b, text: t });
    else recent[this.recentNext] = { bytes: b, text: t };
    this.recentNext = (this.recentNext + 1) % RECENT_STRINGS;
    return t;
  }
  /** Strings decoded lately, with their bytes (a ring of `RECENT_STRINGS`). */
  private recent: Array<{ bytes: Uint8Array; text: string }> = [];
  private recentNext = 0;

  writeU32(ptr: number, value: number): void {
    this.checked(ptr, 4).dv.setUint32(ptr >>> 0, value >>> 0, true);
  }
  writeU64(ptr: number, value: bigint): void {
    this.checked(ptr, 8).dv.setBigUint64(ptr >>> 0, BigInt.asUintN(64, value), true);
  }
  write(ptr: number, data: Uint8Array): void {
    this.checked(ptr, data.length).u8.set(data, ptr >>> 0);
  }

  /**
   * Hands `data` to the module: allocates with the module's allocator, copies, and writes
   * the pointer and size slots. Empty data is `ptr 0, size 0` without calling the allocator.
   * Returns false when the allocator fails (null or out-of-range pointer).
   */
  copyOut(data: Uint8Array, ptrSlot: number, sizeSlot: number): boolean {
    if (data.length === 0) {
      this.writeU32(ptrSlot, 0);
      this.writeU32(sizeSlot, 0);
      return true;
    }
    const ptr = this.allocate(data.length) >>> 0;
    if (ptr === 0) return false;
    try { this.write(ptr, data); } catch (e) { if (e instanceof MemoryFault) return false; throw e; }
    this.writeU32(ptrSlot, ptr);
    this.writeU32(sizeSlot, data.length);
    return true;
  }

  /**
   * `copyOut(data.subarray(start, end), …)` without the subarray when the range is all of `data`
   * (a body read whole, the usual case), and with one bounds check for the block written.
   */
  copyRangeOut(data: Uint8Array, start: number, end: number, ptrSlot: number, sizeSlot: number): boolean {
    const n = end - start;
    if (n <= 0) {
      this.writeU32(ptrSlot, 0);
      this.writeU32(sizeSlot, 0);
      return true;
    }
    const ptr = this.allocate(n) >>> 0;
    if (ptr === 0) return false;
    let u8: Uint8Array;
    try { u8 = this.checked(ptr, n).u8; } catch (e) { if (e instanceof MemoryFault) return false; throw e; }
    u8.set(start === 0 && end === data.length ? data : data.subarray(start, end), ptr);
    this.writeU32(ptrSlot, ptr);
    this.writeU32(sizeSlot, n);
    return true;
  }

  /**
   * `copyOut(bytes(s), …)`, with an all-ASCII string (header values, mostly) written straight
   * into the module's memory: TextEncoder's new array per call was most of a header read's cost.
   */
  copyStringOut(s: string, ptrSlot: number, sizeSlot: number): boolean {
    const n = asciiLength(s);
    if (n <= 0) return this.copyOut(bytes(s), ptrSlot, sizeSlot);
    const ptr = this.allocate(n) >>> 0;
    if (ptr === 0) return false;
    let u8: Uint8Array;
    try { u8 = this.checked(ptr, n).u8; } catch (e) { if (e instanceof MemoryFault) return false; throw e; }
    writeAscii(u8, ptr, s);
    this.writeU32(ptrSlot, ptr);
    this.writeU32(sizeSlot, n);
    return true;
  }

  /**
   * `copyOut(encodePairs(pairs), …)` with the pairs serialized straight into the module's memory:
   * no intermediate array (above 64 bytes, a new Uint8Array is an off-heap allocation) and no copy.
   */
  copyPairsOut(pairs: PairsInput, ptrSlot: number, sizeSlot: number): boolean {
    if (pairs.length === 0) return this.copyOut(EMPTY, ptrSlot, sizeSlot);
    const layout = layoutPairs(pairs);
    const ptr = this.allocate(layout.size) >>> 0;
    if (ptr === 0) return false;
    let v: { u8: Uint8Array; dv: DataView };
    try { v = this.checked(ptr, layout.size); } catch (e) { if (e instanceof MemoryFault) return false; throw e; }
    writePairs(v.u8, v.dv, ptr, pairs, layout);
    this.writeU32(ptrSlot, ptr);
    this.writeU32(sizeSlot, layout.size);
    return true;
  }
}

/** `s.length` when every character is ASCII (one UTF-8 byte each), else -1. */
function asciiLength(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return -1;
  return s.length;
}

/** Writes an all-ASCII string as bytes at `at` (the caller checked it with `asciiLength`). */
function writeAscii(dst: Uint8Array, at: number, s: string): void {
  for (let i = 0; i < s.length; i++) dst[at + i] = s.charCodeAt(i);
}

type PairsInput = ReadonlyArray<readonly [string | Uint8Array, string | Uint8Array]>;

/**
 * A pairs map's serialized size and the lengths of its strings (ASCII strings are written as they
 * are; anything else is encoded once and kept in `encoded` by its index: TextEncoder per string
 * was the cost).
 */
interface PairsLayout { size: number; lengths: number[]; encoded: Array<Uint8Array | undefined> | null }

function layoutPairs(pairs: PairsInput): PairsLayout {
  const n = pairs.length;
  let encoded: Array<Uint8Array | undefined> | null = null;
  const lengths = new Array<number>(2 * n);
  let size = 4 + 8 * n;
  for (let i = 0; i < n; i++) {
    const pair = pairs[i];
    for (let j = 0; j < 2; j++) {
      const x = pair[j];
      let len = typeof x === "string" ? asciiLength(x) : x.length;
      if (len < 0) {
        const b = bytes(x);
        (encoded ??= [])[2 * i + j] = b;
        len = b.length;
      }
      lengths[2 * i + j] = len;
      size += len + 1;
    }
  }
  return { size, lengths, encoded };
}

/** Writes the serialized pairs at `at` in `dst` (`view` over the same buffer); `layout` sized them. */
function writePairs(dst: Uint8Array, view: DataView, at: number, pairs: PairsInput, layout: PairsLayout): void {
  const n = pairs.length, { lengths, encoded } = layout;
  view.setUint32(at, n, true);
  let p = at + 4;
  for (let i = 0; i < 2 * n; i += 2) { view.setUint32(p, lengths[i], true); view.setUint32(p + 4, lengths[i + 1], true); p += 8; }
  for (let i = 0; i < n; i++) {
    const pair = pairs[i];
    for (let j = 0; j < 2; j++) {
      const x = pair[j];
      const e = encoded?.[2 * i + j];
      if (e !== undefined) dst.set(e, p);
      else if (typeof x === "string") writeAscii(dst, p, x);
      else dst.set(x, p);
      dst[p + lengths[2 * i + j]] = 0;
      p += lengths[2 * i + j] + 1;
    }
  }
}

/** Serializes pairs (§6.1); an empty list serializes to zero bytes, as cpp-host emits it. */
export function encodePairs(pairs: PairsInput): Uint8Array {
  if (pairs.length === 0) return new Uint8Array(0);
  const layout = layoutPairs(pairs);
  const out = new Uint8Array(layout.size);
  writePairs(out, new DataView(out.buffer), 0, pairs, layout);
  return out;
}

/**
 * Parses pairs the way cpp-host does: anything malformed (too big, too many, a missing NUL,
 * bytes left over) yields no pairs at all, silently. `null` tells the caller it was malformed.
 */
export function decodePairsBytes(data: Uint8Array): Array<[Uint8Array, Uint8Array]> | null {
  if (data.length === 0) return [];
  if (data.length > MAX_PAIRS_BYTES || data.length < 4) return null;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const count = view.getUint32(0, true);
  if (count > MAX_PAIRS_COUNT) return null;
  let p = 4 + count * 8;
  if (p > data.length) return null;
  const out: Array<[Uint8Array, Uint8Array]> = [];
  for (let i = 0; i < count; i++) {
    const kl = view.getUint32(4 + i * 8, true), vl = view.getUint32(8 + i * 8, true);
    if (p + kl + 1 + vl + 1 > data.length) return null;
    if (data[p + kl] !== 0) return null;
    const k = data.subarray(p, p + kl);
    p += kl + 1;
    if (data[p + vl] !== 0) return null;
    const v = data.subarray(p, p + vl);
    p += vl + 1;
    out.push([k.slice(), v.slice()]);
  }
  return p === data.length ? out : null;
}

export function decodePairs(data: Uint8Array): Pair[] | null {
  const raw = decodePairsBytes(data);
  return raw && raw.map(([k, v]) => [text(k), text(v)]);
}
