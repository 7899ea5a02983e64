/**
 * @module harness/local-response.test
 * Local replies and stream control (§10.6, §10.7): deferred until the callback returns,
 * forcing the result to stop, encoded back through the filter, and close_stream.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GET, POST, scripted, streamLogs } from "./testdata/helpers.ts";

test("send_local_response is deferred until the callback returns and forces a stop", async () => {
  const host = await scripted("request_headers local 429 rate\\slimited {\"error\":\"slow\"} Retry-After=7\nrequest_headers log 2 after-local\nrequest_headers return 0");
  const s = host.stream();
  assert.is(s.sendRequestHeaders(GET, true), "StopAllIterationAndWatermark");
  const lr = s.localResponse!;
  assert.is(lr.status, 429);
  assert.is(lr.details, "rate_limited", "whitespace in details is replaced");
  assert.is(lr.bodyText, "{\"error\":\"slow\"}");
  assert.is(s.client.headers?.get(":status"), "429");
  assert.is(s.client.headers?.get("retry-after"), "7", "header keys are lowercased");
  assert.is(s.client.bodyText, "{\"error\":\"slow\"}");
  assert.is(s.upstream.headers, null, "the request never reached the upstream");
  assert.ok(streamLogs(host).indexOf("after-local") > streamLogs(host).indexOf("local status=0"));
  assert.ok(s.finished);
});

test("the local reply runs through the sender's own response callbacks, then log/done/delete", async () => {
  const host = await scripted("request_headers local 403 denied -\nresponse_headers get 2 :status\nresponse_headers add 2 x-seen yes");
  const s = host.stream();
  s.sendRequestHeaders(GET, true);
  assert.ok(streamLogs(host).includes("get 2 :status=403"));
  assert.is(s.client.headers?.get("x-seen"), "yes");
  assert.equal(s.trace().filter((t) => t.kind === "callback").map((t) => t.name).slice(-4), ["proxy_on_response_headers", "proxy_on_log", "proxy_on_done", "proxy_on_delete"]);
});

test("grpc_status outside 0..16 sends none; for a gRPC request the reply is trailers-only with grpc-status", async () => {
  const host = await scripted("request_headers local 503 unavailable down - 14");
  const s = host.stream();
  s.sendRequestHeaders({ ":path": "/pkg.Svc/M", "content-type": "application/grpc" }, true);
  assert.is(s.localResponse?.grpcStatus, 14);
  assert.is(s.client.headers?.get("grpc-status"), "14");
  assert.is(s.client.headers?.get("grpc-message"), "down");
  const h2 = await scripted("request_headers local 503 unavailable down - -1");
  const s2 = h2.stream();
  s2.sendRequestHeaders(GET, true);
  assert.is(s2.localResponse?.grpcStatus, null);
  assert.is(s2.client.headers?.get("grpc-status"), undefined);
});

test("a local reply from the response path replaces the upstream response directly", async () => {
  const host = await scripted("response_headers local 502 bad_upstream nope");
  const s = host.stream();
  s.sendRequestHeaders(GET, true);
  s.sendResponseHeaders({ ":status": "200" });
  assert.is(s.client.headers?.get(":status"), "502");
  assert.is(s.client.bodyText, "nope");
  assert.throws(() => s.sendResponseBody("late"), /finished|local response/);
});

test("a local reply while a request body is streaming resets the upstream request", async () => {
  const host = await scripted("request_body local 413 too_large -");
  const s = host.stream();
  s.sendRequestHeaders(POST);
  s.sendRequestBody("x");
  assert.is(s.localResponse?.status, 413);
  assert.ok(s.upstream.reset);
});

test("close_stream resets the stream with details wasm_close_stream; bad stream types are rejected", async () => {
  const host = await scripted("request_headers close 0\nrequest_headers continue 3\nrequest_headers continue 4\nrequest_headers close 9");
  const s = host.stream();
  s.sendRequestHeaders(GET);
  assert.ok(s.finished);
  assert.ok(s.client.reset);
  assert.is(s.info.responseCodeDetails, "wasm_close_stream");
  assert.equal(streamLogs(host).slice(1, 5), ["close 0 status=0", "continue 3 status=12", "continue 4 status=2", "close 9 status=2"]);
});

test.run();
