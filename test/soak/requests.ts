/**
 * @module test/soak/requests
 * One realistic request of each API shape the sample pipeline meets (OpenAI chat and Responses,
 * Anthropic Messages, Gemini generateContent / streamGenerateContent), built from a size, a
 * stream flag and a prompt: paths, headers and the JSON body as a client sends them.
 */
import type { Random } from "./random.ts";
import { prose, type Extra } from "./text.ts";

export type ApiShape = "openai-chat" | "openai-responses" | "anthropic" | "gemini";
export const API_SHAPES: readonly ApiShape[] = ["openai-chat", "openai-responses", "anthropic", "gemini"];

export interface RequestSpec {
  api: ApiShape;
  stream: boolean;
  path: string;
  /** Request headers without the API key (added per request). */
  headers: [string, string][];
  body: string;
  extra: Extra;
}

const OPENAI_MODELS = ["fast", "gpt-4o-mini", "gpt-4.1"];
const ANTHROPIC_MODELS = ["smart", "claude-sonnet-4", "claude-haiku-4"];
const GEMINI_MODELS = ["gemini-2.5-flash", "gemini-2.5-pro"];

/** A conversation of `turns` turns whose texts add up to about `bytes`, the last user turn carrying `extra`. */
function turns(r: Random, bytes: number, extra: Extra): Array<{ role: "user" | "assistant"; text: string }> {
  const n = 1 + 2 * r.range(0, Math.min(3, Math.floor(bytes / 400)));
  const out: Array<{ role: "user" | "assistant"; text: string }> = [];
  for (let i = 0; i < n; i++) {
    const last = i === n - 1;
    out.push({ role: i % 2 === 0 ? "user" : "assistant", text: prose(r, Math.max(8, Math.floor(bytes / n)), last ? extra : "none") });
  }
  return out;
}

function openaiChat(r: Random, bytes: number, stream: boolean, extra: Extra): Record<string, unknown> {
  const body: Record<string, unknown> = { model: r.pick(OPENAI_MODELS) };
  const messages: unknown[] = r.chance(0.5) ? [{ role: "system", content: "You are a concise assistant." }] : [];
  for (const t of turns(r, bytes, extra)) {
    messages.push(t.role === "user" && r.chance(0.2) ? { role: "user", content: [{ type: "text", text: t.text }] } : { role: t.role, content: t.text });
  }
  body.messages = messages;
  if (r.chance(0.6)) body[r.chance(0.5) ? "max_tokens" : "max_completion_tokens"] = r.range(16, 512);
  if (stream) {
    body.stream = true;
    if (r.chance(0.4)) body.stream_options = { include_usage: true };
  }
  if (r.chance(0.1)) body.tools = [{ type: "function", function: { name: "lookup_order", parameters: { type: "object", properties: { id: { type: "string" } } } } }];
  return body;
}

function openaiResponses(r: Random, bytes: number, stream: boolean, extra: Extra): Record<string, unknown> {
  const body: Record<string, unknown> = { model: r.pick(OPENAI_MODELS) };
  if (r.chance(0.4)) body.instructions = "Answer in one paragraph.";
  body.input = r.chance(0.5) ? prose(r, bytes, extra)
    : turns(r, bytes, extra).map((t) => ({ role: t.role, content: [{ type: t.role === "user" ? "input_text" : "output_text", text: t.text }] }));
  if (r.chance(0.5)) body.max_output_tokens = r.range(16, 512);
  if (stream) body.stream = true;
  return body;
}

function anthropic(r: Random, bytes: number, stream: boolean, extra: Extra): Record<string, unknown> {
  const body: Record<string, unknown> = { model: r.pick(ANTHROPIC_MODELS), max_tokens: r.range(16, 512) };
  if (r.chance(0.5)) body.system = "You are a careful reviewer.";
  body.messages = turns(r, bytes, extra).map((t) => ({ role: t.role, content: r.chance(0.3) ? [{ type: "text", text: t.text }] : t.text }));
  if (stream) body.stream = true;
  return body;
}

function gemini(r: Random, bytes: number, extra: Extra): Record<string, unknown> {
  const body: Record<string, unknown> = {
    contents: turns(r, bytes, extra).map((t) => ({ role: t.role === "user" ? "user" : "model", parts: [{ text: t.text }] })),
  };
  if (r.chance(0.3)) body.systemInstruction = { parts: [{ text: "Be brief." }] };
  if (r.chance(0.5)) body.generationConfig = { maxOutputTokens: r.range(16, 512), temperature: 0.2 };
  return body;
}

/** A request of shape `api` whose prompt is about `bytes` bytes. */
export function buildRequest(r: Random, api: ApiShape, bytes: number, stream: boolean, extra: Extra): RequestSpec {
  let path: string;
  let body: Record<string, unknown>;
  const headers: [string, string][] = [["content-type", "application/json"], ["user-agent", r.pick(["openai-python/1.99.1", "anthropic-typescript/0.60.0", "curl/8.5.0", "google-genai/1.30.0"])]];
  switch (api) {
    case "openai-chat": path = "/v1/chat/completions"; body = openaiChat(r, bytes, stream, extra); break;
    case "openai-responses": path = "/v1/responses"; body = openaiResponses(r, bytes, stream, extra); break;
    case "anthropic": path = "/v1/messages"; body = anthropic(r, bytes, stream, extra); headers.push(["anthropic-version", "2023-06-01"]); break;
    case "gemini": {
      const model = r.pick(GEMINI_MODELS);
      path = stream ? `/v1beta/models/${model}:streamGenerateContent${r.chance(0.7) ? "?alt=sse" : ""}` : `/v1beta/models/${model}:generateContent`;
      body = gemini(r, bytes, extra);
      break;
    }
  }
  return { api, stream, path, headers, body: JSON.stringify(body), extra };
}
