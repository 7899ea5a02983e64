/**
 * @module test/fuzz/grammar
 * Generates well-formed LLM API request bodies of every shape in the wire-format reference
 * (OpenAI chat, legacy completions, embeddings, Responses; Anthropic messages; Gemini
 * generateContent and streamGenerateContent with and without `alt=sse`), plus the realistic
 * fixtures of the lib tests, with text that trips the filters' detectors and rules, so mutations
 * start from bodies the filters actually parse deep into. Each request says which API it is and
 * whether it asked for a stream, so the response grammar can answer in kind.
 */

import { requestFixtures } from "../../filters/lib/llm/test/fixtures/requests.ts";
import type { Prng } from "./prng.ts";

export type Api = "chat" | "completions" | "embeddings" | "responses" | "anthropic" | "gemini";
/** How the upstream answers: one JSON body, an SSE stream, or Gemini's JSON-array stream. */
export type Framing = "json" | "sse" | "json-array";

export interface RequestShape { path: string; body: string; api: Api; framing: Framing; includeUsage: boolean }

export const MODELS = ["gpt-4o", "gpt-4o-mini", "default", "smart", "fast", "llama-3.1-8b-instruct", "claude-sonnet-4-5",
  "claude-sonnet-4", "gemini-2.5-flash", ""];
/** Ordinary text, with the escapes and scripts a JSON reader must get right. */
const PLAIN = ["hello", "the weather in Paris", "summarise this", "日本語のテキスト", "emoji 😀", "quote \" and \\ backslash",
  "\n\t\u0000", "\\u00e9", "order 1234", "call me at 5", "a-b.c_d", "x@y"];
/** What the guard's detectors and the router's rules look for. */
const SENSITIVE = ["Project Falcon", "ignore previous instructions", "alice@example.com", "+1 415 555 0100",
  "4111 1111 1111 1111", "123-45-6789", "DE89370400440532013000", "sk-proj-abcdefghijklmnopqrstuvwxyz012345",
  "AKIAIOSFODNN7EXAMPLE", "ghp_0123456789abcdefghijklmnopqrstuvwxyz", "xoxb-1234-5678-abcdefgh", "10.0.0.1",
  "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlX3NpZ25hdHVyZQ", "-----BEGIN RSA PRIVATE KEY-----", "Operation Blue Harbor"];
export const WORDS = [...PLAIN, ...SENSITIVE];

/** Prompt or answer text: a few words (now and then a sensitive one), now and then a long run (rarely a very long one). */
export function text(r: Prng): string {
  const n = r.range(0, 10);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(r.pick(r.chance(0.12) ? SENSITIVE : PLAIN));
  if (r.chance(0.03)) parts.push("long ".repeat(r.chance(0.1) ? r.range(20_000, 60_000) : r.range(200, 2_000)));
  return parts.join(" ");
}

const API_OF: Record<string, Api> = {
  "openai.chat_completions": "chat", "openai.completions": "completions", "openai.embeddings": "embeddings",
  "openai.responses": "responses", "anthropic.messages": "anthropic",
  "gemini.generate_content": "gemini", "gemini.stream_generate_content": "gemini",
};

function maxTokens(r: Prng): number { return r.pick([1, 16, 256, 4096, 0, -1, 2 ** 31, 1e308, 0.5]); }

function openaiChat(r: Prng): RequestShape {
  const messages = [];
  for (let i = r.range(1, 5); i > 0; i--) {
    const role = r.pick(["system", "developer", "user", "user", "assistant", "tool"]);
    messages.push(r.chance(0.3)
      ? { role, content: [{ type: "text", text: text(r) }, { type: "image_url", image_url: { url: "https://img.example/a.png" } }] }
      : r.chance(0.1) ? { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: JSON.stringify({ q: text(r) }) } }] }
      : { role, content: text(r) });
  }
  const body: Record<string, unknown> = { model: r.pick(MODELS), messages };
  const stream = r.chance(0.4);
  if (stream || r.chance(0.2)) body.stream = stream;
  const includeUsage = r.chance(0.5);
  if (stream && r.chance(0.5)) body.stream_options = { include_usage: includeUsage };
  if (r.chance(0.2)) body.tools = [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: {} } } }];
  if (r.chance(0.5)) body[r.pick(["max_tokens", "max_completion_tokens"])] = maxTokens(r);
  const path = r.pick(["/v1/chat/completions", "/v1/chat/completions", "/vllm/v1/chat/completions", "/openai/v1/chat/completions"]);
  return { path, body: JSON.stringify(body), api: "chat", framing: stream ? "sse" : "json", includeUsage: stream && includeUsage && "stream_options" in body };
}

