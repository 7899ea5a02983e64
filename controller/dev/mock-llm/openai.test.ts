/**
 * @module controller/dev/mock-llm/openai.test
 * OpenAI Chat Completions, legacy Completions, Embeddings and Responses over real sockets:
 * shapes, determinism, self-consistent usage, `stream_options.include_usage` exactly as
 * OpenAI handles it, output limits and request errors.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { startMockLlm, type MockLlm } from "./index.ts";
import { post, sseJson } from "./test-client.ts";

const chat = suite<{ mock: MockLlm }>("chat completions");
chat.before(async (ctx) => {
  ctx.mock = await startMockLlm();
});
chat.after(async (ctx) => ctx.mock.close());

const MESSAGES = [
  { role: "system", content: "Answer in one short line." },
  { role: "user", content: [{ type: "text", text: "What is the capital" }, { type: "text", text: "of France?" }] },
];
// Words: 5 (system) + 4 + 2 (user) = 11.
const PROMPT_WORDS = 11;

chat("a non-streamed answer is deterministic, names the model and echoes the last user turn", async ({ mock }) => {
  const body = { model: "gpt-4o-mini", messages: MESSAGES };
  const a = await post(mock.url, "/v1/chat/completions", body);
  const b = await post(mock.url, "/v1/chat/completions", body);
  assert.is(a.status, 200);
  assert.match(a.headers["content-type"]!, "application/json");
  const x = a.json();
  const y = b.json();
  assert.is(x.object, "chat.completion");
  assert.is(x.model, "gpt-4o-mini");
  assert.match(x.id, /^chatcmpl-/);
  assert.is(x.id, y.id);
  assert.equal(x.choices, y.choices);
  const content = x.choices[0].message.content;
  assert.is(content, 'Mock answer from gpt-4o-mini: you said "What is the capital of France?".');
  assert.is(x.choices[0].message.role, "assistant");
  assert.is(x.choices[0].finish_reason, "stop");
  assert.is(x.usage.prompt_tokens, PROMPT_WORDS);
  assert.is(x.usage.completion_tokens, content.split(" ").length);
  assert.is(x.usage.total_tokens, x.usage.prompt_tokens + x.usage.completion_tokens);
});

chat("a stream without include_usage never mentions usage, and its pieces make the same answer", async ({ mock }) => {
  const plain = (await post(mock.url, "/v1/chat/completions", { model: "m", messages: MESSAGES })).json();
  const res = await post(mock.url, "/v1/chat/completions", { model: "m", messages: MESSAGES, stream: true });
  assert.is(res.status, 200);
  assert.match(res.headers["content-type"]!, "text/event-stream");
  const events = sseJson(res.text);
  assert.is(events.at(-1), "[DONE]");
  const chunks = events.slice(0, -1);
  for (const c of chunks) {
    assert.is(c.object, "chat.completion.chunk");
    assert.not.ok("usage" in c, "no usage key without include_usage");
    assert.is(c.choices.length, 1);
  }
  assert.equal(chunks[0].choices[0].delta, { role: "assistant", content: "" });
  assert.is(chunks.at(-1).choices[0].finish_reason, "stop");
  const text = chunks.map((c) => c.choices[0].delta.content ?? "").join("");
  assert.is(text, plain.choices[0].message.content);
});

chat("with include_usage every chunk has usage: null and one choices: [] chunk before [DONE] has the totals", async ({ mock }) => {
  const res = await post(mock.url, "/v1/chat/completions", { model: "m", messages: MESSAGES, stream: true, stream_options: { include_usage: true } });
  const events = sseJson(res.text);
  assert.is(events.at(-1), "[DONE]");
  const usageChunk = events.at(-2);
  assert.equal(usageChunk.choices, []);
  const rest = events.slice(0, -2);
  for (const c of rest) assert.is(c.usage, null);
  const contentChunks = rest.filter((c) => typeof c.choices[0].delta.content === "string" && c.choices[0].delta.content !== "");
  assert.equal(
    { prompt: usageChunk.usage.prompt_tokens, completion: usageChunk.usage.completion_tokens, total: usageChunk.usage.total_tokens },
    { prompt: PROMPT_WORDS, completion: contentChunks.length, total: PROMPT_WORDS + contentChunks.length },
  );
  // include_usage: false is the same as not asking.
  const off = sseJson((await post(mock.url, "/v1/chat/completions", { model: "m", messages: MESSAGES, stream: true, stream_options: { include_usage: false } })).text);
  assert.ok(off.slice(0, -1).every((c) => !("usage" in c)));
});

chat("content chunks carry obfuscation padding unless include_obfuscation is false", async ({ mock }) => {
  const on = sseJson((await post(mock.url, "/v1/chat/completions", { model: "m", messages: MESSAGES, stream: true })).text).slice(0, -1);
  const content = on.filter((c) => c.choices[0].delta.content);
  assert.ok(content.every((c) => typeof c.obfuscation === "string" && c.obfuscation.length >= 1 && c.obfuscation.length <= 16));
  assert.ok(on.filter((c) => !c.choices[0].delta.content).every((c) => !("obfuscation" in c)));
  const off = sseJson((await post(mock.url, "/v1/chat/completions", { model: "m", messages: MESSAGES, stream: true, stream_options: { include_obfuscation: false } })).text);
  assert.ok(off.slice(0, -1).every((c) => !("obfuscation" in c)));
  const r = sseJson((await post(mock.url, "/v1/responses", { model: "m", input: "hi", stream: true })).text);
  assert.ok(r.filter((e) => e.type === "response.output_text.delta").every((e) => typeof e.obfuscation === "string"));
  const roff = sseJson((await post(mock.url, "/v1/responses", { model: "m", input: "hi", stream: true, stream_options: { include_obfuscation: false } })).text);
  assert.ok(roff.every((e) => !("obfuscation" in e)));
});

chat("stream_options without stream is rejected the way OpenAI rejects it", async ({ mock }) => {
  const res = await post(mock.url, "/v1/chat/completions", { model: "m", messages: MESSAGES, stream_options: { include_usage: true } });
  assert.is(res.status, 400);
  const { error } = res.json();
  assert.is(error.type, "invalid_request_error");
  assert.is(error.param, "stream_options");
  assert.match(error.message, "only allowed when 'stream' is enabled");
});

chat("max_completion_tokens (or max_tokens) cuts the answer with finish_reason length", async ({ mock }) => {
  const a = (await post(mock.url, "/v1/chat/completions", { model: "m", messages: MESSAGES, max_completion_tokens: 3 })).json();
  assert.is(a.choices[0].message.content, "Mock answer from");
  assert.is(a.choices[0].finish_reason, "length");
  assert.is(a.usage.completion_tokens, 3);
  const s = sseJson((await post(mock.url, "/v1/chat/completions", { model: "m", messages: MESSAGES, max_tokens: 2, stream: true, stream_options: { include_usage: true } })).text);
  assert.is(s.filter((c) => c !== "[DONE]" && c.choices[0]?.delta?.content).length, 2);
  assert.is(s.find((c) => c !== "[DONE]" && c.choices[0]?.finish_reason).choices[0].finish_reason, "length");
  assert.is(s.at(-2).usage.completion_tokens, 2);
});

chat("request errors come in OpenAI's error shape", async ({ mock }) => {
  const noModel = await post(mock.url, "/v1/chat/completions", { messages: MESSAGES });
  assert.is(noModel.status, 400);
  assert.equal(noModel.json(), { error: { message: "you must provide a model parameter", type: "invalid_request_error", param: "model", code: null } });
  const noMessages = await post(mock.url, "/v1/chat/completions", { model: "m" });
  assert.equal(noMessages.json().error.code, "missing_required_parameter");
  const badJson = await post(mock.url, "/v1/chat/completions", "{not json");
  assert.is(badJson.status, 400);
  assert.is(badJson.json().error.type, "invalid_request_error");
  const notFound = await post(mock.url, "/v1/unknown", { model: "m" });
  assert.is(notFound.status, 404);
  assert.match(notFound.json().error.message, "Invalid URL (POST /v1/unknown)");
  const wrongMethod = await post(mock.url, "/v1/chat/completions", "", {}, "GET");
  assert.is(wrongMethod.status, 405);
  assert.ok(wrongMethod.json().error.message);
});

chat("OpenAI-compatible prefixes are served by path suffix", async ({ mock }) => {
  const res = await post(mock.url, "/openai/v1/chat/completions", { model: "m", messages: MESSAGES });
  assert.is(res.status, 200);
  assert.is(res.json().object, "chat.completion");
});

chat.run();

const legacy = suite<{ mock: MockLlm }>("completions, embeddings, responses");
legacy.before(async (ctx) => {
  ctx.mock = await startMockLlm();
});
legacy.after(async (ctx) => ctx.mock.close());

legacy("legacy completions default to 16 tokens, like OpenAI", async ({ mock }) => {
  const prompt = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen";
  const a = (await post(mock.url, "/v1/completions", { model: "gpt-3.5-turbo-instruct", prompt })).json();
  assert.is(a.object, "text_completion");
  assert.is(a.choices[0].finish_reason, "length");
  assert.is(a.usage.completion_tokens, 16);
  assert.is(a.usage.prompt_tokens, 14);
  assert.is(a.choices[0].text.split(" ").length, 16);
  const b = (await post(mock.url, "/v1/completions", { model: "x", prompt: "hi", max_tokens: 100 })).json();
  assert.is(b.choices[0].text, 'Mock answer from x: you said "hi".');
  assert.is(b.choices[0].finish_reason, "stop");
  // Token-id prompts count one token per id.
  const c = (await post(mock.url, "/v1/completions", { model: "x", prompt: [[1, 2, 3], "a b"] })).json();
  assert.is(c.usage.prompt_tokens, 5);
});

legacy("a legacy completions stream carries text chunks, usage only when asked", async ({ mock }) => {
  const events = sseJson((await post(mock.url, "/v1/completions", { model: "x", prompt: "hi", stream: true, stream_options: { include_usage: true } })).text);
  assert.is(events.at(-1), "[DONE]");
  const chunks = events.slice(0, -2);
  assert.ok(chunks.every((c) => c.object === "text_completion" && c.usage === null));
  const text = chunks.map((c) => c.choices[0].text).join("");
  assert.is(text, 'Mock answer from x: you said "hi".');
  assert.equal(events.at(-2).choices, []);
  assert.is(events.at(-2).usage.completion_tokens, text.split(" ").length);
});

legacy("embeddings: deterministic unit vectors, base64 the same numbers, usage without output", async ({ mock }) => {
  const a = (await post(mock.url, "/v1/embeddings", { model: "text-embedding-3-small", input: ["hello world", "bye"], dimensions: 6 })).json();
  assert.is(a.object, "list");
  assert.is(a.data.length, 2);
  assert.equal(a.data.map((d: any) => d.index), [0, 1]);
  for (const d of a.data) {
    assert.is(d.embedding.length, 6);
    const norm = Math.sqrt(d.embedding.reduce((s: number, v: number) => s + v * v, 0));
    assert.ok(Math.abs(norm - 1) < 1e-4, `unit length, got ${norm}`);
  }
  assert.not.equal(a.data[0].embedding, a.data[1].embedding);
  assert.equal(a.usage, { prompt_tokens: 3, total_tokens: 3 });
  const again = (await post(mock.url, "/v1/embeddings", { model: "text-embedding-3-small", input: "hello world", dimensions: 6 })).json();
  assert.equal(again.data[0].embedding, a.data[0].embedding);
  const b64 = (await post(mock.url, "/v1/embeddings", { model: "e", input: "hello world", dimensions: 6, encoding_format: "base64" })).json();
  const bytes = Buffer.from(b64.data[0].embedding, "base64");
  const floats = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4));
  floats.forEach((f, i) => assert.ok(Math.abs(f - a.data[0].embedding[i]) < 1e-6));
  const bad = await post(mock.url, "/v1/embeddings", { model: "e", input: "" });
  assert.is(bad.status, 400);
  assert.is(bad.json().error.param, "input");
});

legacy("responses, not streamed: output_text and usage in input/output/total", async ({ mock }) => {
  const r = (await post(mock.url, "/v1/responses", { model: "gpt-4.1-mini", instructions: "Be terse.", input: "Summarise RFC 9110 please." })).json();
  assert.is(r.object, "response");
  assert.is(r.status, "completed");
  const text = r.output[0].content[0].text;
  assert.is(r.output[0].content[0].type, "output_text");
  assert.is(text, 'Mock answer from gpt-4.1-mini: you said "Summarise RFC 9110 please.".');
  assert.equal([r.usage.input_tokens, r.usage.output_tokens, r.usage.total_tokens], [6, text.split(" ").length, 6 + text.split(" ").length]);
  // Input items with parts.
  const items = (await post(mock.url, "/v1/responses", { model: "m", input: [{ role: "user", content: [{ type: "input_text", text: "a b c" }] }] })).json();
  assert.is(items.usage.input_tokens, 3);
});

legacy("responses, streamed: named events, rising sequence numbers, usage only in response.completed", async ({ mock }) => {
  const res = await post(mock.url, "/v1/responses", { model: "m", input: "hi there", stream: true });
  const events = sseJson(res.text);
  assert.ok(!events.includes("[DONE]"));
  const names = events.map((e) => e.type);
  assert.equal(names.slice(0, 4), ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"]);
  assert.equal(names.slice(-4), ["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"]);
  assert.equal(events.map((e) => e.sequence_number), events.map((_, i) => i));
  const deltas = events.filter((e) => e.type === "response.output_text.delta");
  const done = events.at(-1).response;
  assert.is(deltas.map((d) => d.delta).join(""), done.output[0].content[0].text);
  assert.equal([done.usage.input_tokens, done.usage.output_tokens, done.usage.total_tokens], [2, deltas.length, 2 + deltas.length]);
  for (const e of events.slice(0, -1)) assert.ok(!e.response || e.response.usage === null);
  // The SSE event name repeats the type.
  assert.match(res.text, "event: response.completed\ndata: {\"type\":\"response.completed\"");
});

legacy("responses cut by max_output_tokens end with response.incomplete", async ({ mock }) => {
  const events = sseJson((await post(mock.url, "/v1/responses", { model: "m", input: "hi", stream: true, max_output_tokens: 2 })).text);
  const last = events.at(-1);
  assert.is(last.type, "response.incomplete");
  assert.equal(last.response.incomplete_details, { reason: "max_output_tokens" });
  assert.is(last.response.usage.output_tokens, 2);
});

legacy.run();
