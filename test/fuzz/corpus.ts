/**
 * @module test/fuzz/corpus
 * Failing cases on disk: `test/corpus/<target>/<seed>-<case>.json`, holding the (shrunk) case —
 * path, headers, bodies as base64, split points, clock step, the configuration it ran under —
 * or, for a configuration problem, the configuration and the field its refusal must name; with
 * the run seed and case index that found it, so a regression replays exactly and can be re-found.
 */

import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { FuzzCase, Message } from "./case.ts";
import { isTargetName, type TargetConfig, type TargetName } from "./targets.ts";

export const CORPUS_DIR = "test/corpus";

interface StoredMessage { headers: Record<string, string>; splits: number[]; bodyBase64: string }

export interface CorpusEntry {
  target: TargetName;
  seed: number;
  case: number;
  /** The kind of problem (trap, misuse, differs, invalid-json, config) and the messages. */
  kind: string;
  problems: string[];
  /** Mutations left after shrinking, as `request:truncate`. */
  mutations: string[];
  /** Configuration it ran under (null: the sample's; for the pipeline, per stage name). */
  config: TargetConfig | null;
  /** Configuration problems only: the field the refusal must name, or null when it must load. */
  configField?: string | null;
  path?: string;
  advanceMs?: number;
  status?: number;
  request?: StoredMessage;
  response?: StoredMessage;
  /** False when the failure needed the state earlier cases left (it is kept unshrunk). */
  reproducesAlone?: boolean;
}

const store = (m: Message): StoredMessage => ({ headers: m.headers, splits: m.splits, bodyBase64: Buffer.from(m.body).toString("base64") });
const load = (m: StoredMessage): Message => ({ headers: m.headers, splits: m.splits, body: new Uint8Array(Buffer.from(m.bodyBase64, "base64")) });

export function caseFields(c: FuzzCase): Pick<CorpusEntry, "path" | "advanceMs" | "status" | "request" | "response"> {
  return { path: c.path, advanceMs: c.advanceMs, status: c.status, request: store(c.request), response: store(c.response) };
}

/** The case a (non-configuration) entry holds. */
export function toCase(e: CorpusEntry): FuzzCase {
  if (!e.request || !e.response || e.path === undefined) throw new Error(`corpus entry ${e.target}/${e.seed}-${e.case} holds no case`);
  return { path: e.path, advanceMs: e.advanceMs ?? 0, status: e.status ?? 200, request: load(e.request), response: load(e.response) };
}

export function writeCorpusEntry(e: CorpusEntry, dir = CORPUS_DIR): string {
  const folder = join(dir, e.target);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${e.seed}-${e.case}.json`);
  writeFileSync(file, JSON.stringify(e, null, 2) + "\n");
  return file;
}

/** Every corpus file, with its path; a file naming an unknown target is an error, not skipped. */
export function readCorpus(dir = CORPUS_DIR): Array<{ file: string; entry: CorpusEntry }> {
  if (!existsSync(dir)) return [];
  const out: Array<{ file: string; entry: CorpusEntry }> = [];
  for (const target of readdirSync(dir).sort()) {
    const folder = join(dir, target);
    if (!statSync(folder).isDirectory()) continue;
    for (const name of readdirSync(folder).filter((n) => n.endsWith(".json")).sort()) {
      const file = join(folder, name);
      const entry = JSON.parse(readFileSync(file, "utf8")) as CorpusEntry;
      if (!isTargetName(entry.target) || entry.target !== target) throw new Error(`${file}: target "${entry.target}" does not match its folder`);
      out.push({ file, entry });
    }
  }
  return out;
}
