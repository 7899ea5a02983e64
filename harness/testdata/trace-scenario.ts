/**
 * @module harness/testdata/trace-scenario
 * A scripted run, through any version of the harness, whose traces `trace-log.test.ts` compares
 * field by field with the harness before the trace moved to a columnar store: host calls of every
 * arity the ABI has (1 to 12 arguments), i64 arguments (bigint), a callout answered through the
 * effective context, a local reply, a trapped callback (an entry without a result), two workers,
 * a TCP connection, and small `traceLimit`s dropping the oldest entries. Sequence numbers are
 * process-wide (per copy of the harness), so they are given relative to the last one before the run.
 */
import { existsSync } from "node:fs";
import type { TraceEntry } from "../vm.ts";
import { buildFixtures, GET, POST, SCRIPT_WASM } from "./helpers.ts";

/** The part of the harness API the scenario uses (the working tree's, or another commit's). */
export interface ScenarioApi { Host: typeof import("../host.ts").Host }

const TCP_WASM = "dist/test/harness-tcp-example.wasm";

const STREAM_SCRIPT = [
  "configure metric define 0 reqs",
  "request_headers get 0 :path",
  "request_headers pairs 0",
  "request_headers size 0",
  "request_headers add 0 x-a 1",
  "request_headers replace 0 x-b 2",
  "request_headers remove 0 x-a",
  "request_headers metric inc reqs 5",
  "request_headers metric rec reqs 7",
  "request_headers metric get reqs",
  "request_headers shared set k v 0",
  "request_headers shared get k",
  "request_headers shared set k w 1",
  "request_headers monotonic",
  "request_headers time",
  "request_headers setprop a.b xyz",
  "request_headers prop request.path",
  "request_headers prop a.b",
  "request_headers badptr",
  "request_headers random 8",
  "request_headers httpcall c /x 100",
  "request_headers grpccall g pkg.S M hi",
  "request_headers return 1",
  "request_body body 0",
  "request_body setbody 0 0 0 pre-",
  "http_call_response get 6 :status",
  "http_call_response body 4",
  "http_call_response resume 0",
  "response_headers pairs 2",
  "response_body#2 local 403 denied no x-r=1",
  "log prop response.code",
].join("\n");

export type Plain = { seq: number; kind: string; name: string; context: number; args: Array<number | string>; result?: number | null };

/** A trace as JSON can hold it: bigint arguments as `"<n>n"`, seqs relative to `base`. */
export function plain(trace: TraceEntry[], base: number): Plain[] {
  return trace.map((e) => {
    const out: Plain = { seq: e.seq - base, kind: e.kind, name: e.name, context: e.context, args: e.args.map((a) => (typeof a === "bigint" ? `${a}n` : a)) };
    if ("result" in e) out.result = e.result === undefined ? null : e.result;
    return out;
  });
}

type Options = Parameters<ScenarioApi["Host"]["load"]>[1];
const scripted = (api: ScenarioApi, script: string, options: Options = {}) => api.Host.load(SCRIPT_WASM, { logLevel: "info", ...options, pluginConfig: script });

/** The last sequence number handed out so far (a throw-away host's last entry). */
async function lastSeq(api: ScenarioApi): Promise<number> {
  const probe = await scripted(api, "");
  return probe.trace().at(-1)!.seq;
}

async function streamScenario(api: ScenarioApi, traceLimit?: number): Promise<Record<string, Plain[]>> {
  const base = await lastSeq(api);
  const host = await scripted(api, STREAM_SCRIPT, { clusters: { c: true, g: true }, workers: 2, ...(traceLimit === undefined ? {} : { traceLimit }) });
  const s = host.stream();
  s.sendRequestHeaders(POST, false);
  s.sendRequestBody("abc", true);
  host.pendingCallouts()[0].respond({ headers: { ":status": "200" }, body: "ok" });
  s.sendResponseHeaders({ ":status": "200", "x-u": "1" }, false);
  s.sendResponseBody("one", false);
  s.sendResponseBody("two", true);
  const other = host.stream();
  other.sendRequestHeaders(GET, true);
  const trapped = await scripted(api, "request_headers trap", { ...(traceLimit === undefined ? {} : { traceLimit }) });
  const t = trapped.stream();
  t.sendRequestHeaders(GET, true);
  return {
    host: plain(host.trace(), base), stream: plain(s.trace(), base), other: plain(other.trace(), base),
    trappedHost: plain(trapped.trace(), base), trappedStream: plain(t.trace(), base),
  };
}

async function tcpScenario(api: ScenarioApi): Promise<Record<string, Plain[]>> {
  if (!existsSync(TCP_WASM)) await import("../../scripts/build.ts").then((m) => m.build(["harness-tcp-example"]));
  const base = await lastSeq(api);
  const host = await api.Host.load(TCP_WASM, { pluginConfig: "t" });
  const c = host.connection();
  c.downstreamData("hello\n", false);
  c.upstreamData("back", true);
  c.downstreamData("", true);
  return { tcpHost: plain(host.trace(), base), tcp: plain(c.trace(), base) };
}

/** Every trace of the scenario through `api`'s harness, by name. */
export async function runTraceScenario(api: ScenarioApi): Promise<Record<string, Plain[]>> {
  await buildFixtures();
  const out: Record<string, Plain[]> = {};
  for (const [suffix, limit] of [["", undefined], [" limit 7", 7], [" limit 1", 1], [" limit 2.5", 2.5]] as const) {
    for (const [k, v] of Object.entries(await streamScenario(api, limit))) out[k + suffix] = v;
  }
  Object.assign(out, await tcpScenario(api));
  return out;
}
