/**
 * @module bench/suites/token-limit
 * The token limiter's cost per request, through the harness against the built module, beside one
 * loopback gRPC round trip (4 KB) measured in the same run — the hop an external rate limiter or
 * ext_proc accountant would add. Two exchanges, both under two local limits (per key with
 * reservation, per team): a 4 KB chat request answered with a JSON body carrying usage, and a
 * 4 KB streaming request (include_usage injected) answered with a 200-chunk SSE stream whose
 * usage-only chunk is stripped.
 *
 * Three modules go through the identical exchange in interleaved batches, CPU time
 * (process.cpuUsage, which other processes' load inflates far less than wall time):
 * - token-limit;
 * - its host-call floor (test/bench-modules/floor.ts): a module that makes exactly the host calls
 *   token-limit made on one traced exchange of this run — same kinds, order, count per callback,
 *   sizes and callback results — and nothing else;
 * - the no-op module (test/bench-modules/noop.ts): every callback continues, no host call.
 * Then own = token-limit − no-op (the module's work plus the Node host's side of its host calls),
 * module only = token-limit − floor (what Envoy would run at V8 speed beside its far cheaper C++
 * host calls), and the Node host's price of those calls = floor − no-op. The floor's script is
 * derived at run time from token-limit's trace (so it follows the filter as it changes) and the
 * floor's own trace is checked against it before anything is measured.
 * `TOKEN_LIMIT_BASELINE_WASM=<file>` adds another build of the module (e.g. an older commit's)
 * with its own floor, so a change is compared under the same load;
 * `TOKEN_LIMIT_HOSTCALL_TIMING=1` adds the former estimate of the host calls' price (each call
 * timed inside the Node host in a separate run; median per kind × count) for comparison.
 */
import { fileURLToPath } from "node:url";
import { build } from "../../scripts/build.ts";
import { Host, type HostOptions, type HttpStream } from "../../harness/index.ts";
import { Vm } from "../../harness/vm.ts";
import { measureGrpcRoundTrip } from "../baselines/grpc-roundtrip.ts";
import { chatBody } from "../corpus/chat.ts";
import { fmt, printTable, ratio } from "../lib/table.ts";
import type { BenchSuite } from "../lib/suite.ts";
import { BENCH_CONFIG, TOKEN_LIMIT_WASM, chatResponse, requestHeaders } from "../../filters/token-limit/test-support.ts";
import { floorScript, hostCallProfile, traceExchange, type FloorScript } from "../../test/bench-modules/floor-script.ts";

const NOOP_WASM = fileURLToPath(new URL("../../dist/test/noop.wasm", import.meta.url));
export const FLOOR_WASM = fileURLToPath(new URL("../../dist/test/bench-floor.wasm", import.meta.url));
export const CHUNKS = 200;
/** How token-limit (and every module measured beside it) is loaded. */
const LOAD = { rootId: "token-limit", allowOnHeadersStopIteration: true };

export function sseStream(chunks: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < chunks - 1; i++) {
    out.push(`data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", model: "gpt-4o-mini", choices: [{ index: 0, delta: { content: ` word${i}` }, finish_reason: null }] })}\n\n`);
  }
  out.push(`data: {"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":900,"completion_tokens":199,"total_tokens":1099}}\n\ndata: [DONE]\n\n`);
  return out;
}

/** One of the two measured exchanges, everything prepared up front. */
export interface BenchExchange {
  name: string;
  streaming: boolean;
  request: Record<string, string>;
  body: Uint8Array;
  response: Record<string, string>;
  chunks: Uint8Array[];
}

export function benchExchange(streaming: boolean): BenchExchange {
  const request = JSON.parse(chatBody("english", 4096, true).text);
  const body = new TextEncoder().encode(JSON.stringify({ ...request, stream: streaming }));
  return {
    name: streaming ? `4 KB streaming request, ${CHUNKS}-chunk SSE response (injected + stripped)` : "4 KB request, JSON response",
    streaming,
    request: requestHeaders("/v1/chat/completions", { "x-api-key": "key-1", "x-team": "red", "content-length": String(body.length) }),
    body,
    response: { ":status": "200", "content-type": streaming ? "text/event-stream" : "application/json" },
    chunks: (streaming ? sseStream(CHUNKS) : [chatResponse(900, 120)]).map((c) => new TextEncoder().encode(c)),
  };
}

