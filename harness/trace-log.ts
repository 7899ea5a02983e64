/**
 * @module harness/trace-log
 * One context's trace, kept in columns instead of an object per entry: a host call writes nine
 * numbers into a Float64Array, and the `TraceEntry` objects are built only when a test reads the
 * trace. (An object and an argument list per host call, kept for the life of the stream, took
 * twice the memory and were as many objects for the garbage collector to trace.) The VM sizes a new
 * log from the last stream it finished (`reserve`), so a log is rarely grown.
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

/** Entries a log gets when the VM has no size for it yet, and the least it grows by. */
const MIN_CAPACITY = 16;
const EMPTY = new Float64Array(0);

/** The BIGINT_ARG flags of five arguments, or a negative number when one is neither a number nor a bigint within ±2^53. */
function bigintFlags(a: unknown, b: unknown, c: unknown, d: unknown, e: unknown): number {
  return flagOf(a, 0) | flagOf(b, 1) | flagOf(c, 2) | flagOf(d, 3) | flagOf(e, 4);
}
function flagOf(x: unknown, k: number): number {
  if (typeof x === "number") return 0;
  if (typeof x === "bigint" && Number.isSafeInteger(Number(x))) return BIGINT_ARG0 << k;
  return -(1 << 30);
}

/** An entry's arguments and result when they do not fit the columns. */
interface Aside { args: Array<number | bigint>; result: unknown; hasResult: boolean }

export class TraceLog {
  /** The columns, STRIDE numbers per entry; a ring once it holds `limit` entries. */
  private cols: Float64Array = EMPTY;
  /** Entries the columns have room for. */
  private capacity = 0;
  /** Slot of the oldest entry kept. */
  private start = 0;
  private count = 0;
  /** Entries ever appended: an entry's logical index finds its slot even after the log wrapped or grew. */
  private appended = 0;
  /** Per slot, what did not fit the columns (null until first needed). */
  private aside: Array<Aside | undefined> | null = null;

  get length(): number { return this.count; }

  /** Makes room for `entries` (at most ceil(`limit`)) before the first append: a log sized right never grows. */
  reserve(entries: number, limit: number): void {
    if (this.count === 0 && this.capacity < entries) this.resize(Math.min(Math.ceil(limit), entries));
  }

  /**
   * Appends a host call with up to five arguments (`n` of `a`…`e` are meaningful; the others are
   * 0). Anything but numbers (an i64's bigint, a result that is not a number) takes the slow path.
   */
  hostcall(limit: number, seq: number, name: number, context: number, result: number, n: number,
    a: number | bigint, b: number | bigint, c: number | bigint, d: number | bigint, e: number | bigint): void {
    if (typeof a !== "number" || typeof b !== "number" || typeof c !== "number" || typeof d !== "number" || typeof e !== "number" || typeof result !== "number") {
      // An i64 (proxy_increment_metric's delta, WASI clock precision) within ±2^53 still goes inline, flagged.
      const flags = bigintFlags(a, b, c, d, e);
      if (flags < 0 || typeof result !== "number") {
        this.appendOdd(limit, seq, name * NAME_UNIT, context, [a, b, c, d, e].slice(0, n), result, true);
        return;
      }
      this.write(this.claim(limit), seq, name * NAME_UNIT + flags + n, context, result, Number(a), Number(b), Number(c), Number(d), Number(e));
      return;
    }
    this.write(this.claim(limit), seq, name * NAME_UNIT + n, context, result, a, b, c, d, e);
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
    const a = n > 0 ? args[0] : 0, b = n > 1 ? args[1] : 0, c = n > 2 ? args[2] : 0, d = n > 3 ? args[3] : 0, e = n > 4 ? args[4] : 0;
    if (n > INLINE_ARGS || typeof a !== "number" || typeof b !== "number" || typeof c !== "number" || typeof d !== "number" || typeof e !== "number") {
      this.appendOdd(limit, seq, name * NAME_UNIT + CALLBACK, context, args.slice(), undefined, false);
    } else {
      // NaN: no result yet (a callback's result is a u32 once set).
      this.write(this.claim(limit), seq, name * NAME_UNIT + CALLBACK + n, context, NaN, a, b, c, d, e);
    }
    return this.appended - 1;
  }

