/**
 * @module test/fuzz/responses
 * Generates upstream responses of every API shape in the wire-format reference, answering the
 * request's API and framing most of the time (and another API's now and then): non-streamed
 * JSON bodies, SSE streams (OpenAI chunks with or without the usage chunk and `[DONE]`, Responses
 * and Anthropic named events, Gemini CRLF events), Gemini's JSON-array stream, in-stream errors,
 * error bodies with 4xx/5xx statuses, and wrong content types; plus the lib's response fixtures.
 */

import { responseFixtures } from "../../filters/lib/llm/test/fixtures/responses.ts";
import { text, type Api, type Framing, type RequestShape } from "./grammar.ts";
import type { Prng } from "./prng.ts";

export interface ResponseShape { status: number; contentType: string | null; body: string; framing: Framing }

const APIS: Api[] = ["chat", "completions", "embeddings", "responses", "anthropic", "gemini"];

/** A token count: usually small, sometimes at the limits a parser must refuse or tolerate. */
function count(r: Prng): number | string {
  return r.chance(0.9) ? r.range(0, 5000) : r.pick([0, -1, 2 ** 31, 2 ** 53 + 1, 1e21, 1.5, "12"] as Array<number | string>);
}

/** Text cut into 1–6 pieces (stream deltas). */
function pieces(r: Prng): string[] {
  const t = text(r);
  const n = r.range(1, 6);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(t.slice(Math.floor((i * t.length) / n), Math.floor(((i + 1) * t.length) / n)));
  return out;
}

function sse(events: Array<{ event?: string; data: unknown }>, eol: string): string {
  return events.map((e) => (e.event ? `event: ${e.event}${eol}` : "") + `data: ${typeof e.data === "string" ? e.data : JSON.stringify(e.data)}${eol}${eol}`).join("");
}

function openaiUsage(r: Prng): unknown {
  return r.pick([null, { prompt_tokens: count(r), completion_tokens: count(r), total_tokens: count(r) },
    { prompt_tokens: count(r), completion_tokens: count(r), total_tokens: count(r), prompt_tokens_details: { cached_tokens: count(r) } },
    { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }]);
}

function chat(r: Prng, framing: Framing, legacy: boolean, usageWanted: boolean): string {
  const object = legacy ? "text_completion" : framing === "sse" ? "chat.completion.chunk" : "chat.completion";
  const model = r.pick(["gpt-4o-mini-2024-07-18", "gpt-4o", "", "claude-sonnet-4"]);
  if (framing !== "sse") {
    const choice = legacy ? { index: 0, text: text(r), finish_reason: "stop" }
      : { index: 0, message: r.chance(0.15) ? { role: "assistant", content: null, tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: JSON.stringify({ a: text(r) }) } }] }
        : { role: "assistant", content: text(r) }, finish_reason: "stop" };
    const body: Record<string, unknown> = { id: "chatcmpl-1", object, created: 1760000000, model, choices: [choice] };
    if (r.chance(0.85)) body.usage = openaiUsage(r);
    return JSON.stringify(body);
  }
  const events: Array<{ data: unknown }> = [];
  const delta = (content: string) => (legacy ? { index: 0, text: content, finish_reason: null } : { index: 0, delta: { content }, finish_reason: null });
  const withUsage = usageWanted || r.chance(0.2);
  if (r.chance(0.1)) events.push({ data: { id: "c", object, model: "", choices: [], prompt_filter_results: [] } });
  for (const p of pieces(r)) events.push({ data: { id: "c", object, model, choices: [delta(p)], ...(withUsage ? { usage: null } : {}) } });
  if (r.chance(0.05)) events.push({ data: { error: { message: "upstream overloaded", type: "server_error", code: null } } });
  events.push({ data: { id: "c", object, model, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] } });
  if (withUsage) events.push({ data: { id: "c", object, model, choices: [], usage: openaiUsage(r) } });
  if (r.chance(0.1)) events.push({ data: { id: "c", object, model, choices: [], usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } } });
  if (r.chance(0.8)) events.push({ data: "[DONE]" });
  return sse(events, "\n");
}

