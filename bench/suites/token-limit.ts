/**
 * @module bench/suites/token-limit
 * The token limiter's cost per request, through the harness against the built module, beside one
 * loopback gRPC round trip (4 KB) measured in the same run — the hop an external rate limiter or
 * ext_proc accountant would add. Two exchanges, both under two local limits (per key with
 * reservation, per team): a 4 KB chat request answered with a JSON body carrying usage, and a
 * 4 KB streaming request (include_usage injected) answered with a 200-chunk SSE stream whose
 * usage-only chunk is stripped.
 *
 * What "the filter" costs is measured three ways, all in this run and interleaved:
 * - through the harness: wall time of the whole exchange, the Node host's work included;
 * - the module's own cost: CPU time (process.cpuUsage, which other processes' load on a shared
 *   machine does not inflate as it does wall time) of the exchange minus that of the no-op
 *   module (test/bench-modules/noop.ts) driven through the identical exchange: what remains is
 *   the module's work plus the Node host's side of the host calls it makes;
 * - of which host calls: the module's host calls counted and timed inside the Node host (median
 *   time per kind of call, in a separate instrumented run): what remains is the module's own work;
 * - per response chunk: (streamed − JSON exchange) / 200 of the own cost, beside the Node host's
 *   price of the one host call a chunk costs (`proxy_get_buffer_bytes`, priced with the
 *   bench-hostcalls module in CPU time), which Envoy's C++ host serves far faster.
 * `TOKEN_LIMIT_BASELINE_WASM=<file>` adds the same rows for another build of the module (e.g. an
 * older commit's), so a change is compared under the same load.
 */
import { fileURLToPath } from "node:url";
import { build } from "../../scripts/build.ts";
import { Host } from "../../harness/index.ts";
import { Vm } from "../../harness/vm.ts";
import { measureGrpcRoundTrip } from "../baselines/grpc-roundtrip.ts";
import { chatBody } from "../corpus/chat.ts";
import { fmt, printTable, ratio } from "../lib/table.ts";
import type { BenchSuite } from "../lib/suite.ts";
import { BENCH_CONFIG, TOKEN_LIMIT_WASM, chatResponse, requestHeaders } from "../../filters/token-limit/test-support.ts";

const NOOP_WASM = fileURLToPath(new URL("../../dist/test/noop.wasm", import.meta.url));
const HOSTCALLS_WASM = fileURLToPath(new URL("../../dist/test/bench-hostcalls.wasm", import.meta.url));
const CHUNKS = 200;


function sseStream(chunks: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < chunks - 1; i++) {
    out.push(`data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", model: "gpt-4o-mini", choices: [{ index: 0, delta: { content: ` word${i}` }, finish_reason: null }] })}\n\n`);
  }
  out.push(`data: {"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":900,"completion_tokens":199,"total_tokens":1099}}\n\ndata: [DONE]\n\n`);
  return out;
}

/** One exchange through `host`; `check` (real modules) insists the usage was read from the response. */
function exchangeFn(host: Host, body: Uint8Array, streaming: boolean, check: boolean) {
  const headers = requestHeaders("/v1/chat/completions", { "x-api-key": "key-1", "x-team": "red", "content-length": String(body.length) });
  const chunks = streaming ? sseStream(CHUNKS).map((c) => new TextEncoder().encode(c)) : [new TextEncoder().encode(chatResponse(900, 120))];
  const contentType = streaming ? "text/event-stream" : "application/json";
  return () => {
    const s = host.stream();
    s.sendRequestHeaders(headers, false);
    s.sendRequestBody(body, true);
    if (s.localResponse) throw new Error(`refused: ${s.localResponse.status}`);
    s.sendResponseHeaders({ ":status": "200", "content-type": contentType }, false);
    for (let i = 0; i < chunks.length; i++) s.sendResponseBody(chunks[i], i === chunks.length - 1);
    if (check && s.property("tollgate.usage_source") !== "reported") throw new Error("usage not reported");
    return chunks.length;
  };
}

interface Subject { tag: string; wasm: string; real: boolean; host: Host; fn: () => number; wall: number[]; cpu: number[] }

/**
 * Batches of `n` exchanges, taking turns (a, b, c, a, b, c, …) so a burst of load hits every
 * module alike. Wall and CPU time per exchange of each batch; the fastest batch is reported
 * (other processes' load only ever adds time, to CPU time too through shared caches and cores).
 */