/** Drives one exchange through `host`; a refused request is an error (the budgets never refuse). */
export function runExchange(host: Host, x: BenchExchange): HttpStream {
  const s = host.stream();
  s.sendRequestHeaders(x.request, false);
  s.sendRequestBody(x.body, true);
  if (s.localResponse) throw new Error(`refused: ${s.localResponse.status}`);
  s.sendResponseHeaders(x.response, false);
  for (let i = 0; i < x.chunks.length; i++) s.sendResponseBody(x.chunks[i], i === x.chunks.length - 1);
  return s;
}

/** Which build of token-limit, with which configuration and host options (the bench's by default). */
export interface Limiter { wasm?: string; config?: Record<string, unknown>; options?: HostOptions }

export function loadTokenLimit(t: Limiter = {}): Promise<Host> {
  return Host.load(t.wasm ?? TOKEN_LIMIT_WASM, { ...LOAD, ...t.options, pluginConfig: t.config ?? BENCH_CONFIG });
}

/** The floor module replaying `script`, loaded as the filter it follows was (`options`). */
export function loadFloor(script: FloorScript, t: Limiter = {}): Promise<Host> {
  return Host.load(FLOOR_WASM, { ...LOAD, ...t.options, pluginConfig: script.text });
}

/**
 * The floor of token-limit (`t`) on exchange `x`: its script, read from the trace of the third
 * exchange through a fresh host (the first two create the shared-data slots, as every measured
 * exchange finds them), and that trace's host-call profile.
 */
export async function deriveFloor(x: BenchExchange, t: Limiter = {}): Promise<{ script: FloorScript; profile: string[]; outside: number }> {
  const host = await loadTokenLimit(traced(t));
  runExchange(host, x);
  runExchange(host, x);
  const exchange = traceExchange(() => host.sharedData, { request: x.request, response: x.response }, () => runExchange(host, x));
  const profile = hostCallProfile(exchange.trace);
  if (profile.length === 0) throw new Error("token-limit's trace of the exchange is empty: the floor cannot be derived");
  // Host calls made meanwhile outside the stream (root context: timers, queues) are not replayed.
  const first = exchange.trace[0].seq, last = exchange.trace[exchange.trace.length - 1].seq;
  const outside = host.trace().filter((e) => e.kind === "hostcall" && e.seq > first && e.seq < last).length;
  return { script: floorScript(exchange), profile, outside };
}

/** `t` with a trace kept whatever the harness's default, long enough for a whole exchange. */
const traced = (t: Limiter): Limiter => ({ ...t, options: { ...t.options, traceLimit: 100_000 } });

/**
 * Throws unless the floor replaying `script` makes the filter's host calls (`profile`), callback
 * by callback, and uses the ABI correctly; on a host of its own that keeps a trace.
 */
export async function checkFloor(script: FloorScript, x: BenchExchange, profile: string[], t: Limiter = {}): Promise<void> {
  const floor = await loadFloor(script, traced(t));
  runExchange(floor, x);
  const got = hostCallProfile(runExchange(floor, x).trace());
  const i = got.findIndex((line, j) => line !== profile[j]);
  if (i >= 0 || got.length !== profile.length) {
    const at = i >= 0 ? i : Math.min(got.length, profile.length);
    throw new Error(`floor drifted from token-limit at callback ${at}:\n  token-limit: ${profile[at]}\n  floor:       ${got[at]}`);
  }
  if (floor.misuse().length > 0) throw new Error(`floor misused the ABI: ${JSON.stringify(floor.misuse())}`);
}

interface Timed { tag: string; host: Host; fn: () => void; wall: number[]; cpu: number[] }

/**
 * Batches of `n` exchanges, taking turns (a, b, c, a, b, c, …) so a burst of load hits every
 * module alike. Wall and CPU time per exchange of each batch; the fastest batch is reported
 * (other processes' load only ever adds time, to CPU time too through shared caches and cores).
 */
