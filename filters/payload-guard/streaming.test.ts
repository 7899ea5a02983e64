/**
 * @module filters/payload-guard/streaming.test
 * Responses: streamed text is held back only as long as a match could still be growing, so a
 * secret split over two SSE events is redacted before any part of it reaches the client, prose
 * waits at most one event, and a block mid-stream ends with the provider's error event.
 * Non-streamed responses are buffered and checked whole.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { everyBoundary, randomChunkings } from "../../test/support/chunkings.ts";
import type { Host, HttpStream } from "../../harness/index.ts";
import { CHAT, DONE, GEMINI_SSE, MESSAGES, RESPONSES, SSE, chat, chatEvent, clientText, loadGuard, postHeaders, send } from "./test-support.ts";


/** Starts a streamed chat exchange and returns the stream after the response headers. */
function startStream(host: Host, path = CHAT, body = chat("hi", { stream: true })): HttpStream {
  const s = host.stream();
  s.sendRequestHeaders(postHeaders(path, body));
  s.sendRequestBody(body, true);
  s.sendResponseHeaders(SSE);
  return s;
}

test("a secret split over two events is redacted before any part of it reaches the client", async () => {
  const host = await loadGuard({ response: { detectors: { openai_key: "redact" } } });
  const s = startStream(host);
  s.sendResponseBody(chatEvent("Here it is: sk-proj-abcdef"));
  assert.is(clientText(s), "", "the event ending in the key's first half is held");
  s.sendResponseBody(chatEvent("ghijklmnopqrstuvwx and more"));
  assert.not.match(s.client.bodyText, "sk-");
  assert.not.match(s.client.bodyText, "ghijkl");
  s.sendResponseBody(chatEvent(" text."));
  s.sendResponseBody(DONE, true);
  assert.is(clientText(s), "Here it is: [REDACTED:openai_key] and more text.");
  assert.ok(s.client.bodyText.endsWith(DONE), "events after pass unchanged, [DONE] included");
  assert.is(s.property("tollgate.guard.findings"), "openai_key:1");
  assert.is(host.metric("payload_guard.openai_key.redact")?.value, 1);
});

test("prose is held back by at most one event", async () => {
  const host = await loadGuard({ response: { detectors: { email: "redact", openai_key: "block", card: "redact", prompt_injection: "flag" } } });
  const s = startStream(host);
  const words = Array.from({ length: 40 }, (_, i) => `word${i} `);
  const sent: string[] = [];
  for (const w of words) {
    s.sendResponseBody(chatEvent(w));
    sent.push(w);
    // Everything up to the previous event has passed.
    assert.ok(clientText(s).length >= sent.slice(0, -1).join("").length, `after ${sent.length} events the client has ${JSON.stringify(clientText(s))}`);
  }
  s.sendResponseBody(DONE, true);
  assert.is(clientText(s), words.join(""));
});

test("untouched events pass byte for byte (ids, comments, usage chunks)", async () => {
  const host = await loadGuard({ response: { detectors: { email: "redact" } } });
  const s = startStream(host);
  const stream = ": keep-alive\n\n" + chatEvent("hello ") + "id: 7\n" + chatEvent("there ") +
    `data: ${JSON.stringify({ id: "c1", choices: [], usage: { prompt_tokens: 3, completion_tokens: 2 } })}\n\n` + DONE;
  s.sendResponseBody(stream, true);
  assert.is(s.client.bodyText, stream);
});

test("a block mid-stream ends it with the provider's error event; the text never arrives", async () => {
  const host = await loadGuard({ response: { detectors: { aws_access_key: "block" } } });
  const s = startStream(host);
  s.sendResponseBody(chatEvent("The answer is "));
  s.sendResponseBody(chatEvent("simple. The id is AKIAIOS"));
  s.sendResponseBody(chatEvent("FODNN7EXAMPLE, enjoy"));
  s.sendResponseBody(chatEvent(" more text"));
  s.sendResponseBody(DONE, true);
  const body = s.client.bodyText;
  assert.not.match(body, "AKIA");
  assert.not.match(body, "more text");
  const last = body.trim().split("\n\n").pop()!;
  const err = JSON.parse(last.slice("data: ".length)).error;
  assert.is(err.code, "content_blocked");
  assert.match(err.message, "aws_access_key");
  assert.ok(clientText(s).startsWith("The answer is"), "text before the finding was passed");
  assert.is(s.property("tollgate.guard.action"), "block");
  assert.is(host.metric("payload_guard.blocked")?.value, 1);
});

