/**
 * @module harness/callouts.test
 * HTTP and gRPC callouts (§10.11): validation order and statuses, per-VM ids, delivery to
 * the root context after the call returns, resuming the stream through the effective
 * context, failure, timeout, handlers and a real upstream on 127.0.0.1.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import * as grpc from "@grpc/grpc-js";
import { GET, scripted, streamLogs } from "./testdata/helpers.ts";

test("http_call validation: negative timeout, unknown cluster, missing pseudo-headers → BAD_ARGUMENT; ids 4, 8, 12", async () => {
  const host = await scripted([
    "request_headers httpcall known /a 4294967295",
    "request_headers httpcall unknown /a 100",
    "request_headers httpcallraw known :method=GET,:path=/ 0",
    "request_headers httpcall known /a 0",
    "request_headers httpcall known /b 0",
    "request_headers httpcall known /c 0",
  ].join("\n"), { clusters: { known: true } });
  host.stream().sendRequestHeaders(GET, true);
  assert.equal(streamLogs(host).slice(1), [
    "httpcall status=2 id=0", "httpcall status=2 id=0", "httpcall status=2 id=0",
    "httpcall status=0 id=4", "httpcall status=0 id=8", "httpcall status=0 id=12",
  ]);
  const c = host.callouts()[0];
  assert.is(c.headers.get(":authority"), "known");
  assert.is(c.rootContextId, 1);
});

test("the response goes to the ROOT context after the callback returns; the filter resumes its stream", async () => {
  const host = await scripted("request_headers httpcall auth /check 500\nrequest_headers return 1\nhttp_call_response get 6 x-user\nhttp_call_response body 4\nhttp_call_response resume 0",
    { clusters: { auth: (c) => ({ headers: { ":status": "200", "X-User": "ada" }, body: `ok ${c.headers.get(":path")}` }) } });
  const s = host.stream();
  s.sendRequestHeaders(GET, true);
  assert.equal(streamLogs(host).slice(1), [
    "httpcall status=0 id=4",
    "http_call_response root=1 id=4 headers=2 body=9 trailers=0",
    "get 6 x-user=ada", "body 4=ok /check", "effective 2 status=0", "continue 0 status=0",
  ]);
  assert.ok(s.upstream.endOfStream);
  const cb = host.trace().filter((t) => t.kind === "callback" && t.name === "proxy_on_http_call_response");
  assert.equal(cb[0].args, [1, 4, 2, 9, 0]);
});

test("a failed callout is (R, id, 0, 0, 0) and get_status says 11 reset", async () => {
  const host = await scripted("request_headers httpcall c / 0\nhttp_call_response status", { clusters: { c: true } });
  host.stream().sendRequestHeaders(GET, true);
  host.pendingCallouts()[0].fail();
  assert.equal(streamLogs(host).slice(-2), ["http_call_response root=1 id=4 headers=0 body=0 trailers=0", "status code=11 msg=reset rc=0"]);
});

test("a timeout arrives as Envoy's own 504 when the clock passes it", async () => {
  const host = await scripted("request_headers httpcall c / 250\nhttp_call_response get 6 :status", { clusters: { c: true } });
  host.stream().sendRequestHeaders(GET, true);
  host.advance(249);
  assert.is(host.pendingCallouts().length, 1);
  host.advance(1);
  assert.is(host.callouts()[0].state, "timed-out");
  assert.ok(streamLogs(host).includes("get 6 :status=504"));
});

test("a cluster URL is called for real (fetch to 127.0.0.1) and the answer delivered", async () => {
  const server = createServer((req, res) => { res.setHeader("x-path", req.url ?? ""); res.end("real"); });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const host = await scripted("request_headers httpcall svc /hello 0\nrequest_headers return 1\nhttp_call_response get 6 x-path\nhttp_call_response body 4\nhttp_call_response resume 0", { clusters: { svc: url } });
    const s = await host.run({ request: { headers: GET } });
    assert.ok(streamLogs(host).includes("get 6 x-path=/hello"));
    assert.ok(streamLogs(host).includes("body 4=real"));
    assert.is(s.client.headers?.get(":status"), "200");
  } finally { server.closeAllConnections(); server.close(); }
});

test("gRPC ids: calls 5, 9; streams 6, 10; unknown cluster PARSE_FAILURE; send/cancel/close statuses", async () => {
  const host = await scripted([
    "request_headers grpccall g pkg.S M hi",
    "request_headers grpccall g pkg.S M hi",
    "request_headers grpcstream g pkg.S M",
    "request_headers grpcstream nope pkg.S M",
    "request_headers grpcsend 6 m1 0",
    "request_headers grpcsend 5 m1 0",
    "request_headers grpcsend 10 m1 0",
    "request_headers grpccancel 9",
    "request_headers grpcclose 4",
    "request_headers grpcclose 13",
  ].join("\n"), { clusters: { g: true } });
  host.stream().sendRequestHeaders(GET, true);
  assert.equal(streamLogs(host).slice(1), [
    "grpccall status=0 id=5", "grpccall status=0 id=9", "grpcstream status=0 id=6", "grpcstream status=4 id=6",
    "grpcsend status=0", "grpcsend status=2", "grpcsend status=1", "grpccancel status=0", "grpcclose status=2", "grpcclose status=1",
  ]);
  const [call, cancelled, stream] = host.callouts();
  assert.is(call.service, "pkg.S");
  assert.is(cancelled.state, "cancelled");
  assert.equal(stream.sent.map((b) => Buffer.from(b).toString()), ["m1"]);
});

test("a gRPC answer: initial metadata, message, trailing metadata, then close with status", async () => {
  const host = await scripted("request_headers grpccall g pkg.S M hi\ngrpc_receive body 5\ngrpc_initial get 4 a\ngrpc_close status", { clusters: { g: true } });
  host.stream().sendRequestHeaders(GET, true);
  host.pendingCallouts()[0].respond({ initialMetadata: { a: "1" }, message: "pong", trailingMetadata: { b: "2" }, status: 7, statusMessage: "denied" });
  assert.equal(streamLogs(host).slice(2), [
    "grpc_initial id=5 n=1", "get 4 a=1", "grpc_receive id=5 size=4", "body 5=pong", "grpc_trailing id=5 n=1", "grpc_close id=5 code=7", "status code=7 msg=denied rc=0",
  ]);
});

test("a gRPC cluster URL is called for real (grpc-js server on 127.0.0.1)", async () => {
  const server = new grpc.Server();
  const raw = (b: Buffer) => b;
  server.addService({ M: { path: "/pkg.Echo/M", requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw, originalName: "M" } } as grpc.ServiceDefinition,
    { M: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.concat([Buffer.from("echo:"), call.request])) });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  try {
    const host = await scripted("request_headers grpccall echo pkg.Echo M ping 2000\nrequest_headers return 1\ngrpc_receive body 5\ngrpc_close resume 0", { clusters: { echo: `127.0.0.1:${port}` } });
    const s = await host.run({ request: { headers: GET } });
    assert.ok(streamLogs(host).includes("body 5=echo:ping"));
    assert.ok(streamLogs(host).includes("grpc_close id=5 code=0"));
    assert.is(s.client.headers?.get(":status"), "200");
  } finally { server.forceShutdown(); }
});

test("a handler that answers by calling respond() itself is still delivered after the call returns", async () => {
  const host = await scripted("request_headers httpcall c / 0\nrequest_headers log 2 after-call", { clusters: { c: (call) => { call.respond({ headers: { ":status": "204" } }); } } });
  host.stream().sendRequestHeaders(GET, true);
  const logs = streamLogs(host);
  assert.ok(logs.indexOf("after-call") < logs.findIndex((l) => l.startsWith("http_call_response")));
  assert.not.ok(host.failed);
});

test.run();