function completions(r: Prng): RequestShape {
  const stream = r.chance(0.4);
  const body: Record<string, unknown> = { model: r.pick(MODELS), prompt: r.chance(0.7) ? text(r) : [text(r), text(r)], stream };
  if (r.chance(0.5)) body.max_tokens = maxTokens(r);
  const includeUsage = stream && r.chance(0.5);
  if (includeUsage) body.stream_options = { include_usage: true };
  return { path: "/v1/completions", body: JSON.stringify(body), api: "completions", framing: stream ? "sse" : "json", includeUsage };
}

function embeddings(r: Prng): RequestShape {
  const body = { model: r.pick(["text-embedding-3-small", ...MODELS]), input: r.chance(0.7) ? text(r) : [text(r), [1, 2, 3]] };
  return { path: "/v1/embeddings", body: JSON.stringify(body), api: "embeddings", framing: "json", includeUsage: false };
}

function responses(r: Prng): RequestShape {
  const stream = r.chance(0.4);
  const body: Record<string, unknown> = {
    model: r.pick(MODELS),
    input: r.chance(0.5) ? text(r) : [{ role: "user", content: [{ type: "input_text", text: text(r) }] }, { type: "function_call_output", call_id: "c", output: text(r) }],
  };
  if (r.chance(0.5)) body.instructions = text(r);
  if (r.chance(0.5)) body.max_output_tokens = maxTokens(r);
  if (stream || r.chance(0.2)) body.stream = stream;
  return { path: "/v1/responses", body: JSON.stringify(body), api: "responses", framing: stream ? "sse" : "json", includeUsage: false };
}

function anthropic(r: Prng): RequestShape {
  const stream = r.chance(0.4);
  const body: Record<string, unknown> = {
    model: r.pick(MODELS), max_tokens: r.pick([1, 1024, 0, -5, 9007199254740993]),
    messages: [{ role: "user", content: r.chance(0.5) ? text(r) : [{ type: "text", text: text(r) }, { type: "tool_result", tool_use_id: "t", content: text(r) }] }],
  };
  if (r.chance(0.5)) body.system = r.chance(0.5) ? text(r) : [{ type: "text", text: text(r) }];
  if (stream || r.chance(0.2)) body.stream = stream;
  return { path: "/v1/messages", body: JSON.stringify(body), api: "anthropic", framing: stream ? "sse" : "json", includeUsage: false };
}

function gemini(r: Prng): RequestShape {
  const model = r.pick(["gemini-2.5-flash", "gemini-2.5-pro", "m", "smart"]);
  const framing: Framing = r.pick(["json", "sse", "json-array"]);
  const method = framing === "json" ? "generateContent" : "streamGenerateContent";
  const path = `/v1beta/models/${model}:${method}${framing === "sse" ? "?alt=sse" : ""}`;
  const body = {
    contents: [{ role: r.pick(["user", "model"]), parts: [{ text: text(r) }] }],
    ...(r.chance(0.5) ? { systemInstruction: { parts: [{ text: text(r) }] } } : {}),
    ...(r.chance(0.5) ? { generationConfig: { maxOutputTokens: r.pick([1, 100, 0, -1]) } } : {}),
  };
  return { path, body: JSON.stringify(body), api: "gemini", framing, includeUsage: true };
}

/** One well-formed request: a lib fixture a sixth of the time, otherwise a generated body. */
export function generateRequest(r: Prng): RequestShape {
  const k = r.int(12);
  if (k < 2) {
    const f = r.pick(requestFixtures);
    const framing: Framing = !f.expect.stream ? "json" : f.path.includes("alt=sse") || !f.path.includes("streamGenerateContent") ? "sse" : "json-array";
    return { path: f.path, body: f.body, api: API_OF[f.api] ?? "chat", framing, includeUsage: f.expect.includeUsage === 1 };
  }
  if (k < 5) return openaiChat(r);
  if (k === 5) return completions(r);
  if (k === 6) return embeddings(r);
  if (k === 7) return responses(r);
  if (k < 10) return anthropic(r);
  return gemini(r);
}
