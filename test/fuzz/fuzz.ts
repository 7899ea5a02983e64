/**
 * @module test/fuzz/fuzz
 * The fuzz loop for one target over a range of case indices. Cases run in batches of
 * `BATCH`; batch `b` of run `seed` runs under a configuration that depends only on (seed, b):
 * every other batch the sample configuration, on one pair of runners kept for the whole run
 * (its wasm memory at start and end is the leak figure), otherwise one drawn from the JSON
 * Schema, on a fresh pair — and then an invalid one is checked to be refused now and then.
 * A failing case is shrunk and reported; its runners are replaced so one trap masks nothing.
 */

import { makeCase } from "./case.ts";
import { checkConfig } from "./config-check.ts";
import { caseFields, type CorpusEntry } from "./corpus.ts";
import { Prng, caseSeed } from "./prng.ts";
import { checkCase } from "./run-case.ts";
import { shrink, targetShrink } from "./shrink.ts";
import { configGenerator, loadTarget, pipelineModules, type FilterName, type Runner, type TargetConfig, type TargetName } from "./targets.ts";

export const BATCH = 250;
/** Salt separating the configuration draws from the case draws of one seed. */
const CONFIG_SALT = 0x5eed_c0f1;

export interface BatchConfig {
  /** null: the sample configuration. */
  config: TargetConfig | null;
  /** Invalid configurations to check are refused, each with the field it must name. */
  invalid: Array<{ filter: FilterName; config: unknown; field: string; how: string }>;
}

/** The configuration of batch `b` of run `seed` for `target`. */
export async function batchConfig(target: TargetName, seed: number, b: number): Promise<BatchConfig> {
  const r = new Prng(caseSeed(seed ^ CONFIG_SALT, b));
  if (r.chance(0.5)) return { config: null, invalid: [] };
  // The pipeline draws one stage's configuration from that stage's filter schema.
  let filter: FilterName, stage: string | null = null;
  if (target === "pipeline") {
    const modules = await pipelineModules();
    stage = r.pick(Object.keys(modules));
    filter = modules[stage];
  } else filter = target;
  const gen = configGenerator(filter);
  const drawn = gen.valid(r);
  if (drawn === null) return { config: null, invalid: [] };
  const invalid: BatchConfig["invalid"] = [];
  for (let i = r.range(1, 3); i > 0; i--) {
    const broken = gen.invalid(drawn, r);
    if (broken) invalid.push({ filter, config: broken.config, field: broken.field, how: broken.how });
  }
  return { config: stage ? { [stage]: drawn } : drawn, invalid };
}

export interface FuzzReport {
  target: TargetName;
  cases: number;
  failures: CorpusEntry[];
  /** How many cases ended each way ("upstream 200", "local 400", …): shows the fuzz reached the filters' logic. */
  verdicts: Record<string, number>;
  rewrote: number;
  rewroteResponse: number;
  /** Pipeline runners replaced after a response cut by a local answer (see `cutResponse`). */
  reloads: number;
  configsDrawn: number;
  invalidConfigsChecked: number;
  /** Wasm memory pages of the long-lived sample-configuration runners: at their first case, after a tenth of the cases (warm), at the end. */
  pagesStart: number[];
  pagesWarm: number[];
  pagesEnd: number[];
}

export interface FuzzOptions {
  target: TargetName;
  seed: number;
  /** First case index (shards of `--jobs` take consecutive ranges). */
  start?: number;
  cases: number;
  /** Shrink failing cases (default true). */
  shrink?: boolean;
  onFailure?: (e: CorpusEntry) => void;
  /** Every 1000 cases: how many are done, and the long-lived sample runners' wasm memory pages. */
  onProgress?: (done: number, pages: number[]) => void;
}

type Pair = [Runner, Runner];

/** Housekeeping between cases: log lines and settled callouts of long-lived hosts are not kept. */
function forget(pair: Pair): void {
  for (const runner of pair) for (const h of runner.hosts) {
    h.logEntries.length = 0;
    if (h.calloutList.every((c) => c.state !== "pending")) h.calloutList.length = 0;
  }
}

const pagesOf = (pair: Pair) => pair.flatMap((r) => r.hosts.flatMap((h) => h.memoryPages()));

