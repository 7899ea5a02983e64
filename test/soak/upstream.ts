/**
 * @module test/soak/upstream
 * The soak's upstream: the mock LLM's own API code (controller/dev/mock-llm, pure: no socket)
 * answers exactly what the filters let through — after the router's alias, the guard's redaction
 * and token-limit's `include_usage` injection — as a JSON body or an SSE / JSON-array stream with
 * usage, cut into network-sized chunks; sometimes a provider error, sometimes a stream cut short.
 */
import { APIS } from "../../controller/dev/mock-llm/server.ts";
import { DEFAULT_SWITCHES } from "../../controller/dev/mock-llm/switches.ts";
import { errorReply } from "../../controller/dev/mock-llm/errors.ts";
import type { Random } from "./random.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What the upstream sends back: headers, body chunks, and whether it breaks off before the end. */
export interface UpstreamAnswer {
  headers: [string, string][];
  chunks: Uint8Array[];
  /** The connection drops after the last chunk, without end of stream. */
  cut: boolean;
  /** Bytes the filters received for this request (the answer is reused only for the same request). */
  forBytes: number;
}

/** How this request's answer misbehaves, drawn once per pool entry. */
export type Misbehaviour = "none" | "error" | "cut";

/** Splits `bytes` into chunks of 1–`max` bytes, with a bias to a few large pieces, as sockets deliver. */
function chunked(r: Random, bytes: Uint8Array, max: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const n = Math.min(bytes.length - at, r.chance(0.2) ? r.range(1, 64) : r.range(64, max));
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}

/** The mock LLM's answer to `path` + `body` (what reached the upstream). */
export function answer(r: Random, path: string, body: Uint8Array, misbehaviour: Misbehaviour): UpstreamAnswer {
  const url = new URL("http://upstream.invalid" + path);
  const api = APIS.find((a) => a.match(url.pathname));
  const rawBody = decoder.decode(body);
  const requestId = "req_soak";
  const fail = (status: number, message: string): UpstreamAnswer => {
    const reply = errorReply(api?.provider ?? "openai", { status, message }, requestId);
    return { headers: [[":status", String(status)], ...Object.entries(reply.headers)], chunks: [encoder.encode(JSON.stringify(reply.body))], cut: false, forBytes: body.length };
  };
  if (!api) return fail(404, `no API at ${url.pathname}`);
  if (misbehaviour === "error") return fail(r.pick([429, 500, 503]), "The server had an error while processing your request.");
  let parsed: Record<string, unknown>;
  try { parsed = JSON.parse(rawBody); } catch { return fail(400, "We could not parse the JSON body of your request."); }
  const switches = { ...DEFAULT_SWITCHES, chunks: r.range(3, 40) };
  const reply = api.respond({ body: parsed, rawBody, url, switches, requestId, now: 1767225600 });
  if (reply.kind === "error") return fail(reply.error.status, reply.error.message);
  if (reply.kind === "json") {
    const text = encoder.encode(JSON.stringify(reply.body));
    return { headers: [[":status", "200"], ["content-type", "application/json"], ["content-length", String(text.length)]], chunks: chunked(r, text, 16384), cut: false, forBytes: body.length };
  }
  let frames = reply.frames;
  const cut = misbehaviour === "cut" && frames.length > 2;
  if (cut) frames = frames.slice(0, r.range(1, frames.length - 1));
  const stream = encoder.encode(frames.map((f) => f.data).join(""));
  return { headers: [[":status", "200"], ["content-type", reply.contentType], ["cache-control", "no-cache"]], chunks: chunked(r, stream, 1400), cut, forBytes: body.length };
}
