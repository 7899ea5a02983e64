/**
 * @module scripts/fuzz
 * `npm run fuzz -- [--filter name] [--cases N] [--seed S] [--jobs J] [--no-shrink]`: fuzzes the
 * shipped filters and the sample pipeline through the harness, N cases each, J worker processes
 * sharing each target's case range. Failing cases are shrunk and written to
 * test/corpus/<target>/<seed>-<case>.json. Prints progress and one summary line per target;
 * exit 1 if any case failed.
 */

import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { build } from "./build.ts";
import { TARGETS, isTargetName, type TargetName } from "../test/fuzz/targets.ts";
import { fuzzTarget, type FuzzReport } from "../test/fuzz/fuzz.ts";
import { writeCorpusEntry, type CorpusEntry } from "../test/fuzz/corpus.ts";

interface Args { targets: TargetName[]; cases: number; seed: number; jobs: number; shrink: boolean; worker: { start: number } | null }

function parseArgs(argv: string[]): Args {
  const a: Args = { targets: [...TARGETS], cases: 10_000, seed: Date.now() % 0x100000000, jobs: 1, shrink: true, worker: null };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--no-shrink") { a.shrink = false; continue; }
    if (!["--filter", "--cases", "--seed", "--jobs", "--worker-start"].includes(flag)) {
      throw new Error(`unknown argument "${flag}" (expected --filter, --cases, --seed, --jobs, --no-shrink)`);
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === "--filter") {
      if (!isTargetName(value)) throw new Error(`unknown filter "${value}" (expected one of ${TARGETS.join(", ")})`);
      a.targets = [value];
      continue;
    }
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`${flag} must be a non-negative integer, got "${value}"`);
    if (flag === "--cases") a.cases = n;
    else if (flag === "--seed") a.seed = n;
    else if (flag === "--jobs") { if (n < 1 || n > 64) throw new Error(`--jobs must be between 1 and 64, got ${n}`); a.jobs = n; }
    else a.worker = { start: n };
  }
  return a;
}

type Message = { type: "progress"; done: number; pages: number[] } | { type: "failure"; entry: CorpusEntry } | { type: "report"; report: FuzzReport };

/** A worker process: fuzzes its shard and reports to the parent. */
async function worker(a: Args): Promise<void> {
  const send = (m: Message) => new Promise<void>((ok) => process.send!(m, () => ok()));
  const report = await fuzzTarget({
    target: a.targets[0], seed: a.seed, start: a.worker!.start, cases: a.cases, shrink: a.shrink,
    onFailure: (entry) => void send({ type: "failure", entry }),
    onProgress: (done, pages) => void send({ type: "progress", done, pages }),
  });
  await send({ type: "report", report });
}

function merge(reports: FuzzReport[]): FuzzReport {
  const out = { ...reports[0], failures: [] as CorpusEntry[], verdicts: {} as Record<string, number>, cases: 0, rewrote: 0, rewroteResponse: 0, reloads: 0,
    configsDrawn: 0, invalidConfigsChecked: 0, pagesStart: [] as number[], pagesWarm: [] as number[], pagesEnd: [] as number[] };
  for (const r of reports) {
    out.cases += r.cases; out.rewrote += r.rewrote; out.rewroteResponse += r.rewroteResponse; out.reloads += r.reloads;
    out.configsDrawn += r.configsDrawn; out.invalidConfigsChecked += r.invalidConfigsChecked;
    out.failures.push(...r.failures);
    for (const [k, v] of Object.entries(r.verdicts)) out.verdicts[k] = (out.verdicts[k] ?? 0) + v;
    out.pagesStart.push(...r.pagesStart); out.pagesWarm.push(...r.pagesWarm); out.pagesEnd.push(...r.pagesEnd);
  }
  return out;
}

