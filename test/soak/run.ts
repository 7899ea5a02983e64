/**
 * @module test/soak/run
 * Runs the soak: the sample pipeline loaded as `tollgate replay` loads it (controller/dev/pipeline),
 * a pool of requests driven through it with `concurrency` streams in flight, interleaved step by
 * step as Envoy's event loop interleaves them, the manual clock moving between requests so
 * token-limit's windows slide; every `every` requests a sample of each VM's memory pages, the
 * shared data, the process heap and the request rate.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Chain, HttpStream } from "../../harness/index.ts";
import { loadChain, stagesFromFiles, type PipelineStage } from "../../controller/dev/pipeline.ts";
import { Random } from "./random.ts";
import { answerFor, buildPool, KeySchedule, type PoolEntry } from "./traffic.ts";

export interface SoakOptions {
  requests: number;
  keys: number;
  seed: number;
  /** Requests between two samples. */
  every: number;
  /** PayloadProcessor file (default samples/pipeline.yaml). */
  pipeline?: string;
  workers?: number;
  /** Streams in flight at once. */
  concurrency?: number;
  /** Distinct requests in the pool. */
  poolSize?: number;
  /** Replaces the token budget of every token-limit limit (tokens per window). */
  budget?: number;
  /** Last word on the stages before loading (tests use it to change a config). */
  adjust?: (stages: PipelineStage[]) => void;
  /** Called with each sample as it is taken. */
  onSample?: (s: Sample) => void;
  /** Drive this chain instead of loading the pipeline (tests: a module that leaks). */
  chain?: Chain;
}

export interface Sample {
  /** Requests completed. */
  requests: number;
  /** Memory pages of each VM, by plugin name (one entry per worker). */
  pages: Record<string, number[]>;
  sharedKeys: number;
  /** Keys (UTF-8) plus values. */
  sharedBytes: number;
  /** V8 heap in use after a full collection (when `gc` could be exposed), and the resident set. */
  heapBytes: number;
  rssBytes: number;
  /** Requests per second of wall time since the previous sample. */
  rps: number;
  /** Distinct API keys used so far. */
  distinctKeys: number;
  /** Manual clock, seconds since the start. */
  clockS: number;
}

export interface SoakRun {
  samples: Sample[];
  /** Requests issued when every key had been used once (0: never). */
  allKeysSeenAt: number;
  /** Most shared-data keys the pipeline may create: token-limit's slots × its local limits (null: no token-limit). */
  sharedKeyBound: number | null;
  /** What the client got: `200`, `429 token-limit`, `403 guard`, `reset`, … → count. */
  outcomes: Record<string, number>;
  failures: string[];
  misuse: number;
  /** The filters' stats counted during the run (the primer's requests left out). */
  metrics: Record<string, number>;
  /** Wall time, and CPU time of this process (user + system): the cost on one core. */
  seconds: number;
  cpuSeconds: number;
}

/** Resolves `gc()` (V8's flag can be set at run time); null when it cannot be had. */
function exposeGc(): (() => void) | null {
  try {
    setFlagsFromString("--expose-gc");
    return runInNewContext("gc") as () => void;
  } catch { return null; }
}

/** Largest bodies of the pool sent to each worker before the first sample, and how many times each. */
const PRIMER_BODIES = 32;
const PRIMER_ROUNDS = 2;

function isTokenLimit(s: PipelineStage): boolean { return s.rootId === "token-limit" || /token-limit\.wasm$/.test(s.source); }

/** token-limit keeps one shared-data key per slot of each local limit; nothing else in the sample uses shared data. */
export function sharedKeyBound(stages: PipelineStage[]): number | null {
  const limiters = stages.filter(isTokenLimit);
  if (limiters.length === 0) return null;
  let bound = 0;
  for (const s of limiters) {
    const limits = (s.config.limits as Array<{ scope?: string }> | undefined) ?? [];
    bound += ((s.config.slots as number | undefined) ?? 8192) * limits.filter((l) => l.scope !== "global").length;
  }
  return bound;
}

function outcomeOf(s: HttpStream): string {
  if (s.localResponse) return `${s.localResponse.status} ${s.localResponse.plugin}`;
  if (s.client.reset) return "reset";
  return s.client.headers?.get(":status") ?? "none";
}

/** One exchange as a sequence of steps; the scheduler runs one step of some stream at a time. */
function* exchange(chain: Chain, entry: PoolEntry, key: string): Generator<void, HttpStream> {
  const s = chain.stream();
  const stopped = () => s.finished || s.localResponse !== null;
  const chunks = entry.bodyChunks;
  s.sendRequestHeaders([...entry.headers, ["x-api-key", key]], false);
  for (let i = 0; i < chunks.length && !stopped(); i++) {
    yield;
    s.sendRequestBody(chunks[i], i === chunks.length - 1);
  }
  if (stopped() || !s.upstream.endOfStream) {
    if (!s.finished) s.reset();
    return s;
  }
  yield;
  const a = answerFor(entry, s.upstream.chunks);
  s.sendResponseHeaders(a.headers, false);
  for (let i = 0; i < a.chunks.length && !s.finished; i++) {
    yield;
    s.sendResponseBody(a.chunks[i], i === a.chunks.length - 1 && !a.cut);
  }
  if (!s.finished) s.reset();
  return s;
}