function measureInterleaved(subjects: Subject[], rounds: number): void {
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
 * The Node host's price of the one host call each response chunk costs the filter
 * (`proxy_get_buffer_bytes` of a chunk-sized body, the host writing it through the module's
 * allocator, which frees it): CPU per call of the bench-hostcalls module reading a body of
 * `bytes` 101 times per exchange, minus the same module reading it once, interleaved.
 */
function getBodyPrice(hosts: { n100: Host; n0: Host }, bytes: number, rounds: number): number {
  const body = new Uint8Array(bytes).fill(0x61);
  const headers = requestHeaders("/v1/chat/completions", { "content-length": String(bytes) });
  const fn = (host: Host) => () => {
    const s = host.stream();
    s.sendRequestHeaders(headers, false);
    s.sendRequestBody(body, true);
    return 1;
  };
  const subjects: Subject[] = [hosts.n100, hosts.n0].map((host, i) =>
    ({ tag: String(i), wasm: "", real: false, host, fn: fn(host), wall: [], cpu: [] }));
  measureInterleaved(subjects, rounds);
  return (best(subjects[0].cpu) - best(subjects[1].cpu)) / 100;
}

/**
 * Host calls per exchange and the Node host's time for them: a host loaded while the VM's
 * host-call wrapper is wrapped once more with a clock. Each call's time is taken as the median
 * of its kind (a call preempted by another process is an outlier a median ignores) times the
 * calls of that kind. Null when the harness no longer builds its imports through
 * `Vm.prototype.hostcall`.
 */
async function hostCallTime(wasm: string, body: Uint8Array, streaming: boolean, exchanges: number): Promise<{ calls: number; us: number } | null> {
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
  try {
    host = await Host.load(wasm, { rootId: "token-limit", pluginConfig: BENCH_CONFIG, allowOnHeadersStopIteration: true });
  } finally {
    proto.hostcall = original;
  }
  const fn = exchangeFn(host, body, streaming, true);
  for (let i = 0; i < exchanges; i++) fn();
  recording = true;
  for (let i = 0; i < exchanges; i++) fn();
  let calls = 0, ns = 0;
  for (const list of times.values()) {
    if (list.length === 0) continue;
    calls += list.length;
    ns += median(list) * list.length;
  }
  return { calls: calls / exchanges, us: ns / 1e3 / exchanges };
}

async function run(): Promise<void> {
  await build(["token-limit", "noop", "bench-hostcalls"]);
  const rt = await measureGrpcRoundTrip({ messageBytes: 4096, iterations: 3000 });
  const request = JSON.parse(chatBody("english", 4096, true).text);
  const baseline = process.env.TOKEN_LIMIT_BASELINE_WASM;
  const modules: [string, string][] = [["token-limit", TOKEN_LIMIT_WASM]];
  if (baseline) modules.push(["baseline module", baseline]);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 15);
  const budget = rt.p50Us / 10;
  const rows: (string | number)[][] = [];
  const own = new Map<string, number>();
  for (const streaming of [false, true]) {
    const body = new TextEncoder().encode(JSON.stringify({ ...request, stream: streaming }));
    const subjects: Subject[] = [];
    for (const [tag, wasm] of [...modules, ["no-op module", NOOP_WASM]] as [string, string][]) {
      const real = wasm !== NOOP_WASM;
      const host = await Host.load(wasm, real ? { rootId: "token-limit", pluginConfig: BENCH_CONFIG, allowOnHeadersStopIteration: true } : {});
      subjects.push({ tag, wasm, real, host, fn: exchangeFn(host, body, streaming, real), wall: [], cpu: [] });
    }
    measureInterleaved(subjects, rounds);
    const noopCpu = best(subjects[subjects.length - 1].cpu);
    const exchange = streaming ? `4 KB streaming request, ${CHUNKS}-chunk SSE response (injected + stripped)` : "4 KB request, JSON response";
    for (const x of subjects) {
      if (x.host.failed) throw new Error(x.host.failures().join("; "));
      const cpu = best(x.cpu);
      const mine = cpu - noopCpu;
      if (x.real) own.set(`${x.tag}/${streaming}`, mine);
      const host = x.real ? await hostCallTime(x.wasm, body, streaming, streaming ? 100 : 1000) : null;
      const wasmOnly = host ? mine - host.us : NaN;
      rows.push([exchange, x.tag, fmt(best(x.wall)), fmt(cpu), x.real ? fmt(mine) : "", x.real ? ratio(mine, rt.p50Us) : "",
        x.real ? (mine < budget ? "yes" : "no") : "", host ? `${fmt(host.calls)}: ${fmt(host.us)}` : "", host ? fmt(wasmOnly) : "",
        host ? (wasmOnly < budget ? "yes" : "no") : "", `${x.host.memoryPages()[0] * 64} KiB`]);
    }
  }
  printTable(`token-limit: µs per exchange (two local limits, reservation, usage read, properties and metrics); fastest of ${rounds} interleaved batches`,
    ["exchange", "module", "through the harness (wall)", "CPU", "own: CPU − no-op", "own / RTT", "own < RTT/10", "host calls: Node host µs", "own − host calls", "< RTT/10", "wasm memory"], rows);

  const chunkBytes = Math.round(sseStream(CHUNKS).reduce((n, c) => n + c.length, 0) / CHUNKS);
  const priceHosts = {
    n100: await Host.load(HOSTCALLS_WASM, { pluginConfig: "get_body 101" }),
    n0: await Host.load(HOSTCALLS_WASM, { pluginConfig: "get_body 1" }),
  };
  const getBody = getBodyPrice(priceHosts, chunkBytes, rounds);
  const chunkRows = modules.map(([tag]) => {
    const perChunk = ((own.get(`${tag}/true`) ?? NaN) - (own.get(`${tag}/false`) ?? NaN)) / CHUNKS;
    return [tag, fmt(perChunk), fmt(getBody), fmt(perChunk - getBody), fmt(budget / CHUNKS)];
  });
  printTable(`token-limit: own CPU µs per response chunk ((streamed − JSON exchange) / ${CHUNKS}; chunks of ${chunkBytes} bytes)`,
    ["module", "own per chunk", "of which the Node host's proxy_get_buffer_bytes", "own per chunk without it", `RTT/10 per chunk (${CHUNKS} chunks)`], chunkRows);
  console.log(`\ngRPC loopback round trip, 4 KB echo: p50 ${fmt(rt.p50Us)} µs, p90 ${fmt(rt.p90Us)} µs, p99 ${fmt(rt.p99Us)} µs (${rt.iterations} calls); RTT/10 = ${fmt(budget)} µs.`);
}

const suite: BenchSuite = { name: "token-limit", summary: "token-limit per-request cost (4 KB request; JSON and 200-chunk SSE responses): module's own CPU beside a no-op module and a loopback gRPC round trip", run };
export default suite;
