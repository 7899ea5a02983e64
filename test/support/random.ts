/**
 * @module test/support/random
 * The one seeded generator (mulberry32) behind every generated input: fuzz cases, soak traffic,
 * property tests and benchmark corpora. Independent of Math.random, so a seed reproduces a run byte
 * for byte.
 */

export class Random {
  private state: number;

  constructor(seed: number) { this.state = seed >>> 0; }

  /** Uniform in [0, 2^32). */
  u32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number { return this.u32() / 0x100000000; }

  /** Integer in [0, n); 0 when n ≤ 0. */
  int(n: number): number { return n <= 0 ? 0 : Math.floor(this.next() * n); }

  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number { return lo + this.int(hi - lo + 1); }

  chance(p: number): boolean { return this.next() < p; }

  pick<T>(items: readonly T[]): T { return items[this.int(items.length)]; }

  /** A value drawn from weighted choices (`[value, weight]`). */
  weighted<T>(choices: ReadonlyArray<readonly [T, number]>): T {
    const total = choices.reduce((n, [, w]) => n + w, 0);
    let r = this.next() * total;
    for (const [v, w] of choices) if ((r -= w) < 0) return v;
    return choices[choices.length - 1][0];
  }

  /** An independent generator seeded from this one: what is drawn from it consumes none of this one's numbers. */
  fork(): Random { return new Random(this.u32()); }

  /** A generator whose sequence depends on this one's seed and `salt` only (one draw from this one). */
  derive(salt: number): Random { return new Random(Math.imul(this.range(0, 0x7fffffff) ^ salt, 0x9e3779b1)); }
}
