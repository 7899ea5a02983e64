/**
 * @module test/soak/random
 * The soak's seeded random numbers (the shared mulberry32 of test/support/random): the same seed
 * gives the same pool of bodies, the same key sequence and the same clock, so a run that found
 * growth can be repeated.
 */

export { Random } from "../support/random.ts";
