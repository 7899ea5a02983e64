/**
 * @module harness/exchange
 * The one-call convenience: runs a whole HTTP exchange described as data through a
 * stream (request, then — if the request reached the upstream whole and nobody answered
 * locally — the upstream response), waiting for asynchronous callouts in between.
 */
import type { HttpStream } from "./driver.ts";
import type { Environment } from "./environment.ts";
import type { HeadersInit } from "./header-map.ts";

export interface MessageSpec {
  headers: HeadersInit;
  body?: string | Uint8Array;
  /** The body split as the peer sends it, each chunk one body callback. */
  bodyChunks?: Array<string | Uint8Array>;
  trailers?: HeadersInit;
}
export interface Exchange {
  request: MessageSpec;
  /** The upstream's answer (default `:status 200`, no body). */
  response?: MessageSpec;
}

/** Nothing more is sent once the stream ended or a filter answered locally (whichever direction is sending). */
function stopped(stream: HttpStream): boolean { return stream.finished || stream.localResponse !== null; }

function send(stream: HttpStream, m: MessageSpec, dir: "request" | "response"): void {
  const chunks = m.bodyChunks ?? (m.body !== undefined ? [m.body] : []);
  if (dir === "request") stream.sendRequestHeaders(m.headers, chunks.length === 0 && !m.trailers);
  else stream.sendResponseHeaders(m.headers, chunks.length === 0 && !m.trailers);
  chunks.forEach((c, i) => {
    if (stopped(stream)) return;
    const eos = i === chunks.length - 1 && !m.trailers;
    if (dir === "request") stream.sendRequestBody(c, eos); else stream.sendResponseBody(c, eos);
  });
  if (m.trailers && !stopped(stream)) {
    if (dir === "request") stream.sendRequestTrailers(m.trailers); else stream.sendResponseTrailers(m.trailers);
  }
}

export async function runExchange(stream: HttpStream, env: Environment, ex: Exchange): Promise<HttpStream> {
  send(stream, ex.request, "request");
  await env.settle();
  if (stream.finished || stream.localResponse || !stream.upstream.endOfStream) return stream;
  send(stream, ex.response ?? { headers: { ":status": "200" } }, "response");
  await env.settle();
  return stream;
}
