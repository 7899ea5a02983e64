/**
 * @module bench/suites/router
 * The model router's cost per request, through the harness against the built module (request
 * headers, one body chunk at end of stream, response headers: every callback and host call Envoy
 * would make), on generated chat bodies of 1 KB, 16 KB, 256 KB and 2 MB with the model last —
 * beside, in the same run, V8's JSON.parse of the same body (the least an external processor in
 * Node would pay) and one loopback gRPC round trip with a 4 KB message (the floor of the
 * ext_proc hop the router removes). Two configurations: routing on the model alone (alias +
 * sticky split: the model-only read) and with prompt rules (phrases, tokens: the whole request
 * read). "in the VM" is the time spent inside the module's callbacks (host calls included);
 * "module's own work" leaves out the time the Node host spends answering host calls, which Envoy
 * does in C++; the rest of "through the harness" is the Node host driving the stream.
 */
import { fileURLToPath } from "node:url";
import { build } from "../../scripts/build.ts";
import { Host } from "../../harness/index.ts";
import { Vm } from "../../harness/vm.ts";
import { measureGrpcRoundTrip } from "../baselines/grpc-roundtrip.ts";
import { BODY_SIZES, chatBody, type BodyKind } from "../corpus/chat.ts";
import { measureAll } from "../lib/measure.ts";
import { fmt, printTable, ratio, sizeLabel, type Cell } from "../lib/table.ts";
import type { BenchSuite } from "../lib/suite.ts";
import { ROUTER_WASM, postHeaders } from "../../filters/model-router/test-support.ts";

const BASE = {
  holdHeaders: true,
  maxBodyBytes: 4 << 20, // the corpus "2 MB" body is a little over 2 MiB
  aliases: { "gpt-4o-mini": "gpt-4o-mini-2024-07-18" },
};
const SPLIT = { name: "canary", when: { model: "gpt-4o-mini-*" }, split: { stickyHeader: "x-session-id", targets: [{ model: "gpt-4o-mini-2024-07-18", weight: 95 }, { model: "gpt-4o-mini-canary", weight: 5 }] } };
const CONFIGS: Record<string, object> = {
  "model only": { ...BASE, rules: [{ name: "tenant", when: { headers: { "x-tenant": "acme" } }, setModel: "acme-pool" }, SPLIT] },
  "prompt rules": {
    ...BASE,
    rules: [
      { name: "reasoning", when: { lastUserMessageContains: ["think step by step", "prove that"] }, setModel: "o3" },
      { name: "long-context", when: { minPromptTokens: 1000000 }, setModel: "gemini-2.5-pro" },
      SPLIT,
    ],
  },
};

/**
 * Time spent in the Node host's import functions (host calls made by any module loaded after
 * this), so it can be told apart from the module's own work: Envoy answers the same host calls
 * in C++, far cheaper than this JavaScript host.
 */
const hostCalls = { ns: 0n };
const wrapHostcall = Vm.prototype.hostcall;
Vm.prototype.hostcall = function (this: Vm, ...args: Parameters<Vm["hostcall"]>) {
  const fn = wrapHostcall.apply(this, args) as (...a: Array<number | bigint>) => number;
  return (...a: Array<number | bigint>): number => {
    const t = process.hrtime.bigint();
    try { return fn(...a); } finally { hostCalls.ns += process.hrtime.bigint() - t; }
  };
} as Vm["hostcall"];

/** Wraps every worker VM's callback entry to add up the time spent inside the module. */
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

function driver(host: Host, bytes: Uint8Array) {
  const headers = postHeaders("/v1/chat/completions", { "x-session-id": "s-42" }, bytes);
  return () => {
    const s = host.stream();
    s.sendRequestHeaders(headers);
    s.sendRequestBody(bytes, true);
    const routed = s.upstream.headers?.get("x-gateway-model-name");
    if (!routed?.startsWith("gpt-4o-mini-")) throw new Error(`not routed: ${s.localResponse?.bodyText ?? "no model header"}`);
    s.sendResponseHeaders({ ":status": "200" }, true);
    return routed.length;
  };
}

