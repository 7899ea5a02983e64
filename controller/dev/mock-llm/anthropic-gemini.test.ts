/**
 * @module controller/dev/mock-llm/anthropic-gemini.test
 * Anthropic Messages and Gemini generateContent over real sockets: shapes, stream event
 * order, where usage sits, and each provider's request errors.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { startMockLlm, type MockLlm } from "./index.ts";
import { parseSse, post, sseJson } from "./test-client.ts";

const anthropic = suite<{ mock: MockLlm }>("anthropic messages");
anthropic.before(async (ctx) => {
  ctx.mock = await startMockLlm();
});
anthropic.after(async (ctx) => ctx.mock.close());

const BODY = {
  model: "claude-sonnet-4-5",
  max_tokens: 256,
  system: "You are terse.",
  messages: [{ role: "user", content: [{ type: "text", text: "Say hello to" }, { type: "text", text: "the world" }] }],
};
// 3 (system) + 3 + 2 words.
const INPUT = 8;

anthropic("a non-streamed message has text content, stop_reason and input/output usage", async ({ mock }) => {
  const res = await post(mock.url, "/v1/messages", BODY, { "anthropic-version": "2023-06-01" });
  assert.is(res.status, 200);
  const m = res.json();
  assert.is(m.type, "message");
  assert.is(m.role, "assistant");
  assert.match(m.id, /^msg_/);
  assert.is(m.content[0].type, "text");
  assert.is(m.content[0].text, 'Mock answer from claude-sonnet-4-5: you said "Say hello to the world".');
  assert.is(m.stop_reason, "end_turn");
  assert.is(m.usage.input_tokens, INPUT);
  assert.is(m.usage.output_tokens, m.content[0].text.split(" ").length);
  assert.is(m.usage.cache_read_input_tokens, 0);
  assert.ok(res.headers["request-id"]);
});

anthropic("a stream: message_start with input usage, deltas, message_delta with output usage, message_stop", async ({ mock }) => {
  const res = await post(mock.url, "/v1/messages", { ...BODY, stream: true });
  assert.match(res.headers["content-type"]!, "text/event-stream");
  const events = parseSse(res.text);
  for (const e of events) assert.is(JSON.parse(e.data).type, e.event, "event name matches type");
  const names = events.map((e) => e.event);
  assert.equal(names.slice(0, 3), ["message_start", "content_block_start", "ping"]);
  assert.equal(names.slice(-3), ["content_block_stop", "message_delta", "message_stop"]);
  const data = events.map((e) => JSON.parse(e.data));
  const start = data[0].message;
  assert.is(start.usage.input_tokens, INPUT);
  assert.is(start.usage.output_tokens, 1, "provisional output count");
  const deltas = data.filter((d) => d.type === "content_block_delta");
  assert.ok(deltas.every((d) => d.delta.type === "text_delta" && d.index === 0));
  const delta = data.at(-2);
  assert.is(delta.delta.stop_reason, "end_turn");
  assert.is(delta.usage.output_tokens, deltas.length);
  assert.is(delta.usage.input_tokens, INPUT);
  assert.is(deltas.map((d) => d.delta.text).join(""), 'Mock answer from claude-sonnet-4-5: you said "Say hello to the world".');
});

anthropic("max_tokens cuts the answer with stop_reason max_tokens", async ({ mock }) => {
  const events = sseJson((await post(mock.url, "/v1/messages", { ...BODY, max_tokens: 4, stream: true })).text);
  assert.is(events.filter((e) => e.type === "content_block_delta").length, 4);
  const delta = events.find((e) => e.type === "message_delta");
  assert.equal([delta.delta.stop_reason, delta.usage.output_tokens], ["max_tokens", 4]);
});

anthropic("request errors come in Anthropic's error shape", async ({ mock }) => {
  const noMax = await post(mock.url, "/v1/messages", { model: "c", messages: BODY.messages });
  assert.is(noMax.status, 400);
  const body = noMax.json();
  assert.is(body.type, "error");
  assert.equal(body.error, { type: "invalid_request_error", message: "max_tokens: Field required" });
  assert.is(body.request_id, noMax.headers["request-id"]);
  const badRole = await post(mock.url, "/v1/messages", { model: "c", max_tokens: 5, messages: [{ role: "system", content: "x" }] });
  assert.equal(badRole.json().error.message, "messages.0.role: Input should be 'user' or 'assistant'");
});

anthropic.run();

const gemini = suite<{ mock: MockLlm }>("gemini");
gemini.before(async (ctx) => {
  ctx.mock = await startMockLlm();
});
gemini.after(async (ctx) => ctx.mock.close());

const GBODY = {
  systemInstruction: { parts: [{ text: "Be terse." }] },
  contents: [{ role: "user", parts: [{ text: "Name three primes." }] }],
};
// 2 + 3 words.
const GINPUT = 5;

gemini("generateContent: model from the path, candidates and usageMetadata", async ({ mock }) => {
  const res = await post(mock.url, "/v1beta/models/gemini-2.5-flash:generateContent", GBODY);
  assert.is(res.status, 200);
  const r = res.json();
  const text = r.candidates[0].content.parts[0].text;
  assert.is(text, 'Mock answer from gemini-2.5-flash: you said "Name three primes.".');
  assert.is(r.candidates[0].content.role, "model");
  assert.is(r.candidates[0].finishReason, "STOP");
  assert.is(r.modelVersion, "gemini-2.5-flash");
  const words = text.split(" ").length;
  assert.equal(r.usageMetadata, { promptTokenCount: GINPUT, candidatesTokenCount: words, totalTokenCount: GINPUT + words });
});

gemini("snake_case request keys count and limit too; the model is percent-decoded", async ({ mock }) => {
  const r = (await post(mock.url, "/v1/models/my%2Fmodel:generateContent", {
    system_instruction: { parts: [{ text: "Be terse." }] },
    contents: [{ role: "user", parts: [{ text: "Name three primes." }] }],
    generation_config: { max_output_tokens: 2 },
  })).json();
  assert.is(r.usageMetadata.promptTokenCount, GINPUT);
  assert.is(r.candidates[0].content.parts[0].text, "Mock answer");
  assert.is(r.candidates[0].finishReason, "MAX_TOKENS");
  assert.is(r.modelVersion, "my/model");
});

gemini("streamGenerateContent?alt=sse: CRLF-framed events, running usage on every chunk, no [DONE]", async ({ mock }) => {
  const res = await post(mock.url, "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", GBODY);
  assert.match(res.headers["content-type"]!, "text/event-stream");
  assert.ok(res.text.endsWith("\r\n\r\n"));
  assert.not.match(res.text, /[^\r]\n/);
  assert.not.match(res.text, "[DONE]");
  const chunks = sseJson(res.text);
  assert.ok(chunks.length > 3);
  chunks.forEach((c, i) => {
    assert.equal(c.usageMetadata, { promptTokenCount: GINPUT, candidatesTokenCount: i + 1, totalTokenCount: GINPUT + i + 1 });
    assert.is(c.candidates[0].finishReason, i === chunks.length - 1 ? "STOP" : undefined);
  });
  assert.is(chunks.map((c) => c.candidates[0].content.parts[0].text).join(""), 'Mock answer from gemini-2.5-flash: you said "Name three primes.".');
});

gemini("streamGenerateContent without alt=sse: one JSON array of pretty-printed elements", async ({ mock }) => {
  const res = await post(mock.url, "/v1beta/models/g:streamGenerateContent", GBODY, { "x-mock-chunks": "3" });
  assert.match(res.headers["content-type"]!, "application/json");
  assert.match(res.text, /^\[\{\n/);
  assert.match(res.text, /\n,\n/);
  const list = JSON.parse(res.text);
  assert.is(list.length, 3);
  assert.equal(list.map((c: any) => c.usageMetadata.candidatesTokenCount), [1, 2, 3]);
});

gemini("request errors come in Gemini's error shape", async ({ mock }) => {
  const res = await post(mock.url, "/v1beta/models/g:generateContent", { contents: [] });
  assert.is(res.status, 400);
  assert.equal(res.json(), { error: { code: 400, message: "* GenerateContentRequest.contents: contents is not specified", status: "INVALID_ARGUMENT" } });
});

gemini.run();

const counting = suite<{ mock: MockLlm }>("token-count helpers");
counting.before(async (ctx) => {
  ctx.mock = await startMockLlm();
});
counting.after(async (ctx) => ctx.mock.close());

counting("count the same input tokens as the generate calls", async ({ mock }) => {
  const { max_tokens: _, ...withoutMax } = BODY;
  const a = await post(mock.url, "/v1/messages/count_tokens", withoutMax);
  assert.is(a.status, 200);
  assert.equal(a.json(), { input_tokens: INPUT });
  assert.equal((await post(mock.url, "/v1beta/models/g:countTokens", GBODY)).json(), { totalTokens: GINPUT });
  assert.equal((await post(mock.url, "/v1/responses/input_tokens", { model: "m", input: "a b c" })).json(), { object: "response.input_tokens", input_tokens: 3 });
  const bad = await post(mock.url, "/v1/messages/count_tokens", { model: "c" });
  assert.is(bad.status, 400);
  assert.is(bad.json().error.type, "invalid_request_error");
});

counting.run();
