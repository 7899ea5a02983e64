/**
 * @module bench/suites/harness
 * The harness's own cost, with no filter in the way: the `noop` module (continues every callback,
 * no host call) and `bench-hostcalls` (a small filter's typical host calls) through one exchange —
 * 8 request headers, a 1 KB request body, 4 response headers, 10 response body chunks: 17 VM
 * callbacks — both through `host.run` and through the stream driver, with the trace kept (default)
 * and off (`traceLimit: 0`, as the fuzzer runs). The floor in the same run: the same 17 exports of
 * the noop module called straight from JS. Then the host's price of each host call: one call made
 * 100 times in a callback, minus the noop exchange, over 100.
 * Last, a real filter through the same harness: token-limit (two local limits, as in its own bench)
 * on a 4 KB request answered with JSON, and streamed in 20 SSE chunks.
 * `HARNESS_BASELINE=<rev>` adds every row for that commit's harness (`git archive`), measured in
 * the same process, interleaved, so a change to the harness is compared under the same load.
 * On a shared machine the fastest batch is the better estimate of the work itself (CPU-bound code
 * only gets slower under load); the median is printed beside it.
 */
import { readFileSync } from "node:fs";
import { build } from "../../scripts/build.ts";
import * as current from "../../harness/index.ts";
import { loadBaselineHarness, type BaselineHarness, type HarnessApi } from "../lib/harness-baseline.ts";
import { measureInterleaved } from "../lib/interleaved.ts";
import { fmt, printTable, type Cell } from "../lib/table.ts";
import { chatBody } from "../corpus/chat.ts";
import { BENCH_CONFIG, TOKEN_LIMIT_WASM, chatResponse, requestHeaders } from "../../filters/token-limit/test-support.ts";
import type { BenchSuite } from "../lib/suite.ts";

const NOOP = "dist/test/noop.wasm";
const HOSTCALLS = "dist/test/bench-hostcalls.wasm";
const CALLS_PER_CALLBACK = 100;
const SINGLE_CALLS = ["get_header", "get_pairs", "replace_header", "get_body", "set_property", "get_property", "metric", "log"];

const REQUEST_HEADERS = {
  ":method": "POST", ":path": "/v1/chat/completions", ":authority": "api.example", ":scheme": "https",
  "content-type": "application/json", "content-length": "1024", "user-agent": "bench/1.0", "x-api-key": "key-1",
};
const REQUEST_BODY = new TextEncoder().encode(`{"model":"m","messages":[{"role":"user","content":"${"x".repeat(1024 - 52)}"}]}`);
const RESPONSE_HEADERS = { ":status": "200", "content-type": "text/event-stream", "cache-control": "no-cache", "x-request-id": "r-1" };
const RESPONSE_CHUNKS = Array.from({ length: 10 }, (_, i) => new TextEncoder().encode(`data: {"i":${i},"pad":"${"y".repeat(80)}"}\n\n`));
const EXCHANGE = {
  request: { headers: REQUEST_HEADERS, body: REQUEST_BODY },
  response: { headers: RESPONSE_HEADERS, bodyChunks: RESPONSE_CHUNKS },
};

type Host = import("../../harness/index.ts").Host;

/** The exchange step by step through the stream driver (no promise, no settle). */
function driven(host: Host): () => number {
  return () => {
    const s = host.stream();
    s.sendRequestHeaders(REQUEST_HEADERS, false);
    s.sendRequestBody(REQUEST_BODY, true);
    s.sendResponseHeaders(RESPONSE_HEADERS, false);
    for (let i = 0; i < RESPONSE_CHUNKS.length; i++) s.sendResponseBody(RESPONSE_CHUNKS[i], i === RESPONSE_CHUNKS.length - 1);
    if (!s.finished) throw new Error("the exchange did not finish");
    return s.client.chunks.length;
  };
}

