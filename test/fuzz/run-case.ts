/**
 * @module test/fuzz/run-case
 * Delivers one fuzz case through two runners of the same target and configuration — both bodies
 * in the case's chunking on one, in one chunk on the other — and checks the invariants: no trap,
 * no ABI misuse, the same outcome whatever the chunking (local response status and details,
 * upstream body bytes, client body bytes, client reset), and a body the filters rewrote still
 * valid JSON (the request, and a non-streamed JSON response).
 */

import type { HttpStream, StreamOptions } from "../../harness/index.ts";
import type { FuzzCase, Message } from "./case.ts";
import type { Runner } from "./targets.ts";

/** What went wrong, coarsely: shrinking keeps a case only while it fails the same way. */
export type ProblemKind = "trap" | "misuse" | "differs" | "invalid-json";
export interface Problem { kind: ProblemKind; message: string }

interface Outcome { status: number | null; details: string | null; upstream: Uint8Array; client: Uint8Array; reset: boolean; stream: HttpStream }

/**
 * Envoy's buffer limit is raised past any body the fuzzer makes, so buffering filters never get
 * a 413 for one chunking and not another (a legitimate difference the invariant must not see).
 */
const STREAM_OPTIONS: StreamOptions = { bufferLimitBytes: 256 * 1024 * 1024 };

export function chunk(body: Uint8Array, splits: number[]): Uint8Array[] {
  if (body.length === 0) return [];
  const out: Uint8Array[] = [];
  let at = 0;
  for (const s of splits) { if (s > at && s < body.length) { out.push(body.subarray(at, s)); at = s; } }
  out.push(body.subarray(at));
  return out;
}

const strict = new TextDecoder("utf-8", { fatal: true });
const lenient = new TextDecoder("utf-8");
/** 2: valid JSON text (strict UTF-8); 1: valid JSON once bad UTF-8 sequences are replaced; 0: not JSON. */
export function jsonLevel(bytes: Uint8Array): number {
  try { JSON.parse(strict.decode(bytes)); return 2; } catch { /* below */ }
  try { JSON.parse(lenient.decode(bytes)); return 1; } catch { return 0; }
}
export const isJson = (bytes: Uint8Array) => jsonLevel(bytes) === 2;

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(a, b) === 0;

function misuseCount(runner: Runner): number {
  let n = 0;
  for (const h of runner.hosts) for (const vm of h.vms) n += vm.misuse.length;
  return n;
}

async function deliver(runner: Runner, c: FuzzCase, chunked: boolean, label: string, problems: Problem[]): Promise<Outcome> {
  const misuseBefore = misuseCount(runner);
  if (c.advanceMs > 0) runner.advance(c.advanceMs);
  const parts = (m: Message) => chunk(m.body, chunked ? m.splits : []);
  const s = await runner.run({
    request: { headers: { ":method": "POST", ":path": c.path, ":authority": "api.example", ...c.request.headers }, bodyChunks: parts(c.request) },
    response: { headers: { ":status": String(c.status), ...c.response.headers }, bodyChunks: parts(c.response) },
  }, STREAM_OPTIONS);
  for (const h of runner.hosts) if (h.failed) problems.push({ kind: "trap", message: `${label}: trap: ${h.failures().join("; ")}` });
  if (misuseCount(runner) > misuseBefore) {
    const misuse = runner.hosts.flatMap((h) => h.misuse()).slice(misuseBefore);
    problems.push({ kind: "misuse", message: `${label}: ABI misuse: ${misuse.map((m) => `${m.call} (${m.reason})`).join("; ")}` });
  }
  return { status: s.localResponse?.status ?? null, details: s.localResponse?.details ?? null, upstream: s.upstream.body, client: s.client.body, reset: s.client.reset, stream: s };
}

export interface CaseResult {
  problems: Problem[];
  /** What the client saw on the one-chunk delivery: the local status, or the upstream's status. */
  verdict: string;
  /** The filters changed the request body before the upstream saw it. */
  rewrote: boolean;
  /** The filters changed the response body before the client saw it. */
  rewroteResponse: boolean;
  /**
   * A filter answered locally while the response was under way: filters earlier on the response
   * path saw as much of it as the chunking let through before that (Envoy does the same), so their
   * state (tokens charged) may legitimately differ between the two deliveries from here on.
   */
  cutResponse: boolean;
}

/** Runs the case on `chunked` (split delivery) and `whole` (one chunk); problems is empty if clean. */
export async function checkCase(chunked: Runner, whole: Runner, c: FuzzCase): Promise<CaseResult> {
  const problems: Problem[] = [];
  const x = await deliver(chunked, c, true, "chunked", problems);
  const y = await deliver(whole, c, false, "one chunk", problems);
  if (problems.length === 0) {
    const size = (a: Uint8Array, b: Uint8Array) => `${a.length} vs ${b.length} bytes`;
    if (x.status !== y.status || x.details !== y.details) problems.push({ kind: "differs", message: `local response differs across chunkings: ${x.status} ${x.details} vs ${y.status} ${y.details}` });
    else if (!same(x.upstream, y.upstream)) problems.push({ kind: "differs", message: `upstream body differs across chunkings (${size(x.upstream, y.upstream)})` });
    else if (!same(x.client, y.client)) problems.push({ kind: "differs", message: `client body differs across chunkings (${size(x.client, y.client)})` });
    else if (x.reset !== y.reset) problems.push({ kind: "differs", message: `client reset differs across chunkings: ${x.reset} vs ${y.reset}` });
  }
  const reachedUpstream = y.status === null && y.stream.upstream.endOfStream;
  const rewrote = reachedUpstream && !same(y.upstream, c.request.body);
  // A rewrite keeps JSON at least as valid as it came in: bad UTF-8 the filter passed through
  // untouched elsewhere in the body is the client's, not the rewrite's.
  if (rewrote && jsonLevel(y.upstream) < jsonLevel(c.request.body)) problems.push({ kind: "invalid-json", message: "the request body was rewritten into invalid JSON" });
  // A response is "non-streamed JSON" when the upstream labelled it so and sent a JSON document.
  const jsonResponse = reachedUpstream && /^application\/json/i.test(c.response.headers["content-type"] ?? "");
  const rewroteResponse = reachedUpstream && y.status === null && y.stream.client.endOfStream && !y.reset && !same(y.client, c.response.body);
  if (rewroteResponse && jsonResponse && jsonLevel(y.client) < jsonLevel(c.response.body)) problems.push({ kind: "invalid-json", message: "the JSON response body was rewritten into invalid JSON" });
  const verdict = y.status !== null ? `local ${y.status}` : reachedUpstream ? `upstream ${c.status}` : "stopped";
  const cutResponse = [x, y].some((o) => o.status !== null && o.stream.upstream.endOfStream);
  return { problems, verdict, rewrote, rewroteResponse, cutResponse };
}
