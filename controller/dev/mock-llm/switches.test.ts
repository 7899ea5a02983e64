/**
 * @module controller/dev/mock-llm/switches.test
 * The `x-mock-*` switches and their defaults: forced failures in each provider's format,
 * in-stream failures, usage-less streams, chunk counts, fixed answers, latency, and the
 * 400 for a malformed switch.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { startMockLlm, type MockLlm } from "./index.ts";
import { checkSwitches, SwitchError } from "./switches.ts";
import { open, parseSse, post, sseJson, until } from "./test-client.ts";

const CHAT = { model: "m", messages: [{ role: "user", content: "hello there" }] };
const MSG = { model: "c", max_tokens: 100, messages: [{ role: "user", content: "hello there" }] };
const GEM = { contents: [{ parts: [{ text: "hello there" }] }] };

const sw = suite<{ mock: MockLlm }>("switches");
sw.before(async (ctx) => {
  ctx.mock = await startMockLlm();
});
sw.after(async (ctx) => ctx.mock.close());

sw("x-mock-fail answers in each provider's error format, with rate-limit headers on 429", async ({ mock }) => {
  const o = await post(mock.url, "/v1/chat/completions", CHAT, { "x-mock-fail": "429" });
  assert.is(o.status, 429);
  assert.equal(Object.keys(o.json().error).sort(), ["code", "message", "param", "type"]);
  assert.is(o.json().error.code, "rate_limit_exceeded");
  assert.is(o.headers["retry-after"], "1");
  assert.is(o.headers["x-ratelimit-remaining-requests"], "0");

  const o5 = await post(mock.url, "/v1/responses", { model: "m", input: "x", stream: true }, { "x-mock-fail": "500" });
  assert.is(o5.status, 500);
  assert.match(o5.headers["content-type"]!, "application/json", "a failed stream request gets a JSON body, not SSE");
  assert.is(o5.json().error.type, "server_error");

  const a = await post(mock.url, "/v1/messages", MSG, { "x-mock-fail": "429" });
  assert.is(a.status, 429);
  assert.equal(a.json().error.type, "rate_limit_error");
  assert.is(a.json().type, "error");
  assert.is(a.headers["anthropic-ratelimit-requests-remaining"], "0");
  assert.ok(!Number.isNaN(Date.parse(a.headers["anthropic-ratelimit-requests-reset"] as string)));
  const a529 = await post(mock.url, "/v1/messages", MSG, { "x-mock-fail": "529" });
  assert.is(a529.json().error.type, "overloaded_error");

  const g = await post(mock.url, "/v1beta/models/g:generateContent", GEM, { "x-mock-fail": "429" });
  assert.is(g.status, 429);
  assert.is(g.json().error.status, "RESOURCE_EXHAUSTED");
  assert.is(g.json().error.code, 429);
  assert.is(g.json().error.details[0].retryDelay, "1s");
  const g503 = await post(mock.url, "/v1beta/models/g:streamGenerateContent?alt=sse", GEM, { "x-mock-fail": "503" });
  assert.equal([g503.status, g503.json().error.status], [503, "UNAVAILABLE"]);
});

sw("x-mock-fail applies before the body is even looked at", async ({ mock }) => {
  const res = await post(mock.url, "/v1/chat/completions", "not json", { "x-mock-fail": "503" });
  assert.is(res.status, 503);
  assert.is(res.json().error.type, "server_error");
});

sw("x-mock-fail-after ends a started stream with the provider's in-stream error", async ({ mock }) => {
  const o = sseJson((await post(mock.url, "/v1/chat/completions", { ...CHAT, stream: true }, { "x-mock-fail-after": "2" })).text);
  assert.is(o.filter((c) => c.choices?.[0]?.delta?.content).length, 2);
  assert.ok(o.at(-1).error.message);
  assert.ok(!o.includes("[DONE]"));

  const a = parseSse((await post(mock.url, "/v1/messages", { ...MSG, stream: true }, { "x-mock-fail-after": "1", "x-mock-fail": "529" })).text);
  assert.equal(a.map((e) => e.event), ["message_start", "content_block_start", "ping", "content_block_delta", "error"]);
  assert.is(JSON.parse(a.at(-1)!.data).error.type, "overloaded_error");

  const r = sseJson((await post(mock.url, "/v1/responses", { model: "m", input: "x", stream: true }, { "x-mock-fail-after": "0" })).text);
  assert.is(r.at(-1).type, "error");
  assert.ok(!r.some((e) => e.type === "response.output_text.delta"));

  // Gemini: after the first bytes an error is a bare JSON object, not a data: event.
  const g = (await post(mock.url, "/v1beta/models/g:streamGenerateContent?alt=sse", GEM, { "x-mock-fail-after": "1" })).text;
  const [first, rest] = [g.slice(0, g.indexOf("\r\n\r\n") + 4), g.slice(g.indexOf("\r\n\r\n") + 4)];
  assert.is(sseJson(first).length, 1);
  assert.not.match(rest, "data:");
  assert.is(JSON.parse(rest).error.status, "INTERNAL");
  // The JSON-array form stays a valid array.
  const arr = JSON.parse((await post(mock.url, "/v1beta/models/g:streamGenerateContent", GEM, { "x-mock-fail-after": "1" })).text);
  assert.equal([arr.length, arr[1].error.code], [2, 500]);

  // A non-streamed request ignores fail-after unless x-mock-fail is also given.
  assert.is((await post(mock.url, "/v1/chat/completions", CHAT, { "x-mock-fail-after": "1" })).status, 200);
  assert.is((await post(mock.url, "/v1/chat/completions", CHAT, { "x-mock-fail-after": "1", "x-mock-fail": "502" })).status, 502);
});

sw("x-mock-no-usage: streams and bodies that never report usage", async ({ mock }) => {
  const h = { "x-mock-no-usage": "true" };
  const o = sseJson((await post(mock.url, "/v1/chat/completions", { ...CHAT, stream: true, stream_options: { include_usage: true } }, h)).text);
  assert.ok(o.slice(0, -1).every((c) => !("usage" in c) && c.choices.length === 1));
  assert.not.ok("usage" in (await post(mock.url, "/v1/chat/completions", CHAT, h)).json());
  const a = sseJson((await post(mock.url, "/v1/messages", { ...MSG, stream: true }, h)).text);
  assert.not.ok("usage" in a[0].message);
  assert.not.ok("usage" in a.find((e) => e.type === "message_delta"));
  const g = sseJson((await post(mock.url, "/v1beta/models/g:streamGenerateContent?alt=sse", GEM, h)).text);
  assert.ok(g.every((c) => !("usageMetadata" in c)));
  const r = sseJson((await post(mock.url, "/v1/responses", { model: "m", input: "x", stream: true }, h)).text);
  assert.is(r.at(-1).response.usage, null);
  assert.not.ok("usage" in (await post(mock.url, "/v1/embeddings", { model: "e", input: "x" }, h)).json());
  assert.is((await post(mock.url, "/v1/chat/completions", CHAT, { "x-mock-no-usage": "false" })).json().usage.total_tokens > 0, true);
});

sw("x-mock-chunks sets the number of content events and completion tokens; x-mock-answer the text", async ({ mock }) => {
  for (const n of [1, 3, 40]) {
    const o = sseJson((await post(mock.url, "/v1/chat/completions", { ...CHAT, stream: true, stream_options: { include_usage: true } }, { "x-mock-chunks": String(n) })).text);
    assert.is(o.filter((c) => c.choices?.[0]?.delta?.content).length, n);
    assert.is(o.at(-2).usage.completion_tokens, n);
  }
  const a = sseJson((await post(mock.url, "/v1/messages", { ...MSG, stream: true }, { "x-mock-answer": "My SSN is 123-45-6789 ok", "x-mock-chunks": "2" })).text);
  const deltas = a.filter((e) => e.type === "content_block_delta").map((e) => e.delta.text);
  assert.equal(deltas, ["My SSN", " is 123-45-6789 ok"]);
  assert.is(a.find((e) => e.type === "message_delta").usage.output_tokens, 2);
});

sw("a malformed switch is a 400 naming the header", async ({ mock }) => {
  const res = await post(mock.url, "/v1/chat/completions", CHAT, { "x-mock-chunks": "lots" });
  assert.is(res.status, 400);
  assert.is(res.json().error.message, "mock-llm switch x-mock-chunks: expected a whole number, got 'lots'");
  const fail = await post(mock.url, "/v1/messages", MSG, { "x-mock-fail": "200" });
  assert.is(fail.status, 400);
  assert.is(fail.json().error.message, "mock-llm switch x-mock-fail: expected a number from 400 to 599, got 200");
  assert.is((await post(mock.url, "/v1/messages", MSG, { "x-mock-no-usage": "yes" })).json().error.message, "mock-llm switch x-mock-no-usage: expected true or false, got 'yes'");
});

sw("x-mock-latency-ms holds the response back; a client leaving meanwhile is fine", async ({ mock }) => {
  const before = mock.requests.length;
  await post(mock.url, "/v1/chat/completions", CHAT, { "x-mock-latency-ms": "120" });
  const rec = mock.requests[before];
  // Node timers may fire up to a millisecond early.
  assert.ok(rec.durationMs! >= 119, `held back ${rec.durationMs} ms`);
  const own = await startMockLlm();
  const res = open(own.url, "/v1/chat/completions", CHAT, { "x-mock-latency-ms": "60000" });
  res.catch(() => undefined);
  await until(() => own.requests.length === 1);
  const waiting = own.requests[0];
  assert.is(waiting.state, "pending");
  // Closing the server ends the wait at once rather than after a minute.
  await own.close();
  await until(() => waiting.state !== "pending");
  assert.is(waiting.state, "aborted");
  assert.is(waiting.status, null);
});

sw.run();

const defaults = suite("defaults");

defaults("defaults (the CLI flags) apply to every request; headers override them", async () => {
  const mock = await startMockLlm({ defaults: { chunks: 2, noUsage: true } });
  try {
    const o = sseJson((await post(mock.url, "/v1/chat/completions", { ...CHAT, stream: true, stream_options: { include_usage: true } })).text);
    assert.is(o.filter((c) => c.choices?.[0]?.delta?.content).length, 2);
    assert.ok(o.slice(0, -1).every((c) => !("usage" in c)));
    const h = sseJson((await post(mock.url, "/v1/chat/completions", { ...CHAT, stream: true, stream_options: { include_usage: true } }, { "x-mock-chunks": "5", "x-mock-no-usage": "false" })).text);
    assert.is(h.at(-2).usage.completion_tokens, 5);
  } finally {
    await mock.close();
  }
});

defaults("defaults are checked like headers", () => {
  assert.throws(() => checkSwitches({ chunks: 0 }), (e: unknown) => e instanceof SwitchError && e.message === "defaults.chunks: expected a number from 1 to 100000, got 0");
  assert.throws(() => checkSwitches({ failStatus: 302 }), /defaults.failStatus: expected a number from 400 to 599/);
  assert.equal(checkSwitches({ latencyMs: 5, answer: "x" }).latencyMs, 5);
});

defaults.run();