function embeddings(r: Prng): string {
  const data = Array.from({ length: r.range(1, 3) }, (_, i) => ({ object: "embedding", index: i, embedding: Array.from({ length: r.range(1, 32) }, () => (r.u32() / 0x100000000) - 0.5) }));
  return JSON.stringify({ object: "list", data, model: "text-embedding-3-small", usage: { prompt_tokens: count(r), total_tokens: count(r) } });
}

function responsesApi(r: Prng, framing: Framing): string {
  const usage = { input_tokens: count(r), input_tokens_details: { cached_tokens: 0 }, output_tokens: count(r), output_tokens_details: { reasoning_tokens: 0 }, total_tokens: count(r) };
  const t = pieces(r);
  const output = [{ type: "message", id: "msg_1", role: "assistant", content: [{ type: "output_text", text: t.join("") }] }];
  if (framing !== "sse") return JSON.stringify({ id: "resp_1", object: "response", status: "completed", model: "gpt-4.1-mini", output, usage });
  let seq = 0;
  const ev = (type: string, extra: Record<string, unknown>) => ({ event: type, data: { type, sequence_number: seq++, ...extra } });
  const events = [ev("response.created", { response: { id: "resp_1", status: "in_progress", usage: null } })];
  for (const d of t) events.push(ev("response.output_text.delta", { item_id: "msg_1", output_index: 0, content_index: 0, delta: d }));
  events.push(ev("response.output_text.done", { item_id: "msg_1", output_index: 0, content_index: 0, text: t.join("") }));
  const end = r.pick(["response.completed", "response.completed", "response.incomplete", "response.failed", "error"]);
  events.push(end === "error" ? ev("error", { code: "server_error", message: "boom", param: null })
    : ev(end, { response: { id: "resp_1", status: end.slice(9), model: "gpt-4.1-mini", output, usage } }));
  return sse(events, "\n");
}

function anthropic(r: Prng, framing: Framing): string {
  const usage = { input_tokens: count(r), cache_creation_input_tokens: count(r), cache_read_input_tokens: count(r), output_tokens: count(r) };
  if (framing !== "sse") {
    return JSON.stringify({ id: "msg_1", type: "message", role: "assistant", model: "claude-sonnet-4-5",
      content: [{ type: "text", text: text(r) }, ...(r.chance(0.2) ? [{ type: "tool_use", id: "tu", name: "x", input: { q: text(r) } }] : [])],
      stop_reason: "end_turn", usage });
  }
  const events: Array<{ event?: string; data: unknown }> = [
    { event: "message_start", data: { type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", model: "claude-sonnet-4-5", content: [], usage: { ...usage, output_tokens: 1 } } } },
    { event: "content_block_start", data: { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } } },
  ];
  for (const p of pieces(r)) {
    events.push({ event: "content_block_delta", data: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: p } } });
    if (r.chance(0.1)) events.push({ event: "ping", data: { type: "ping" } });
  }
  events.push({ event: "content_block_stop", data: { type: "content_block_stop", index: 0 } });
  if (r.chance(0.05)) events.push({ event: "error", data: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } } });
  for (let i = r.range(0, 2); i > 0; i--) events.push({ event: "message_delta", data: { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: count(r) } } });
  if (r.chance(0.8)) events.push({ event: "message_stop", data: { type: "message_stop" } });
  return sse(events, "\n");
}

function geminiChunk(r: Prng, t: string, last: boolean): Record<string, unknown> {
  const chunk: Record<string, unknown> = { candidates: [{ content: { role: "model", parts: [{ text: t }] }, ...(last ? { finishReason: "STOP" } : {}) }], modelVersion: "gemini-2.5-flash" };
  if (last || r.chance(0.6)) chunk.usageMetadata = r.chance(0.1) ? { trafficType: "ON_DEMAND" } : { promptTokenCount: count(r), candidatesTokenCount: count(r), totalTokenCount: count(r) };
  return chunk;
}