export async function fuzzTarget(o: FuzzOptions): Promise<FuzzReport> {
  const start = o.start ?? 0, end = start + o.cases;
  const report: FuzzReport = { target: o.target, cases: o.cases, failures: [], verdicts: {}, rewrote: 0, rewroteResponse: 0, reloads: 0,
    configsDrawn: 0, invalidConfigsChecked: 0, pagesStart: [], pagesWarm: [], pagesEnd: [] };
  const warmAt = start + Math.floor(o.cases / 10);
  let sample: Pair | null = null;
  const loadPair = async (config: TargetConfig | null): Promise<Pair> => [await loadTarget(o.target, config), await loadTarget(o.target, config)];

  const fail = async (entry: Omit<CorpusEntry, "target" | "seed"> & { target?: TargetName }) => {
    const full: CorpusEntry = { target: o.target, seed: o.seed, ...entry };
    report.failures.push(full);
    o.onFailure?.(full);
  };

  for (let first = start; first < end;) {
    const b = Math.floor(first / BATCH);
    const last = Math.min(end, (b + 1) * BATCH);
    const bc = await batchConfig(o.target, o.seed, b);
    for (const bad of bc.invalid) {
      report.invalidConfigsChecked++;
      const problems = await checkConfig(bad.filter, bad.config, bad.field);
      if (problems.length > 0) {
        // Configuration problems are filed under the filter whose configuration it is.
        await fail({ case: first, kind: "config", problems: problems.map((p) => `${p.message} (${bad.how})`), mutations: [],
          config: bad.config as TargetConfig, configField: bad.field, target: bad.filter });
      }
    }
    let pair: Pair | null;
    if (bc.config === null) {
      sample ??= await loadPair(null);
      if (report.pagesStart.length === 0) report.pagesStart = pagesOf(sample);
      pair = sample;
    } else {
      report.configsDrawn++;
      try { pair = await loadPair(bc.config); } catch (e) {
        const modules = o.target === "pipeline" ? await pipelineModules() : null;
        const [stage, cfg] = modules ? Object.entries(bc.config)[0] : [o.target, bc.config];
        const filter = (modules ? modules[stage] : o.target) as FilterName;
        const problems = await checkConfig(filter, cfg, null);
        await fail({ case: first, kind: "config", problems: problems.length ? problems.map((p) => p.message) : [String((e as Error).message)],
          mutations: [], config: cfg as TargetConfig, configField: null, target: filter });
        pair = null;
      }
    }
    for (let i = first; i < last; i++) {
      if (i >= warmAt && report.pagesWarm.length === 0 && sample) report.pagesWarm = pagesOf(sample);
      if (pair === null) { o.onProgress?.(i + 1 - start, sample ? pagesOf(sample) : []); continue; }
      const { fuzzCase, mutations } = makeCase(o.seed, i);
      const result = await checkCase(pair[0], pair[1], fuzzCase);
      report.verdicts[result.verdict] = (report.verdicts[result.verdict] ?? 0) + 1;
      if (result.rewrote) report.rewrote++;
      if (result.rewroteResponse) report.rewroteResponse++;
      forget(pair);
      // In a chain, a response cut by a later filter leaves the earlier ones' state depending on the
      // chunking: the next case starts on fresh runners rather than inherit that difference.
      if (result.problems.length === 0 && result.cutResponse && o.target === "pipeline") {
        report.reloads++;
        pair.forEach((r) => r.close());
        if (pair === sample) { sample = await loadPair(null); pair = sample; } else pair = await loadPair(bc.config);
      }
      if (result.problems.length > 0) {
        pair.forEach((r) => r.close());
        const kind = result.problems[0].kind;
        if (o.shrink === false) {
          await fail({ case: i, kind, problems: result.problems.map((p) => p.message), mutations: mutations.map((m) => `${m.target}:${m.name}`),
            config: bc.config, ...caseFields(fuzzCase) });
        } else {
          const s = await shrink({ ...targetShrink(o.target), config: bc.config, seed: o.seed, index: i, kind });
          await fail({ case: i, kind, problems: (s.reproducesAlone ? s.problems : result.problems).map((p) => p.message),
            mutations: s.mutations.map((m) => `${m.target}:${m.name}`), config: s.config, ...caseFields(s.fuzzCase), reproducesAlone: s.reproducesAlone });
        }
        if (pair === sample) { sample = await loadPair(null); pair = sample; } else pair = await loadPair(bc.config);
      }
      if ((i + 1 - start) % 1000 === 0) o.onProgress?.(i + 1 - start, sample ? pagesOf(sample) : []);
    }
    if (pair !== null && pair !== sample) pair.forEach((r) => r.close());
    first = last;
  }
  if (sample) { report.pagesEnd = pagesOf(sample); sample.forEach((r) => r.close()); }
  return report;
}
