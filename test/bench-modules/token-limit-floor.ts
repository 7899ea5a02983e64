/**
 * @module test/bench-modules/token-limit-floor
 * The token-limit bench's two exchanges (4 KB request + JSON response; 4 KB streaming request +
 * 200-chunk SSE response), and token-limit's host-call floor on them: derived from token-limit's
 * trace of one exchange (`floor-script.ts`), loaded as `floor.ts`, and checked against that trace
 * callback by callback. Used by bench/suites/token-limit.ts and by `floor.test.ts`.
 */
import { fileURLToPath } from "node:url";
import { Host, type HostOptions, type HttpStream } from "../../harness/index.ts";
import { chatBody } from "../../bench/corpus/chat.ts";
import { BENCH_CONFIG, TOKEN_LIMIT_WASM, chatResponse, requestHeaders } from "../../filters/token-limit/test-support.ts";
import { floorScript, hostCallProfile, traceExchange, type FloorScript } from "./floor-script.ts";

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
