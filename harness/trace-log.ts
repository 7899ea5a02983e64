/**
 * @module harness/trace-log
 * One context's trace, kept in columns instead of an object per entry: a host call appends nine
 * numbers to one array, and the `TraceEntry` objects are built only when a test reads the trace.
 * (An object and an argument list per host call, kept for the life of the stream, are hundreds of
 * small objects for the garbage collector to trace and copy; a flat array of doubles is one.)
 * The log keeps the last `limit` entries (`limit` > 0), as an array trimmed from the front after
 * each push would: ceil(limit) of them.
 */

export interface TraceEntry {
  seq: number;
  kind: "hostcall" | "callback";
  name: string;
  /** Context the call ran in (the effective one for hostcalls, if set). */
  context: number;
  args: Array<number | bigint>;
  result?: number;
}

/** Interned entry names: a host call's id is taken once, when its import is wrapped. */
const names: string[] = [];
const nameIds = new Map<string, number>();
export function nameId(name: string): number {
  let id = nameIds.get(name);
  if (id === undefined) {
    id = names.length;
    names.push(name);
    nameIds.set(name, id);
  }
  return id;
}

/** Arguments stored inline; longer lists, and anything not a number or a bigint within ±2^53, go aside. */
const INLINE_ARGS = 5;
/** Numbers per entry: seq, meta, context, result, then the inline arguments (0 past the count). */
const STRIDE = 4 + INLINE_ARGS;
const SEQ = 0, META = 1, CONTEXT = 2, RESULT = 3, ARG0 = 4;
/**
 * `meta` = name id × NAME_UNIT + flags: the inline argument count (bits 0–2), CALLBACK, and one
 * bit per inline argument that was a bigint (i64 parameters: `BigInt` of the stored double).
 */
const CALLBACK = 8;
const BIGINT_ARG0 = 16;
const NAME_UNIT = 512;

/** An entry's arguments and result when they do not fit the columns. */
interface Aside { args: Array<number | bigint>; result: unknown; hasResult: boolean }

export class TraceLog {
  /**
   * The columns, STRIDE numbers per entry, in a plain array: it grows by `push` (in the JS heap;
   * a Float64Array grown by doubling cost more in allocating its off-heap store than the objects
   * it replaced) and is used as a ring once it holds `limit` entries.
   */
  private cols: number[] = [];
  /** Entries the columns hold; while the log grows, `start` is 0 and `capacity` is `count`. */
  private capacity = 0;
  /** Slot of the oldest entry kept. */
  private start = 0;
  private count = 0;
  /** Entries ever appended: an entry's logical index finds its slot even after the log wrapped. */
  private appended = 0;
  /** Per slot, what did not fit the columns (null until first needed). */
  private aside: Array<Aside | undefined> | null = null;

  get length(): number { return this.count; }

  /**
   * Appends a host call with up to five arguments (`n` of `a`…`e` are meaningful; the others are
   * 0). Anything but numbers (an i64's bigint, a result that is not a number) takes the slow path.
   */
  hostcall(limit: number, seq: number, name: number, context: number, result: number, n: number,
    a: number | bigint, b: number | bigint, c: number | bigint, d: number | bigint, e: number | bigint): void {
    if (typeof a !== "number" || typeof b !== "number" || typeof c !== "number" || typeof d !== "number" || typeof e !== "number" || typeof result !== "number") {
      this.appendOdd(limit, seq, name * NAME_UNIT, context, [a, b, c, d, e].slice(0, n), result, true);
      return;
    }
    const meta = name * NAME_UNIT + n;
    this.appended++;
    if (this.growing(limit)) {
      this.count++;
      this.capacity++;
      this.cols.push(seq, meta, context, result, a, b, c, d, e);
      return;
    }
    this.write(this.ringSlot(limit), seq, meta, context, result, a, b, c, d, e);
  }

  /** Appends a host call whose arguments came as a list (an unknown or long signature). */
  hostcallList(limit: number, seq: number, name: number, context: number, result: number, args: Array<number | bigint>): void {
    this.appendOdd(limit, seq, name * NAME_UNIT, context, args, result, true);
  }

  /**
   * Appends a callback, without a result yet (`setResult` adds it when the callback returns
   * without trapping). Returns the entry's logical index for `setResult`.
   */
  callback(limit: number, seq: number, name: number, context: number, args: readonly number[]): number {
    const n = args.length;
    if (n > INLINE_ARGS) {
      this.appendOdd(limit, seq, name * NAME_UNIT + CALLBACK, context, args.slice(), undefined, false);
      return this.appended - 1;
    }
    const meta = name * NAME_UNIT + CALLBACK + n;
    const a = n > 0 ? args[0] : 0, b = n > 1 ? args[1] : 0, c = n > 2 ? args[2] : 0, d = n > 3 ? args[3] : 0, e = n > 4 ? args[4] : 0;
    if (typeof a !== "number" || typeof b !== "number" || typeof c !== "number" || typeof d !== "number" || typeof e !== "number") {
      this.appendOdd(limit, seq, name * NAME_UNIT + CALLBACK, context, args.slice(), undefined, false);
      return this.appended - 1;
    }
    this.appended++;
    // NaN: no result yet (a callback's result is a u32 once set).
    if (this.growing(limit)) {
      this.count++;
      this.capacity++;
      this.cols.push(seq, meta, context, NaN, a, b, c, d, e);
    } else {
      this.write(this.ringSlot(limit), seq, meta, context, NaN, a, b, c, d, e);
    }
    return this.appended - 1;
  }

