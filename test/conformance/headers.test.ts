/**
 * @module test/conformance/headers.test
 * Reference §10.8 (header maps, as Envoy's Wasm context implements them) and §6.1 (pairs),
 * checked by running the abi-probe through the harness.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Status, loadProbe, probeRequest, streamFacts, valueAndStatus } from "./probe.ts";

const DUPS = { "X-Dup": "1", "x-dup": "2", "x-remove-me": "z" };

async function headersScenario() {
  const host = await loadProbe();
  const s = host.stream();
  const request: Array<[string, string]> = [...Object.entries(probeRequest("headers")), ...Object.entries(DUPS), ["x-remove-me", "zz"]];
  s.sendRequestHeaders(request, true);
  return { s, f: streamFacts(s), request };
}

test("§10.8 keys are lowercased by add and replace, and lookups lowercase the key", async () => {
  const { s, f } = await headersScenario();
  assert.equal(valueAndStatus(f.get("get_first")), ["1", Status.OK], "get of 'X-Dup' finds the header");
  assert.is(f.get("add"), String(Status.OK));
  assert.ok(f.get("after")!.includes("x-added:A"), f.get("after"));
  assert.not.ok(f.get("after")!.includes("X-Added"));
  assert.is(s.upstream.headers!.get("x-added"), "A");
});

test("§10.8 get_header_map_value returns only the first value, NOT_FOUND when absent", async () => {
  const { f } = await headersScenario();
  assert.equal(valueAndStatus(f.get("get_first")), ["1", Status.OK]);
  assert.equal(valueAndStatus(f.get("get_missing")), ["null", Status.NOT_FOUND]);
});

test("§10.8 get_header_map_size returns key+value bytes", async () => {
  const { f, request } = await headersScenario();
  const bytes = request.reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  assert.is(Number(f.get("size")), bytes);
  assert.is(Number(f.get("pairs_count")), request.length);
  assert.is.not(Number(f.get("size")), request.length, "not the number of headers");
});

test("§10.8 replace overwrites only the first occurrence and adds when absent", async () => {
  const { s, f } = await headersScenario();
  assert.is(f.get("replace"), String(Status.OK));
  assert.equal(s.upstream.headers!.getAll("x-dup"), ["r", "2"]);
  assert.is(f.get("replace_absent"), String(Status.OK));
  assert.is(s.upstream.headers!.get("x-new"), "n");
});

test("§10.8 remove drops every occurrence and is OK when the header is absent", async () => {
  const { s, f } = await headersScenario();
  assert.is(f.get("remove"), String(Status.OK));
  assert.is(f.get("remove_absent"), String(Status.OK));
  assert.equal(s.upstream.headers!.getAll("x-remove-me"), []);
});

test("§10.8 maps 4–7 outside their callbacks: get BAD_ARGUMENT, get_pairs OK and empty, mutators and get_size BAD_ARGUMENT; map id > 7 BAD_ARGUMENT", async () => {
  const { f } = await headersScenario();
  assert.equal(valueAndStatus(f.get("map4_get")), ["null", Status.BAD_ARGUMENT]);
  assert.is(f.get("map6_size_status"), String(Status.BAD_ARGUMENT));
  assert.is(f.get("map7_add"), String(Status.BAD_ARGUMENT));
  assert.equal(valueAndStatus(f.get("map6_pairs")), ["0", Status.OK]);
  assert.equal(valueAndStatus(f.get("map8_get")), ["null", Status.BAD_ARGUMENT]);
  assert.is(f.get("map8_add"), String(Status.BAD_ARGUMENT));
});

test("§10.8 set_header_map_pairs removes every key, then adds the pairs (lowercased)", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders({ ...probeRequest("headers_set_pairs"), "x-old": "gone" }, true);
  const f = streamFacts(s);
  assert.is(f.get("set_pairs"), String(Status.OK));
  assert.equal(s.upstream.headers!.pairs(), [[":method", "GET"], [":path", "/set"], [":authority", "probe"], ["x-set", "1"]]);
});

test("§6.1 malformed pairs given to set_header_map_pairs empty the map and return OK", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("headers_malformed"), true);
  const f = streamFacts(s);
  assert.is(f.get("set_malformed"), String(Status.OK));
  assert.is(f.get("after_malformed"), "");
});

test("§10.8 once the headers callback continued, the request map is gone: BAD_ARGUMENT (pairs: OK, empty) in later callbacks", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("headers_later"), false);
  s.sendRequestBody("body", true);
  s.sendResponseHeaders({ ":status": "200" }, true);
  const f = streamFacts(s);
  assert.equal(valueAndStatus(f.get("request_body_req_path")), ["null", Status.BAD_ARGUMENT]);
  assert.equal(valueAndStatus(f.get("request_body_req_pairs")), ["0", Status.OK]);
  assert.is(f.get("request_body_req_add"), String(Status.BAD_ARGUMENT));
  assert.is(f.get("request_body_req_size_status"), String(Status.BAD_ARGUMENT));
  assert.equal(valueAndStatus(f.get("response_headers_req_path")), ["null", Status.BAD_ARGUMENT]);
  assert.equal(valueAndStatus(f.get("response_headers_resp_status")), ["200", Status.OK]);
});

test("§10.8 in proxy_on_log the headers are read-only copies and request trailers are NOT_FOUND", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("headers_later"), true);
  s.sendResponseHeaders({ ":status": "201" }, true);
  const f = streamFacts(s);
  assert.equal(valueAndStatus(f.get("log_req_path")), ["/probe?q=1", Status.OK]);
  assert.is(f.get("log_req_add"), String(Status.BAD_ARGUMENT));
  assert.is(f.get("log_req_size_status"), String(Status.BAD_ARGUMENT));
  assert.equal(valueAndStatus(f.get("log_req_trailer")), ["null", Status.NOT_FOUND]);
  assert.equal(valueAndStatus(f.get("log_resp_status")), ["201", Status.OK]);
  assert.is(f.get("log_resp_add"), String(Status.BAD_ARGUMENT));
});

test("§10.8 headers held with StopIteration (allow_on_headers_stop_iteration) stay readable from the body callback", async () => {
  const host = await loadProbe({ allowOnHeadersStopIteration: true });
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("headers_later", { "x-probe-ret": "rh=1" }), false);
  s.sendRequestBody("body", true);
  const f = streamFacts(s);
  assert.equal(valueAndStatus(f.get("request_body_req_path")), ["/probe?q=1", Status.OK]);
  assert.is(f.get("request_body_req_add"), String(Status.OK));
  assert.is(s.upstream.headers!.get("x-late"), "1");
});

test("§10.8 request and response trailers are created from the body callback at end of stream", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("trailers_create"), false);
  s.sendRequestBody("abc", true);
  const f = streamFacts(s);
  assert.is(f.get("trailer_add"), String(Status.OK));
  assert.is(f.get("trailers"), "x-t:1");
  assert.is(s.upstream.bodyText, "abc");
  assert.is(s.upstream.trailers!.get("x-t"), "1");
  s.sendResponseHeaders({ ":status": "200" }, false);
  s.sendResponseBody("resp", true);
  assert.is(streamFacts(s).get("resp_trailer_add"), String(Status.OK));
  assert.is(s.client.trailers!.get("x-rt"), "2");
});

test("§10.8 trailers callbacks read and replace trailers", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("trailers_read"), false);
  s.sendRequestBody("abc", false);
  s.sendRequestTrailers({ "x-t": "orig", "x-u": "u" });
  const f = streamFacts(s);
  assert.is(f.get("req_trailers"), "x-t:orig|x-u:u");
  assert.is(f.get("req_trailer_replace"), String(Status.OK));
  assert.is(s.upstream.trailers!.get("x-t"), "changed");
});

test("§10.8 for a 0.2.1 module Envoy clears the route cache whenever request headers change, not for other maps", async () => {
  const { s } = await headersScenario();
  assert.is(s.routeCacheClears, 5, "add, replace twice, remove twice on the request headers");
  const host = await loadProbe();
  const untouched = host.stream();
  untouched.sendRequestHeaders(probeRequest("trailers_create"), false);
  untouched.sendRequestBody("abc", true);
  assert.is(untouched.routeCacheClears, 0, "adding a request trailer does not");
});

test.run();
