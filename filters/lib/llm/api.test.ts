/**
 * @module filters/lib/llm/api.test
 * API recognition from method and path, through the built `lib-llm-tests` module: every kind,
 * trailing slashes and queries, configured prefixes, Gemini/Vertex/Azure path models
 * (percent-decoded), token-count endpoints, and paths that must not be recognised.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadLlm, ApiKind } from "./test/wasm.ts";
import { requestFixtures } from "./test/fixtures/requests.ts";

const llm = await loadLlm();

function kindOf(path: string, method = "POST") { return llm.recognize(method, path).kind; }

test("every fixture's path selects the fixture's API", () => {
  llm.setPrefixes([]);
  for (const f of requestFixtures) assert.is(llm.recognize(f.method, f.path).name, f.api, f.name);
});

test("OpenAI and Anthropic endpoints under /v1, with trailing slashes and queries", () => {
  llm.setPrefixes([]);
  const cases: [string, number][] = [
    ["/v1/chat/completions", ApiKind.OpenAIChat],
    ["/v1/chat/completions/", ApiKind.OpenAIChat],
    ["/v1/chat/completions//?x=1", ApiKind.OpenAIChat],
    ["/v1/completions", ApiKind.OpenAICompletions],
    ["/v1/embeddings?api-version=2024-10-21", ApiKind.OpenAIEmbeddings],
    ["/v1/responses", ApiKind.OpenAIResponses],
    ["/v1/responses/input_tokens", ApiKind.OpenAIResponsesInputTokens],
    ["/v1/messages", ApiKind.AnthropicMessages],
    ["/v1/messages?beta=true", ApiKind.AnthropicMessages],
    ["/v1/messages/count_tokens", ApiKind.AnthropicCountTokens],
  ];
  for (const [path, kind] of cases) assert.is(kindOf(path), kind, path);
});

test("not recognised: other methods, other paths, lookalikes", () => {
  llm.setPrefixes([]);
  for (const [method, path] of [
    ["GET", "/v1/chat/completions"], ["post", "/v1/chat/completions"], ["POST", "/v1/models"],
    ["POST", "/v2/chat/completions"], ["POST", "/v1/chat/completionsX"], ["POST", "/v1/chat"],
    ["POST", "/openai/v1/chat/completions"], ["POST", "chat/completions"], ["POST", ""], ["POST", "/"],
    ["POST", "/v1/chat/completions/extra"], ["POST", "/v1beta/models/gemini:unknownMethod"],
    ["POST", "/v1beta/models/gemini-2.5-flash"], ["POST", "/v1beta/notmodels/x:generateContent"],
    ["POST", "/x/v1beta/models/g:generateContent"], ["POST", "/v1/v1/chat/completions"],
  ]) {
    assert.is(kindOf(path, method), ApiKind.Unknown, `${method} ${path}`);
  }
});

test("configured prefixes: with and without /v1 after them, normalised, reported", () => {
  llm.setPrefixes(["/openai/", "/api/v1", "/v1beta/openai"]);
  const cases: [string, number, number][] = [
    ["/openai/v1/chat/completions", ApiKind.OpenAIChat, 0],
    ["/openai/chat/completions", ApiKind.OpenAIChat, 0],
    ["/openai/v1/responses/", ApiKind.OpenAIResponses, 0],
    ["/api/v1/embeddings", ApiKind.OpenAIEmbeddings, 1],
    ["/v1beta/openai/chat/completions", ApiKind.OpenAIChat, 2],
    ["/v1/chat/completions", ApiKind.OpenAIChat, -1],
  ];
  for (const [path, kind, prefix] of cases) {
    const m = llm.recognize("POST", path);
    assert.is(m.kind, kind, path);
    assert.is(m.prefix, prefix, path);
  }
  assert.is(kindOf("/openaiX/v1/chat/completions"), ApiKind.Unknown);
  llm.setPrefixes(["/"]);
  assert.is(kindOf("/chat/completions"), ApiKind.OpenAIChat);
  llm.setPrefixes([]);
  assert.is(kindOf("/chat/completions"), ApiKind.Unknown);
});

test("Gemini: model from the path (v1beta, v1, percent-decoded), stream format from alt=sse", () => {
  llm.setPrefixes([]);
  let m = llm.recognize("POST", "/v1beta/models/gemini-2.5-flash:generateContent");
  assert.equal([m.kind, m.pathModel, m.streamFormat, m.provider], [ApiKind.GeminiGenerate, "gemini-2.5-flash", 0, 3]);
  m = llm.recognize("POST", "/v1/models/gemini-2.0-flash:streamGenerateContent");
  assert.equal([m.kind, m.pathModel, m.altSse, m.streamFormat], [ApiKind.GeminiStream, "gemini-2.0-flash", false, 2]);
  m = llm.recognize("POST", "/v1beta/models/gemini-2.5-pro:streamGenerateContent?key=abc&alt=sse");
  assert.equal([m.kind, m.altSse, m.streamFormat], [ApiKind.GeminiStream, true, 1]);
  m = llm.recognize("POST", "/v1beta/models/tuned%2Fmy%20model%C3%A9:generateContent");
  assert.is(m.pathModel, "tuned/my modelé");
  m = llm.recognize("POST", "/v1beta/models/gemini-2.5-flash:countTokens");
  assert.is(m.kind, ApiKind.GeminiCountTokens);
  for (const bad of ["/v1beta/models/:generateContent", "/v1beta/models/a%zz:generateContent", "/v1beta/models/a%C3:generateContent", "/v1beta/models/a%2:generateContent"]) {
    m = llm.recognize("POST", bad);
    assert.is(m.kind, ApiKind.GeminiGenerate, bad);
    assert.is(m.error, 7, bad);
    assert.is(m.pathModel, null, bad);
  }
});

test("Vertex AI: Gemini and Claude publisher paths; Claude's count-tokens pseudo-model", () => {
  llm.setPrefixes([]);
  let m = llm.recognize("POST", "/v1/projects/my-proj/locations/us-central1/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
  assert.equal([m.kind, m.pathModel, m.altSse], [ApiKind.GeminiStream, "gemini-2.5-flash", true]);
  m = llm.recognize("POST", "/v1/projects/p/locations/global/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict");
  assert.equal([m.kind, m.pathModel, m.provider], [ApiKind.AnthropicMessages, "claude-sonnet-4-5@20250929", 2]);
  m = llm.recognize("POST", "/v1/projects/p/locations/global/publishers/anthropic/models/count-tokens:rawPredict");
  assert.equal([m.kind, m.pathModel], [ApiKind.AnthropicCountTokens, null]);
  assert.is(kindOf("/v1/projects/p/locations/l/publishers/anthropic/models/c:generateContent"), ApiKind.Unknown);
  assert.is(kindOf("/v1/projects/p/publishers/google/models/g:generateContent"), ApiKind.Unknown);
});

test("Azure dated API: the deployment is the path model", () => {
  llm.setPrefixes([]);
  const m = llm.recognize("POST", "/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21");
  assert.equal([m.kind, m.pathModel], [ApiKind.OpenAIChat, "my-gpt4o"]);
  assert.is(kindOf("/openai/deployments/d/embeddings"), ApiKind.OpenAIEmbeddings);
  assert.is(kindOf("/openai/deployments/d/responses"), ApiKind.Unknown);
  assert.is(llm.recognize("POST", "/openai/deployments//chat/completions").error, 7);
});

test("names: one per kind, stable", () => {
  const names = Object.values(ApiKind).map((k) => llm.apiName(k));
  assert.equal(names, [
    "unknown", "openai.chat_completions", "openai.completions", "openai.embeddings", "openai.responses",
    "openai.responses_input_tokens", "anthropic.messages", "anthropic.count_tokens", "gemini.generate_content",
    "gemini.stream_generate_content", "gemini.count_tokens",
  ]);
  assert.is(llm.apiName(99), "unknown");
  assert.is(llm.apiName(-1), "unknown");
});

test("stream format per kind", () => {
  llm.setPrefixes([]);
  assert.is(llm.recognize("POST", "/v1/chat/completions").streamFormat, 1);
  assert.is(llm.recognize("POST", "/v1/messages").streamFormat, 1);
  assert.is(llm.recognize("POST", "/v1/responses").streamFormat, 1);
  assert.is(llm.recognize("POST", "/v1/embeddings").streamFormat, 0);
  assert.is(llm.recognize("POST", "/v1/messages/count_tokens").streamFormat, 0);
  assert.is(llm.recognize("POST", "/v1beta/models/g:generateContent").streamFormat, 0);
});

test("random paths never trap", () => {
  llm.setPrefixes(["/p"]);
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const alphabet = "/:%?&=.v1betamodelsgenerateContent chat/completions\u00e9\u4e2d\u0000\r\n";
  for (let i = 0; i < 3000; i++) {
    let s = "";
    const n = Math.floor(rand() * 60);
    for (let j = 0; j < n; j++) s += alphabet[Math.floor(rand() * alphabet.length)];
    llm.recognize("POST", rand() < 0.5 ? "/v1beta/models/" + s : s);
  }
});

test.run();
