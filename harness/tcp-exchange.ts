/**
 * @module harness/tcp-exchange
 * The one-call convenience for TCP: a whole connection described as data — what the client sends,
 * what the upstream answers once it is connected, and how the connection ends — waiting for
 * asynchronous callouts in between.
 */
import type { Environment } from "./environment.ts";
import type { TcpConnection } from "./tcp.ts";

/** A whole connection described as data, for `Host.runTcp`. */
export interface TcpExchange {
  /** Chunks the client sends, in order (each one `proxy_on_downstream_data`). */
  downstream?: Array<string | Uint8Array>;
  /** The client half-closes with its last chunk (end_stream). */
  downstreamEnd?: boolean;
  /** Chunks the upstream answers with, sent once the upstream is connected. */
  upstream?: Array<string | Uint8Array>;
  /** The upstream half-closes with its last chunk (end_stream: the synthesised upstream close). */
  upstreamEnd?: boolean;
  /** How the connection ends: the client closes (default), the upstream goes away, or left open. */
  close?: "downstream" | "upstream" | "none";
}

export async function runTcpExchange(conn: TcpConnection, env: Environment, ex: TcpExchange): Promise<TcpConnection> {
  const send = (chunks: Array<string | Uint8Array>, end: boolean, fn: (c: string | Uint8Array, eos: boolean) => unknown) => {
    if (chunks.length === 0 && end) chunks = [""];
    chunks.forEach((c, i) => { if (!conn.closed) fn(c, end && i === chunks.length - 1); });
  };
  send(ex.downstream ?? [], ex.downstreamEnd ?? false, (c, eos) => conn.downstreamData(c, eos));
  await env.settle();
  if (!conn.closed && conn.upstreamConnected) send(ex.upstream ?? [], ex.upstreamEnd ?? false, (c, eos) => conn.upstreamData(c, eos));
  await env.settle();
  if (ex.close === "upstream") conn.closeUpstream();
  else if (ex.close !== "none") conn.closeDownstream("remote");
  return conn;
}
