/**
 * @module harness/stream.test
 * One plugin, one stream: callback order, lazy contexts, ids, Envoy's result conversions
 * and the body a callback sees under each status (§10.4, §10.5, §10.9).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GET, POST, scripted, streamLogs } from "./testdata/helpers.ts";

const callbacks = (s: { trace(): Array<{ kind: string; name: string; args: unknown[] }> }) =>
  s.trace().filter((t) => t.kind === "callback").map((t) => `${t.name.replace("proxy_on_", "")}(${t.args.join(",")})`);

test("full exchange order: create, request, response, then log → done → delete", async () => {
  const host = await scripted("");
  const s = await host.run({
    request: { headers: POST, body: "abc", trailers: { "x-t": "1" } },
    response: { headers: { ":status": "200" }, bodyChunks: ["x", "yz"] },
  });
  assert.equal(callbacks(s), [
    "context_create(2,1)", "request_headers(2,5,0)", "request_body(2,3,0)", "request_trailers(2,1)",
    "response_headers(2,1,0)", "response_body(2,1,0)", "response_body(2,2,1)", "log(2)", "done(2)", "delete(2)",
  ]);
  assert.ok(s.finished);
  assert.is(s.client.bodyText, "xyz");
  assert.is(s.upstream.bodyText, "abc");
  assert.is(s.upstream.trailers?.get("x-t"), "1");
});

test("traceLimit 0 keeps no trace and still runs the exchange", async () => {
  const host = await scripted("", { traceLimit: 0 });
  const s = await host.run({ request: { headers: POST, body: "abc" }, response: { headers: { ":status": "200" }, body: "ok" } });
  assert.ok(s.finished);
  assert.is(s.upstream.bodyText, "abc");
  assert.is(s.client.bodyText, "ok");
  assert.equal(callbacks(s), []);
  assert.not.ok(host.failed);
});

test("context ids come from one per-VM counter: root 1, then streams 2, 3, …", async () => {
  const host = await scripted("");
  const a = host.stream(), b = host.stream();
  assert.equal([a.contextIds, b.contextIds], [[2], [3]]);
  b.sendRequestHeaders(GET, true);
  a.sendRequestHeaders(GET, true);
  assert.equal(streamLogs(host), ["context_create 3 parent=1", "context_create 2 parent=1"]);
});

test("headers result conversions: 1 → StopAll unless allowOnHeadersStopIteration; 2 → Continue; >4 → StopAll", async () => {
  const cases: Array<[string, boolean, string]> = [
    ["0", false, "Continue"], ["1", false, "StopAllIterationAndWatermark"], ["1", true, "StopIteration"],
    ["2", false, "Continue"], ["3", false, "StopAllIterationAndBuffer"], ["4", false, "StopAllIterationAndWatermark"],
    ["9", false, "StopAllIterationAndWatermark"],
  ];
  for (const [ret, allow, expected] of cases) {
    const host = await scripted(`request_headers return ${ret}`, { allowOnHeadersStopIteration: allow });
    assert.is(host.stream().sendRequestHeaders(GET, true), expected, `return ${ret} allow=${allow}`);
  }
});

test("body and trailer result conversions", async () => {
  const host = await scripted("request_body#1 return 2\nrequest_body#2 return 7\nrequest_trailers return 5");
  const s = host.stream();
  s.sendRequestHeaders(POST);
  assert.is(s.sendRequestBody("a"), "StopIterationAndWatermark");
  assert.is(s.sendRequestBody("b"), "StopIterationNoBuffer");
  assert.is(s.sendRequestTrailers({ a: "1" }), "StopIteration");
});

test("StopAll from headers: no body callback until continue, then one callback with everything buffered", async () => {
  const host = await scripted("request_headers return 1\nrequest_headers httpcall auth /check 0\nhttp_call_response resume 0\nrequest_body body 0",
    { clusters: { auth: true } });
  const s = host.stream();
  assert.is(s.sendRequestHeaders(POST), "StopAllIterationAndWatermark");
  assert.is(s.sendRequestBody("hello "), null, "no callback while StopAll");
  s.sendRequestBody("world", true);
  assert.not.ok(streamLogs(host).some((l) => l.startsWith("request_body")));
  assert.ok(s.paused("request"));
  assert.is(s.upstream.headers, null);
  host.pendingCallouts()[0].respond({ headers: { ":status": "200" } });
  assert.equal(streamLogs(host).slice(-3), ["continue 0 status=0", "request_body size=11 eos=1", "body 0=hello world"]);
  assert.is(s.upstream.bodyText, "hello world");
  assert.ok(s.upstream.endOfStream);
  assert.not.ok(s.paused("request"));
});

test("StopIteration with allowOnHeadersStopIteration: headers held while body callbacks arrive; body Continue releases both", async () => {
  const host = await scripted("request_headers return 1\nrequest_body@!eos return 1\nrequest_body@eos get 0 :path\nrequest_body@eos replace 0 x-model m1",
    { allowOnHeadersStopIteration: true });
  const s = host.stream();
  assert.is(s.sendRequestHeaders(POST), "StopIteration");
  assert.is(s.sendRequestBody("{\"model\":"), "StopIterationAndBuffer");
  assert.is(s.upstream.headers, null);
  assert.is(s.sendRequestBody("\"m1\"}", true), "Continue");
  assert.equal(streamLogs(host).slice(-4), ["request_body size=9 eos=0", "request_body size=14 eos=1", "get 0 :path=/v1/chat/completions", "replace 0 x-model status=0"]);
  assert.is(s.upstream.headers?.get("x-model"), "m1", "headers were still held, so the body callback could change them");
  assert.is(s.upstream.bodyText, "{\"model\":\"m1\"}");
});

test("body visibility: Continue → next chunk only; StopIterationAndBuffer → whole body; Watermark → new chunk only", async () => {
  const host = await scripted("request_body body 0\nrequest_body#1 return 1\nrequest_body#2 return 2\nrequest_body#3 return 0");
  const s = host.stream();
  s.sendRequestHeaders(POST);
  s.sendRequestBody("aa");
  s.sendRequestBody("bb");
  s.sendRequestBody("cc");
  s.sendRequestBody("dd", true);
  assert.equal(streamLogs(host).filter((l) => l.startsWith("request_body") || l.startsWith("body")), [
    "request_body size=2 eos=0", "body 0=aa",
    "request_body size=4 eos=0", "body 0=aabb",
    "request_body size=2 eos=0", "body 0=cc",
    "request_body size=2 eos=1", "body 0=dd",
  ]);
  assert.is(s.upstream.bodyText, "aabbccdd", "watermarked chunks are still forwarded on continue");
  assert.equal(s.upstream.chunks.map((c) => c.endOfStream), [false, true]);
});

test("StopIterationNoBuffer drops the chunk", async () => {
  const host = await scripted("request_body#1 return 3");
  const s = host.stream();
  s.sendRequestHeaders(POST);
  s.sendRequestBody("dropped");
  s.sendRequestBody("kept", true);
  assert.is(s.upstream.bodyText, "kept");
});

test("trailers created from the end-of-stream body callback are forwarded after the body", async () => {
  const host = await scripted("request_body@eos add 1 x-checksum abc\nresponse_body@eos add 3 x-usage 12");
  const s = await host.run({ request: { headers: POST, body: "{}" }, response: { headers: { ":status": "200" }, body: "ok" } });
  assert.is(s.upstream.trailers?.get("x-checksum"), "abc");
  assert.equal(s.upstream.chunks.map((c) => c.endOfStream), [false]);
  assert.is(s.client.trailers?.get("x-usage"), "12");
});

test("on_log creates the context of a stream the filter never saw; done/delete skipped only if the VM failed", async () => {
  const host = await scripted("");
  const s = host.stream();
  s.reset();
  assert.equal(callbacks(s), ["context_create(2,1)", "log(2)", "done(2)", "delete(2)"]);
  assert.ok(s.client.reset);
});

test("response path runs in reverse and the client sees the filtered response", async () => {
  const host = await scripted("response_headers replace 2 server tollgate\nresponse_body setbody 1 0 0 [\nresponse_body@eos setbody 1 99 0 ]");
  const s = await host.run({ request: { headers: GET }, response: { headers: { ":status": "200", server: "upstream" }, bodyChunks: ["a", "b"] } });
  assert.is(s.client.headers?.get("server"), "tollgate");
  assert.is(s.client.bodyText, "[a[b]");
});

test("onUpstream/onClient report each piece as the filters release it (for a streaming proxy)", async () => {
  const host = await scripted("request_body#1 return 1");
  const up: string[] = [], down: string[] = [];
  const show = (p: import("./index.ts").Piece) => p.kind === "data" ? `data:${Buffer.from(p.bytes)}:${p.endOfStream}` : `${p.kind}`;
  const s = host.stream({ onUpstream: (p) => up.push(show(p)), onClient: (p) => down.push(show(p)) });
  s.sendRequestHeaders(POST);
  assert.equal(up, ["headers"]);
  s.sendRequestBody("a");
  assert.equal(up, ["headers"], "held by StopIterationAndBuffer");
  s.sendRequestBody("b", true);
  assert.equal(up, ["headers", "data:ab:true"]);
  s.sendResponseHeaders({ ":status": "200" });
  s.sendResponseBody("1");
  s.sendResponseBody("2", true);
  assert.equal(down, ["headers", "data:1:false", "data:2:true"]);
});

test("a body buffered past the buffer limit gets Envoy's 413 (request) from the filter manager", async () => {
  const host = await scripted("request_body return 1");
  const s = host.stream({ bufferLimitBytes: 10 });
  s.sendRequestHeaders(POST);
  s.sendRequestBody("123456");
  assert.is(s.localResponse, null);
  s.sendRequestBody("7890ab");
  assert.is(s.localResponse?.status, 413);
  assert.is(s.localResponse?.details, "request_payload_too_large");
  assert.ok(s.upstream.reset);
});

test.run();
