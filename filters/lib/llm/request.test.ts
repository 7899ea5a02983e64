/**
 * @module filters/lib/llm/request.test
 * `RequestReader` through the built `lib-llm-tests` module: every fixture shape (model, stream,
 * output cap, images, tools, texts with kind and role, last user message), nested decoy keys,
 * escaped and unicode models, duplicate and wrong-typed fields, malformed JSON with offsets,
 * token-id arrays, the prompt-token estimate, and the header-safety check.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadLlm, ApiKind, LlmError } from "./test/wasm.ts";
import { requestFixtures, TEXT_KINDS, ROLES } from "./test/fixtures/requests.ts";

const llm = await loadLlm();
const LibError = { UnexpectedEnd: 1, UnexpectedByte: 2, InvalidUtf8: 3, DuplicateKey: 10, TrailingData: 13 };

function texts(f: ReturnType<typeof llm.read>) {
  return f.texts.map(([s, e, , kind, role]) => `${TEXT_KINDS[kind]}:${ROLES[role]}:${llm.spanText(f.bytes, s, e)}`);
}

test("every fixture: the facts a careful reader expects", () => {
  for (const fx of requestFixtures) {
    const m = llm.recognize(fx.method, fx.path);
    const f = llm.read(m.kind, fx.body, m.pathModel);
    assert.is(f.error, 0, `${fx.name}: ${f.message}`);
    assert.is(f.model, fx.expect.model, fx.name);
    assert.is(f.modelFromPath, fx.expect.modelFromPath ?? false, fx.name);
    assert.is(f.stream, fx.expect.stream, fx.name);
    assert.is(f.maxOutputTokens, fx.expect.maxOutputTokens, fx.name);
    assert.is(f.includeUsage, fx.expect.includeUsage ?? -1, fx.name);
    assert.is(f.hasImages, fx.expect.hasImages, fx.name);
    assert.is(f.hasTools, fx.expect.hasTools, fx.name);
    assert.equal(texts(f), fx.expect.texts, fx.name);
    assert.equal(f.lastUser.map(([s, e]) => llm.spanText(f.bytes, s, e)), fx.expect.lastUser, fx.name);
    assert.ok(f.promptTokens > 0, fx.name);
    if (!f.modelFromPath) assert.is(llm.spanText(f.bytes, f.modelStart, f.modelEnd), fx.expect.model, fx.name);
  }
});

test("nested model keys (tools, messages, metadata) are never the routing key", () => {
  const body = `{"tools":[{"type":"function","function":{"name":"x","parameters":{"model":"decoy-1"}}}],` +
    `"messages":[{"role":"user","content":"hi","model":"decoy-2"}],"metadata":{"model":"decoy-3"},"model":"real"}`;
  const f = llm.read(ApiKind.OpenAIChat, body);
  assert.is(f.model, "real");
  assert.is(body.slice(f.modelStart, f.modelEnd), "real");
  const none = llm.read(ApiKind.OpenAIChat, `{"metadata":{"model":"decoy"},"messages":[]}`);
  assert.is(none.error, LlmError.MissingModel);
  assert.is(none.message, "you must provide a model parameter");
});

test("escaped and unicode models decode; raw span kept for patching", () => {
  let f = llm.read(ApiKind.OpenAIChat, `{"model":"gpt\\u002d4o\\/mini","messages":[]}`);
  assert.is(f.model, "gpt-4o/mini");
  assert.ok(f.modelEscaped);
  assert.is(new TextDecoder().decode(f.bytes.subarray(f.modelStart, f.modelEnd)), "gpt\\u002d4o\\/mini");
  f = llm.read(ApiKind.OpenAIChat, `{"model":"模型-😀","messages":[]}`);
  assert.is(f.model, "模型-😀");
  assert.not.ok(f.modelEscaped);
  f = llm.read(ApiKind.OpenAIChat, `{"model":"\\ud83d\\ude00","messages":[]}`);
  assert.is(f.model, "😀");
  // An escaped key spelling is still the model key (and counts as a duplicate of the plain one).
  f = llm.read(ApiKind.OpenAIChat, `{"mod\\u0065l":"a","messages":[]}`);
  assert.is(f.model, "a");
  f = llm.read(ApiKind.OpenAIChat, `{"model":"a","mod\\u0065l":"b"}`);
  assert.is(f.error, LlmError.DuplicateField);
  assert.is(f.errorField, "model");
  assert.is(f.errorAt, 13);
  // Invalid UTF-8 inside the model is malformed JSON text, reported at its offset.
  const bad = new Uint8Array([...new TextEncoder().encode(`{"model":"a`), 0xff, ...new TextEncoder().encode(`"}`)]);
  f = llm.read(ApiKind.OpenAIChat, bad);
  assert.equal([f.error, f.detail, f.errorAt], [LlmError.NotJson, LibError.InvalidUtf8, 11]);
});

test("model problems: missing, null, empty, wrong type; path model makes body model optional", () => {
  assert.is(llm.read(ApiKind.AnthropicMessages, `{"max_tokens":1,"messages":[]}`).error, LlmError.MissingModel);
  assert.is(llm.read(ApiKind.OpenAIChat, `{"model":null}`).error, LlmError.MissingModel);
  const empty = llm.read(ApiKind.OpenAIChat, `{"model":""}`);
  assert.equal([empty.error, empty.errorAt], [LlmError.EmptyModel, 10]);
  const wrong = llm.read(ApiKind.OpenAIChat, `{"model":["gpt"]}`);
  assert.equal([wrong.error, wrong.errorField, wrong.errorAt], [LlmError.WrongType, "model", 9]);
  assert.is(wrong.message, "`model` has the wrong type at byte 9: expected a string");
  // Gemini needs no body model; Vertex Claude and Azure take the path's.
  assert.is(llm.read(ApiKind.GeminiGenerate, `{"contents":[]}`).error, LlmError.None);
  const azure = llm.read(ApiKind.OpenAIChat, `{"messages":[{"role":"user","content":"x"}]}`, "my-deployment");
  assert.equal([azure.error, azure.model, azure.modelFromPath], [0, "my-deployment", true]);
  const both = llm.read(ApiKind.AnthropicMessages, `{"model":"body-model","max_tokens":5,"messages":[]}`, "path-model");
  assert.equal([both.model, both.modelFromPath, both.modelStart], ["path-model", true, 10]);
});

test("wrong types name the field and offset; null means absent", () => {
  const cases: [number, string, string, string][] = [
    [ApiKind.OpenAIChat, `{"model":"m","stream":"yes"}`, "stream", "a boolean"],
    [ApiKind.OpenAIChat, `{"model":"m","stream_options":true}`, "stream_options", "an object"],
    [ApiKind.OpenAIChat, `{"model":"m","stream_options":{"include_usage":1}}`, "stream_options.include_usage", "a boolean"],
    [ApiKind.OpenAIChat, `{"model":"m","max_tokens":"10"}`, "max_tokens", "an integer"],
    [ApiKind.OpenAIChat, `{"model":"m","max_tokens":1.5}`, "max_tokens", "an integer"],
    [ApiKind.OpenAIChat, `{"model":"m","messages":{}}`, "messages", "an array"],
    [ApiKind.OpenAIChat, `{"model":"m","messages":["hi"]}`, "messages[]", "an object"],
    [ApiKind.OpenAIChat, `{"model":"m","messages":[{"role":"user","content":5}]}`, "messages[].content", "a string, an array or null"],
    [ApiKind.OpenAIChat, `{"model":"m","tools":{}}`, "tools", "an array"],
    [ApiKind.OpenAICompletions, `{"model":"m","prompt":{}}`, "prompt", "a string or an array"],
    [ApiKind.OpenAIResponses, `{"model":"m","input":5}`, "input", "a string or an array"],
    [ApiKind.OpenAIResponses, `{"model":"m","instructions":[]}`, "instructions", "a string"],
    [ApiKind.AnthropicMessages, `{"model":"m","system":5}`, "system", "a string or an array"],
    [ApiKind.GeminiGenerate, `{"contents":{}}`, "contents", "an array"],
    [ApiKind.GeminiGenerate, `{"contents":[{"parts":"x"}]}`, "parts", "an array"],
    [ApiKind.GeminiGenerate, `{"generationConfig":{"maxOutputTokens":"x"}}`, "generationConfig.maxOutputTokens", "an integer"],
  ];
  for (const [kind, body, field, expected] of cases) {
    const f = llm.read(kind, body);
    assert.is(f.error, LlmError.WrongType, body);
    assert.is(f.errorField, field, body);
    assert.ok(f.message.endsWith("expected " + expected), `${body}: ${f.message}`);
    assert.ok(f.errorAt > 0 && f.errorAt < body.length, body);
  }
  const neg = llm.read(ApiKind.OpenAIChat, `{"model":"m","max_tokens":-1}`);
  assert.equal([neg.error, neg.errorField], [LlmError.OutOfRange, "max_tokens"]);
  assert.is(llm.read(ApiKind.OpenAIChat, `{"model":"m","max_tokens":99999999999999999999}`).error, LlmError.OutOfRange);
  assert.is(llm.read(ApiKind.OpenAIChat, `{"model":"m","n":0}`).error, LlmError.OutOfRange);
  const nulls = llm.read(ApiKind.OpenAIChat, `{"model":"m","stream":null,"stream_options":null,"max_tokens":null,"tools":null,"messages":[{"role":"assistant","content":null}]}`);
  assert.equal([nulls.error, nulls.stream, nulls.streamInBody, nulls.maxOutputTokens, nulls.hasTools], [0, false, false, -1, false]);
});

test("fields another API defines are passed over, not judged", () => {
  // `system` means nothing to OpenAI Chat; `messages` nothing to Gemini: never a type error.
  assert.is(llm.read(ApiKind.OpenAIChat, `{"model":"m","system":5,"input":{},"prompt":7}`).error, 0);
  assert.is(llm.read(ApiKind.GeminiGenerate, `{"model":5,"messages":3,"stream":"x"}`).error, 0);
  // Unknown top-level fields are passed over, whatever their content.
  assert.is(llm.read(ApiKind.OpenAIChat, `{"model":"m","seed":123456789012345678901234567890,"x":[[{"y":1e400}]]}`).error, 0);
});

test("malformed JSON: not JSON, with the scanner's reason and offset", () => {
  const cases: [string, number, number][] = [
    [``, LibError.UnexpectedEnd, 0],
    [`{"model":"m"`, LibError.UnexpectedEnd, 12],
    [`{"model":"m",}`, LibError.UnexpectedByte, 13],
    [`{"model":"m"} x`, LibError.TrailingData, 14],
    [`{"model":"m","messages":[{"role":"user","content":"a]}`, LibError.UnexpectedEnd, 54],
    [`{"model":"m","stream":tru}`, LibError.UnexpectedByte, 25],
    [`{"stream":true,"stream":false,"model":"m"}`, 0, 15],
  ];
  for (const [body, detail, at] of cases) {
    const f = llm.read(ApiKind.OpenAIChat, body);
    if (detail === 0) {
      assert.equal([f.error, f.errorField, f.errorAt], [LlmError.DuplicateField, "stream", at], body);
      assert.is(f.message, "`stream`: duplicate field at byte 15");
    } else {
      assert.equal([f.error, f.detail, f.errorAt], [LlmError.NotJson, detail, at], body);
    }
  }
  const arr = llm.read(ApiKind.OpenAIChat, `["model"]`);
  assert.equal([arr.error, arr.message], [LlmError.NotObject, "request body must be a JSON object at byte 0: expected a JSON object"]);
  assert.is(llm.read(ApiKind.OpenAIChat, `"x`).error, LlmError.NotJson);
  assert.ok(llm.read(ApiKind.OpenAIChat, `{"model":"m"`).message.startsWith("request body is not valid JSON: unexpected end of input at byte 12"));
});

test("output cap: max_completion_tokens over max_tokens; n; Gemini candidateCount", () => {
  let f = llm.read(ApiKind.OpenAIChat, `{"max_completion_tokens":300,"model":"m","max_tokens":200,"n":3}`);
  assert.equal([f.maxOutputTokens, f.maxOutputField, f.choices], [300, "max_completion_tokens", 3]);
  f = llm.read(ApiKind.OpenAIChat, `{"max_tokens":200,"model":"m"}`);
  assert.equal([f.maxOutputTokens, f.maxOutputField], [200, "max_tokens"]);
  f = llm.read(ApiKind.OpenAIResponses, `{"model":"m","max_tokens":7}`);
  assert.is(f.maxOutputTokens, -1, "max_tokens is not a Responses field");
  f = llm.read(ApiKind.GeminiStream, `{"generationConfig":{"candidateCount":2,"maxOutputTokens":50}}`);
  assert.equal([f.maxOutputTokens, f.choices, f.stream], [50, 2, true]);
});

test("stream and include_usage", () => {
  let f = llm.read(ApiKind.OpenAIChat, `{"model":"m","stream":true}`);
  assert.equal([f.stream, f.streamInBody, f.includeUsage, f.hasStreamOptions], [true, true, -1, false]);
  f = llm.read(ApiKind.OpenAIChat, `{"model":"m","stream":false,"stream_options":{"include_obfuscation":false}}`);
  assert.equal([f.stream, f.streamInBody, f.includeUsage, f.hasStreamOptions], [false, true, -1, true]);
  f = llm.read(ApiKind.OpenAICompletions, `{"model":"m","stream":true,"stream_options":{"include_usage":false}}`);
  assert.equal([f.stream, f.includeUsage], [true, 0]);
});

test("token-id arrays count exactly; mixed prompt arrays", () => {
  const f = llm.read(ApiKind.OpenAICompletions, `{"model":"m","prompt":[[1,2,3],[4,5]]}`);
  assert.equal([f.error, f.tokenIdCount, f.texts.length, f.promptTokens], [0, 5, 0, 5]);
  const g = llm.read(ApiKind.OpenAIEmbeddings, `{"model":"m","input":[101, 102, 103]}`);
  assert.equal([g.tokenIdCount, g.promptTokens], [3, 3]);
  const bad = llm.read(ApiKind.OpenAIEmbeddings, `{"model":"m","input":[[1,"x"]]}`);
  assert.equal([bad.error, bad.errorField], [LlmError.WrongType, "input[][]"]);
});

test("prompt tokens: texts with escapes read as characters, per-message overhead, tools", () => {
  const plain = llm.read(ApiKind.OpenAIChat, JSON.stringify({ model: "m", messages: [{ role: "user", content: "line one\nline two \"quoted\"" }] }));
  const escapedOnly = llm.read(ApiKind.OpenAIChat, `{"model":"m","messages":[{"role":"user","content":"line one\\u000aline two \\u0022quoted\\u0022"}]}`);
  assert.is(plain.promptTokens, escapedOnly.promptTokens, "escape spelling must not change the estimate");
  const long = llm.read(ApiKind.OpenAIChat, JSON.stringify({ model: "m", messages: [{ role: "user", content: "word ".repeat(400) }] }));
  assert.ok(long.promptTokens > 380 && long.promptTokens < 480, `${long.promptTokens}`);
  const withTools = llm.read(ApiKind.OpenAIChat, JSON.stringify({ model: "m", messages: [{ role: "user", content: "word ".repeat(400) }], tools: [{ type: "function", function: { name: "get_weather", description: "Get the weather for a city", parameters: { type: "object" } } }] }));
  assert.ok(withTools.toolTokens > 10, `${withTools.toolTokens}`);
  assert.is(withTools.promptTokens, long.promptTokens + withTools.toolTokens);
});

test("last user message skips tool-result-only user turns and assistant turns", () => {
  const body = JSON.stringify({ model: "claude", max_tokens: 10, messages: [
    { role: "user", content: "first question" },
    { role: "assistant", content: [{ type: "tool_use", id: "t", name: "x", input: {} }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "tool says hi" }] },
  ] });
  const f = llm.read(ApiKind.AnthropicMessages, body);
  assert.equal(f.lastUser.map(([s, e]) => llm.spanText(f.bytes, s, e)), ["first question"]);
  assert.is(f.lastUserMessage, 0);
  const none = llm.read(ApiKind.OpenAIChat, `{"model":"m","messages":[{"role":"system","content":"s"}]}`);
  assert.equal([none.lastUser, none.lastUserMessage], [[], -1]);
});

test("header safety of a model value", () => {
  assert.ok(llm.headerSafe("gpt-4o-mini"));
  assert.ok(llm.headerSafe("模型"));
  assert.not.ok(llm.headerSafe(""));
  assert.not.ok(llm.headerSafe("a\r\nx-injected: 1"));
  assert.not.ok(llm.headerSafe("a\u0000b"));
  assert.not.ok(llm.headerSafe("a\u007f"));
  assert.ok(llm.headerSafe("m".repeat(256)));
  assert.not.ok(llm.headerSafe("m".repeat(257)));
});

test("Gemini: both spellings of one field are a duplicate; Vertex Claude and count endpoints", () => {
  const dup = llm.read(ApiKind.GeminiGenerate, `{"generationConfig":{"maxOutputTokens":5},"generation_config":{"maxOutputTokens":500}}`);
  assert.equal([dup.error, dup.errorField], [LlmError.DuplicateField, "generationConfig"]);
  const vertex = llm.recognize("POST", "/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict");
  const f = llm.read(vertex.kind, JSON.stringify({ anthropic_version: "vertex-2023-10-16", max_tokens: 100, messages: [{ role: "user", content: "Hi" }] }), vertex.pathModel);
  assert.equal([f.error, f.model, f.modelFromPath, f.maxOutputTokens], [0, "claude-sonnet-4-5@20250929", true, 100]);
  const count = llm.read(ApiKind.AnthropicCountTokens, JSON.stringify({ model: "claude-haiku-4-5", messages: [{ role: "user", content: "count me" }] }));
  assert.equal([count.error, count.model, count.texts.length], [0, "claude-haiku-4-5", 1]);
  const gcount = llm.read(ApiKind.GeminiCountTokens, JSON.stringify({ contents: [{ parts: [{ text: "count me" }] }] }), "gemini-2.5-flash");
  assert.equal([gcount.error, gcount.model, gcount.texts.length], [0, "gemini-2.5-flash", 1]);
});

test("raw spans are the JSON string contents as written (usable for in-place redaction)", () => {
  const body = `{"model":"m","messages":[{"role":"user","content":"mail me: a\\u0040b.example \\"now\\"\\n"}]}`;
  const f = llm.read(ApiKind.OpenAIChat, body);
  const [s, e, escaped] = f.texts[0];
  assert.is(body.slice(s, e), `mail me: a\\u0040b.example \\"now\\"\\n`);
  assert.is(escaped, 1);
  assert.is(body[s - 1], `"`);
  assert.is(body[e], `"`);
});

test("estimate on demand: off during read, same figure afterwards", () => {
  const body = JSON.stringify({ model: "m", messages: [{ role: "user", content: "Hello there, how are you today?" }],
    tools: [{ type: "function", function: { name: "a" } }], functions: [{ name: "b", parameters: {} }] });
  const on = llm.read(ApiKind.OpenAIChat, body);
  assert.ok(on.toolTokens > 0);
  llm.x.requestSetEstimate(0);
  try {
    const bytes = new TextEncoder().encode(body);
    const p = llm.lib.put(bytes);
    llm.x.requestRead(ApiKind.OpenAIChat, p.ptr, p.len, 0, -1);
    const off = llm.outputJson();
    assert.equal([off.promptTokens, off.toolTokens, off.hasTools], [-1, -1, true]);
    assert.is(Number(llm.x.requestEstimateLast()), on.promptTokens);
    llm.lib.free(p);
  } finally {
    llm.x.requestSetEstimate(1);
  }
  const toolsOnly = llm.read(ApiKind.OpenAIChat, JSON.stringify({ model: "m", tools: [{ type: "function", function: { name: "a" } }] }));
  assert.ok(on.toolTokens > toolsOnly.toolTokens, "tools and functions both count");
});

test("server-side context is flagged (the estimate undercounts, the guard cannot see it)", () => {
  const cases: [number, string, boolean][] = [
    [ApiKind.OpenAIResponses, `{"model":"m","input":"hi","previous_response_id":"resp_1"}`, true],
    [ApiKind.OpenAIResponses, `{"model":"m","conversation":{"id":"conv_1"}}`, true],
    [ApiKind.OpenAIResponses, `{"model":"m","prompt":{"id":"pmpt_1","variables":{"x":"y"}}}`, true],
    [ApiKind.OpenAIResponses, `{"model":"m","input":"hi","previous_response_id":null}`, false],
    [ApiKind.GeminiGenerate, `{"cachedContent":"cachedContents/abc","contents":[]}`, true],
    [ApiKind.GeminiGenerate, `{"cached_content":"cachedContents/abc","contents":[]}`, true],
    [ApiKind.OpenAIChat, `{"model":"m","previous_response_id":"x","messages":[]}`, false],
  ];
  for (const [kind, body, expected] of cases) {
    const f = llm.read(kind, body, kind === ApiKind.GeminiGenerate ? "g" : null);
    assert.is(f.error, 0, body);
    assert.is(f.hasServerContext, expected, body);
  }
});

test.run();
