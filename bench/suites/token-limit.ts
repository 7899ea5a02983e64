/**
 * @module bench/suites/token-limit
 * The token limiter's cost per request, through the harness against the built module, beside one
 * loopback gRPC round trip (4 KB) measured in the same run — the hop an external rate limiter or
 * ext_proc accountant would add. Two exchanges, both under two local limits (per key with
 * reservation, per team): a 4 KB chat request answered with a JSON body carrying usage, and a
 * 4 KB streaming request (include_usage injected) answered with a 200-chunk SSE stream whose
 * usage-only chunk is stripped. "in the VM" is the time inside the module's callbacks (host
 * calls included); the rest is the Node host's own work, which Envoy does in C++.
 * `TOKEN_LIMIT_BASELINE_WASM=<file>` adds the same rows for another build of the module (e.g. an
 * older commit's), measured in the same run and interleaved with it, so a change is compared
 * under the same load.
 */
import { build } from "../../scripts/build.ts";
import { Host } from "../../harness/index.ts";
import { measureGrpcRoundTrip } from "../baselines/grpc-roundtrip.ts";
import { chatBody } from "../corpus/chat.ts";
import { measureAll } from "../lib/measure.ts";
import { fmt, printTable, ratio } from "../lib/table.ts";
import type { BenchSuite } from "../lib/suite.ts";
import { TOKEN_LIMIT_WASM, chatResponse, requestHeaders } from "../../filters/token-limit/test-support.ts";

const CONFIG = {
  holdHeaders: true,
  models: ["gpt-4o-mini"],
  limits: [
    { name: "per-key", key: { headers: ["x-api-key"] }, tokens: 1_000_000_000, window: "60s" },
    { name: "per-team", key: { headers: ["x-team"] }, tokens: 1_000_000_000, window: "1h", cost: { input: 1, output: 4 } },
  ],
};

function timeInVm(host: Host): { ns: bigint } {
  const acc = { ns: 0n };
  for (const vm of host.vms) {
    const call = vm.call.bind(vm);
    (vm as { call: typeof vm.call }).call = (...args: Parameters<typeof vm.call>) => {
      const t = process.hrtime.bigint();
      try { return call(...args); } finally { acc.ns += process.hrtime.bigint() - t; }
    };
  }
  return acc;
}

function sseStream(chunks: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < chunks - 1; i++) {
    out.push(`data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", model: "gpt-4o-mini", choices: [{ index: 0, delta: { content: ` word${i}` }, finish_reason: null }] })}\n\n`);
  }
  out.push(`data: {"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":900,"completion_tokens":199,"total_tokens":1099}}\n\ndata: [DONE]\n\n`);
  return out;
}

function exchangeFn(host: Host, body: Uint8Array, streaming: boolean) {
  const headers = requestHeaders("/v1/chat/completions", { "x-api-key": "key-1", "x-team": "red", "content-length": String(body.length) });
  const chunks = streaming ? sseStream(200).map((c) => new TextEncoder().encode(c)) : [new TextEncoder().encode(chatResponse(900, 120))];
  const contentType = streaming ? "text/event-stream" : "application/json";
  return () => {
    const s = host.stream();
    s.sendRequestHeaders(headers, false);
    s.sendRequestBody(body, true);
    if (s.localResponse) throw new Error(`refused: ${s.localResponse.status}`);
    s.sendResponseHeaders({ ":status": "200", "content-type": contentType }, false);
    for (let i = 0; i < chunks.length; i++) s.sendResponseBody(chunks[i], i === chunks.length - 1);
    if (s.property("tollgate.usage_source") !== "reported") throw new Error("usage not reported");
    return chunks.length;
  };
}

async function run(): Promise<void> {
  await build(["token-limit"]);
  const rt = await measureGrpcRoundTrip({ messageBytes: 4096, iterations: 3000 });
  const rows: (string | number)[][] = [];
  const request = chatBody("english", 4096, true);
  const baseline = process.env.TOKEN_LIMIT_BASELINE_WASM;
  const modules: [string, string][] = [["", TOKEN_LIMIT_WASM]];
  if (baseline) modules.push([" (baseline module)", baseline]);
  for (const streaming of [false, true]) {
    const body = streaming
      ? new TextEncoder().encode(JSON.stringify({ ...JSON.parse(request.text), stream: true }))
      : request.bytes;
    const subjects: { tag: string; host: Host; inVm: { ns: bigint }; fn: () => number; wallNs: bigint }[] = [];
    for (const [tag, wasm] of modules) {
      const host = await Host.load(wasm, { rootId: "token-limit", pluginConfig: CONFIG, allowOnHeadersStopIteration: true });
      subjects.push({ tag, host, inVm: timeInVm(host), fn: exchangeFn(host, body, streaming), wallNs: 0n });
    }
    const ms = measureAll(subjects.map((x) => ({ fn: x.fn })), { rounds: 3 });
    const reps = Math.max(10, Math.min(2000, Math.round(200_000 / Math.max(...ms.map((m) => m.usPerOp)))));
    for (const x of subjects) x.inVm.ns = 0n;
    // Batches of ten, taking turns, so a burst of load hits every module alike.
    for (let done = 0; done < reps; done += 10) {
      for (const x of subjects) {
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < 10; i++) x.fn();
        x.wallNs += process.hrtime.bigint() - t0;
      }
    }
    subjects.forEach((x, k) => {
      const m = ms[k];
      const vmUs = m.usPerOp * (Number(x.inVm.ns) / Number(x.wallNs));
      if (x.host.failed) throw new Error(x.host.failures().join("; "));
      rows.push([(streaming ? "4 KB request, 200-chunk SSE response (injected + stripped)" : "4 KB request, JSON response") + x.tag,
        fmt(m.usPerOp), fmt(vmUs), fmt(rt.p50Us), ratio(vmUs, rt.p50Us), vmUs < rt.p50Us / 10 ? "yes" : "no", `${x.host.memoryPages()[0] * 64} KiB`]);
    });
  }
  printTable("token-limit: µs per request (two local limits, reservation, usage read, properties and metrics)",
    ["exchange", "through the harness", "in the VM", "gRPC RTT p50", "in VM / RTT", "< RTT/10", "wasm memory"], rows);
  console.log(`\ngRPC loopback round trip, 4 KB echo: p50 ${fmt(rt.p50Us)} µs, p90 ${fmt(rt.p90Us)} µs, p99 ${fmt(rt.p99Us)} µs (${rt.iterations} calls).`);
}

const suite: BenchSuite = { name: "token-limit", summary: "token-limit per-request cost (4 KB request; JSON and 200-chunk SSE responses) vs a loopback gRPC round trip", run };
export default suite;
