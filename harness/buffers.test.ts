/**
 * @module harness/buffers.test
 * Buffers (§10.9): clamping, empty results without the allocator, NOT_FOUND cases, the
 * three `set_buffer_bytes` shapes Envoy supports, and buffers outside their callbacks.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { POST, scripted, streamLogs } from "./testdata/helpers.ts";

test("ranges are clamped to the buffer; an empty range is ptr 0 / len 0 without calling the allocator", async () => {
  const host = await scripted("request_body body 0 2 3\nrequest_body body 0 3 999\nrequest_body body 0 50 10\nrequest_body bufstatus 0\nrequest_body body 9");
  const s = host.stream();
  s.sendRequestHeaders(POST);
  s.sendRequestBody("hello", true);
  assert.equal(streamLogs(host).slice(2), ["body 0=llo", "body 0=lo", "body 0=(ptr0)", "bufstatus 0 size=5", "body 9 status=2"]);
  const allocs = s.trace().filter((t) => t.kind === "hostcall" && t.name === "env.proxy_get_buffer_bytes");
  assert.is(allocs.length, 4);
});

test("set_buffer_bytes: start 0 drops `size` bytes and prepends; start ≥ length appends; 0 < start < length is BAD_ARGUMENT", async () => {
  const host = await scripted("request_body setbody 0 0 2 XY\nrequest_body body 0\nrequest_body setbody 0 999 5 !\nrequest_body body 0\nrequest_body setbody 0 1 0 no\nrequest_body setbody 0 0 999 all");
  const s = host.stream();
  s.sendRequestHeaders(POST);
  s.sendRequestBody("hello", true);
  assert.equal(streamLogs(host).slice(2), ["setbody 0 status=0", "body 0=XYllo", "setbody 0 status=0", "body 0=XYllo!", "setbody 0 status=2", "setbody 0 status=0"]);
  assert.is(s.upstream.bodyText, "all");
});

test("plugin configuration: NOT_FOUND outside configure; VM configuration readable any time; string buffers not writable", async () => {
  const host = await scripted("configure setbody 7 0 0 x\nrequest_headers bufstatus 7\nrequest_headers bufstatus 6\nrequest_headers setbody 6 0 0 x", { vmConfig: "abc" });
  host.stream().sendRequestHeaders(POST, true);
  assert.ok(host.logs().includes("setbody 7 status=2"));
  assert.equal(streamLogs(host).slice(2), ["bufstatus 7 status=1", "bufstatus 6 size=3", "setbody 6 status=2"]);
});

test("body buffers outside their callback read as empty (OK) and are not writable; the http-call body outside its callback is NOT_FOUND", async () => {
  const host = await scripted("request_headers bufstatus 0\nrequest_headers setbody 0 0 0 x\nrequest_headers bufstatus 1\nrequest_headers bufstatus 4\nrequest_headers bufstatus 5\nrequest_headers bufstatus 2");
  host.stream().sendRequestHeaders(POST, true);
  assert.equal(streamLogs(host).slice(1), ["bufstatus 0 size=0", "setbody 0 status=2", "bufstatus 1 size=0", "bufstatus 4 status=1", "bufstatus 5 size=0", "bufstatus 2 size=0"]);
});

test("a body the filter keeps after StopIterationAndBuffer stays readable until it continues", async () => {
  const host = await scripted("request_body return 1\nrequest_body httpcall c /x 0\nhttp_call_response effective 2\nhttp_call_response body 0\nhttp_call_response continue 0", { clusters: { c: true } });
  const s = host.stream();
  s.sendRequestHeaders(POST);
  s.sendRequestBody("kept", true);
  host.pendingCallouts()[0].respond({ headers: { ":status": "200" } });
  assert.ok(streamLogs(host).includes("body 0=kept"));
  assert.is(s.upstream.bodyText, "kept");
});

test("a body rewritten in the request-trailers callback while buffered (StopIterationAndBuffer) reaches the upstream", async () => {
  const host = await scripted("request_body return 1\nrequest_trailers body 0\nrequest_trailers setbody 0 0 999 rewritten\nrequest_trailers setbody 0 999 0 !");
  const s = host.stream();
  s.sendRequestHeaders(POST);
  s.sendRequestBody("hel");
  s.sendRequestBody("lo");
  s.sendRequestTrailers({ "x-t": "1" });
  assert.equal(streamLogs(host).slice(-3), ["body 0=hello", "setbody 0 status=0", "setbody 0 status=0"]);
  assert.is(s.upstream.bodyText, "rewritten!");
  assert.is(s.upstream.trailers?.get("x-t"), "1");
  assert.ok(s.upstream.endOfStream);
});

test("a body rewritten in the response-trailers callback while buffered reaches the client", async () => {
  const host = await scripted("response_body return 1\nresponse_trailers setbody 1 0 2 HE");
  const s = host.stream();
  s.sendRequestHeaders(POST, true);
  s.sendResponseHeaders({ ":status": "200" });
  s.sendResponseBody("he");
  s.sendResponseBody("llo");
  s.sendResponseTrailers({ "grpc-status": "0" });
  assert.is(s.client.bodyText, "HEllo");
  assert.is(s.client.trailers?.get("grpc-status"), "0");
});

test("a buffered body rewritten while the trailers are held goes upstream when the filter continues", async () => {
  const host = await scripted("request_body return 1\nrequest_trailers return 1\nrequest_trailers httpcall c /x 0\nhttp_call_response effective 2\nhttp_call_response setbody 0 0 999 late\nhttp_call_response continue 0", { clusters: { c: true } });
  const s = host.stream();
  s.sendRequestHeaders(POST);
  s.sendRequestBody("early");
  s.sendRequestTrailers({ "x-t": "1" });
  assert.is(s.upstream.body.length, 0);
  host.pendingCallouts()[0].respond({ headers: { ":status": "200" } });
  assert.is(s.upstream.bodyText, "late");
  assert.is(s.upstream.trailers?.get("x-t"), "1");
});

test("a buffered body rewritten between chunks is what the next body callback sees", async () => {
  const host = await scripted("request_body#1 return 1\nrequest_body#1 httpcall c /x 0\nhttp_call_response effective 2\nhttp_call_response setbody 0 0 999 AB\nrequest_body#2 body 0", { clusters: { c: true } });
  const s = host.stream();
  s.sendRequestHeaders(POST);
  s.sendRequestBody("ab");
  host.pendingCallouts()[0].respond({ headers: { ":status": "200" } });
  s.sendRequestBody("cd", true);
  assert.ok(streamLogs(host).includes("body 0=ABcd"));
  assert.is(s.upstream.bodyText, "ABcd");
});

test.run();