function measureInterleaved(subjects: Timed[], rounds: number): void {
  // Warm-up (JIT, and V8's tier-up of hot wasm functions from Liftoff to TurboFan: about half a
  // second each), then a batch size of about 40 ms for the slowest subject.
  let slowest = 0;
  for (const x of subjects) {
    const until = process.hrtime.bigint() + 600_000_000n;
    for (let i = 0; i < 100_000 && process.hrtime.bigint() < until; i++) x.fn();
    const t = process.hrtime.bigint();
    for (let i = 0; i < 20; i++) x.fn();
    slowest = Math.max(slowest, Number(process.hrtime.bigint() - t) / 20e3);
  }
  const n = Math.max(5, Math.min(2000, Math.round(40_000 / slowest)));
  for (let r = 0; r < rounds; r++) {
    for (const x of subjects) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) x.fn();
      const wall = Number(process.hrtime.bigint() - t0) / 1e3;
      const c = process.cpuUsage(c0);
      x.wall.push(wall / n);
      x.cpu.push((c.user + c.system) / n);
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const best = (xs: number[]) => Math.min(...xs);

/**
 * The former estimate of the Node host's time in the module's host calls: a host loaded while
 * the VM's host-call wrapper is wrapped once more with a clock; each call's time is the median
 * of its kind times the calls of that kind. Null when the harness no longer builds its imports
 * through `Vm.prototype.hostcall`.
 */
async function hostCallTime(wasm: string, x: BenchExchange, exchanges: number): Promise<number | null> {
  const proto = Vm.prototype as unknown as { hostcall?: (name: string, ...a: unknown[]) => (...args: unknown[]) => number };
  const original = proto.hostcall;
  if (typeof original !== "function") return null;
  const times = new Map<string, number[]>();
  let recording = false;
  proto.hostcall = function (this: unknown, name: string, ...a: unknown[]) {
    const wrapped = original.call(this, name, ...a);
    const list: number[] = [];
    times.set(name, list);
    return (...args: unknown[]) => {
      const t = process.hrtime.bigint();
      try { return wrapped(...args); } finally { if (recording) list.push(Number(process.hrtime.bigint() - t)); }
    };
  };
  let host: Host;
  try { host = await loadTokenLimit({ wasm }); } finally { proto.hostcall = original; }
  for (let i = 0; i < exchanges; i++) runExchange(host, x);
  recording = true;
  for (let i = 0; i < exchanges; i++) runExchange(host, x);
  let ns = 0;
  for (const list of times.values()) if (list.length > 0) ns += median(list) * list.length;
  return ns / 1e3 / exchanges;
}

interface Figures { own: number; moduleOnly: number; hostCalls: number }

/** The floor's script with its host calls taken out: the same callbacks and dispatch, no call. */
function withoutCalls(script: FloorScript): FloorScript {
  const kept = script.text.split("\n").filter((l) => /^(key|metric|cb) /.test(l) || l === "");
  return { ...script, text: kept.join("\n"), calls: 0 };
}

async function run(): Promise<void> {
  await build(["token-limit", "noop", "bench-floor"]);
  const rt = await measureGrpcRoundTrip({ messageBytes: 4096, iterations: 3000 });
  const modules: [string, string][] = [["token-limit", TOKEN_LIMIT_WASM]];
  if (process.env.TOKEN_LIMIT_BASELINE_WASM) modules.push(["baseline module", process.env.TOKEN_LIMIT_BASELINE_WASM]);
  const timing = process.env.TOKEN_LIMIT_HOSTCALL_TIMING === "1";
  const rounds = Number(process.env.BENCH_ROUNDS ?? 15);
  const budget = rt.p50Us / 10;
  const under = (us: number) => (us < budget ? "yes" : "no");
  const rows: (string | number)[][] = [];
  const figures = new Map<string, Figures>();
  const verdicts: string[] = [];
  const notes: string[] = [];
  const timed = (tag: string, host: Host, fn: () => void): Timed => ({ tag, host, fn, wall: [], cpu: [] });
  for (const streaming of [false, true]) {
    const x = benchExchange(streaming);
    const limiters: Array<{ tag: string; wasm: string; script: FloorScript; module: Timed; floor: Timed }> = [];
    const subjects: Timed[] = [];
    for (const [tag, wasm] of modules) {
      const { script, profile, outside } = await deriveFloor(x, { wasm });
      if (outside > 0) notes.push(`${tag}, ${x.name}: ${outside} host calls outside the stream during the exchange, not in the floor: module only is overstated by them`);
      await checkFloor(script, x, profile);
      const floorHost = await loadFloor(script);
      if (script.placeholders.length > 0) notes.push(`${tag}, ${x.name}: the floor names by placeholder: ${script.placeholders.join("; ")}`);
      const host = await loadTokenLimit({ wasm });
      const module = timed(tag, host, () => { if (runExchange(host, x).property("tollgate.usage_source") !== "reported") throw new Error("usage not reported"); });
      const floor = timed(`${tag}'s host-call floor`, floorHost, () => { runExchange(floorHost, x); });
      limiters.push({ tag, wasm, script, module, floor });
      subjects.push(module, floor);
    }
    // The floor's own work (script walk and dispatch) counts as host calls' price: measured apart.
    const bareHost = await loadFloor(withoutCalls(limiters[0].script));
    const bare = timed("floor without its calls", bareHost, () => { runExchange(bareHost, x); });
    const noopHost = await Host.load(NOOP_WASM, {});
    const noop = timed("no-op module", noopHost, () => { runExchange(noopHost, x); });
    subjects.push(bare, noop);
    measureInterleaved(subjects, rounds);
    for (const s of subjects) if (s.host.failed) throw new Error(s.host.failures().join("; "));
    const noopCpu = best(noop.cpu);
    const memory = (h: Host) => `${h.memoryPages()[0] * 64} KiB`;
    for (const l of limiters) {
      const cpu = best(l.module.cpu), floorCpu = best(l.floor.cpu);
      const own = cpu - noopCpu, moduleOnly = cpu - floorCpu, hostCalls = floorCpu - noopCpu;
      figures.set(`${l.tag}/${streaming}`, { own, moduleOnly, hostCalls });
      const estimate = timing ? await hostCallTime(l.wasm, x, streaming ? 100 : 1000) : null;
      rows.push([x.name, l.tag, fmt(best(l.module.wall)), fmt(cpu), fmt(own), ratio(own, rt.p50Us), under(own), fmt(moduleOnly), under(moduleOnly),
        `${l.script.calls}: ${fmt(hostCalls)}`, ...(timing ? [estimate === null ? "n/a" : fmt(estimate)] : []), memory(l.module.host)]);
      rows.push([x.name, l.floor.tag, fmt(best(l.floor.wall)), fmt(floorCpu), "", "", "", "", "", "", ...(timing ? [""] : []), memory(l.floor.host)]);
      verdicts.push(`${x.name}, ${l.tag}: (a) own ${fmt(own)} µs is ${own < budget ? "UNDER" : "NOT under"} RTT/10 (${fmt(budget)} µs); ` +
        `(b) module only ${fmt(moduleOnly)} µs is ${moduleOnly < budget ? "UNDER" : "NOT under"} it.`);
    }
    for (const s of [bare, noop]) rows.push([x.name, s.tag, fmt(best(s.wall)), fmt(best(s.cpu)), "", "", "", "", "", "", ...(timing ? [""] : []), memory(s.host)]);
    notes.push(`${x.name}: the floor's own work without its calls (bare − no-op) ${fmt(best(bare.cpu) - noopCpu)} µs, in the host calls' price above, so "module only" is understated by at most that.`);
  }
  printTable(`token-limit: µs per exchange (two local limits, reservation, usage read, properties and metrics); fastest of ${rounds} interleaved batches, CPU time`,
    ["exchange", "module", "through the harness (wall)", "CPU", "(a) own: CPU − no-op", "own / RTT", "(a) < RTT/10", "(b) module only: CPU − floor", "(b) < RTT/10",
      "host calls: Node host's price (floor − no-op)", ...(timing ? ["former estimate: timed host calls"] : []), "wasm memory"], rows);
  console.log("");
  for (const v of verdicts) console.log(v);
  for (const n of notes) console.log(n);

  const chunkRows = modules.map(([tag]) => {
    const j = figures.get(`${tag}/false`)!, s = figures.get(`${tag}/true`)!;
    const per = (k: keyof Figures) => (s[k] - j[k]) / CHUNKS;
    return [tag, fmt(per("own")), fmt(per("moduleOnly")), fmt(per("hostCalls")), fmt(budget / CHUNKS)];
  });
  const chunkBytes = Math.round(sseStream(CHUNKS).reduce((n, c) => n + c.length, 0) / CHUNKS);
  printTable(`token-limit: CPU µs per response chunk ((streamed − JSON exchange) / ${CHUNKS}; chunks of ${chunkBytes} bytes)`,
    ["module", "own", "module only", "Node host's host calls", `RTT/10 per chunk (${CHUNKS} chunks)`], chunkRows);
  console.log(`\ngRPC loopback round trip, 4 KB echo: p50 ${fmt(rt.p50Us)} µs, p90 ${fmt(rt.p90Us)} µs, p99 ${fmt(rt.p99Us)} µs (${rt.iterations} calls); RTT/10 = ${fmt(budget)} µs.`);
}

const suite: BenchSuite = { name: "token-limit", summary: "token-limit per-request cost (4 KB request; JSON and 200-chunk SSE responses): module's own CPU beside a no-op module, its host-call floor and a loopback gRPC round trip", run };
export default suite;
