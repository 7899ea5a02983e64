/**
 * @module filters/model-router/errors.test
 * What the router refuses and how: 413 over `maxBodyBytes` (declared or streamed), 400 with an
 * OpenAI-style error for unparsable bodies and missing models (or pass-through with
 * `onParseError: continue`), 400 for model values that would inject into a header; malformed
 * bodies never trap the VM; bodies in any chunking route the same.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chunkings, prng } from "../../test/support/chunkings.ts";
import { CHAT, chatBody, loadRouter, postHeaders, send } from "./test-support.ts";

function openAIError(s: { localResponse: { status: number; bodyText: string; headers: { get(k: string): string | undefined } } | null }, status: number) {
  assert.ok(s.localResponse, "expected a local response");
  assert.is(s.localResponse!.status, status);
  assert.is(s.localResponse!.headers.get("content-type"), "application/json");
  const e = JSON.parse(s.localResponse!.bodyText).error;
  assert.type(e.message, "string");
  assert.type(e.type, "string");
  return e as { message: string; type: string; code: string | null };
}

test("a declared content-length over maxBodyBytes gets 413 at the headers, before any body", async () => {
  const host = await loadRouter({ maxBodyBytes: 1000 });
  const s = host.stream();
  s.sendRequestHeaders(postHeaders(CHAT, { "content-length": "1001" }));
  const e = openAIError(s, 413);
  assert.is(e.code, "request_too_large");
  assert.ok(e.message.includes("1000"));
  assert.is(s.upstream.headers, null);
  assert.is(host.metric("model_router.body_too_large")?.value, 1);
});

test("a chunked body growing over maxBodyBytes gets 413 when it crosses the limit", async () => {
  const host = await loadRouter({ maxBodyBytes: 1000 });
  const s = host.stream();
  s.sendRequestHeaders(postHeaders(CHAT, { "transfer-encoding": "chunked" }));
  s.sendRequestBody("x".repeat(600));
  assert.is(s.localResponse, null);
  s.sendRequestBody("x".repeat(600));
  openAIError(s, 413);
  assert.is(s.upstream.headers, null, "nothing reached the upstream");
});

test("default limit is 2 MiB: exactly 2 MiB routes, one byte more is refused", async () => {
  const host = await loadRouter();
  const pad = (n: number) => { const base = chatBody("m", ""); return chatBody("m", "a".repeat(n - base.length)); };
  const ok = pad(2 * 1024 * 1024);
  assert.is(ok.length, 2 * 1024 * 1024);
  let s = await send(host, CHAT, ok, { chunks: [ok.slice(0, 1 << 20), ok.slice(1 << 20)] });
  assert.is(s.localResponse, null);
  assert.is(s.upstream.headers?.get("x-gateway-model-name"), "m");
  const over = pad(2 * 1024 * 1024 + 1);
  s = await send(host, CHAT, over, { chunked: true, chunks: [over.slice(0, 1 << 20), over.slice(1 << 20)] });
  openAIError(s, 413);
});

test("not JSON, not an object, no model, empty model, wrong model type: 400 with an OpenAI-style error", async () => {
  const host = await loadRouter();
  const cases: Array<[string, string]> = [
    ["this is not json", "invalid_body"],
    ['{"model":"gpt-4o","messages":[', "invalid_body"],
    ["[1,2,3]", "invalid_body"],
    ['{"messages":[{"role":"user","content":"hi"}]}', "model_not_found"],
    ['{"model":"","messages":[]}', "model_not_found"],
    ['{"model":null,"messages":[]}', "model_not_found"],
    ['{"model":42,"messages":[]}', "invalid_body"],
    ['{"model":"a","model":"b","messages":[]}', "invalid_body"],
    ['{"model":"gpt-4o"} trailing', "invalid_body"],
  ];
  for (const [body, code] of cases) {
    const s = await send(host, CHAT, body);
    const e = openAIError(s, 400);
    assert.is(e.code, code, body);
    assert.is(e.type, "invalid_request_error");
    assert.is(s.upstream.headers, null, body);
  }
  assert.is(host.metric("model_router.rejected")?.value, cases.length);
  assert.not.ok(host.failed);
});

test("a request without a body is answered 400 (no model to route on)", async () => {
  const host = await loadRouter();
  const s = host.stream();
  s.sendRequestHeaders(postHeaders(CHAT), true);
  assert.is(openAIError(s, 400).code, "model_not_found");
});

test("onParseError: continue passes unparsable bodies through unrouted and untouched", async () => {
  const host = await loadRouter({ onParseError: "continue", aliases: { a: "b" } });
  for (const body of ["not json", '{"messages":[]}', '{"model":7}']) {
    const s = await send(host, CHAT, body);
    assert.is(s.localResponse, null, body);
    assert.is(s.upstream.bodyText, body);
    assert.is(s.upstream.headers?.get("x-gateway-model-name"), undefined);
    assert.is(s.property("tollgate.model"), undefined);
    assert.is(s.property("tollgate.api"), "openai.chat_completions");
  }
  assert.is(host.metric("model_router.unrouted")?.value, 3);
});

test("header injection: control characters, CR/LF or over 256 bytes in the model are refused with 400, never copied", async () => {
  for (const onParseError of ["reject", "continue"]) {
    const host = await loadRouter({ onParseError });
    const attempts = [
      "gpt-4o\r\nx-admin: true", "gpt-4o\nx-admin: true", "gpt\u0000", "gpt\u007f", "tab\there", "\u001b[31m",
      "a".repeat(257), "é".repeat(129),
    ];
    for (const model of attempts) {
      const body = JSON.stringify({ model, messages: [{ role: "user", content: "x" }] });
      const s = await send(host, CHAT, body);
      assert.is(openAIError(s, 400).code, "invalid_model", JSON.stringify(model));
      assert.is(s.upstream.headers, null);
    }
    // The limits themselves are fine.
    for (const model of ["a".repeat(256), "é".repeat(128), "model with spaces"]) {
      const s = await send(host, CHAT, chatBody(model));
      assert.is(s.upstream.headers?.get("x-gateway-model-name"), model);
    }
  }
});

test("a Gemini path whose model segment is badly encoded is refused (or passed with continue)", async () => {
  const body = JSON.stringify({ contents: [{ role: "user", parts: [{ text: "Hi" }] }] });
  let host = await loadRouter();
  let s = await send(host, "/v1beta/models/gem%ZZini:generateContent", body);
  openAIError(s, 400);
  s = await send(host, "/v1beta/models/gem%0D%0Aini:generateContent", body);
  assert.is(openAIError(s, 400).code, "invalid_model");
  host = await loadRouter({ onParseError: "continue" });
  s = await send(host, "/v1beta/models/gem%ZZini:generateContent", body);
  assert.is(s.localResponse, null);
  assert.is(s.upstream.headers?.get("x-gateway-model-name"), undefined);
});

test("bodies in every chunking route the same (every byte boundary of a small body)", async () => {
  const host = await loadRouter({ aliases: { "gpt-latest": "gpt-4o-2024-08-06" } });
  const body = '{"model":"gpt-latest","messages":[{"role":"user","content":"caf\\u00e9 \u00fcber"}],"stream":true}';
  const want = body.replace('"gpt-latest"', '"gpt-4o-2024-08-06"');
  for (const { name, chunks } of chunkings(body)) {
    const s = await send(host, CHAT, body, { chunks });
    assert.is(s.upstream.headers?.get("x-gateway-model-name"), "gpt-4o-2024-08-06", name);
    assert.is(s.upstream.bodyText, want, name);
  }
});

test("large bodies in random chunkings route the same", async () => {
  const host = await loadRouter({ aliases: { "gpt-latest": "gpt-4o" } });
  const messages = Array.from({ length: 200 }, (_, i) => ({ role: i % 2 ? "assistant" : "user", content: `message ${i} `.repeat(40) }));
  const body = JSON.stringify({ messages, model: "gpt-latest", temperature: 0 });
  for (const { name, chunks } of chunkings(body)) {
    const s = await send(host, CHAT, body, { chunks });
    assert.is(s.upstream.headers?.get("x-gateway-model-name"), "gpt-4o", name);
    assert.is(s.upstream.bodyText, body.replace('"gpt-latest"', '"gpt-4o"'), name);
  }
});

for (const [read, rules] of [["whole request read", [{ name: "p", when: { lastUserMessageContains: ["x"] } }]], ["model-only read", []]] as const)
test(`malformed and random bodies never trap the VM, and the VM's memory stays bounded (${read})`, async () => {
  const host = await loadRouter({ rules });
  const rnd = prng(7);
  const good = JSON.stringify({ model: "m", messages: [{ role: "user", content: [{ type: "text", text: "a\\u00e9\"x" }] }], tools: [{ type: "function" }] });
  const pages = host.memoryPages()[0];
  for (let i = 0; i < 600; i++) {
    let body: Uint8Array;
    const kind = i % 4;
    if (kind === 0) body = Uint8Array.from({ length: Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256));
    else if (kind === 1) body = new TextEncoder().encode(good.slice(0, Math.floor(rnd() * good.length)));
    else if (kind === 2) { const b = new TextEncoder().encode(good); b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256); body = b; }
    else body = new TextEncoder().encode("[".repeat(Math.floor(rnd() * 5000)) + '{"model":"m"}');
    const path = ["/v1/chat/completions", "/v1/messages", "/v1/responses", "/v1/embeddings", "/v1beta/models/g:generateContent"][i % 5];
    const s = await send(host, path, body);
    assert.ok(s.localResponse === null || s.localResponse.status === 400, `unexpected ${s.localResponse?.status}`);
  }
  assert.not.ok(host.failed, host.failures().join("; "));
  assert.ok(host.memoryPages()[0] - pages < 64, `memory grew from ${pages} to ${host.memoryPages()[0]} pages`);
});

test.run();
