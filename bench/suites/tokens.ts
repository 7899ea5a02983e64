/**
 * @module bench/suites/tokens
 * The vocabulary-free token estimator against o200k_base (js-tiktoken) on generated text it was
 * not calibrated on: median and 90th-percentile absolute error per kind of text, and speed
 * beside, in the same run, the per-byte reference pass it replaced, a plain wasm byte loop and
 * js-tiktoken's exact count. With `TOKENS_BASELINE_WASM=<lib-bench.wasm of an earlier commit>`,
 * that build's estimator is timed in the same interleaved rounds too, and a second table compares
 * the two by process CPU time over many short alternating rounds (a before/after in one run that
 * other processes' load disturbs much less than wall time on a shared machine).
 */
import { basename, relative, resolve } from "node:path";
import { build, ROOT } from "../../scripts/build.ts";
import { loadLib, type LibModule } from "../../filters/lib/test/wasm.ts";
import { TEXT_KINDS } from "../corpus/text.ts";
import { median, o200kEncoder, tokenSamples } from "../corpus/token-samples.ts";
import { measureAll } from "../lib/measure.ts";
import { printTable, ratio, type Cell } from "../lib/table.ts";
import type { BenchSuite } from "../lib/suite.ts";

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

/** CPU nanoseconds per call of `fn` over `calls` calls (user + system time of this process). */
function cpuNsPerCall(fn: () => unknown, calls: number): number {
  const t = process.cpuUsage();
  for (let i = 0; i < calls; i++) fn();
  const d = process.cpuUsage(t);
  return ((d.user + d.system) * 1000) / calls;
}

/** `fn` and `baseline` in alternating rounds: each one's best CPU time per call, and the median ratio. */
function cpuBeforeAfter(fn: () => unknown, baseline: () => unknown, rounds = 30, calls = 2000) {
  for (let i = 0; i < calls; i++) { fn(); baseline(); }
  let best = Infinity, bestBase = Infinity;
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const a = cpuNsPerCall(fn, calls), b = cpuNsPerCall(baseline, calls);
    best = Math.min(best, a);
    bestBase = Math.min(bestBase, b);
    ratios.push(b / a);
  }
  return { ns: best, baseNs: bestBase, medianRatio: median(ratios) };
}

/** The earlier build named by TOKENS_BASELINE_WASM, if any (loadLib takes a name under dist/test). */
async function loadBaseline(): Promise<LibModule | null> {
  const file = process.env.TOKENS_BASELINE_WASM;
  if (!file) return null;
  return loadLib(relative(resolve(ROOT, "dist/test"), resolve(file)).replace(/\.wasm$/, ""));
}

async function run(): Promise<void> {
  await build(["lib-bench"]);
  const lib = await loadLib("lib-bench");
  const base = await loadBaseline();
  const samples = tokenSamples(2, 120); // seed 2: the calibration used seed 1
  const enc = o200kEncoder();
  const rows: Cell[][] = [];
  const cpuRows: Cell[][] = [];
  for (const kind of TEXT_KINDS) {
    const mine = samples.filter((s) => s.kind === kind);
    const errors: number[] = [];
    let totalTrue = 0, totalEst = 0;
    for (const s of mine) {
      const p = lib.put(s.bytes);
      const est = Number(lib.exports.benchEstimateTokens(p.ptr, p.len));
      lib.free(p);
      errors.push(Math.abs(est - s.tokens) / s.tokens);
      totalTrue += s.tokens;
      totalEst += est;
    }
    // Speed on one ~4 KB sample of this kind.
    const big = mine.reduce((a, b) => (b.bytes.length > a.bytes.length ? b : a));
    const p = lib.put(big.bytes);
    if (lib.exports.benchEstimateTokens(p.ptr, p.len) !== lib.exports.benchEstimateTokensReference(p.ptr, p.len)) {
      throw new Error(`estimator disagrees with its reference on ${kind}`);
    }
    const bp = base?.put(big.bytes);
    if (base && base.exports.benchEstimateTokens(bp!.ptr, bp!.len) !== lib.exports.benchEstimateTokens(p.ptr, p.len)) {
      throw new Error(`estimator disagrees with the baseline build on ${kind}`);
    }
    const [est, before, loop, exact, baseline] = measureAll([
      { fn: () => lib.exports.benchEstimateTokens(p.ptr, p.len) },
      { fn: () => lib.exports.benchEstimateTokensReference(p.ptr, p.len) },
      { fn: () => lib.exports.benchByteLoop(p.ptr, p.len) },
      { fn: () => enc.encode(big.text).length },
      ...(base ? [{ fn: () => base.exports.benchEstimateTokens(bp!.ptr, bp!.len) }] : []),
    ], { bytes: big.bytes.length, minTimeMs: 150 });
    if (base) {
      const ab = cpuBeforeAfter(() => lib.exports.benchEstimateTokens(p.ptr, p.len), () => base.exports.benchEstimateTokens(bp!.ptr, bp!.len));
      const mbs = (ns: number) => (big.bytes.length / ns) * 1000;
      cpuRows.push([kind, big.bytes.length, mbs(ab.ns), mbs(ab.baseNs), ratio(ab.baseNs, ab.ns), `${ab.medianRatio.toFixed(2)}×`]);
    }
    lib.free(p);
    if (bp) base!.free(bp);
    rows.push([kind, mine.length, `${(median(errors) * 100).toFixed(1)}%`, `${(percentile(errors, 0.9) * 100).toFixed(1)}%`,
      `${(((totalEst - totalTrue) / totalTrue) * 100).toFixed(1)}%`, est.mbPerSec, before.mbPerSec, ratio(est.mbPerSec, before.mbPerSec),
      loop.mbPerSec, exact.mbPerSec, ratio(est.mbPerSec, exact.mbPerSec),
      ...(baseline ? [baseline.mbPerSec, ratio(est.mbPerSec, baseline.mbPerSec)] : [])]);
  }
  printTable("token estimate vs o200k_base (samples of 40–4,000 characters not used for calibration)",
    ["text", "samples", "median abs. error", "p90 abs. error", "bias (total)", "estimator MB/s", "reference pass MB/s", "vs reference",
      "wasm byte loop MB/s", "js-tiktoken MB/s", "vs js-tiktoken", ...(base ? ["baseline build MB/s", "vs baseline"] : [])], rows);
  console.log("\nreference pass = the per-byte feature pass the estimator replaced (filters/lib/test/tokens-reference.ts), same counts.");
  if (!base) return;
  console.log(`baseline build = ${basename(process.env.TOKENS_BASELINE_WASM!)}'s estimator (same estimates, checked), timed in the same rounds.`);
  printTable("estimator vs the baseline build by CPU time (30 alternating rounds of 2,000 calls; MB/s of the best round)",
    ["text", "bytes", "estimator MB/s (CPU)", "baseline MB/s (CPU)", "vs baseline (best)", "vs baseline (median round)"], cpuRows);
}

const suite: BenchSuite = { name: "tokens", summary: "token estimator accuracy and speed vs js-tiktoken o200k_base", run };
export default suite;
