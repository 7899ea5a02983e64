/**
 * @module test/conformance/flow.test
 * Reference §10.5 (callback results as Envoy converts and acts on them), §10.6 (deferred local
 * responses) and §10.7 (continue / close), with the abi-probe choosing raw results via `x-probe-ret`.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Status, callbackNames, callbacks, facts, loadProbe, probeRequest, streamFacts, valueAndStatus } from "./probe.ts";

async function headersResult(raw: number, allow = false) {
  const host = await loadProbe({ allowOnHeadersStopIteration: allow });
  const s = host.stream();
  return s.sendRequestHeaders(probeRequest("", { "x-probe-ret": `rh=${raw}` }), false);
}

// --- §10.5 ---------------------------------------------------------------------------------------

test("§10.5 headers StopIteration (1) becomes StopAllIterationAndWatermark", async () => {
  assert.is(await headersResult(1), "StopAllIterationAndWatermark");
});

test("§10.5 headers StopIteration stays StopIteration with allow_on_headers_stop_iteration", async () => {
  assert.is(await headersResult(1, true), "StopIteration");
});

test("§10.5 headers 2 (ContinueAndEndStream) → Continue, 3 → StopAllIterationAndBuffer, 4 and anything > 4 → StopAllIterationAndWatermark", async () => {
  assert.is(await headersResult(0), "Continue");
  assert.is(await headersResult(2), "Continue");
  assert.is(await headersResult(3), "StopAllIterationAndBuffer");
  assert.is(await headersResult(4), "StopAllIterationAndWatermark");
  assert.is(await headersResult(9), "StopAllIterationAndWatermark");
});

test("§10.5 body results > 3 → StopIterationNoBuffer; trailers results > 1 → StopIteration (request and response)", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("", { "x-probe-ret": "rb=0,rbe=0,rt=0,sh=0,sb=7,st=5" }), false);
  s.sendRequestBody("a", false);
  s.sendRequestTrailers({ "x-t": "1" });
  s.sendResponseHeaders({ ":status": "200" }, false);
  assert.is(s.sendResponseBody("b", false), "StopIterationNoBuffer");
  assert.is(s.sendResponseTrailers({ "x-r": "1" }), "StopIteration");
  const other = host.stream();
  other.sendRequestHeaders(probeRequest("", { "x-probe-ret": "rb=4,rt=2" }), false);
  assert.is(other.sendRequestBody("a", false), "StopIterationNoBuffer");
  assert.is(other.sendRequestTrailers({ "x-t": "1" }), "StopIteration");
});

test("§10.5 after a StopAll from headers no body callback runs; on resume one body callback gets everything buffered", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("callout", { "x-probe-ret": "rh=1", "x-probe-then": "continue" }), false);
  s.sendRequestBody("ab", false);
  s.sendRequestBody("cd", true);
  assert.not.ok(callbackNames(s.logs()).includes("request_body"), "body held while headers stopped all");
  assert.is(s.upstream.headers, null);
  host.pendingCallouts()[0].respond({ headers: { ":status": "200" } });
  const bodies = callbacks(s.logs()).filter((c) => c.startsWith("request_body"));
  assert.equal(bodies, ["request_body:2:4:1"]);
  assert.is(s.upstream.headers?.get(":path"), "/probe?q=1");
  assert.is(s.upstream.bodyText, "abcd");
});

test("§10.5 StopIteration with allow_on_headers_stop_iteration: body callbacks keep arriving, and a body Continue releases the headers", async () => {
  const host = await loadProbe({ allowOnHeadersStopIteration: true });
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("body_watch", { "x-probe-ret": "rh=1,rb=1,rbe=0" }), false);
  s.sendRequestBody("ab", false);
  assert.is(s.upstream.headers, null, "headers held");
  assert.ok(callbackNames(s.logs()).includes("request_body"), "the body reached the filter while headers were held");
  s.sendRequestBody("cd", true);
  assert.is(s.upstream.headers?.get(":path"), "/probe?q=1");
  assert.is(s.upstream.bodyText, "abcd");
});

// --- §10.6 ---------------------------------------------------------------------------------------

test("§10.6 send_local_response is deferred until the callback returns and forces the headers result to stop", async () => {
  const host = await loadProbe();
  const s = host.stream();
  const status = s.sendRequestHeaders(probeRequest("local_reply"), true);
  const f = streamFacts(s);
  assert.is(f.get("local"), String(Status.OK));
  assert.is(f.get("after_local_add"), String(Status.OK), "host calls keep working after the (deferred) reply");
  assert.is(status, "StopAllIterationAndWatermark");
  assert.is(s.upstream.headers, null);
  const reply = s.localResponse!;
  assert.is(reply.status, 429);
  assert.is(reply.bodyText, "nope");
  assert.is(reply.headers.get("x-reason"), "Quota");
  assert.is(reply.headers.get("retry-after"), "7");
  assert.ok(reply.headers.pairs().every(([k]) => k === k.toLowerCase()), "header keys lowercased");
  assert.is(reply.details, "rate_limited_now", "whitespace in details replaced");
  assert.is(s.client.headers?.get(":status"), "429");
});

test("§10.4 §10.6 a local reply runs the filter's own response callbacks", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("local_reply"), true);
  const names = callbackNames(s.logs());
  assert.ok(names.includes("response_headers"), names.join(","));
  assert.equal(names.slice(-3), ["log", "done", "delete"]);
});

test("§10.6 a local reply from a body callback forces StopIterationNoBuffer", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("local_reply", { "x-probe-arg": "request_body" }), false);
  assert.is(s.sendRequestBody("x", false), "StopIterationNoBuffer");
  assert.is(s.localResponse?.status, 429);
});

test("§10.6 grpc_status 0..16 is sent; -1 sends none", async () => {
  const grpcRequest = { "content-type": "application/grpc" };
  let host = await loadProbe();
  let s = host.stream();
  s.sendRequestHeaders(probeRequest("local_reply", { ...grpcRequest, "x-probe-then": "grpc=8" }), true);
  assert.is(s.localResponse?.grpcStatus, 8);
  assert.is(s.client.headers?.get("grpc-status"), "8");
  host = await loadProbe();
  s = host.stream();
  s.sendRequestHeaders(probeRequest("local_reply"), true);
  assert.is(s.localResponse?.grpcStatus, null);
  assert.is(s.client.headers?.get("grpc-status"), undefined);
});

test("§10.6 malformed header pairs in a local response are dropped; the reply is still sent", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("local_reply_bad_headers"), true);
  assert.is(streamFacts(s).get("local_bad"), String(Status.OK));
  assert.is(s.localResponse?.status, 403);
  assert.is(s.localResponse?.bodyText, "still sent");
  assert.equal(s.localResponse!.headers.pairs().map(([k]) => k).filter((k) => !["content-length", "content-type", ":status"].includes(k)), []);
});

test("§10.6 a local response acts on the effective context: from a callout answer it reaches the stream", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("callout", { "x-probe-ret": "rh=1", "x-probe-then": "local" }), true);
  host.pendingCallouts()[0].respond({ headers: { ":status": "200" } });
  assert.is(streamFacts(s).get("then_local"), String(Status.OK));
  assert.is(s.localResponse?.status, 403);
  assert.is(s.localResponse?.details, "from_callout");
  assert.is(s.localResponse?.headers.get("x-from"), "callout");
});

test("§10.6 on a root context send_local_response is OK and sends nothing; the call still stops the current callback (§10.5)", async () => {
  const host = await loadProbe({ pluginConfig: "root=context" });
  assert.is(facts(host.logs()).get("root_local"), String(Status.OK));
  const s = host.stream();
  const status = s.sendRequestHeaders(probeRequest("effective", { "x-probe-arg": "local" }), true);
  // Logged after proxy_set_effective_context(root), so these lines belong to the root context.
  const f = facts(host.logs());
  assert.is(f.get("effective_root_local"), String(Status.OK));
  assert.is(s.localResponse, null);
  // cpp-host sets the VM's "local response sent" flag whatever the context did with the call.
  assert.is(status, "StopAllIterationAndWatermark");
});

// --- §10.7 ---------------------------------------------------------------------------------------

test("§10.7 continue_stream(UPSTREAM) is UNIMPLEMENTED, stream type > 3 BAD_ARGUMENT, DOWNSTREAM on an HTTP stream OK", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("continue_close"), true);
  const f = streamFacts(s);
  assert.is(f.get("continue_upstream"), String(Status.UNIMPLEMENTED));
  assert.is(f.get("continue_type4"), String(Status.BAD_ARGUMENT));
  assert.is(f.get("close_type5"), String(Status.BAD_ARGUMENT));
  assert.is(f.get("continue_downstream"), String(Status.OK));
  assert.is(s.upstream.headers?.get(":path"), "/probe?q=1", "the stream went on");
});

test("§10.7 continue_stream is deferred: called in the callback that stops, it resumes once that callback returned (the request handles are dropped at once)", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("continue_deferred", { "x-probe-ret": "rh=1" }), true);
  const f = streamFacts(s);
  assert.is(f.get("continue_request"), String(Status.OK));
  assert.equal(valueAndStatus(f.get("after_continue_path")), ["null", Status.BAD_ARGUMENT]);
  assert.is(s.upstream.headers?.get(":path"), "/probe?q=1");
});

test("§10.7 close_stream resets the HTTP stream with details wasm_close_stream", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("close"), true);
  assert.is(streamFacts(s).get("close"), String(Status.OK));
  assert.ok(s.finished);
  assert.ok(s.client.reset);
  assert.is(s.info.responseCodeDetails, "wasm_close_stream");
  assert.equal(callbackNames(s.logs()).slice(-3), ["log", "done", "delete"]);
});

test("§10.7 continue_stream(HTTP_RESPONSE) drops the request handles (Envoy quirk)", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("callout", { "x-probe-ret": "rh=1", "x-probe-then": "quirk" }), true);
  host.pendingCallouts()[0].respond({ headers: { ":status": "200" } });
  assert.is(streamFacts(s).get("quirk_continue_response"), String(Status.OK));
  assert.is(s.upstream.headers, null, "continuing the response does not resume the request");
  host.pendingCallouts()[0].respond({ headers: { ":status": "200" } });
  const f = streamFacts(s);
  assert.equal(valueAndStatus(f.get("quirk_req_path")), ["null", Status.BAD_ARGUMENT]);
});

test.run();
