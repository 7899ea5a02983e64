/**
 * @module scripts/fuzz
 * `npm run fuzz -- [--filter name] [--cases N] [--seed S]`: fuzzes the shipped filters through the
 * harness and writes each failing case to test/corpus/<filter>/<seed>-<n>.json. Exit 1 if any case failed.
 */

import { build } from "./build.ts";
import { FILTERS, isFilterName, type FilterName } from "../test/fuzz/filters.ts";
import { fuzzFilter } from "../test/fuzz/fuzz.ts";
import { writeCorpusEntry } from "../test/fuzz/corpus.ts";

function parseArgs(argv: string[]): { filters: FilterName[]; cases: number; seed: number } {
  let filters: FilterName[] = [...FILTERS];
  let cases = 10_000;
  let seed = Date.now() % 0x100000000;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i], value = argv[i + 1];
    if (!["--filter", "--cases", "--seed"].includes(flag)) throw new Error(`unknown argument "${flag}" (expected --filter, --cases, --seed)`);
    if (value === undefined) throw new Error(`${flag} needs a value`);
    i++;
    if (flag === "--filter") {
      if (!isFilterName(value)) throw new Error(`unknown filter "${value}" (expected one of ${FILTERS.join(", ")})`);
      filters = [value];
    } else {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`${flag} must be a non-negative integer, got "${value}"`);
      if (flag === "--cases") cases = n; else seed = n;
    }
  }
  return { filters, cases, seed };
}

async function main(): Promise<number> {
  let args;
  try { args = parseArgs(process.argv.slice(2)); } catch (e) { console.error(`fuzz: ${(e as Error).message}`); return 2; }
  await build();
  let failed = 0;
  for (const filter of args.filters) {
    const started = performance.now();
    const report = await fuzzFilter(filter, args.seed, args.cases, (entry) => {
      const file = writeCorpusEntry(entry);
      console.log(`  FAIL ${filter} case ${entry.case}: ${entry.problems.join(" | ")} → ${file}`);
    });
    failed += report.failures.length;
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`${filter}: ${report.cases} cases, seed ${args.seed}, ${report.failures.length} failing, ${secs} s`);
    console.log(`  outcomes ${JSON.stringify(report.verdicts)}, ${report.rewritten} bodies rewritten`);
  }
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();