  /** Gives the callback appended as `index` its result, if the limit has not dropped it meanwhile. */
  setResult(index: number, result: number): void {
    const oldest = this.appended - this.count;
    if (index < oldest) return;
    let slot = this.start + (index - oldest);
    if (slot >= this.capacity) slot -= this.capacity;
    const aside = this.aside?.[slot];
    if (aside !== undefined) { aside.result = result; aside.hasResult = true; } else this.cols[slot * STRIDE + RESULT] = result;
  }

  /** The entries kept, oldest first, as new objects (fields in the order the trace always had). */
  entries(): TraceEntry[] {
    const out: TraceEntry[] = [];
    const cols = this.cols;
    for (let i = 0; i < this.count; i++) {
      let slot = this.start + i;
      if (slot >= this.capacity) slot -= this.capacity;
      const at = slot * STRIDE, meta = cols[at + META];
      const flags = meta % NAME_UNIT, name = names[(meta - flags) / NAME_UNIT];
      const kind = flags & CALLBACK ? "callback" : "hostcall";
      const aside = this.aside?.[slot];
      let args: Array<number | bigint>, hasResult: boolean, result: unknown;
      if (aside !== undefined) {
        args = aside.args;
        hasResult = aside.hasResult;
        result = aside.result;
      } else {
        args = [];
        for (let k = 0, n = flags & 7; k < n; k++) args.push(flags & (BIGINT_ARG0 << k) ? BigInt(cols[at + ARG0 + k]) : cols[at + ARG0 + k]);
        result = cols[at + RESULT];
        hasResult = kind === "hostcall" || !Number.isNaN(result);
      }
      const entry: TraceEntry = { seq: cols[at + SEQ], kind, name, context: cols[at + CONTEXT], args };
      if (hasResult) entry.result = result as number;
      out.push(entry);
    }
    return out;
  }

  /**
   * The slow path: i64 arguments within ±2^53 still go inline (flagged, read back as bigints);
   * more than five arguments, a larger bigint, or a result that is not a number go aside as given.
   */
  private appendOdd(limit: number, seq: number, metaBase: number, context: number, args: Array<number | bigint>, result: unknown, hasResult: boolean): void {
    const n = args.length;
    let inline = n <= INLINE_ARGS && (!hasResult || typeof result === "number");
    let bigints = 0;
    const values = [0, 0, 0, 0, 0];
    for (let k = 0; inline && k < n; k++) {
      const x = args[k];
      if (typeof x === "number") values[k] = x;
      else if (typeof x === "bigint" && Number.isSafeInteger(Number(x))) { values[k] = Number(x); bigints |= BIGINT_ARG0 << k; } else inline = false;
    }
    this.appended++;
    const grew = this.growing(limit);
    const slot = grew ? this.capacity : this.ringSlot(limit);
    if (grew) { this.count++; this.capacity++; }
    if (inline) {
      this.write(slot, seq, metaBase + bigints + n, context, hasResult ? (result as number) : NaN, values[0], values[1], values[2], values[3], values[4]);
    } else {
      this.write(slot, seq, metaBase, context, 0, 0, 0, 0, 0, 0);
      (this.aside ??= [])[slot] = { args, result, hasResult };
    }
  }

  /** Whether the next entry is appended (fewer than `limit` kept); rearranges the columns if the limit grew since they wrapped. */
  private growing(limit: number): boolean {
    // For whole counts, `count < limit` is `count < ceil(limit)`.
    if (this.count >= limit) return false;
    if (this.start !== 0 || this.capacity !== this.count) this.compact();
    return true;
  }

  /** The oldest entry's slot, for the next entry to take (the log holds `limit` entries). */
  private ringSlot(limit: number): number {
    const max = Math.ceil(limit);
    if (this.count > max) this.dropOldest(this.count - max); // the limit shrank
    const slot = this.start;
    this.start = slot + 1 === this.capacity ? 0 : slot + 1;
    if (this.aside !== null) this.aside[slot] = undefined;
    return slot;
  }

  /** Stores an entry at `slot` (a new slot at the end appends). */
  private write(slot: number, seq: number, meta: number, context: number, result: number, a: number, b: number, c: number, d: number, e: number): void {
    const cols = this.cols, at = slot * STRIDE;
    if (at === cols.length) { cols.push(seq, meta, context, result, a, b, c, d, e); return; }
    cols[at + SEQ] = seq; cols[at + META] = meta; cols[at + CONTEXT] = context; cols[at + RESULT] = result;
    cols[at + ARG0] = a; cols[at + ARG0 + 1] = b; cols[at + ARG0 + 2] = c; cols[at + ARG0 + 3] = d; cols[at + ARG0 + 4] = e;
  }

  /** Puts the entries kept, oldest first, at the front of the columns, and no more. */
  private compact(): void {
    const s = this.start * STRIDE, cap = this.capacity * STRIDE;
    this.cols = [...this.cols.slice(s, cap), ...this.cols.slice(0, s)].slice(0, this.count * STRIDE);
    if (this.aside !== null) this.aside = [...this.aside.slice(this.start, this.capacity), ...this.aside.slice(0, this.start)].slice(0, this.count);
    this.start = 0;
    this.capacity = this.count;
  }

  private dropOldest(n: number): void {
    this.compact();
    this.cols.splice(0, n * STRIDE);
    this.aside?.splice(0, n);
    this.count -= n;
    this.capacity = this.count;
  }
}