/** Runs one target over its case range in `jobs` processes (or in this one). */
async function runTarget(target: TargetName, a: Args, onFailure: (e: CorpusEntry) => void, onProgress: (done: number, pages: number[]) => void): Promise<FuzzReport> {
  if (a.jobs === 1) return fuzzTarget({ target, seed: a.seed, cases: a.cases, shrink: a.shrink, onFailure, onProgress });
  const per = Math.ceil(a.cases / a.jobs);
  const done: number[] = [];
  const pages: number[][] = [];
  const children: Array<Promise<FuzzReport>> = [];
  for (let j = 0; j < a.jobs; j++) {
    const start = j * per, cases = Math.max(0, Math.min(per, a.cases - start));
    if (cases === 0) continue;
    done[j] = 0;
    const args = ["--filter", target, "--cases", String(cases), "--seed", String(a.seed), "--worker-start", String(start), ...(a.shrink ? [] : ["--no-shrink"])];
    const child: ChildProcess = fork(fileURLToPath(import.meta.url), args, { execArgv: process.execArgv });
    children.push(new Promise<FuzzReport>((resolve, reject) => {
      let report: FuzzReport | null = null;
      child.on("message", (m: Message) => {
        if (m.type === "progress") { done[j] = m.done; pages[j] = m.pages; onProgress(done.reduce((x, y) => x + y, 0), pages.flat()); }
        else if (m.type === "failure") onFailure(m.entry);
        else report = m.report;
      });
      child.on("exit", (code) => (report ? resolve(report) : reject(new Error(`worker ${j} (cases ${start}–${start + cases - 1}) exited with ${code} and no report`))));
    }));
  }
  return merge(await Promise.all(children));
}

async function main(): Promise<number> {
  let a: Args;
  try { a = parseArgs(process.argv.slice(2)); } catch (e) { console.error(`fuzz: ${(e as Error).message}`); return 2; }
  if (a.worker) { await worker(a); process.disconnect?.(); return 0; }
  await build();
  let failed = 0;
  const t0 = performance.now();
  const rss = () => Math.round(process.memoryUsage().rss / 1048576);
  console.log(`fuzz: seed ${a.seed}, ${a.cases} cases per target, ${a.jobs} job(s), targets ${a.targets.join(", ")}; node rss ${rss()} MB`);
  for (const target of a.targets) {
    const started = performance.now();
    const secs = () => (performance.now() - started) / 1000;
    let failures = 0, lastPrint = 0;
    const report = await runTarget(target, a,
      (entry) => {
        failures++;
        const file = writeCorpusEntry(entry);
        console.log(`  FAIL ${target} case ${entry.case} (${entry.kind}): ${entry.problems.join(" | ").slice(0, 400)} → ${file}`);
      },
      (done, pages) => {
        if (performance.now() - lastPrint < 10_000 && done < a.cases) return;
        lastPrint = performance.now();
        console.log(`  ${target}: ${done}/${a.cases} cases, ${failures} failing, ${secs().toFixed(0)} s, ${Math.round(done / secs())} cases/s, wasm pages [${pages.join(",")}]`);
      });
    failed += report.failures.length;
    console.log(`  ${target} outcomes ${JSON.stringify(report.verdicts)}; bodies rewritten: ${report.rewrote} requests, ${report.rewroteResponse} responses; ` +
      `${report.configsDrawn} schema-drawn configurations, ${report.invalidConfigsChecked} invalid ones checked` +
      (report.reloads ? `; runners replaced after ${report.reloads} cut responses` : ""));
    console.log(`fuzz ${target}: ${report.cases} cases, ${report.failures.length} failures, ${secs().toFixed(1)} s, ${Math.round(report.cases / secs())} cases/s, ` +
      `wasm pages start [${report.pagesStart.join(",")}] warm [${report.pagesWarm.join(",")}] end [${report.pagesEnd.join(",")}], seed ${a.seed}, jobs ${a.jobs}`);
  }
  console.log(`fuzz: ${a.targets.length} target(s), ${a.cases * a.targets.length} cases, ${failed} failures, ${((performance.now() - t0) / 1000).toFixed(1)} s; node rss ${rss()} MB`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();
