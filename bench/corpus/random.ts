/**
 * @module bench/corpus/random
 * The seeded generator for benchmark corpora (the shared mulberry32 of test/support/random), so
 * generated corpora are identical on every run.
 */

export { Random as Rng } from "../../test/support/random.ts";
