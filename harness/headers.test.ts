/**
 * @module harness/headers.test
 * Header maps as Envoy serves them (§10.8): lowercase keys, first value, byte size,
 * replace-first, set-pairs, availability by phase, read-only access-log copies, maps 4–7.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GET, scripted, streamLogs } from "./testdata/helpers.ts";

test("keys are lowercased; get returns the first value; size is the sum of key and value bytes", async () => {
  const host = await scripted("request_headers add 0 X-Upper Yes\nrequest_headers get 0 X-DUP\nrequest_headers size 0\nrequest_headers pairs 0");
  const s = host.stream();
  s.sendRequestHeaders([[":path", "/"], ["x-dup", "1"], ["x-dup", "2"]], true);
  const sizeExpected = ":path".length + 1 + 2 * ("x-dup".length + 1) + "x-upper".length + 3;
  assert.equal(streamLogs(host).slice(1), [
    "add 0 X-Upper status=0", "get 0 X-DUP=1", `size 0=${sizeExpected}`, "pairs 0=:path:/,x-dup:1,x-dup:2,x-upper:Yes",
  ]);
  assert.equal(s.upstream.headers?.getAll("x-upper"), ["Yes"]);
});

test("replace overwrites only the first occurrence; set_pairs removes every key then adds; remove of an absent key is OK", async () => {
  const host = await scripted("request_headers replace 0 x-dup 9\nrequest_headers replace 0 x-new n\nrequest_headers remove 0 absent");
  const s = host.stream();
  s.sendRequestHeaders([["x-dup", "1"], ["x-dup", "2"]], true);
  assert.equal(s.upstream.headers?.pairs(), [["x-dup", "9"], ["x-dup", "2"], ["x-new", "n"]]);
  assert.ok(streamLogs(host).includes("remove 0 absent status=0"));

  const h2 = await scripted("request_headers setpairs 0 :path=/new,X-A=1");
  const s2 = h2.stream();
  s2.sendRequestHeaders({ ":path": "/old", "x-b": "2" }, true);
  assert.equal(s2.upstream.headers?.pairs(), [[":path", "/new"], ["x-a", "1"]]);
});

test("malformed pairs passed to set_header_map_pairs empty the map silently (OK) and are recorded as misuse", async () => {
  const host = await scripted("request_headers setpairsraw 0 garbage");
  const s = host.stream();
  s.sendRequestHeaders({ ":path": "/", a: "b" }, true);
  assert.ok(streamLogs(host).includes("setpairsraw 0 status=0"));
  assert.equal(s.upstream.headers?.pairs(), []);
  assert.ok(host.misuse().some((m) => m.call === "env.proxy_set_header_map_pairs"));
});

test("a continued header map is gone: value BAD_ARGUMENT, pairs OK and empty, mutators BAD_ARGUMENT", async () => {
  const host = await scripted("request_body get 0 :path\nrequest_body pairs 0\nrequest_body add 0 a b\nrequest_body size 0\nresponse_headers get 0 :path");
  await host.run({ request: { headers: GET, body: "x" } });
  assert.equal(streamLogs(host).filter((l) => !l.startsWith("request_body") && !/^(context_create|done|delete)/.test(l)), [
    "get 0 :path status=2", "pairs 0=(ptr0)", "add 0 a status=2", "size 0 status=2", "get 0 :path status=2",
  ]);
});

test("a header map stays reachable while its callback holds iteration, until continue drops it", async () => {
  const host = await scripted("request_headers return 1\nrequest_headers tick 10\ntick effective 2\ntick get 0 :path\ntick continue 0\ntick get 0 :path\ntick tick 0");
  const s = host.stream();
  s.sendRequestHeaders(GET, true);
  host.advance(10);
  assert.equal(streamLogs(host).filter((l) => l.startsWith("get")), ["get 0 :path=/v1/models?x=1", "get 0 :path status=2"]);
  assert.ok(s.upstream.endOfStream);
});

test("continue_stream(HTTP_RESPONSE) drops the REQUEST handles and keeps the response ones (Envoy quirk)", async () => {
  const host = await scripted("request_headers return 1\nrequest_headers continue 1\nrequest_headers get 0 :path", {});
  const s = host.stream();
  s.sendRequestHeaders(GET, true);
  assert.ok(streamLogs(host).includes("get 0 :path status=2"));
  const h2 = await scripted("response_headers continue 1\nresponse_headers get 2 :status");
  await h2.run({ request: { headers: GET } });
  assert.ok(streamLogs(h2).includes("get 2 :status=200"));
});

test("on_log sees read-only access-log copies; request trailers unavailable (NOT_FOUND)", async () => {
  const host = await scripted("log get 0 :path\nlog get 2 :status\nlog get 1 x\nlog add 0 a b\nlog size 2\nlog pairs 3");
  await host.run({ request: { headers: GET }, response: { headers: { ":status": "201" }, body: "x", trailers: { "grpc-status": "0" } } });
  assert.equal(streamLogs(host).filter((l) => /^(get|add|size|pairs)/.test(l)), [
    "get 0 :path=/v1/models?x=1", "get 2 :status=201", "get 1 x status=1", "add 0 a status=2", "size 2 status=2", "pairs 3=grpc-status:0",
  ]);
});

test("map ids 4–7 are never mutable or sizeable; ids above 7 are BAD_ARGUMENT", async () => {
  const host = await scripted("request_headers add 6 a b\nrequest_headers size 6\nrequest_headers get 6 a\nrequest_headers get 8 a\nrequest_headers pairs 6");
  host.stream().sendRequestHeaders(GET, true);
  assert.equal(streamLogs(host).slice(1), ["add 6 a status=2", "size 6 status=2", "get 6 a status=2", "get 8 a status=2", "pairs 6=(ptr0)"]);
});

test.run();