/** Every stat's value by name, sorted. */
function statValues(chain: Chain): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, s] of [...chain.environment.stats].sort(([a], [b]) => a.localeCompare(b))) out[name] = Number(s.value);
  return out;
}

function sharedSize(chain: Chain): { keys: number; bytes: number } {
  let bytes = 0;
  const data = chain.plugins[0].host.sharedData;
  for (const [k, v] of data) bytes += Buffer.byteLength(k) + v.bytes.length;
  return { keys: data.size, bytes };
}

/** The pipeline file loaded as `tollgate replay` loads it, with the soak's budget. */
async function pipelineChain(o: SoakOptions): Promise<{ chain: Chain; bound: number | null }> {
  const { stages } = await stagesFromFiles([o.pipeline ?? "samples/pipeline.yaml"]);
  for (const s of stages.filter(isTokenLimit)) {
    if (o.budget !== undefined) s.config.limits = (s.config.limits as Array<Record<string, unknown>>).map((l) => ({ ...l, tokens: o.budget }));
  }
  o.adjust?.(stages);
  return { chain: await loadChain(stages, { workers: o.workers ?? 2 }), bound: sharedKeyBound(stages) };
}

export async function runSoak(o: SoakOptions): Promise<SoakRun> {
  const { chain, bound } = o.chain ? { chain: o.chain, bound: null } : await pipelineChain(o);
  const r = new Random(o.seed);
  const pool = buildPool(o.seed ^ 0x5eed, o.poolSize ?? 2_000);
  const keys = new KeySchedule(o.keys, r.derive(1));
  const gc = exposeGc();
  const outcomes = new Map<string, number>();
  const samples: Sample[] = [];
  const concurrency = Math.max(1, o.concurrency ?? 4);
  let started = 0, done = 0, clockMs = 0;
  const t0 = performance.now(), cpu0 = process.cpuUsage();
  let lastT = t0, lastDone = 0;

  const sample = () => {
    gc?.();
    const now = performance.now();
    const pages: Record<string, number[]> = {};
    for (const p of chain.plugins) pages[p.spec.name] = p.host.memoryPages();
    const shared = sharedSize(chain);
    const mem = process.memoryUsage();
    const s: Sample = {
      requests: done, pages, sharedKeys: shared.keys, sharedBytes: shared.bytes, heapBytes: mem.heapUsed, rssBytes: mem.rss,
      rps: done === lastDone ? 0 : (done - lastDone) / ((now - lastT) / 1000), distinctKeys: keys.distinct, clockS: clockMs / 1000,
    };
    samples.push(s);
    o.onSample?.(s);
    lastT = performance.now();
    lastDone = done;
  };

  /** Runs exchanges with `concurrency` in flight, one step of a random one at a time, until `next` has none left. */
  const pump = (next: () => Generator<void, HttpStream> | null, finished: (s: HttpStream) => void) => {
    const inFlight: Array<Generator<void, HttpStream>> = [];
    const launch = (): boolean => {
      const g = next();
      if (g) inFlight.push(g);
      return g !== null;
    };
    while (inFlight.length < concurrency && launch());
    while (inFlight.length > 0) {
      const i = r.range(0, inFlight.length - 1);
      const step = inFlight[i].next();
      if (!step.done) continue;
      inFlight[i] = inFlight[inFlight.length - 1];
      inFlight.pop();
      finished(step.value);
      launch();
    }
  };
  /** The next request of the run: 0–20 ms after the previous one (about 100 requests/s of traffic), so windows slide. */
  const arrival = (entry: PoolEntry, key: string) => {
    const ms = r.range(0, 20);
    chain.advance(ms);
    clockMs += ms;
    return exchange(chain, entry, key);
  };

  // Primer: a burst of the pool's largest bodies on every worker, so each VM's heap reaches the
  // high-water mark of sustained large traffic before the first sample rather than at a random
  // moment of the run (a GC'd heap grows by doubling when garbage of big bodies piles up).
  const largest = [...pool].sort((a, b) => b.bodyBytes - a.bodyBytes).slice(0, PRIMER_BODIES);
  const workers = Math.max(...chain.plugins.map((p) => p.host.vms.length));
  let primed = 0;
  pump(() => {
    if (primed === largest.length * workers * PRIMER_ROUNDS) return null;
    const entry = largest[Math.floor(primed / workers) % largest.length];
    return arrival(entry, `primer-${primed++}`);
  }, () => {});
  const primerStats = statValues(chain);
  sample();

  pump(() => (started < o.requests ? (started++, arrival(pool[r.range(0, pool.length - 1)], keys.next())) : null), (s) => {
    const outcome = outcomeOf(s);
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    done++;
    if (done % o.every === 0) sample();
  });
  if (done % o.every !== 0) sample();
  await chain.settle();

  const metrics: Record<string, number> = {};
  for (const [name, value] of Object.entries(statValues(chain))) metrics[name] = value - (primerStats[name] ?? 0);
  const cpu = process.cpuUsage(cpu0);
  const run: SoakRun = {
    samples, allKeysSeenAt: keys.allSeenAt, sharedKeyBound: bound,
    outcomes: Object.fromEntries([...outcomes].sort((a, b) => b[1] - a[1])),
    failures: chain.plugins.flatMap((p) => p.host.failures().map((f) => `${p.spec.name}: ${f}`)),
    misuse: chain.plugins.reduce((n, p) => n + p.host.misuse().length, 0),
    metrics, seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
  for (const p of chain.plugins) p.host.close();
  return run;
}
