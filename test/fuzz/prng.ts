/**
 * @module test/fuzz/prng
 * A small deterministic PRNG (mulberry32) so a seed reproduces a fuzz run byte for byte,
 * independent of Node's Math.random.
 */

export class Prng {
  private state: number;
  constructor(seed: number) { this.state = seed >>> 0; }

  /** Uniform in [0, 2^32). */
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Integer in [0, n). */
  int(n: number): number { return n <= 0 ? 0 : Math.floor((this.u32() / 0x100000000) * n); }
  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number { return lo + this.int(hi - lo + 1); }
  chance(p: number): boolean { return this.u32() / 0x100000000 < p; }
  pick<T>(items: readonly T[]): T { return items[this.int(items.length)]; }
  /** An independent generator seeded from this one: a part of a case drawn from it consumes none of the parent's numbers. */
  fork(): Prng { return new Prng(this.u32()); }
}

/** Per-case seed derived from the run seed, so one case can be replayed without the cases before it. */
export function caseSeed(runSeed: number, index: number): number {
  return (Math.imul(runSeed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
}