function gemini(r: Prng, framing: Framing): string {
  if (framing === "json") return JSON.stringify(r.chance(0.05) ? { promptFeedback: { blockReason: "SAFETY" } } : geminiChunk(r, text(r), true));
  const ps = pieces(r);
  const chunks = ps.map((p, i) => geminiChunk(r, p, i === ps.length - 1));
  if (framing === "sse") {
    let body = sse(chunks.map((data) => ({ data })), "\r\n");
    if (r.chance(0.05)) body += `{\n  "error": {\n    "code": 503,\n    "message": "overloaded",\n    "status": "UNAVAILABLE"\n  }\n}\n`;
    return body;
  }
  // The JSON-array stream: pretty-printed elements separated by a comma on its own line; sometimes cut before "]".
  const body = "[" + chunks.map((c) => JSON.stringify(c, null, 2)).join("\n,\n") + "]";
  return r.chance(0.1) ? body.slice(0, -1) : body;
}

function errorBody(api: Api, status: number, r: Prng): string {
  if (r.chance(0.05)) return "<html><body>502 Bad Gateway</body></html>";
  if (api === "anthropic") return JSON.stringify({ type: "error", error: { type: r.pick(["rate_limit_error", "api_error", "overloaded_error", "invalid_request_error"]), message: text(r) }, request_id: "req_1" });
  if (api === "gemini") return JSON.stringify({ error: { code: status, message: text(r), status: "RESOURCE_EXHAUSTED", details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "17s" }] } });
  return JSON.stringify({ error: { message: text(r), type: r.pick(["tokens", "server_error", "invalid_request_error"]), param: null, code: r.pick(["rate_limit_exceeded", null]) } });
}

const CONTENT_TYPE: Record<Framing, string[]> = {
  json: ["application/json", "application/json; charset=utf-8"],
  sse: ["text/event-stream", "text/event-stream; charset=utf-8"],
  "json-array": ["application/json", "application/json; charset=UTF-8"],
};

/** The upstream's answer to `req`. */
export function generateResponse(req: RequestShape, r: Prng): ResponseShape {
  if (r.chance(0.08)) {
    const status = r.pick([400, 401, 403, 404, 413, 429, 500, 502, 503, 529]);
    return { status, contentType: r.chance(0.9) ? "application/json" : "text/html", body: errorBody(req.api, status, r), framing: "json" };
  }
  if (r.chance(0.1)) {
    const f = r.pick(responseFixtures);
    const framing: Framing = f.format === "sse" ? "sse" : f.body.trimStart().startsWith("[") ? "json-array" : "json";
    return { status: 200, contentType: r.pick(CONTENT_TYPE[framing]), body: f.body, framing };
  }
  // Mostly the request's own API and framing; sometimes another's (a mislabelled or unexpected answer).
  const api = r.chance(0.9) ? req.api : r.pick(APIS);
  let framing = r.chance(0.9) ? req.framing : r.pick<Framing>(["json", "sse", "json-array"]);
  if (api !== "gemini" && framing === "json-array") framing = "json";
  if (api === "embeddings") framing = "json";
  const body = api === "chat" || api === "completions" ? chat(r, framing, api === "completions", req.includeUsage)
    : api === "embeddings" ? embeddings(r)
    : api === "responses" ? responsesApi(r, framing)
    : api === "anthropic" ? anthropic(r, framing)
    : gemini(r, framing);
  const contentType = r.chance(0.95) ? r.pick(CONTENT_TYPE[framing])
    : r.pick([null, "text/plain", "application/octet-stream", framing === "sse" ? "application/json" : "text/event-stream"]);
  return { status: 200, contentType, body, framing };
}