test("Anthropic stream: blocked with an `event: error`", async () => {
  const host = await loadGuard({ response: { detectors: { private_key: "block" } } });
  const body = JSON.stringify({ model: "claude", max_tokens: 10, stream: true, messages: [{ role: "user", content: "hi" }] });
  const s = startStream(host, MESSAGES, body);
  const delta = (t: string) => `event: content_block_delta\ndata: ${JSON.stringify({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: t } })}\n\n`;
  s.sendResponseBody('event: message_start\ndata: {"type":"message_start","message":{"id":"m","usage":{"input_tokens":1,"output_tokens":0}}}\n\n');
  s.sendResponseBody(delta("key: -----BEGIN PRIVATE"));
  s.sendResponseBody(delta(" KEY-----\nMIIE"));
  s.sendResponseBody(delta("abc\n-----END PRIVATE KEY-----"), true);
  const body2 = s.client.bodyText;
  assert.not.match(body2, "MIIE");
  assert.not.match(body2, "BEGIN");
  assert.match(body2, 'event: error\ndata: {"type":"error","error":{"type":"invalid_request_error","message":"response blocked by payload-guard: private_key detected"}}');
});

test("Responses and Gemini streams are redacted in their own event shapes", async () => {
  const host = await loadGuard({ response: { detectors: { email: "redact" } } });
  const r = startStream(host, RESPONSES, JSON.stringify({ model: "m", input: "hi", stream: true }));
  const ev = (d: string) => `event: response.output_text.delta\ndata: ${JSON.stringify({ type: "response.output_text.delta", delta: d })}\n\n`;
  r.sendResponseBody(ev("mail bo"));
  r.sendResponseBody(ev("b@example.org now"), true);
  assert.not.match(r.client.bodyText, "example.org");
  assert.match(r.client.bodyText, "[REDACTED:email]");
  const g = startStream(host, GEMINI_SSE, JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }));
  const gev = (t: string) => `data: ${JSON.stringify({ candidates: [{ content: { role: "model", parts: [{ text: t }] } }] })}\r\n\r\n`;
  g.sendResponseBody(gev("write to ann"));
  g.sendResponseBody(gev("@corp.io today"), true);
  const texts = g.client.bodyText.split(/\r?\n\r?\n/).filter((b) => b.startsWith("data: ")).map((b) => JSON.parse(b.slice(6)).candidates[0].content.parts[0].text);
  assert.is(texts.join(""), "write to [REDACTED:email] today");
});

test("a block gives the client the same bytes in every chunking: the events before the finding, then the error event", async () => {
  const host = await loadGuard({ response: { detectors: { github_token: "block", email: "redact" } } });
  const stream = "event: response.created\ndata: {\"type\":\"response.created\"}\n\n" + chatEvent("mail a@b.io now. ") + chatEvent("tok ghp_0123456789abcdefghijklmnopqrstuvwxyz") + chatEvent("after") + DONE;
  let expected: string | null = null;
  for (const { name, chunks } of everyBoundary(stream)) {
    const s = await send(host, CHAT, chat("hi", { stream: true }), { response: { headers: SSE, bodyChunks: chunks.map((c) => Buffer.from(c).toString("latin1")) } });
    expected ??= s.client.bodyText;
    assert.is(s.client.bodyText, expected, name);
  }
  assert.ok(expected!.startsWith("event: response.created\n"), expected!);
  assert.is(expected!.split("\n\n")[1], `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: "mail [REDACTED:email] now. " } }] })}`);
  assert.not.match(expected!, "ghp_");
  assert.not.match(expected!, "after");
  assert.match(expected!, "content_blocked");
});