/**
 * What entering the module costs the Node host per request, whatever the module does: the same
 * seven callbacks on a module whose callbacks return at once (the harness's scripted test module
 * with an empty script), timed the same way. Subtracted from the router's in-VM time.
 */
async function harnessCallCost(): Promise<number> {
  const idle = await Host.load(fileURLToPath(new URL("../../dist/test/harness-script.wasm", import.meta.url)), { pluginConfig: "" });
  const inVm = timeInVm(idle);
  const headers = postHeaders("/v1/chat/completions", {}, "{}");
  const fn = () => {
    const s = idle.stream();
    s.sendRequestHeaders(headers);
    s.sendRequestBody("{}", true);
    s.sendResponseHeaders({ ":status": "200" }, true);
    return 1;
  };
  for (let i = 0; i < 2000; i++) fn();
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    inVm.ns = 0n;
    for (let i = 0; i < 5000; i++) fn();
    best = Math.min(best, Number(inVm.ns) / 1000 / 5000);
  }
  return best;
}

async function run(): Promise<void> {
  await build(["model-router", "harness-script"]);
  const rt = await measureGrpcRoundTrip({ messageBytes: 4096, iterations: 3000 });
  const decoder = new TextDecoder();
  const rows: Cell[][] = [];
  const idleUs = await harnessCallCost();
  for (const [configName, config] of Object.entries(CONFIGS)) {
    const host = await Host.load(ROUTER_WASM, { rootId: "model-router", pluginConfig: config, allowOnHeadersStopIteration: true });
    const inVm = timeInVm(host);
    for (const kind of ["english", "tools"] as BodyKind[]) {
      for (const size of BODY_SIZES) {
        const body = chatBody(kind, size, false);
        const fn = driver(host, body.bytes);
        const [routed, parse] = measureAll([
          { fn },
          { fn: () => JSON.parse(decoder.decode(body.bytes)).model.length },
        ], { rounds: 3 });
        // The share of a request spent inside the module: a bounded loop timed both ways.
        const reps = Math.max(10, Math.min(2000, Math.round(200_000 / routed.usPerOp)));
        inVm.ns = 0n;
        hostCalls.ns = 0n;
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < reps; i++) fn();
        const wall = Number(process.hrtime.bigint() - t0);
        const vmUs = routed.usPerOp * (Number(inVm.ns) / wall);
        const moduleUs = Math.max(0, routed.usPerOp * (Number(inVm.ns - hostCalls.ns) / wall) - idleUs);
        rows.push([configName, sizeLabel(body.bytes.length), kind, fmt(routed.usPerOp), fmt(vmUs), fmt(moduleUs), fmt(parse.usPerOp), fmt(rt.p50Us),
          ratio(moduleUs, rt.p50Us), moduleUs < rt.p50Us / 10 ? "yes" : "no"]);
      }
    }
    if (host.failed) throw new Error(host.failures().join("; "));
    rows.push([configName, "wasm memory", "", `${host.memoryPages()[0] * 64} KiB`, "", "", "", "", "", ""]);
  }
  printTable("model-router: µs per request (model last; alias rewrite, content-length removed, header set, route cache cleared)",
    ["config", "body", "content", "through the harness", "in the VM", "module's own work", "JSON.parse (decode + parse)", "gRPC RTT p50", "own work / RTT", "< RTT/10"],
    rows);
  console.log(`\nNode host cost of entering a module that does nothing (7 callbacks): ${fmt(idleUs)} µs per request, subtracted.`);
  console.log(`gRPC loopback round trip, 4 KB echo: p50 ${fmt(rt.p50Us)} µs, p90 ${fmt(rt.p90Us)} µs, p99 ${fmt(rt.p99Us)} µs (${rt.iterations} calls).`);
  console.log("in the VM = time inside the module's callbacks, host calls into the Node host included; module's own work = in the VM");
  console.log("minus the time spent answering host calls (which Envoy does in C++) and minus the Node host's cost of entering");
  console.log("the module (below). Target: own work < RTT/10 up to 16 KB.");
}

const suite: BenchSuite = { name: "router", summary: "model-router per-request cost vs JSON.parse and a loopback gRPC round trip", run };
export default suite;
