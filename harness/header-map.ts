/**
 * @module harness/header-map
 * An ordered header map with Envoy's semantics: keys stored lowercased, `get` returns the
 * first value, `replace` (`setCopy`) overwrites only the first occurrence, `byteSize` is the
 * sum of key and value lengths (`HeaderMap::byteSize`). Used for the maps a filter touches
 * and for what the harness reports as seen by the upstream and the client.
 */
import type { Pair } from "./memory.ts";

/** What tests pass in: an object (a value array repeats the header) or a list of pairs. */
export type HeadersInit = Record<string, string | number | string[]> | ReadonlyArray<readonly [string, string]>;

export class HeaderMap {
  private entries: Pair[] = [];

  constructor(init?: HeadersInit | HeaderMap) {
    if (init instanceof HeaderMap) this.entries = init.pairs();
    else if (Array.isArray(init)) for (const [k, v] of init) this.add(k, v);
    else if (init) {
      for (const k of Object.keys(init)) {
        const v = (init as Record<string, string | number | string[]>)[k];
        if (Array.isArray(v)) for (const one of v) this.add(k, String(one));
        else this.add(k, String(v));
      }
    }
  }

  /** Number of entries (a repeated header counts once per value), as passed to header callbacks. */
  get size(): number { return this.entries.length; }
  pairs(): Pair[] { return this.entries.map(([k, v]) => [k, v]); }
  /** The entries themselves, read-only: for a caller that only reads them before the map changes (no copy). */
  view(): ReadonlyArray<Readonly<Pair>> { return this.entries; }
  get(key: string): string | undefined { const k = key.toLowerCase(); return this.entries.find((e) => e[0] === k)?.[1]; }
  getAll(key: string): string[] { const k = key.toLowerCase(); return this.entries.filter((e) => e[0] === k).map((e) => e[1]); }
  has(key: string): boolean { return this.get(key) !== undefined; }
  add(key: string, value: string): void { this.entries.push([key.toLowerCase(), value]); }
  /** Envoy `setCopy`: replaces the first occurrence only, adds when absent. */
  replace(key: string, value: string): void {
    const k = key.toLowerCase();
    const e = this.entries.find((x) => x[0] === k);
    if (e) e[1] = value; else this.entries.push([k, value]);
  }
  remove(key: string): void { const k = key.toLowerCase(); this.entries = this.entries.filter((e) => e[0] !== k); }
  /** Envoy's set-pairs: remove every existing key, then add all pairs. */
  setPairs(pairs: ReadonlyArray<readonly [string, string]>): void { this.entries = []; for (const [k, v] of pairs) this.add(k, v); }
  /** `HeaderMap::byteSize()`: sum of key and value lengths in bytes. */
  byteSize(): number {
    return this.entries.reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  }
  /** Plain object view; repeated values joined with "," as Envoy's CEL `request.headers` does. */
  toObject(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.entries) out[k] = k in out ? `${out[k]},${v}` : v;
    return out;
  }
  clone(): HeaderMap { return new HeaderMap(this); }
}