test("an event is not released while the next one continues its word or digit group: same text in every chunking", async () => {
  // Found by the fuzzer: "\u0000 123-45-6789" is one digit group in a whole body; released apart, the SSN stood alone.
  const host = await loadGuard({ response: { detectors: { ssn: "redact", aws_access_key: "redact" } } });
  for (const stream of [chatEvent("esc \\u0000") + chatEvent(" 123-45-6789 the weather") + DONE,
    chatEvent("id x") + chatEvent("AKIAIOSFODNN7EXAMPLE more") + DONE]) {
    let expected: string | null = null;
    for (const { name, chunks } of everyBoundary(stream)) {
      const s = await send(host, CHAT, chat("hi", { stream: true }), { response: { headers: SSE, bodyChunks: chunks.map((c) => Buffer.from(c).toString("latin1")) } });
      expected ??= clientText(s);
      assert.is(clientText(s), expected, name);
    }
  }
});

test("a block match that more text could still change waits for it: same bytes in every chunking (found by the fuzzer)", async () => {
  // "0000 4111 1111" (after an escaped NUL) alone is a phone number; with the next event's digits it is one longer number.
  const host = await loadGuard({ response: { detectors: { phone: "block", card: "redact" } } });
  const stream = chatEvent(" \n\t\u0000 \n\t\u0000 4111 1111 ") + chatEvent("1111 1is it") + DONE;
  let expected: string | null = null;
  for (const { name, chunks } of everyBoundary(stream)) {
    const s = await send(host, CHAT, chat("hi", { stream: true }), { response: { headers: SSE, bodyChunks: chunks.map((c) => Buffer.from(c).toString("latin1")) } });
    expected ??= s.client.bodyText;
    assert.is(s.client.bodyText, expected, name);
  }
  assert.not.match(expected!, "content_blocked");
});

test("stream bytes split at every boundary give the same redacted text", async () => {
  const host = await loadGuard({ response: { detectors: { openai_key: "redact", email: "redact" } } });
  const stream = chatEvent("k=sk-abcdefghij") + chatEvent("klmnopqrstuvwxyz m=") + chatEvent("a@b.io.") + DONE;
  for (const { name, chunks } of everyBoundary(stream)) {
    const s = await send(host, CHAT, chat("hi", { stream: true }), { response: { headers: SSE, bodyChunks: chunks.map((c) => Buffer.from(c).toString("latin1")) } });
    assert.is(clientText(s), "k=[REDACTED:openai_key] m=[REDACTED:email].", name);
    assert.not.match(s.client.bodyText, "sk-", name);
  }
});

test("a long stream in random chunkings; memory stays flat", async () => {
  const host = await loadGuard({ response: { detectors: { email: "redact", card: "redact", prompt_injection: "flag" } } });
  const parts = Array.from({ length: 300 }, (_, i) => (i % 50 === 7 ? "card 4111 1111 " : i % 50 === 8 ? "1111 1111 ok " : `token${i} `));
  const stream = parts.map(chatEvent).join("") + DONE;
  const expected = parts.join("").replaceAll("card 4111 1111 1111 1111 ok", "card [REDACTED:card] ok");
  for (const { name, chunks } of randomChunkings(stream, 5, 11, 300)) {
    const s = await send(host, CHAT, chat("hi", { stream: true }), { response: { headers: SSE, bodyChunks: chunks.map((c) => Buffer.from(c).toString("latin1")) } });
    assert.is(clientText(s), expected, name);
  }
  const m = await host.memoryCheck({ request: { headers: postHeaders(CHAT), body: chat("hi", { stream: true }) }, response: { headers: SSE, body: stream } }, { requests: 30, warmup: 10 });
  assert.ok(m.flat, `memory ${m.before} → ${m.after}`);
});

test("holdbackBytes bounds what is held: a never-ending word is released", async () => {
  const host = await loadGuard({ response: { detectors: { openai_key: "redact" }, holdbackBytes: 64 } });
  const s = startStream(host);
  for (let i = 0; i < 20; i++) s.sendResponseBody(chatEvent("x".repeat(10)));
  assert.ok(clientText(s).length >= 200 - 64 - 10, `held ${200 - clientText(s).length} bytes`);
});

