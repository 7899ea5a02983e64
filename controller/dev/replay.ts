/**
 * @module controller/dev/replay
 * `tollgate replay`'s engine: runs exchanges one after another through a filter chain in the
 * harness (shared data, stats and the manual clock carried across; `at` moves the clock) and
 * reports, per exchange, what the upstream and the client received, the local reply, the
 * properties the filters set and their logs; then the final metrics. Bodies print as UTF-8
 * text when they are valid UTF-8, else as `{"base64": …}`.
 */
import type { Chain, HeaderMap, HttpStream } from "../../harness/index.ts";
import type { Exchange } from "./exchanges.ts";

export type PrintedBody = string | { base64: string };
export type PrintedHeaders = [string, string][];

export interface ReplayResult {
  name: string;
  upstreamRequest: { headers: PrintedHeaders; body: PrintedBody; trailers?: PrintedHeaders; reset?: true } | null;
  localResponse: { status: number; headers: PrintedHeaders; body: PrintedBody; details: string; plugin: string } | null;
  clientResponse: { status: number | null; headers: PrintedHeaders; body: PrintedBody; trailers?: PrintedHeaders; reset?: true } | null;
  properties: Record<string, string>;
  logs: { plugin: string; level: string; message: string }[];
}

export interface ReplayReport {
  exchanges: ReplayResult[];
  metrics: Record<string, { type: string; value: number }>;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Text when the bytes are valid UTF-8, otherwise `{base64}` (so binary or cut characters stay exact). */
export function printBody(bytes: Uint8Array): PrintedBody {
  try { return strictUtf8.decode(bytes); } catch { return { base64: Buffer.from(bytes).toString("base64") }; }
}

const pairs = (h: HeaderMap): PrintedHeaders => h.pairs().map(([k, v]) => [k, v]);

function sendMessage(stream: HttpStream, dir: "request" | "response", m: { headers: [string, string][]; bodyChunks: Uint8Array[]; trailers: [string, string][] | null }): void {
  const stopped = () => stream.finished || stream.localResponse !== null;
  const ends = m.bodyChunks.length === 0 && !m.trailers;
  if (dir === "request") stream.sendRequestHeaders(m.headers, ends); else stream.sendResponseHeaders(m.headers, ends);
  m.bodyChunks.forEach((chunk, i) => {
    if (stopped()) return;
    const eos = i === m.bodyChunks.length - 1 && !m.trailers;
    if (dir === "request") stream.sendRequestBody(chunk, eos); else stream.sendResponseBody(chunk, eos);
  });
  if (m.trailers && !stopped()) {
    if (dir === "request") stream.sendRequestTrailers(m.trailers); else stream.sendResponseTrailers(m.trailers);
  }
}

/** The stream's log lines with their plugin and level, in order (what `s.logs()` gives as plain messages). */
function streamLogs(chain: Chain, s: HttpStream): ReplayResult["logs"] {
  const ids = s.contextIds;
  return chain.plugins.flatMap((p, i) => p.host.logEntries.filter((e) => e.worker === s.worker && e.context === ids[i] && e.context !== 0 && e.plugin === p.spec.name))
    .sort((a, b) => a.seq - b.seq).map((e) => ({ plugin: e.plugin, level: e.level, message: e.message }));
}

function result(chain: Chain, name: string, s: HttpStream): ReplayResult {
  const up = s.upstream, client = s.client;
  const properties: Record<string, string> = {};
  for (const [k, v] of s.filterState) properties[k] = Buffer.from(v).toString("utf8");
  const logs = streamLogs(chain, s);
  return {
    name,
    upstreamRequest: up.headers ? { headers: pairs(up.headers), body: printBody(up.body), ...(up.trailers ? { trailers: pairs(up.trailers) } : {}), ...(up.reset ? { reset: true as const } : {}) } : null,
    localResponse: s.localResponse && {
      status: s.localResponse.status, headers: pairs(s.localResponse.headers), body: printBody(s.localResponse.body),
      details: s.localResponse.details, plugin: s.localResponse.plugin,
    },
    clientResponse: client.headers || client.reset ? {
      status: client.headers ? Number(client.headers.get(":status")) : null,
      headers: client.headers ? pairs(client.headers) : [], body: printBody(client.body),
      ...(client.trailers ? { trailers: pairs(client.trailers) } : {}), ...(client.reset ? { reset: true as const } : {}),
    } : null,
    properties,
    logs,
  };
}

/** Runs one exchange to its end: request, callouts, then the upstream's answer if the whole request got there. */
export async function replayOne(chain: Chain, ex: Exchange): Promise<HttpStream> {
  const s = chain.stream();
  sendMessage(s, "request", ex.request);
  await chain.settle();
  if (!s.finished && !s.localResponse && s.upstream.endOfStream) {
    // No response in the file: the upstream answers 200 with no body.
    sendMessage(s, "response", ex.response ?? { headers: [[":status", "200"]], bodyChunks: [], trailers: null });
    await chain.settle();
  }
  if (!s.finished) s.reset(); // a filter still holds the stream: the exchange ends as a client reset would end it
  return s;
}

/** Replays `exchanges` in order on one chain (one Environment); `at` moves the manual clock forward. */
export async function replay(chain: Chain, exchanges: Exchange[]): Promise<ReplayReport> {
  const out: ReplayResult[] = [];
  let elapsedMs = 0;
  for (const ex of exchanges) {
    if (ex.at !== null && ex.at * 1000 > elapsedMs) {
      chain.advance(ex.at * 1000 - elapsedMs);
      elapsedMs = ex.at * 1000;
    }
    out.push(result(chain, ex.name, await replayOne(chain, ex)));
  }
  return { exchanges: out, metrics: metricsOf(chain) };
}

/** The chain's stats (Envoy's stat store, shared by every filter and worker), sorted by name. */
export function metricsOf(chain: Chain): Record<string, { type: string; value: number }> {
  const metrics: Record<string, { type: string; value: number }> = {};
  for (const name of [...chain.environment.stats.keys()].sort()) {
    const s = chain.environment.stats.get(name)!;
    metrics[name] = { type: s.type, value: Number(s.value) };
  }
  return metrics;
}
