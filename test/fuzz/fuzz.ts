/**
 * @module test/fuzz/fuzz
 * The fuzz loop for one filter: case i is generated from its own seed (run seed + i), so any case
 * can be replayed alone; a failing case reloads both hosts so one trap does not mask the rest.
 */

import type { Host } from "../../harness/index.ts";
import { checkCase, type FuzzCase } from "./run-case.ts";
import { generateRequest } from "./grammar.ts";
import { mutate, randomSplits } from "./mutate.ts";
import { Prng, caseSeed } from "./prng.ts";
import { loadFilter, type FilterName } from "./filters.ts";
import type { CorpusEntry } from "./corpus.ts";

const enc = new TextEncoder();

/** Case `index` of run `seed`: the request, its mutated body and its chunking. */
export function makeCase(seed: number, index: number): { fuzzCase: FuzzCase; mutations: string[] } {
  const r = new Prng(caseSeed(seed, index));
  const shape = generateRequest(r);
  const { bytes, applied } = mutate(enc.encode(shape.body), r);
  const headers: Record<string, string> = {
    "content-type": r.pick(["application/json", "application/json", "application/json; charset=utf-8", "text/plain"]),
    "x-api-key": `key-${r.int(50)}`,
    "x-tenant": `team-${r.int(5)}`,
  };
  if (r.chance(0.05)) delete headers["content-type"];
  return { fuzzCase: { path: shape.path, headers, body: bytes, splits: randomSplits(bytes.length, r) }, mutations: applied };
}

export interface FuzzReport {
  filter: FilterName;
  cases: number;
  failures: CorpusEntry[];
  /** How many cases ended each way ("upstream", or the local status): shows the fuzz reached the filter's logic. */
  verdicts: Record<string, number>;
  rewritten: number;
}

export async function fuzzFilter(filter: FilterName, seed: number, cases: number,
  onFailure?: (e: CorpusEntry) => void): Promise<FuzzReport> {
  let hosts: [Host, Host] = [await loadFilter(filter), await loadFilter(filter)];
  const failures: CorpusEntry[] = [];
  const verdicts: Record<string, number> = {};
  let rewritten = 0;
  for (let i = 0; i < cases; i++) {
    const { fuzzCase, mutations } = makeCase(seed, i);
    const { problems, verdict, rewritten: changed } = await checkCase(hosts[0], hosts[1], fuzzCase);
    verdicts[verdict] = (verdicts[verdict] ?? 0) + 1;
    if (changed) rewritten++;
    if (problems.length === 0) continue;
    const entry: CorpusEntry = { filter, seed, case: i, mutations, problems, path: fuzzCase.path, headers: fuzzCase.headers,
      splits: fuzzCase.splits, bodyBase64: Buffer.from(fuzzCase.body).toString("base64") };
    failures.push(entry);
    onFailure?.(entry);
    hosts.forEach((h) => h.close());
    hosts = [await loadFilter(filter), await loadFilter(filter)];
  }
  hosts.forEach((h) => h.close());
  return { filter, cases, failures, verdicts, rewritten };
}
