/**
 * @module test/fuzz/run-case
 * Delivers one fuzz case through two hosts of the same filter — the body in the case's chunking
 * and in one chunk — and checks the invariants: no trap, no ABI misuse, the same outcome (local
 * response status, upstream body bytes, client body bytes) whatever the chunking, and a body the
 * filter rewrote still valid JSON.
 */

import type { Host } from "../../harness/index.ts";
import type { HeadersInit } from "../../harness/index.ts";

export interface FuzzCase {
  path: string;
  headers: Record<string, string>;
  body: Uint8Array;
  /** Split offsets of the chunked delivery (empty: one chunk in both). */
  splits: number[];
  /** The filter runs as the controller renders it (sample's holdHeaders + allow_on_headers_stop_iteration). */
  holdHeaders: boolean;
}

interface Outcome { status: number | null; details: string | null; upstream: string; client: string }

const RESPONSE = JSON.stringify({ id: "r", object: "chat.completion", model: "gpt-4o",
  choices: [{ index: 0, message: { role: "assistant", content: "Hello there" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } });

/** Envoy's buffer limit is raised so it never answers 413 differently for different chunkings. */
const STREAM_OPTIONS = { bufferLimitBytes: 64 * 1024 * 1024 };

export function chunk(body: Uint8Array, splits: number[]): Uint8Array[] {
  if (body.length === 0) return [];
  const out: Uint8Array[] = [];
  let at = 0;
  for (const s of [...splits, body.length]) { out.push(body.subarray(at, s)); at = s; }
  return out;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function isJson(bytes: Uint8Array): boolean {
  try { JSON.parse(new TextDecoder().decode(bytes)); return true; } catch { return false; }
}

async function deliver(host: Host, c: FuzzCase, chunks: Uint8Array[]): Promise<{ outcome: Outcome; problems: string[] }> {
  const misuseBefore = host.misuse().length;
  const headers: HeadersInit = { ":method": "POST", ":path": c.path, ":authority": "api.example", ...c.headers };
  const s = await host.run({
    request: { headers, bodyChunks: chunks },
    response: { headers: { ":status": "200", "content-type": "application/json" }, body: RESPONSE },
  }, STREAM_OPTIONS);
  const problems: string[] = [];
  if (host.failed) problems.push(`trap: ${host.failures().join("; ")}`);
  const misuse = host.misuse().slice(misuseBefore);
  if (misuse.length > 0) problems.push(`ABI misuse: ${misuse.map((m) => `${m.call} (${m.reason})`).join("; ")}`);
  const outcome = {
    status: s.localResponse?.status ?? null,
    details: s.localResponse?.details ?? null,
    upstream: hex(s.upstream.body),
    client: hex(s.client.body),
  };
  return { outcome, problems };
}

export interface CaseResult {
  problems: string[];
  /** What the client saw on the one-chunk delivery: the local status, or "upstream" (passed through). */
  verdict: string;
  /** The filter changed the request body before the upstream saw it. */
  rewritten: boolean;
}

/** Runs the case on `chunked` (split delivery) and `whole` (one chunk); problems is empty if clean. */
export async function checkCase(chunked: Host, whole: Host, c: FuzzCase): Promise<CaseResult> {
  const a = await deliver(chunked, c, chunk(c.body, c.splits));
  const b = await deliver(whole, c, chunk(c.body, []));
  const problems = [...a.problems.map((p) => `chunked: ${p}`), ...b.problems.map((p) => `one chunk: ${p}`)];
  if (problems.length === 0) {
    const x = a.outcome, y = b.outcome;
    if (x.status !== y.status || x.details !== y.details) problems.push(`local response differs across chunkings: ${x.status} ${x.details} vs ${y.status} ${y.details}`);
    else if (x.upstream !== y.upstream) problems.push(`upstream body differs across chunkings (${x.upstream.length / 2} vs ${y.upstream.length / 2} bytes)`);
    else if (x.client !== y.client) problems.push(`client body differs across chunkings (${x.client.length / 2} vs ${y.client.length / 2} bytes)`);
  }
  const rewritten = b.outcome.status === null && b.outcome.upstream !== hex(c.body);
  if (rewritten && !isJson(Buffer.from(b.outcome.upstream, "hex"))) problems.push("the filter rewrote the body into invalid JSON");
  const verdict = b.outcome.status !== null ? String(b.outcome.status) : "upstream";
  return { problems, verdict, rewritten };
}