  /** Gives the callback appended as `index` its result, if the limit has not dropped it meanwhile. */
  setResult(index: number, result: number): void {
    const oldest = this.appended - this.count;
    if (index < oldest) return;
    const slot = this.slotAt(index - oldest);
    const aside = this.aside?.[slot];
    if (aside !== undefined) { aside.result = result; aside.hasResult = true; } else this.cols[slot * STRIDE + RESULT] = result;
  }

  /** The entries kept, oldest first, as new objects (fields in the order the trace always had). */
  entries(): TraceEntry[] {
    const out: TraceEntry[] = [];
    const cols = this.cols;
    for (let i = 0; i < this.count; i++) {
      const slot = this.slotAt(i), at = slot * STRIDE, meta = cols[at + META];
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
    const slot = this.claim(limit);
    if (inline) {
      this.write(slot, seq, metaBase + bigints + n, context, hasResult ? (result as number) : NaN, values[0], values[1], values[2], values[3], values[4]);
    } else {
      this.write(slot, seq, metaBase, context, 0, 0, 0, 0, 0, 0);
      (this.aside ??= [])[slot] = { args, result, hasResult };
    }
  }

  /** The slot of the `i`-th oldest entry kept. */
  private slotAt(i: number): number {
    const slot = this.start + i;
    return slot < this.capacity ? slot : slot - this.capacity;
  }

  /** The slot for the next entry: a free one (growing up to ceil(`limit`)), else the oldest entry's. */
  private claim(limit: number): number {
    this.appended++;
    // For whole counts, `count < limit` is `count < ceil(limit)`.
    if (this.count < limit) {
      if (this.count === this.capacity) this.resize(Math.min(Math.ceil(limit), Math.max(MIN_CAPACITY, this.capacity * 2)));
      return this.slotAt(this.count++);
    }
    const max = Math.ceil(limit);
    if (this.count !== max || this.capacity !== max) this.shrink(max); // the limit changed
    const slot = this.start;
    this.start = slot + 1 === this.capacity ? 0 : slot + 1;
    if (this.aside !== null) this.aside[slot] = undefined;
    return slot;
  }

  private write(slot: number, seq: number, meta: number, context: number, result: number, a: number, b: number, c: number, d: number, e: number): void {
    const cols = this.cols, at = slot * STRIDE;
    cols[at + SEQ] = seq; cols[at + META] = meta; cols[at + CONTEXT] = context; cols[at + RESULT] = result;
    cols[at + ARG0] = a; cols[at + ARG0 + 1] = b; cols[at + ARG0 + 2] = c; cols[at + ARG0 + 3] = d; cols[at + ARG0 + 4] = e;
  }

  /** New columns for `capacity` entries (≥ count), the entries kept moved to the front, oldest first. */
  private resize(capacity: number): void {
    const cols = new Float64Array(capacity * STRIDE), old = this.cols;
    // Two block copies: from the oldest entry to the end of the old columns, then what wrapped to the front.
    const head = Math.min(this.count, this.capacity - this.start);
    cols.set(old.subarray(this.start * STRIDE, (this.start + head) * STRIDE), 0);
    if (head < this.count) cols.set(old.subarray(0, (this.count - head) * STRIDE), head * STRIDE);
    if (this.aside !== null) {
      const aside = new Array<Aside | undefined>(capacity);
      for (let i = 0; i < this.count; i++) aside[i] = this.aside[this.slotAt(i)];
      this.aside = aside;
    }
    this.cols = cols;
    this.capacity = capacity;
    this.start = 0;
  }

  /** Keeps the newest `max` entries in columns of exactly that size (the limit shrank, or grew past a full ring). */
  private shrink(max: number): void {
    // The oldest entries past `max` are dropped: `resize` carries over (with their asides) only those kept.
    const drop = this.count - max;
    this.start = this.slotAt(drop);
    this.count = max;
    this.resize(max);
  }
}
