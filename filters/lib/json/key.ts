/**
 * @module filters/lib/json/key
 * Keys to look up, encoded to UTF-8 once (typically as module globals), and `JsonFields`, a set
 * of keys whose value spans one pass over an object fills in.
 */

/** An object key, held as UTF-8 bytes so comparing it to raw JSON costs no allocation. */
export class JsonKey {
  readonly bytes: Uint8Array;
  /**
   * Where the bytes lie and how many: plain fields, read on every key comparison of every scan
   * (getters through `bytes` were calls of their own, each with a shadow-stack frame).
   */
  readonly ptr: usize;
  readonly len: i32;
  constructor(readonly name: string) {
    const b = Uint8Array.wrap(String.UTF8.encode(name, false));
    this.bytes = b;
    this.ptr = b.dataStart;
    this.len = b.length;
  }
}

/**
 * Several keys looked up together by `JsonScanner.lookup`: after a lookup, `start(i)` is the
 * offset where key i's value begins (or -1 when the key is absent) and `end(i)` where it ends.
 */
export class JsonFields {
  readonly keys: StaticArray<JsonKey>;
  private starts: StaticArray<i32>;
  private ends: StaticArray<i32>;

  constructor(names: string[]) {
    const n = names.length;
    this.keys = new StaticArray<JsonKey>(n);
    this.starts = new StaticArray<i32>(n);
    this.ends = new StaticArray<i32>(n);
    for (let i = 0; i < n; i++) unchecked(this.keys[i] = new JsonKey(unchecked(names[i])));
    this.clear();
  }

  get count(): i32 { return this.keys.length; }

  clear(): void {
    for (let i = 0, n = this.keys.length; i < n; i++) {
      unchecked(this.starts[i] = -1);
      unchecked(this.ends[i] = -1);
    }
  }

  /** Offset where the value of key `i` starts, or -1 when it was not found. */
  start(i: i32): i32 { return <u32>i < <u32>this.keys.length ? unchecked(this.starts[i]) : -1; }
  /** Offset just after the value of key `i`, or -1 when it was not found. */
  end(i: i32): i32 { return <u32>i < <u32>this.keys.length ? unchecked(this.ends[i]) : -1; }
  found(i: i32): bool { return this.start(i) >= 0; }

  /** @internal */
  set(i: i32, start: i32, end: i32): void {
    unchecked(this.starts[i] = start);
    unchecked(this.ends[i] = end);
  }

  /** True when every key has been found. */
  all(): bool {
    for (let i = 0, n = this.keys.length; i < n; i++) if (unchecked(this.starts[i]) < 0) return false;
    return true;
  }
}