function viaRun(host: Host): () => Promise<number> {
  return async () => {
    const s = await host.run(EXCHANGE);
    if (!s.finished) throw new Error("the exchange did not finish");
    return s.client.chunks.length;
  };
}

/** The floor: the noop module's 17 exports of one exchange called straight from JS, no host. */
function directCalls(): () => number {
  const stub = () => 0;
  const imports = new Proxy({}, { get: () => new Proxy({}, { get: () => stub }) }) as WebAssembly.Imports;
  const module = new WebAssembly.Module(readFileSync(NOOP));
  const e = new WebAssembly.Instance(module, imports).exports as Record<string, (...a: number[]) => number>;
  (e._initialize as () => void)();
  let id = 2;
  return () => {
    const c = id++;
    e.proxy_on_context_create(c, 1);
    let r = e.proxy_on_request_headers(c, 8, 0) + e.proxy_on_request_body(c, 1024, 1) + e.proxy_on_response_headers(c, 4, 0);
    for (let i = 0; i < 10; i++) r += e.proxy_on_response_body(c, 90, i === 9 ? 1 : 0);
    e.proxy_on_log(c);
    r += e.proxy_on_done(c);
    e.proxy_on_delete(c);
    return r;
  };
}


/** token-limit on a 4 KB chat request, answered with a JSON body or `chunks` SSE events; checks usage was read. */
function tokenLimitExchange(host: Host, chunks: number): () => number {
  const request = chatBody("english", 4096, true);
  const body = chunks > 0 ? new TextEncoder().encode(JSON.stringify({ ...JSON.parse(request.text), stream: true })) : request.bytes;
  const headers = requestHeaders("/v1/chat/completions", { "x-api-key": "key-1", "x-team": "red", "content-length": String(body.length) });
  const events = chunks > 0
    ? [...Array.from({ length: chunks - 1 }, (_, i) => `data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":" word${i}"},"finish_reason":null}]}\n\n`),
      `data: {"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":900,"completion_tokens":199,"total_tokens":1099}}\n\ndata: [DONE]\n\n`]
    : [chatResponse(900, 120)];
  const response = events.map((e) => new TextEncoder().encode(e));
  const contentType = chunks > 0 ? "text/event-stream" : "application/json";
  return () => {
    const s = host.stream();
    s.sendRequestHeaders(headers, false);
    s.sendRequestBody(body, true);
    if (s.localResponse) throw new Error(`token-limit refused the request: ${s.localResponse.status}`);
    s.sendResponseHeaders({ ":status": "200", "content-type": contentType }, false);
    for (let i = 0; i < response.length; i++) s.sendResponseBody(response[i], i === response.length - 1);
    if (s.property("tollgate.usage_source") !== "reported") throw new Error("token-limit did not read the usage");
    return response.length;
  };
}

interface Subject { label: string; harness: string; fn: () => unknown }

async function countCallbacks(api: HarnessApi, wasm: string, config: string): Promise<{ callbacks: number; hostcalls: number }> {
  const host = await api.Host.load(wasm, { pluginConfig: config });
  const s = await host.run(EXCHANGE);
  const trace = s.trace();
  return { callbacks: trace.filter((e) => e.kind === "callback").length, hostcalls: trace.filter((e) => e.kind === "hostcall").length };
}

