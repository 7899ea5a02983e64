/**
 * @module test/conformance/buffers.test
 * Reference §10.9 (buffers: clamping, Envoy's three `set_buffer_bytes` shapes, what is readable
 * outside its callback) and §2.1, plus the body visibility that follows from each body status.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Status, callbacks, loadProbe, probeRequest, streamFacts, valueAndStatus } from "./probe.ts";

async function bodyShape(shape: string, body = "hello world") {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("buffers", { "x-probe-arg": shape }), false);
  s.sendRequestBody(body, true);
  return { s, f: streamFacts(s) };
}

test("§10.9 get_buffer_bytes clamps the range, an empty range is OK with no bytes, buffer type > 8 is BAD_ARGUMENT", async () => {
  const { f } = await bodyShape("none");
  assert.is(f.get("req_whole"), "hello world");
  assert.is(f.get("req_slice"), "world");
  assert.equal(valueAndStatus(f.get("req_beyond")), ["0", Status.OK]);
  assert.is(f.get("req_size"), "11");
  assert.equal(valueAndStatus(f.get("req_type9")), ["null", Status.BAD_ARGUMENT]);
});

test("§10.9 set_buffer_bytes start 0, size 0 prepends", async () => {
  const { s, f } = await bodyShape("prepend");
  assert.is(f.get("req_set"), String(Status.OK));
  assert.is(f.get("req_after"), "ABhello world");
  assert.is(s.upstream.bodyText, "ABhello world");
});

test("§10.9 set_buffer_bytes start 0 drops `size` bytes, then prepends", async () => {
  const { s, f } = await bodyShape("drop_prepend");
  assert.is(f.get("req_set"), String(Status.OK));
  assert.is(s.upstream.bodyText, "Xllo world");
});

test("§10.9 set_buffer_bytes start 0 with size ≥ length replaces everything", async () => {
  assert.is((await bodyShape("replace")).s.upstream.bodyText, "new");
  const max = await bodyShape("replace_max");
  assert.is(max.f.get("req_set"), String(Status.OK));
  assert.is(max.s.upstream.bodyText, "max");
});

test("§10.9 set_buffer_bytes start ≥ length appends, whatever the size", async () => {
  assert.is((await bodyShape("append")).s.upstream.bodyText, "hello world!");
  const max = await bodyShape("append_max");
  assert.is(max.f.get("req_set"), String(Status.OK));
  assert.is(max.s.upstream.bodyText, "hello world?");
});

test("§10.9 set_buffer_bytes with 0 < start < length is BAD_ARGUMENT and changes nothing", async () => {
  const { s, f } = await bodyShape("middle");
  assert.is(f.get("req_set"), String(Status.BAD_ARGUMENT));
  assert.is(s.upstream.bodyText, "hello world");
});

test("§10.9 the response body follows the same shapes", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("buffers", { "x-probe-arg": "drop_prepend" }), true);
  s.sendResponseHeaders({ ":status": "200" }, false);
  s.sendResponseBody("response!", true);
  const f = streamFacts(s);
  assert.is(f.get("resp_whole"), "response!");
  assert.is(f.get("resp_set"), String(Status.OK));
  assert.is(s.client.bodyText, "Xsponse!");
});

test("§10.9 §2.1 outside their callbacks: body buffers read empty (OK) and refuse writes; plugin configuration and http-call body are NOT_FOUND; VM configuration is readable; string buffers refuse writes", async () => {
  const host = await loadProbe({ vmConfig: "vm-settings", pluginConfig: "tick=0" });
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("buffers_outside"), false);
  const f = streamFacts(s);
  assert.equal(valueAndStatus(f.get("out_body_get")), ["0", Status.OK]);
  assert.is(f.get("out_body_set"), String(Status.BAD_ARGUMENT));
  assert.equal(valueAndStatus(f.get("out_plugin_get")), ["null", Status.NOT_FOUND]);
  assert.equal(valueAndStatus(f.get("out_vm_get")), ["vm-settings", Status.OK]);
  assert.equal(valueAndStatus(f.get("out_call_get")), ["null", Status.NOT_FOUND]);
  assert.equal(valueAndStatus(f.get("out_grpc_get")), ["0", Status.OK]);
  assert.is(f.get("out_vm_set"), String(Status.BAD_ARGUMENT));
  assert.is(f.get("out_plugin_set"), String(Status.NOT_FOUND));
  assert.is(f.get("out_call_set"), String(Status.NOT_FOUND));
});

/** Sends three request chunks with the given body results; returns body sizes seen and what the upstream got. */
async function chunks(ret: string) {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("body_watch", { "x-probe-ret": ret }), false);
  for (const [c, eos] of [["ab", false], ["cd", false], ["ef", true]] as const) s.sendRequestBody(c, eos);
  const seen = callbacks(s.logs()).filter((c) => c.startsWith("request_body")).map((c) => Number(c.split(":")[2]));
  const bodies = [...s.logs()].filter((l) => l.startsWith("probe req_body=")).map((l) => l.slice("probe req_body=".length));
  return { s, seen, bodies };
}

test("§10.5 §10.9 body Continue: each call sees only its chunk, which goes on at once", async () => {
  const { s, seen, bodies } = await chunks("rb=0");
  assert.equal(seen, [2, 2, 2]);
  assert.equal(bodies, ["ab", "cd", "ef"]);
  assert.equal(s.upstream.chunks.map((c) => new TextDecoder().decode(c.bytes)), ["ab", "cd", "ef"]);
});

test("§10.5 §10.9 body StopIterationAndBuffer: the next call sees the whole body so far", async () => {
  const { s, seen, bodies } = await chunks("rb=1,rbe=0");
  assert.equal(seen, [2, 4, 6]);
  assert.equal(bodies, ["ab", "abcd", "abcdef"]);
  assert.is(s.upstream.bodyText, "abcdef");
});

test("§10.5 §10.9 body StopIterationAndWatermark: buffered but the next call sees only the new chunk", async () => {
  const { s, seen, bodies } = await chunks("rb=2,rbe=0");
  assert.equal(seen, [2, 2, 2]);
  assert.equal(bodies, ["ab", "cd", "ef"]);
  assert.is(s.upstream.bodyText, "abcdef");
});

test("§10.5 §10.9 body StopIterationNoBuffer: the chunk is not kept", async () => {
  const { s, seen } = await chunks("rb=3,rbe=0");
  assert.equal(seen, [2, 2, 2]);
  assert.is(s.upstream.bodyText, "ef");
});

test.run();
