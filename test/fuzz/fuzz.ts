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
  const holdHeaders = r.chance(0.5);
  return { fuzzCase: { path: shape.path, headers, body: bytes, splits: randomSplits(bytes.length, r), holdHeaders }, mutations: applied };
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
  // One pair of hosts (chunked, one chunk) per mode; both of a pair see the same sequence of cases.
  const pairs = new Map<boolean, [Host, Host]>();
  const pair = async (hold: boolean) => {
    if (!pairs.has(hold)) pairs.set(hold, [await loadFilter(filter, hold), await loadFilter(filter, hold)]);
    return pairs.get(hold)!;
  };
  const failures: CorpusEntry[] = [];
  const verdicts: Record<string, number> = {};
  let rewritten = 0;
  for (let i = 0; i < cases; i++) {
    const { fuzzCase, mutations } = makeCase(seed, i);
    const [chunked, whole] = await pair(fuzzCase.holdHeaders);
    const { problems, verdict, rewritten: changed } = await checkCase(chunked, whole, fuzzCase);
    verdicts[verdict] = (verdicts[verdict] ?? 0) + 1;
    if (changed) rewritten++;
    if (problems.length === 0) continue;
    const entry: CorpusEntry = { filter, seed, case: i, mutations, problems, path: fuzzCase.path, headers: fuzzCase.headers,
      splits: fuzzCase.splits, holdHeaders: fuzzCase.holdHeaders, bodyBase64: Buffer.from(fuzzCase.body).toString("base64") };
    failures.push(entry);
    onFailure?.(entry);
    chunked.close(); whole.close();
    pairs.delete(fuzzCase.holdHeaders);
  }
  for (const p of pairs.values()) p.forEach((h) => h.close());
  return { filter, cases, failures, verdicts, rewritten };
}
