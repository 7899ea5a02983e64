/**
 * @module filters/token-limit/include-usage.test
 * `stream_options.include_usage` injection for streaming OpenAI requests, and removal of the
 * usage-only chunk for clients that had not asked, in both gateway set-ups: with `holdHeaders`
 * (Envoy's `allow_on_headers_stop_iteration`) the filter removes `content-length` while it holds
 * the headers and injects; without it, a request that declared its length passes untouched (its
 * usage is then estimated) and only a chunked one is injected.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chunkings } from "../../test/support/chunkings.ts";
import { PATHS, loadLimiter, requestHeaders } from "./test-support.ts";

const streamBody = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Say hi" }], stream: true, ...extra });

const chunk = (content: string) => `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content } }] })}\n\n`;
const USAGE_CHUNK = `data: {"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}\n\n`;
const TRANSCRIPT = chunk("Hi") + chunk(" there") + chunk("!") + USAGE_CHUNK + "data: [DONE]\n\n";
const WITHOUT_USAGE = chunk("Hi") + chunk(" there") + chunk("!") + "data: [DONE]\n\n";

test("holdHeaders: include_usage injected, content-length removed while held, usage-only chunk hidden at every split", async () => {
  const host = await loadLimiter({ holdHeaders: true });
  for (const { name, chunks } of chunkings(TRANSCRIPT)) {
    const body = streamBody();
    const s = host.stream();
    assert.is(s.sendRequestHeaders(requestHeaders(PATHS["openai.chat_completions"], {}, body), false), "StopIteration");
    s.sendRequestBody(body, true);
    assert.is(s.upstream.headers?.get("content-length"), undefined, name);
    assert.equal(JSON.parse(s.upstream.bodyText).stream_options, { include_usage: true }, name);
    s.sendResponseHeaders({ ":status": "200", "content-type": "text/event-stream" }, false);
    chunks.forEach((c, i) => s.sendResponseBody(c, i === chunks.length - 1));
    assert.is(s.client.bodyText, WITHOUT_USAGE, name);
    assert.is(s.property("tollgate.usage_source"), "reported", name);
    assert.is(s.property("tollgate.input_tokens"), "9", name);
    assert.is(s.property("tollgate.output_tokens"), "3", name);
  }
  assert.is(host.metric("tollgate.token_limit.usage_chunks_stripped")?.value, chunkings(TRANSCRIPT).length);
  assert.is(host.failed, false);
});

test("a chunk as long as its rewrite is still rewritten (held tails that shift the bytes)", async () => {
  // Events B and C have the same length: each later chunk starts mid-event and ends 10 bytes into
  // the next, so what the client must get has the chunk's length but not its bytes.
  const host = await loadLimiter({ holdHeaders: true });
  const a = chunk("Hi"), b = chunk("B1"), c = chunk("C1"), d = chunk("D1");
  const transcript = a + b + c + d + USAGE_CHUNK + "data: [DONE]\n\n";
  const cuts = [a.length + 10, a.length + b.length + 10, a.length + b.length + c.length + 10];
  const chunks = [0, ...cuts].map((from, i) => transcript.slice(from, i < cuts.length ? cuts[i] : undefined));
  assert.is(chunks[1].length, b.length);
  const body = streamBody();
  const s = host.stream();
  s.sendRequestHeaders(requestHeaders(PATHS["openai.chat_completions"], {}, body), false);
  s.sendRequestBody(body, true);
  s.sendResponseHeaders({ ":status": "200", "content-type": "text/event-stream" }, false);
  chunks.forEach((ch, i) => s.sendResponseBody(ch, i === chunks.length - 1));
  assert.is(s.client.bodyText, a + b + c + d + "data: [DONE]\n\n");
  assert.is(s.property("tollgate.output_tokens"), "3");
  assert.is(host.failed, false);
});

test("a client that asked for usage gets its request unchanged and keeps the usage chunk", async () => {
  const host = await loadLimiter({ holdHeaders: true });
  const body = streamBody({ stream_options: { include_usage: true } });
  const s = host.stream();
  s.sendRequestHeaders(requestHeaders(PATHS["openai.chat_completions"], {}, body), false);
  s.sendRequestBody(body, true);
  assert.is(s.upstream.bodyText, body);
  s.sendResponseHeaders({ ":status": "200", "content-type": "text/event-stream" }, false);
  s.sendResponseBody(TRANSCRIPT, true);
  assert.is(s.client.bodyText, TRANSCRIPT);
  assert.is(s.property("tollgate.usage_source"), "reported");
});

test("include_usage: false is overridden for the provider and the chunk still hidden from the client", async () => {
  const host = await loadLimiter({ holdHeaders: true });
  const body = streamBody({ stream_options: { include_usage: false } });
  const s = host.stream();
  s.sendRequestHeaders(requestHeaders(PATHS["openai.chat_completions"], {}, body), false);
  s.sendRequestBody(body, true);
  assert.equal(JSON.parse(s.upstream.bodyText).stream_options, { include_usage: true });
  s.sendResponseHeaders({ ":status": "200", "content-type": "text/event-stream" }, false);
  s.sendResponseBody(TRANSCRIPT, true);
  assert.is(s.client.bodyText, WITHOUT_USAGE);
});

test("holdHeaders: a request that is not injected keeps its content-length (non-streaming, or asking usage itself)", async () => {
  const host = await loadLimiter({ holdHeaders: true });
  for (const body of [JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
    JSON.stringify({ model: "gpt-4o-mini", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "hi" }] })]) {
    const s = host.stream();
    assert.is(s.sendRequestHeaders(requestHeaders(PATHS["openai.chat_completions"], {}, body), false), "StopIteration");
    s.sendRequestBody(body, true);
    assert.is(s.upstream.bodyText, body);
    assert.is(s.upstream.headers?.get("content-length"), String(body.length), body);
  }
  assert.is(host.metric("tollgate.token_limit.include_usage_injected")?.value ?? 0, 0);
});

test("injectStreamUsage false: nothing injected, output estimated", async () => {
  const host = await loadLimiter({ holdHeaders: true, injectStreamUsage: false });
  const body = streamBody();
  const s = host.stream();
  s.sendRequestHeaders(requestHeaders(PATHS["openai.chat_completions"], {}, body), false);
  s.sendRequestBody(body, true);
  assert.is(s.upstream.bodyText, body);
  assert.is(s.upstream.headers?.get("content-length"), String(body.length));
  s.sendResponseHeaders({ ":status": "200", "content-type": "text/event-stream" }, false);
  s.sendResponseBody(WITHOUT_USAGE, true);
  assert.is(s.property("tollgate.usage_source"), "estimated");
  assert.ok(Number(s.property("tollgate.output_tokens")) >= 2);
});

test("without holdHeaders: headers are never paused; a declared length is kept (no injection), a chunked request is injected", async () => {
  const host = await loadLimiter({ holdHeaders: false });
  const body = streamBody();
  const fixed = host.stream();
  assert.is(fixed.sendRequestHeaders(requestHeaders(PATHS["openai.chat_completions"], {}, body), false), "Continue");
  fixed.sendRequestBody(body, true);
  assert.is(fixed.upstream.bodyText, body, "the body keeps the length its headers declared");
  assert.is(fixed.upstream.headers?.get("content-length"), String(body.length));
  fixed.sendResponseHeaders({ ":status": "200", "content-type": "text/event-stream" }, false);
  fixed.sendResponseBody(WITHOUT_USAGE, true);
  assert.is(fixed.property("tollgate.usage_source"), "estimated");
  assert.is(host.metric("tollgate.token_limit.include_usage_not_injected")?.value, 1);

  const chunked = host.stream();
  assert.is(chunked.sendRequestHeaders(requestHeaders(PATHS["openai.chat_completions"]), false), "Continue");
  chunked.sendRequestBody(body.slice(0, 20), false);
  chunked.sendRequestBody(body.slice(20), true);
  assert.equal(JSON.parse(chunked.upstream.bodyText).stream_options, { include_usage: true });
  chunked.sendResponseHeaders({ ":status": "200", "content-type": "text/event-stream" }, false);
  chunked.sendResponseBody(TRANSCRIPT, true);
  assert.is(chunked.client.bodyText, WITHOUT_USAGE);
  assert.is(chunked.property("tollgate.usage_source"), "reported");
});

test("the Responses API is never injected (it rejects stream_options)", async () => {
  const host = await loadLimiter({ holdHeaders: true });
  const body = JSON.stringify({ model: "gpt-4.1-mini", input: "hi", stream: true });
  const s = host.stream();
  s.sendRequestHeaders(requestHeaders(PATHS["openai.responses"], {}, body), false);
  s.sendRequestBody(body, true);
  assert.is(s.upstream.bodyText, body);
});

test("malformed and hostile bodies never trap, in either set-up", async () => {
  for (const hold of [true, false]) {
    const host = await loadLimiter({ holdHeaders: hold, limits: [{ name: "all", tokens: 1000000, window: "60s" }] });
    const bodies = ["", "{", "[]", "null", '{"model":', '{"model":"m","stream":true,"stream_options":7}', '{"model":"m","stream":true,"stream_options":{"include_usage":"x"}}',
      '{"model":"m","max_tokens":-5}', '{"model":"m","max_tokens":1e400}', "\u00ff\u00fe", "{".repeat(5000), JSON.stringify({ model: "m", messages: "x".repeat(100000) })];
    const responses = ["", "data: {", "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":-1}}\n\n", "\r\r\r", "data: " + "[".repeat(3000) + "\n\n", "{\"usage\":{\"prompt_tokens\":1e300}}"];
    for (const b of bodies) for (const r of responses) for (const ct of ["text/event-stream", "application/json"]) {
      const s = host.stream();
      s.sendRequestHeaders(requestHeaders(PATHS["openai.chat_completions"], {}, b), false);
      s.sendRequestBody(b, true);
      if (s.localResponse) continue;
      s.sendResponseHeaders({ ":status": "200", "content-type": ct }, false);
      s.sendResponseBody(r.slice(0, 3), false);
      s.sendResponseBody(r.slice(3), true);
    }
    assert.is(host.failed, false, `holdHeaders ${hold}: ${host.failures().join("; ")}`);
  }
});

test("a body over maxBodyBytes is refused with 413, declared or not", async () => {
  const host = await loadLimiter({ maxBodyBytes: 100 });
  const body = streamBody({ pad: "x".repeat(200) });
  const s = host.stream();
  s.sendRequestHeaders(requestHeaders(PATHS["openai.chat_completions"], {}, body), false);
  assert.is(s.localResponse?.status, 413);
  const t = host.stream();
  t.sendRequestHeaders(requestHeaders(PATHS["openai.chat_completions"]), false);
  t.sendRequestBody(body, true);
  assert.is(t.localResponse?.status, 413);
});

test.run();
