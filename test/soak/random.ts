/**
 * @module test/soak/random
 * The soak's seeded random numbers (mulberry32): the same seed gives the same pool of bodies,
 * the same key sequence and the same clock, so a run that found growth can be repeated.
 */

export class Random {
  private state: number;

  constructor(seed: number) { this.state = seed >>> 0; }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }

  chance(p: number): boolean { return this.next() < p; }

  pick<T>(items: readonly T[]): T { return items[Math.floor(this.next() * items.length)]; }

  /** A value drawn from weighted choices (`[value, weight]`). */
  weighted<T>(choices: ReadonlyArray<readonly [T, number]>): T {
    const total = choices.reduce((n, [, w]) => n + w, 0);
    let r = this.next() * total;
    for (const [v, w] of choices) if ((r -= w) < 0) return v;
    return choices[choices.length - 1][0];
  }

  /** A fresh generator whose sequence depends on this one's seed and `salt` only. */
  fork(salt: number): Random { return new Random(Math.imul(this.int(0, 0x7fffffff) ^ salt, 0x9e3779b1)); }
}
