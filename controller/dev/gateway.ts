/**
 * @module controller/dev/gateway
 * `tollgate dev` as a library: a streaming HTTP reverse proxy on node:http whose every request
 * runs through a harness filter chain the way Envoy runs it. Request body chunks are fed to the
 * filters as they arrive and only what the filters release goes upstream (nothing before they
 * release the headers); the upstream's response is fed back chunk by chunk and each piece the
 * filters release is written to the client at once, so SSE stays streaming. A client leaving
 * resets the stream (and the upstream request); an upstream that cannot be reached is answered
 * as Envoy's router answers it (503 through the filters); one that breaks mid-response resets
 * the client. `/_tollgate/metrics` serves the filters' stats in Prometheus text.
 *
 * @example
 * const gw = await startDevGateway({ chain, upstream: mock.url });
 * await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", body });
 * await gw.close();
 */
import { createServer, request as httpRequest, Agent, type IncomingMessage, type ServerResponse, type ClientRequest } from "node:http";
import { request as httpsRequest, Agent as HttpsAgent } from "node:https";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import type { Chain, HeaderMap, HttpStream, Piece } from "../../harness/index.ts";
import { exposition, type GatewayCounters } from "./prometheus.ts";

export const METRICS_PATH = "/_tollgate/metrics";
/** Connection-level headers a proxy never forwards (RFC 9110 §7.6.1), plus content-length, which filters may invalidate. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "content-length"]);
/** What Envoy's router answers when the upstream cannot be reached before its response started. */
const UPSTREAM_UNREACHABLE = "upstream connect error or disconnect/reset before headers. reset reason: connection failure";

export interface DevGatewayOptions {
  chain: Chain;
  /** Base URL of the upstream, e.g. `http://127.0.0.1:8081` (a path prefix is kept). */
  upstream: string;
  host?: string;
  /** 0 picks a free port (default 8080). */
  port?: number;
  /** Envoy's per-request buffer limit for data a filter holds (default 1 MiB). */
  bufferLimitBytes?: number;
  /** One line per finished request (default: none). */
  onRequest?: (entry: RequestLogEntry) => void;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  /** Status the client received, or null when it received none (reset, or it left first). */
  status: number | null;
  model: string | null;
  /** Total tokens the token-limit filter accounted, when it ran. */
  tokens: number | null;
  filterMs: number;
  totalMs: number;
  /** The filter that answered locally, if one did. */
  localReplyBy: string | null;
  reset: boolean;
}

export interface DevGateway {
  url: string;
  host: string;
  port: number;
  counters: GatewayCounters;
  /** Requests currently in flight. */
  readonly active: number;
  close(): Promise<void>;
}

/** `[name, value]` pairs → a node header object (repeated names as arrays), hop-by-hop and pseudo-headers dropped. */
function nodeHeaders(map: HeaderMap): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of map.pairs()) {
    if (k.startsWith(":") || HOP_BY_HOP.has(k)) continue;
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function incomingPairs(raw: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i].toLowerCase(), raw[i + 1]]);
  return pairs;
}

/** True when the request has no body (HTTP/1.1: neither content-length > 0 nor transfer-encoding). */
function bodiless(req: IncomingMessage): boolean {
  return req.headers["transfer-encoding"] === undefined && (req.headers["content-length"] === undefined || req.headers["content-length"] === "0");
}

function bump(counters: GatewayCounters, status: number | null): void {
  counters.requests.set(status ?? 0, (counters.requests.get(status ?? 0) ?? 0) + 1);
}