async function run(): Promise<void> {
  await build(["noop", "bench-hostcalls", "token-limit"]);
  const rev = process.env.HARNESS_BASELINE;
  let baseline: BaselineHarness | null = null;
  if (rev) baseline = await loadBaselineHarness(rev);
  const harnesses: Array<[string, HarnessApi]> = [["working tree", current]];
  if (baseline) harnesses.push([`baseline ${baseline.commit}`, baseline.api]);
  try {
    const shape = await countCallbacks(current, HOSTCALLS, "typical");
    const subjects: Subject[] = [{ label: "noop exports called from JS (no host)", harness: "–", fn: directCalls() }];
    const perCall: Array<{ call: string; harness: string; index: number; noopIndex: number }> = [];
    const filterRows: Array<{ label: string; harness: string; index: number }> = [];
    for (const [name, api] of harnesses) {
      for (const [module, wasm, config] of [["noop", NOOP, ""], ["typical host calls", HOSTCALLS, "typical"]] as const) {
        for (const trace of ["kept", "off"] as const) {
          const options = { pluginConfig: config, ...(trace === "off" ? { traceLimit: 0 } : {}) };
          const hostRun = await api.Host.load(wasm, options), hostDriven = await api.Host.load(wasm, options);
          subjects.push({ label: `${module}, host.run, trace ${trace}`, harness: name, fn: viaRun(hostRun) });
          subjects.push({ label: `${module}, stream driver, trace ${trace}`, harness: name, fn: driven(hostDriven) });
        }
      }
      const noopIndex = subjects.findIndex((s) => s.harness === name && s.label === "noop, stream driver, trace kept");
      for (const call of SINGLE_CALLS) {
        const host = await api.Host.load(HOSTCALLS, { pluginConfig: `${call} ${CALLS_PER_CALLBACK}` });
        perCall.push({ call, harness: name, index: subjects.length, noopIndex });
        subjects.push({ label: `${call} ×${CALLS_PER_CALLBACK}`, harness: name, fn: driven(host) });
      }
      for (const [label, chunks] of [["token-limit: 4 KB request, JSON response", 0], ["token-limit: 4 KB request, 20-chunk SSE response", 20]] as const) {
        const host = await api.Host.load(TOKEN_LIMIT_WASM, { rootId: "token-limit", pluginConfig: BENCH_CONFIG, allowOnHeadersStopIteration: true });
        filterRows.push({ label, harness: name, index: subjects.length });
        subjects.push({ label, harness: name, fn: tokenLimitExchange(host, chunks) });
      }
    }
    const timed = await measureInterleaved(subjects.map((s) => s.fn));

    const rows: Cell[][] = [];
    subjects.forEach((s, i) => {
      if (s.label.includes("×") || s.label.startsWith("token-limit")) return;
      const callbacks = s.label.startsWith("typical") ? shape.callbacks : 17;
      rows.push([s.label, s.harness, fmt(timed[i].usPerOp), fmt(timed[i].usPerOp / callbacks), fmt(timed[i].bestUsPerOp), fmt(timed[i].bestUsPerOp / callbacks)]);
    });
    printTable(`harness: µs per exchange (17 callbacks; typical: ${shape.hostcalls} host calls), interleaved batches`,
      ["subject", "harness", "µs / exchange (median)", "µs / callback (median)", "best µs / exchange", "best µs / callback"], rows);

    const callRows: Cell[][] = perCall.map((p) => [
      p.call, p.harness, fmt((timed[p.index].usPerOp - timed[p.noopIndex].usPerOp) / CALLS_PER_CALLBACK),
      fmt((timed[p.index].bestUsPerOp - timed[p.noopIndex].bestUsPerOp) / CALLS_PER_CALLBACK),
    ]);
    printTable(`harness: µs per host call (${CALLS_PER_CALLBACK} calls in one callback, minus the noop exchange; stream driver, trace kept)`,
      ["host call", "harness", "µs / call (median)", "µs / call (best)"], callRows);
    printTable("harness: a real filter, µs per exchange (stream driver, trace kept)", ["exchange", "harness", "µs / exchange (median)", "best µs / exchange"],
      filterRows.map((r) => [r.label, r.harness, fmt(timed[r.index].usPerOp), fmt(timed[r.index].bestUsPerOp)]));
    const load = (await import("node:os")).loadavg().map((x) => x.toFixed(2)).join(" ");
    console.log(`\nload average at the end: ${load}`);
  } finally {
    baseline?.remove();
  }
}

const suite: BenchSuite = {
  name: "harness",
  summary: "the harness's own per-exchange, per-callback and per-host-call cost (noop and host-call modules) vs direct export calls",
  run,
};
export default suite;
