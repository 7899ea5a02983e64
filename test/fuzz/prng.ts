/**
 * @module test/fuzz/prng
 * The fuzzer's generator (the shared mulberry32 of test/support/random) and the per-case seed,
 * so a seed reproduces a fuzz run byte for byte.
 */

export { Random as Prng } from "../support/random.ts";

/** Per-case seed derived from the run seed, so one case can be replayed without the cases before it. */
export function caseSeed(runSeed: number, index: number): number {
  return (Math.imul(runSeed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
}