/** Starts the gateway; resolves once it listens. */
export async function startDevGateway(options: DevGatewayOptions): Promise<DevGateway> {
  const upstream = new URL(options.upstream);
  if (upstream.protocol !== "http:" && upstream.protocol !== "https:") throw new Error(`upstream must be an http(s) URL, not ${options.upstream}`);
  const secure = upstream.protocol === "https:";
  const agent = secure ? new HttpsAgent({ keepAlive: true }) : new Agent({ keepAlive: true });
  const basePath = upstream.pathname.replace(/\/+$/, "");
  const counters: GatewayCounters = { requests: new Map(), filterMs: 0 };
  const { chain } = options;
  let active = 0;

  function proxy(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    let filterMs = 0;
    let upstreamReq: ClientRequest | null = null;
    let upstreamRes: IncomingMessage | null = null;
    let done = false;
    active++;

    /** Runs filter work, counting its time; a harness error answers 500 (or resets when the answer started). */
    const inFilters = (fn: () => void): void => {
      const t = performance.now();
      try { fn(); } catch (err) {
        if (!stream.finished) {
          console.error(`tollgate dev: ${req.method} ${req.url}: ${(err as Error).message.split("\n")[0]}`);
          try { stream.reset(); } catch { /* already torn down */ }
        }
      } finally { filterMs += performance.now() - t; }
    };

    const toUpstream = (piece: Piece): void => {
      switch (piece.kind) {
        case "headers": {
          const h = piece.headers;
          const send = secure ? httpsRequest : httpRequest;
          upstreamReq = send({
            protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port || (secure ? 443 : 80), agent,
            method: h.get(":method") ?? "GET", path: basePath + (h.get(":path") ?? "/"),
            headers: { ...nodeHeaders(h), host: upstream.host },
          });
          upstreamReq.setNoDelay?.(true);
          upstreamReq.on("response", (r) => fromUpstream(r));
          upstreamReq.on("error", () => upstreamFailed());
          if (piece.endOfStream) upstreamReq.end(); else upstreamReq.flushHeaders();
          break;
        }
        case "data":
          if (piece.endOfStream) upstreamReq?.end(piece.bytes);
          else if (piece.bytes.length && upstreamReq && !upstreamReq.write(piece.bytes)) {
            // Envoy's watermarks: stop reading the client while the upstream is not draining.
            req.pause();
            upstreamReq.once("drain", () => req.resume());
          }
          break;
        case "trailers":
          upstreamReq?.end();
          break;
        case "reset":
          upstreamReq?.destroy();
          upstreamRes?.destroy();
          break;
      }
    };

    const toClient = (piece: Piece): void => {
      if (res.destroyed) return;
      switch (piece.kind) {
        case "headers":
          res.writeHead(Number(piece.headers.get(":status") ?? 502), nodeHeaders(piece.headers));
          if (piece.endOfStream) res.end(); else res.flushHeaders();
          break;
        case "data":
          if (piece.endOfStream) res.end(piece.bytes);
          else if (piece.bytes.length && !res.write(piece.bytes) && upstreamRes) {
            // A slow client: stop reading the upstream until the client has taken what was written.
            const from = upstreamRes;
            from.pause();
            res.once("drain", () => from.resume());
          }
          break;
        case "trailers":
          res.end();
          break;
        case "reset":
          res.destroy();
          dropUpstream();
          break;
      }
    };

    /** The stream is over for the client: an upstream exchange still running is reset, as Envoy resets the upstream stream. */
    const dropUpstream = (): void => {
      if (upstreamRes?.complete) return;
      upstreamReq?.destroy();
      upstreamRes?.destroy();
    };

    const stream: HttpStream = chain.stream({ onUpstream: toUpstream, onClient: toClient, bufferLimitBytes: options.bufferLimitBytes });
    const upstreamMayAnswer = () => !stream.finished && stream.localResponse === null;

    function fromUpstream(r: IncomingMessage): void {
      upstreamRes = r;
      if (!upstreamMayAnswer()) { r.destroy(); return; }
      inFilters(() => stream.sendResponseHeaders([[":status", String(r.statusCode ?? 502)], ...incomingPairs(r.rawHeaders)], false));
      r.on("data", (chunk: Buffer) => { if (upstreamMayAnswer()) inFilters(() => stream.sendResponseBody(chunk, false)); });
      r.on("end", () => { if (upstreamMayAnswer()) inFilters(() => stream.sendResponseBody(new Uint8Array(0), true)); });
      // The upstream broke the response off: Envoy resets the downstream stream.
      r.on("aborted", () => { if (!stream.finished) inFilters(() => stream.reset()); });
      r.on("error", () => { if (!stream.finished) inFilters(() => stream.reset()); });
    }

    function upstreamFailed(): void {
      if (stream.finished || stream.localResponse) return;
      if (upstreamRes) { inFilters(() => stream.reset()); return; }
      // As Envoy's router: a local reply that still passes through the filters' response path.
      inFilters(() => {
        stream.sendResponseHeaders([[":status", "503"], ["content-type", "text/plain"]], false);
        if (upstreamMayAnswer()) stream.sendResponseBody(UPSTREAM_UNREACHABLE, true);
      });
    }

    const finish = () => {
      if (done) return;
      done = true;
      active--;
      if (!stream.finished) inFilters(() => stream.reset());
      if (!res.writableFinished) dropUpstream();
      const status = res.headersSent && !stream.client.reset ? res.statusCode : null;
      const tokens = stream.property("tollgate.total_tokens");
      counters.filterMs += filterMs;
      bump(counters, status);
      options.onRequest?.({
        method: req.method ?? "GET", path: req.url ?? "/", status,
        model: stream.property("tollgate.model") ?? stream.upstream.headers?.get("x-gateway-model-name") ?? null,
        tokens: tokens === undefined ? null : Number(tokens), filterMs, totalMs: performance.now() - started,
        localReplyBy: stream.localResponse?.plugin ?? null, reset: stream.client.reset || !res.writableFinished,
      });
    };
    res.on("close", finish);

    const noBody = bodiless(req);
    const authority = req.headers.host ?? "localhost";
    inFilters(() => stream.sendRequestHeaders([[":method", req.method ?? "GET"], [":path", req.url ?? "/"], [":authority", authority], [":scheme", "http"],
      ...incomingPairs(req.rawHeaders).filter(([k]) => k !== "host")], noBody));
    if (!noBody) {
      req.on("data", (chunk: Buffer) => { if (!stream.finished && !stream.localResponse) inFilters(() => stream.sendRequestBody(chunk, false)); });
      req.on("end", () => { if (!stream.finished && !stream.localResponse) inFilters(() => stream.sendRequestBody(new Uint8Array(0), true)); });
    }
    // The client went away before its answer ended: Envoy resets the stream (filters see the end, the upstream a reset).
    req.on("error", () => { if (!stream.finished) inFilters(() => stream.reset()); });
  }

  const server = createServer({ noDelay: true }, (req, res) => {
    if (req.method === "GET" && req.url === METRICS_PATH) {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
      res.end(exposition(chain.environment.stats, counters));
      return;
    }
    proxy(req, res);
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8080, host, () => { server.off("error", reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`, host, port, counters,
    get active() { return active; },
    async close() {
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
      agent.destroy();
    },
  };
}

/** One log line: `POST /v1/chat/completions 200 model=gpt-4o-mini tokens=42 filters=0.41ms total=12.3ms`. */
export function formatRequestLog(e: RequestLogEntry): string {
  const status = e.status === null ? "-" : String(e.status);
  const extra = [e.localReplyBy ? `local-reply=${e.localReplyBy}` : "", e.reset ? "reset" : ""].filter(Boolean).join(" ");
  return `${e.method} ${e.path} ${status} model=${e.model ?? "-"} tokens=${e.tokens ?? "-"} filters=${e.filterMs.toFixed(2)}ms total=${e.totalMs.toFixed(1)}ms${extra ? " " + extra : ""}`;
}
