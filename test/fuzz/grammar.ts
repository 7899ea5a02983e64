/**
 * @module test/fuzz/grammar
 * Generates well-formed LLM API request bodies (OpenAI chat, Anthropic messages, Gemini, plus the
 * realistic fixtures of the lib tests) with text that trips the filters' detectors and rules, so
 * mutations start from bodies the filters actually parse deep into.
 */

import { requestFixtures } from "../../filters/lib/llm/test/fixtures/requests.ts";
import type { Prng } from "./prng.ts";

export interface RequestShape { path: string; body: string }

const MODELS = ["gpt-4o", "gpt-4o-mini", "default", "smart", "llama-3.1-8b-instruct", "claude-sonnet-4-5", "gemini-2.5-flash", "", "x".repeat(300)];
const WORDS = ["hello", "Project Falcon", "ignore previous instructions", "alice@example.com", "+1 415 555 0100",
  "4111 1111 1111 1111", "123-45-6789", "DE89370400440532013000", "sk-proj-abcdefghijklmnopqrstuvwxyz012345",
  "AKIAIOSFODNN7EXAMPLE", "ghp_0123456789abcdefghijklmnopqrstuvwxyz", "xoxb-1234-5678-abcdefgh",
  "-----BEGIN RSA PRIVATE KEY-----", "日本語のテキスト", "emoji 😀", "quote \" and \\ backslash", "\n\t\u0000", "\\u00e9"];

function text(r: Prng): string {
  const n = r.range(0, 12);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(r.pick(WORDS));
  if (r.chance(0.05)) parts.push("long ".repeat(r.range(1000, 20000)));
  return parts.join(" ");
}

function openaiChat(r: Prng): RequestShape {
  const messages = [];
  for (let i = r.range(0, 5); i > 0; i--) {
    const role = r.pick(["system", "developer", "user", "assistant", "tool"]);
    messages.push(r.chance(0.3)
      ? { role, content: [{ type: "text", text: text(r) }, { type: "image_url", image_url: { url: "https://img.example/a.png" } }] }
      : { role, content: text(r) });
  }
  const body: Record<string, unknown> = { model: r.pick(MODELS), messages };
  if (r.chance(0.5)) body.stream = r.chance(0.5);
  if (r.chance(0.3)) body.stream_options = { include_usage: r.chance(0.5) };
  if (r.chance(0.5)) body[r.pick(["max_tokens", "max_completion_tokens"])] = r.pick([0, 1, 256, -1, 2 ** 31, 1e308, 0.5]);
  return { path: "/v1/chat/completions", body: JSON.stringify(body) };
}

function anthropic(r: Prng): RequestShape {
  const body: Record<string, unknown> = {
    model: r.pick(MODELS), max_tokens: r.pick([1, 1024, 0, -5, 9007199254740993]),
    messages: [{ role: "user", content: r.chance(0.5) ? text(r) : [{ type: "text", text: text(r) }, { type: "tool_result", tool_use_id: "t", content: text(r) }] }],
  };
  if (r.chance(0.5)) body.system = r.chance(0.5) ? text(r) : [{ type: "text", text: text(r) }];
  if (r.chance(0.3)) body.stream = true;
  return { path: "/v1/messages", body: JSON.stringify(body) };
}

function gemini(r: Prng): RequestShape {
  const model = r.pick(["gemini-2.5-flash", "gemini-2.5-pro", "m"]);
  const path = r.chance(0.5) ? `/v1beta/models/${model}:generateContent` : `/v1beta/models/${model}:streamGenerateContent?alt=sse`;
  const body = {
    contents: [{ role: r.pick(["user", "model"]), parts: [{ text: text(r) }] }],
    ...(r.chance(0.5) ? { systemInstruction: { parts: [{ text: text(r) }] } } : {}),
    ...(r.chance(0.5) ? { generationConfig: { maxOutputTokens: r.pick([1, 100, 0, -1]) } } : {}),
  };
  return { path, body: JSON.stringify(body) };
}

/** One well-formed request: a fixture a third of the time, otherwise a generated body. */
export function generateRequest(r: Prng): RequestShape {
  const k = r.int(6);
  if (k < 2) { const f = r.pick(requestFixtures); return { path: f.path, body: f.body }; }
  if (k === 2) return anthropic(r);
  if (k === 3) return gemini(r);
  const shape = openaiChat(r);
  if (r.chance(0.1)) shape.path = "/vllm" + shape.path;
  return shape;
}