for (const holdHeaders of [true, false]) {
  test(`non-streamed response (${holdHeaders ? "held" : "not held"} headers): redacted, content-length dropped`, async () => {
    const host = await loadGuard({ holdHeaders, response: { detectors: { email: "redact", ssn: "block" } } });
    const resp = JSON.stringify({ id: "x", choices: [{ index: 0, message: { role: "assistant", content: "reach me at z@q.io" } }] });
    const s = await send(host, CHAT, chat("hi"), { response: { headers: { ":status": "200", "content-type": "application/json", "content-length": String(resp.length) }, body: resp } });
    assert.is(JSON.parse(s.client.bodyText).choices[0].message.content, "reach me at [REDACTED:email]");
    assert.is(s.client.headers?.get("content-length"), undefined);
  });

  test(`non-streamed response (${holdHeaders ? "held" : "not held"} headers): a block never delivers the text`, async () => {
    const host = await loadGuard({ holdHeaders, response: { detectors: { ssn: "block" } } });
    const resp = JSON.stringify({ id: "x", choices: [{ index: 0, message: { role: "assistant", content: "it is 123-45-6789" } }] });
    const s = await send(host, CHAT, chat("hi"), { response: { headers: { ":status": "200", "content-type": "application/json" }, body: resp } });
    assert.not.match(s.client.bodyText, "6789");
    if (holdHeaders) {
      assert.is(s.client.headers?.get(":status"), "400");
      assert.match(JSON.parse(s.client.bodyText).error.message, "ssn");
    } else assert.ok(s.client.reset, "headers had gone: the stream is reset");
  });
}

test("error responses from the upstream pass untouched", async () => {
  const host = await loadGuard({ response: { detectors: { email: "block" } } });
  const err = JSON.stringify({ error: { message: "contact admin@x.io" } });
  const s = await send(host, CHAT, chat("hi"), { response: { headers: { ":status": "429", "content-type": "application/json" }, body: err } });
  assert.is(s.client.bodyText, err);
});

test("streaming off: streams pass unscanned, byte for byte", async () => {
  const host = await loadGuard({ response: { detectors: { email: "redact" }, streaming: "off" } });
  const s = startStream(host);
  const stream = chatEvent("mail a@b.io") + DONE;
  s.sendResponseBody(stream, true);
  assert.is(s.client.bodyText, stream);
});

test("response fields: streamed tool-call arguments are scanned unless only output is listed", async () => {
  const toolEvent = (args: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: args } }] } }] })}\n\n`;
  const all = await loadGuard({ response: { detectors: { email: "redact" } } });
  const a = startStream(all);
  a.sendResponseBody(toolEvent('{"to":"x@y.io"}') + DONE, true);
  assert.not.match(a.client.bodyText, "x@y.io");
  const outputOnly = await loadGuard({ response: { detectors: { email: "redact" }, fields: ["output"] } });
  const b = startStream(outputOnly);
  b.sendResponseBody(toolEvent('{"to":"x@y.io"}') + DONE, true);
  assert.match(b.client.bodyText, "x@y.io");
});

test("non-streamed Responses and Anthropic bodies are redacted in place", async () => {
  const host = await loadGuard({ response: { detectors: { ssn: "redact" } } });
  const r = JSON.stringify({ id: "r", output: [{ type: "message", role: "assistant", content: [{ type: "output_text", text: "ssn 123-45-6789" }] }] });
  const s = await send(host, RESPONSES, JSON.stringify({ model: "m", input: "hi" }), { response: { headers: { ":status": "200", "content-type": "application/json" }, body: r } });
  assert.is(JSON.parse(s.client.bodyText).output[0].content[0].text, "ssn [REDACTED:ssn]");
  const m = JSON.stringify({ id: "m", type: "message", content: [{ type: "text", text: "ssn 123-45-6789" }] });
  const t = await send(host, MESSAGES, JSON.stringify({ model: "c", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }), { response: { headers: { ":status": "200", "content-type": "application/json" }, body: m } });
  assert.is(JSON.parse(t.client.bodyText).content[0].text, "ssn [REDACTED:ssn]");
});

test.run();
