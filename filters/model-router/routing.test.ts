/**
 * @module filters/model-router/routing.test
 * The router with held headers (the gateway set-up the controller renders): every API shape,
 * aliases, the model header, route-cache clearing, properties, content-length removal, and model
 * names that are nested, escaped or not ASCII.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CHAT, chatBody, loadRouter, postHeaders, send } from "./test-support.ts";

const aliases = { "gpt-latest": "gpt-4o-2024-08-06", "claude": "claude-sonnet-4-5", "gemini-fast": "gemini-2.5-flash" };

test("chat completions: the header names the model, the route cache is cleared, headers and body reach the upstream", async () => {
  const host = await loadRouter();
  const body = chatBody("gpt-4o-mini");
  const s = await send(host, CHAT, body);
  assert.is(s.localResponse, null);
  assert.is(s.upstream.headers?.get("x-gateway-model-name"), "gpt-4o-mini");
  assert.is(s.upstream.bodyText, body);
  // Two clears: Envoy's automatic one when a 0.2.1 module changes request headers (the model
  // header), and the explicit clear_route_cache the router calls after setting it.
  assert.is(s.routeCacheClears, 2);
  assert.is(s.property("tollgate.model"), "gpt-4o-mini");
  assert.is(s.property("tollgate.api"), "openai.chat_completions");
  assert.is(s.property("tollgate.rule"), undefined);
  assert.is(host.metric("model_router.routed")?.value, 1);
  assert.not.ok(host.failed);
});

test("headers are held while the body arrives (StopIteration), then released with the model header", async () => {
  const host = await loadRouter();
  const body = chatBody("gpt-4o-mini");
  const s = host.stream();
  assert.is(s.sendRequestHeaders(postHeaders(CHAT, {}, body)), "StopIteration");
  assert.is(s.upstream.headers, null);
  assert.is(s.sendRequestBody(body.slice(0, 10)), "StopIterationAndBuffer");
  assert.is(s.upstream.headers, null);
  assert.is(s.sendRequestBody(body.slice(10), true), "Continue");
  assert.is(s.upstream.headers?.get("x-gateway-model-name"), "gpt-4o-mini");
});

test("every API shape: model from the body or the path, API name as a property", async () => {
  const host = await loadRouter({ apiPrefixes: ["/api/openai"] });
  const cases: Array<[string, string, string, string]> = [
    ["/v1/chat/completions", chatBody("gpt-4o"), "gpt-4o", "openai.chat_completions"],
    ["/v1/completions", JSON.stringify({ model: "gpt-3.5-turbo-instruct", prompt: "Say hi" }), "gpt-3.5-turbo-instruct", "openai.completions"],
    ["/v1/embeddings", JSON.stringify({ model: "text-embedding-3-small", input: ["a", "b"] }), "text-embedding-3-small", "openai.embeddings"],
    ["/v1/responses", JSON.stringify({ model: "gpt-4.1-mini", input: "Summarise", instructions: "Be terse." }), "gpt-4.1-mini", "openai.responses"],
    ["/v1/messages", JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 64, messages: [{ role: "user", content: "Hi" }] }), "claude-sonnet-4-5", "anthropic.messages"],
    ["/v1beta/models/gemini-2.5-flash:generateContent", JSON.stringify({ contents: [{ role: "user", parts: [{ text: "Hi" }] }] }), "gemini-2.5-flash", "gemini.generate_content"],
    ["/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse", JSON.stringify({ contents: [{ role: "user", parts: [{ text: "Hi" }] }] }), "gemini-2.5-pro", "gemini.stream_generate_content"],
    ["/api/openai/chat/completions", chatBody("llama-3.1-8b"), "llama-3.1-8b", "openai.chat_completions"],
    ["/api/openai/v1/embeddings", JSON.stringify({ model: "bge-m3", input: "x" }), "bge-m3", "openai.embeddings"],
  ];
  for (const [path, body, model, api] of cases) {
    const s = await send(host, path, body);
    assert.is(s.localResponse, null, path);
    assert.is(s.upstream.headers?.get("x-gateway-model-name"), model, path);
    assert.is(s.property("tollgate.api"), api, path);
    assert.is(s.upstream.bodyText, body, path);
  }
});

test("requests that are no LLM call pass untouched and unheld", async () => {
  const host = await loadRouter();
  for (const [method, path] of [["GET", "/v1/models"], ["POST", "/v1/files"], ["GET", CHAT], ["POST", "/healthz"]]) {
    const s = host.stream();
    assert.is(s.sendRequestHeaders({ ":method": method, ":path": path, ":authority": "a", "content-length": "2" }), "Continue", path);
    s.sendRequestBody("{}", true);
    assert.is(s.upstream.headers?.get("x-gateway-model-name"), undefined);
    assert.is(s.upstream.bodyText, "{}");
    assert.is(s.routeCacheClears, 0);
  }
});

test("an alias rewrites only the body's model, the header carries the served name, content-length is removed", async () => {
  const host = await loadRouter({ aliases });
  const body = '{"messages":[{"role":"user","content":"hi"}],  "model" : "gpt-latest" ,"temperature":0.2}';
  const s = await send(host, CHAT, body);
  assert.is(s.upstream.bodyText, '{"messages":[{"role":"user","content":"hi"}],  "model" : "gpt-4o-2024-08-06" ,"temperature":0.2}');
  assert.is(s.upstream.headers?.get("x-gateway-model-name"), "gpt-4o-2024-08-06");
  assert.is(s.upstream.headers?.get("content-length"), undefined);
  assert.is(s.property("tollgate.model"), "gpt-4o-2024-08-06");
});

test("without aliases or model-changing rules content-length stays (the body cannot change)", async () => {
  const host = await loadRouter({ rules: [{ name: "tag", setHeaders: { "x-tier": "std" } }] });
  const body = chatBody("gpt-4o");
  const s = await send(host, CHAT, body);
  assert.is(s.upstream.headers?.get("content-length"), String(body.length));
  assert.is(s.upstream.headers?.get("x-tier"), "std");
});

test("an alias on a path-model API rewrites the path's model segment", async () => {
  const host = await loadRouter({ aliases });
  const body = JSON.stringify({ contents: [{ role: "user", parts: [{ text: "Hi" }] }] });
  const s = await send(host, "/v1beta/models/gemini-fast:streamGenerateContent?alt=sse", body);
  assert.is(s.upstream.headers?.get(":path"), "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
  assert.is(s.upstream.headers?.get("x-gateway-model-name"), "gemini-2.5-flash");
  assert.is(s.upstream.bodyText, body);
});

test("a nested `model` key before the top-level one is not taken for it, and is never rewritten", async () => {
  const host = await loadRouter({ aliases: { "m-top": "m-served", "m-nested": "WRONG" } });
  const body = JSON.stringify({
    tools: [{ type: "function", function: { name: "f", parameters: { type: "object", properties: { model: { type: "string" } } } } }],
    metadata: { model: "m-nested" },
    messages: [{ role: "user", content: '{"model":"m-nested"}' }],
    model: "m-top",
  });
  const s = await send(host, CHAT, body);
  assert.is(s.upstream.headers?.get("x-gateway-model-name"), "m-served");
  assert.is(s.upstream.bodyText, body.replace('"model":"m-top"', '"model":"m-served"'));
});

test("escaped and unicode model names: decoded for the header and for alias lookup", async () => {
  const host = await loadRouter({ aliases: { "modèle/β": "served-β" } });
  // "mod\u00e8le\/\u03b2" is the JSON-escaped spelling of "modèle/β".
  const escaped = '{"model":"mod\\u00e8le\\/\\u03b2","messages":[{"role":"user","content":"x"}]}';
  let s = await send(host, CHAT, escaped);
  assert.is(s.upstream.headers?.get("x-gateway-model-name"), "served-β");
  assert.is(s.upstream.bodyText, '{"model":"served-β","messages":[{"role":"user","content":"x"}]}');

  const plain = '{"model":"日本語-model","messages":[{"role":"user","content":"x"}]}';
  s = await send(host, CHAT, plain);
  assert.is(s.upstream.headers?.get("x-gateway-model-name"), "日本語-model");
  assert.is(s.upstream.bodyText, plain);
});

test("a configured model header name is used instead of the default", async () => {
  const host = await loadRouter({ modelHeader: "X-Target-Model" });
  const s = await send(host, CHAT, chatBody("gpt-4o"));
  assert.is(s.upstream.headers?.get("x-target-model"), "gpt-4o");
  assert.is(s.upstream.headers?.get("x-gateway-model-name"), undefined);
});

test("a client-sent model header is overwritten, never trusted, also on requests the router does not route", async () => {
  const host = await loadRouter({ onParseError: "continue" });
  const spoof = { "x-gateway-model-name": "expensive-model" };
  let s = await send(host, CHAT, chatBody("gpt-4o-mini"), { headers: spoof });
  assert.equal(s.upstream.headers?.getAll("x-gateway-model-name"), ["gpt-4o-mini"]);
  s = await send(host, CHAT, "not json", { headers: spoof });
  assert.equal(s.upstream.headers?.getAll("x-gateway-model-name"), []);
  s = await host.run({ request: { headers: { ":method": "GET", ":path": "/v1/models", ":authority": "a", ...spoof } } });
  assert.equal(s.upstream.headers?.getAll("x-gateway-model-name"), []);
  const passing = await loadRouter({ holdHeaders: false });
  s = await send(passing, CHAT, chatBody("m"), { headers: spoof });
  assert.equal(s.upstream.headers?.getAll("x-gateway-model-name"), []);
});

test("a Gemini body's own `model` key is not the routing key (the path names the model)", async () => {
  for (const rules of [[], [{ name: "t", when: { minPromptTokens: 1 } }]]) {
    const host = await loadRouter({ rules });
    const body = JSON.stringify({ model: 42, contents: [{ role: "user", parts: [{ text: "Hi" }] }] });
    const s = await send(host, "/v1beta/models/gemini-2.5-flash:generateContent", body);
    assert.is(s.localResponse, null, s.localResponse?.bodyText);
    assert.is(s.upstream.headers?.get("x-gateway-model-name"), "gemini-2.5-flash");
  }
});

test("a request with trailers is routed when the trailers end it", async () => {
  // (Body rewrites from the trailers callback are not asserted: the harness does not carry a
  // buffer write made there on to the upstream, while Envoy's buffered decoding buffer would.)
  const host = await loadRouter();
  const body = JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 8, messages: [{ role: "user", content: "Hi" }] });
  const s = await host.run({ request: { headers: postHeaders("/v1/messages", {}, body), body, trailers: { "x-checksum": "1" } } });
  assert.is(s.localResponse, null);
  assert.is(s.upstream.headers?.get("x-gateway-model-name"), "claude-sonnet-4-5");
  // Two clears: Envoy's automatic one when a 0.2.1 module changes request headers (the model
  // header), and the explicit clear_route_cache the router calls after setting it.
  assert.is(s.routeCacheClears, 2);
  assert.is(s.upstream.bodyText, body);
  assert.is(s.upstream.trailers?.get("x-checksum"), "1");
});

test.run();
