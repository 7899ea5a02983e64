/**
 * @module test/fuzz/corpus
 * Failing cases on disk: `test/corpus/<filter>/<seed>-<n>.json`, the body as base64 with the run
 * seed and case index that produced it, so a regression replays exactly and can be re-found.
 */

import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { FuzzCase } from "./run-case.ts";
import { isFilterName, type FilterName } from "./filters.ts";

export const CORPUS_DIR = "test/corpus";

export interface CorpusEntry {
  filter: FilterName;
  seed: number;
  case: number;
  mutations: string[];
  problems: string[];
  path: string;
  headers: Record<string, string>;
  splits: number[];
  holdHeaders: boolean;
  bodyBase64: string;
}

export function writeCorpusEntry(e: CorpusEntry, dir = CORPUS_DIR): string {
  const folder = join(dir, e.filter);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${e.seed}-${e.case}.json`);
  writeFileSync(file, JSON.stringify(e, null, 2) + "\n");
  return file;
}

export function toCase(e: CorpusEntry): FuzzCase {
  return { path: e.path, headers: e.headers, splits: e.splits, holdHeaders: e.holdHeaders, body: new Uint8Array(Buffer.from(e.bodyBase64, "base64")) };
}

/** Every corpus file, with its path; a file naming an unknown filter is an error, not skipped. */
export function readCorpus(dir = CORPUS_DIR): Array<{ file: string; entry: CorpusEntry }> {
  if (!existsSync(dir)) return [];
  const out: Array<{ file: string; entry: CorpusEntry }> = [];
  for (const filter of readdirSync(dir).sort()) {
    const folder = join(dir, filter);
    if (!statSync(folder).isDirectory()) continue;
    for (const name of readdirSync(folder).filter((n) => n.endsWith(".json")).sort()) {
      const file = join(folder, name);
      const entry = JSON.parse(readFileSync(file, "utf8")) as CorpusEntry;
      if (!isFilterName(entry.filter) || entry.filter !== filter) throw new Error(`${file}: filter "${entry.filter}" does not match its folder`);
      out.push({ file, entry });
    }
  }
  return out;
}
