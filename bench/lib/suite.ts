/**
 * @module bench/lib/suite
 * The contract of a benchmark suite: each `bench/suites/<name>.ts` default-exports a
 * `BenchSuite`. A suite measures its subject beside a baseline in the same run and prints
 * tables; it never asserts on timings.
 */

export interface BenchSuite {
  /** Short name, used to select the suite: `npm run bench -- <name>`. */
  name: string;
  /** One line saying what is measured against what. */
  summary: string;
  run(): Promise<void>;
}
