/**
 * @module filters/lib/api.test
 * API recognition from method and path (suffix matching under any prefix, queries ignored) and
 * models read from paths (Gemini, Vertex, Claude on Vertex, Azure deployments).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadLib } from "./test/wasm.ts";

const lib = await loadLib();
const x = lib.exports;
const K = { Unknown: 0, Chat: 1, Completions: 2, Embeddings: 3, Responses: 4, ResponsesInputTokens: 5, Messages: 6, MessagesCount: 7,
  GeminiGenerate: 8, GeminiStream: 9, GeminiCount: 10, VertexClaude: 11, VertexClaudeStream: 12 };

function kind(method: string, path: string): number {
  const m = lib.put(method), p = lib.put(path);
  return x.apiKindOf(m.ptr, m.len, p.ptr, p.len);
}
function model(path: string): string | null {
  const p = lib.put(path);
  return x.apiModel(p.ptr, p.len) < 0 ? null : lib.outputText();
}

test("recognises each API by path suffix under any prefix", () => {
  const cases: [string, number][] = [
    ["/v1/chat/completions", K.Chat], ["/openai/v1/chat/completions", K.Chat], ["/v1beta/openai/chat/completions?x=1", K.Chat],
    ["/openai/deployments/gpt4/chat/completions?api-version=2024-10-21", K.Chat],
    ["/v1/completions", K.Completions], ["/v1/embeddings", K.Embeddings], ["/v1/responses", K.Responses],
    ["/v1/responses/input_tokens", K.ResponsesInputTokens], ["/v1/messages", K.Messages], ["/v1/messages/count_tokens", K.MessagesCount],
    ["/v1beta/models/gemini-2.5-flash:generateContent", K.GeminiGenerate],
    ["/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", K.GeminiStream],
    ["/v1/models/gemini-2.5-flash:countTokens", K.GeminiCount],
    ["/v1/projects/p/locations/us/publishers/google/models/gemini-2.5-pro:generateContent", K.GeminiGenerate],
    ["/v1/projects/p/locations/us/publishers/anthropic/models/claude-sonnet-4-5:rawPredict", K.VertexClaude],
    ["/v1/projects/p/locations/us/publishers/anthropic/models/claude-sonnet-4-5:streamRawPredict", K.VertexClaudeStream],
    ["/v1/projects/p/locations/us/publishers/anthropic/models/count-tokens:rawPredict", K.MessagesCount],
    ["/v1/models", K.Unknown], ["/healthz", K.Unknown], ["/v1/chat/completions/extra", K.Unknown], ["", K.Unknown],
  ];
  for (const [path, k] of cases) assert.is(kind("POST", path), k, path);
  assert.is(kind("GET", "/v1/chat/completions"), K.Unknown);
  assert.is(kind("post", "/v1/chat/completions"), K.Unknown, "methods are case-sensitive");
});

test("reads the model from Gemini, Vertex and Azure paths, percent-decoded", () => {
  assert.is(model("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"), "gemini-2.5-flash");
  assert.is(model("/v1/projects/p/locations/l/publishers/google/models/gemini-2.5-pro:generateContent"), "gemini-2.5-pro");
  assert.is(model("/v1/projects/p/locations/l/publishers/anthropic/models/claude-3%405:rawPredict"), "claude-3@5");
  assert.is(model("/openai/deployments/my-gpt4o/chat/completions?api-version=1"), "my-gpt4o");
  assert.is(model("/v1beta/models/tuned%2Fmodel:generateContent"), "tuned/model");
  assert.is(model("/v1/chat/completions"), null);
  assert.is(model("/v1beta/models/:generateContent"), null);
  assert.is(model("/v1beta/models/bad%zz:generateContent"), null);
  assert.is(model("/v1beta/models/bad%ff:generateContent"), null, "percent-encoded invalid UTF-8");
  assert.is(model("/v1beta/models/trunc%4"), null);
});

test.run();
