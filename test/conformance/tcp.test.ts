/**
 * @module test/conformance/tcp.test
 * TCP (network filter) streams through the abi-probe (`kind=tcp`): the lifecycle order of
 * reference §10.4 (done → log → delete on downstream close, the synthesised UNKNOWN upstream
 * close, at most once), the network return-value conversion (§10.5), the DOWNSTREAM_DATA /
 * UPSTREAM_DATA buffers and their `set_buffer_bytes` shapes (§10.9), continue/close (§10.7),
 * properties of a connection (§10.13) and a failed VM closing connections (§10.14).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PeerType } from "../../harness/index.ts";
import { Status, callbacks, callbackNames, facts, loadProbe, valueAndStatus } from "./probe.ts";

const tcp = (settings = "") => loadProbe({ pluginConfig: `kind=tcp;${settings}` });

test("§10.4 TCP order: context_create → new_connection → data → downstream close (REMOTE) → done → log → delete", async () => {
  const host = await tcp();
  const c = host.connection();
  c.downstreamData("ping");
  c.upstreamData("pong");
  c.closeDownstream("remote");
  assert.equal(callbacks(c.logs()), [
    "context_create:2:1", "new_connection:2", "downstream_data:2:4:0", "upstream_data:2:4:0",
    `downstream_close:2:${PeerType.REMOTE}`, "done:2", "log:2", "delete:2",
  ]);
  assert.is(c.upstream.text, "ping");
  assert.is(c.client.text, "pong");
  assert.equal(c.closed, { peer: "remote", details: "remote_close" });
});

test("§10.4 an upstream end_stream write is a synthesised upstream close (UNKNOWN); done/log/delete wait for the downstream close, once", async () => {
  const host = await tcp();
  const c = host.connection();
  c.downstreamData("q", true);
  c.upstreamData("answer", true);
  assert.equal(callbackNames(c.logs()).slice(-2), ["upstream_data", "upstream_close"]);
  assert.ok(callbacks(c.logs()).includes(`upstream_close:2:${PeerType.UNKNOWN}`));
  assert.not.ok(callbackNames(c.logs()).includes("done"), "the upstream close alone does not end the context");
  assert.equal([c.upstream.endOfStream, c.client.endOfStream], [true, true]);
  c.closeDownstream("remote");
  c.closeDownstream("remote");
  assert.equal(callbackNames(c.logs()).slice(-4), ["downstream_close", "done", "log", "delete"]);
  assert.is(callbackNames(c.logs()).filter((n) => n === "done").length, 1);
});

test("§10.4 the upstream going away: tcp_proxy closes the client, so the filter sees a LOCAL downstream close, no upstream close", async () => {
  const host = await tcp();
  const c = host.connection();
  c.downstreamData("q");
  c.closeUpstream();
  assert.equal(callbacks(c.logs()).slice(-4), [`downstream_close:2:${PeerType.LOCAL}`, "done:2", "log:2", "delete:2"]);
  assert.not.ok(callbackNames(c.logs()).includes("upstream_close"));
  assert.is(c.closed?.details, "upstream_close");
});

test("§10.5 network results: 0 continues, anything else stops; a stop in new_connection leaves the upstream unconnected until data passes", async () => {
  const host = await tcp("nc=7;dd=2,0");
  const c = host.connection();
  assert.equal(c.callbacks.map((r) => `${r.callback}=${r.status}`), ["proxy_on_new_connection=StopIteration"]);
  assert.is(c.upstreamConnected, false);
  assert.throws(() => c.upstreamData("early"), /no upstream connection/);
  assert.is(c.downstreamData("a"), "StopIteration");
  assert.is(c.upstreamConnected, false);
  assert.is(c.downstreamData("b"), "Continue");
  assert.is(c.upstreamConnected, true);
  assert.is(c.upstream.text, "ab");
});

test("§10.9 after StopIteration Envoy keeps the bytes in its read buffer: the next call sees all of them, sent once", async () => {
  const host = await tcp("dd=1,1,0;ud=1,0");
  const c = host.connection();
  c.downstreamData("abc");
  c.downstreamData("def");
  assert.is(c.upstream.text, "");
  assert.is(c.heldDownstream.length, 6);
  c.downstreamData("g");
  c.upstreamData("xy");
  c.upstreamData("z");
  assert.equal(callbacks(c.logs()).filter((x) => x.includes("_data:")), [
    "downstream_data:2:3:0", "downstream_data:2:6:0", "downstream_data:2:7:0", "upstream_data:2:2:0", "upstream_data:2:3:0",
  ]);
  assert.equal(c.upstream.chunks.map((x) => new TextDecoder().decode(x.bytes)), ["abcdefg"]);
  assert.is(c.client.text, "xyz");
});

test("§2.1 §10.9 DOWNSTREAM_DATA / UPSTREAM_DATA are readable in their own callback; elsewhere they read as empty with OK", async () => {
  const host = await tcp("tcp=read");
  const c = host.connection();
  c.downstreamData("from-client");
  c.upstreamData("from-upstream");
  c.closeDownstream();
  const f = facts(c.logs());
  assert.equal(valueAndStatus(f.get("dd_down")), ["from-client", Status.OK]);
  assert.equal(valueAndStatus(f.get("dd_up")), ["", Status.OK]);
  assert.equal(valueAndStatus(f.get("ud_up")), ["from-upstream", Status.OK]);
  assert.equal(valueAndStatus(f.get("ud_down")), ["", Status.OK]);
  assert.equal(valueAndStatus(f.get("dd_http_body")), ["", Status.OK]);
  assert.equal(valueAndStatus(f.get("log_down")), ["", Status.OK]);
});

test("§10.9 set_buffer_bytes on connection data: start 0 prepends, start ≥ length appends, in between BAD_ARGUMENT, the other direction BAD_ARGUMENT", async () => {
  const host = await tcp("tcp=shapes");
  const c = host.connection();
  c.downstreamData("abc");
  c.upstreamData("xyz");
  const f = facts(c.logs());
  for (const at of ["dd", "ud"]) {
    assert.is(Number(f.get(`${at}_prepend`)), Status.OK);
    assert.is(Number(f.get(`${at}_append`)), Status.OK);
    assert.is(Number(f.get(`${at}_middle`)), Status.BAD_ARGUMENT);
    assert.is(Number(f.get(`${at}_other_write`)), Status.BAD_ARGUMENT);
  }
  assert.is(f.get("dd_shaped"), "<abc>");
  assert.is(c.upstream.text, "<abc>", "the upstream gets the rewritten bytes");
  assert.is(c.client.text, "<xyz>", "so does the client");
});

test("§10.7 continue_stream(DOWNSTREAM) from a tick (effective context) sends the held bytes on without calling the filter again", async () => {
  const host = await tcp("dd=1;tick=10;tcp=tick_resume");
  const c = host.connection();
  c.downstreamData("held");
  assert.is(c.upstream.text, "");
  host.advance(10);
  const f = facts(c.logs().concat(host.logs().filter((l) => l.startsWith("probe tick_"))));
  assert.is(Number(f.get("tick_effective")), Status.OK);
  assert.equal(valueAndStatus(f.get("tick_down")), ["held", Status.OK], "the held read buffer is reachable while paused");
  assert.is(Number(f.get("tick_resume")), Status.OK);
  assert.is(c.upstream.text, "held");
  assert.is(callbackNames(c.logs()).filter((n) => n === "downstream_data").length, 1);
});

test("§10.7 a stop in new_connection resumed with continue_stream(DOWNSTREAM) connects the upstream", async () => {
  const host = await tcp("nc=1;tick=10;tcp=tick_resume");
  const c = host.connection();
  assert.is(c.upstreamConnected, false);
  host.advance(10);
  assert.is(c.upstreamConnected, true);
  c.upstreamData("hello");
  assert.is(c.client.text, "hello");
});

test("§10.7 continue_stream(UPSTREAM) is UNIMPLEMENTED; continue_stream(HTTP_REQUEST) and a local response on a TCP stream are OK and do nothing", async () => {
  const host = await tcp("tcp=resume_up,props");
  const c = host.connection();
  c.downstreamData("x");
  const f = facts(c.logs());
  assert.is(Number(f.get("dd_resume_up")), Status.UNIMPLEMENTED);
  assert.is(Number(f.get("dd_continue_http")), Status.OK);
  assert.is(Number(f.get("dd_local")), Status.OK);
  assert.is(c.upstream.text, "x");
  assert.is(c.closed, null);
});

test("§10.7 close_stream(DOWNSTREAM) is deferred, then closes the connection (LOCAL): the callback's data is not forwarded", async () => {
  const host = await tcp("tcp=close_down");
  const c = host.connection();
  assert.is(c.downstreamData("bye"), "Continue");
  assert.is(Number(facts(c.logs()).get("dd_close_down")), Status.OK);
  assert.equal(c.closed, { peer: "local", details: "wasm_downstream_close" });
  assert.is(c.upstream.text, "");
  assert.equal(callbacks(c.logs()).slice(-4), [`downstream_close:2:${PeerType.LOCAL}`, "done:2", "log:2", "delete:2"]);
  assert.throws(() => c.downstreamData("more"), /closed/);
});

test("§10.7 close_stream(UPSTREAM) closes the same downstream connection, as wasm_upstream_close", async () => {
  const host = await tcp("tcp=close_up");
  const c = host.connection();
  c.downstreamData("a");
  assert.equal(c.closed, { peer: "local", details: "wasm_upstream_close" });
});

test("§10.13 a connection has stream info: connection_id, source.address and filter state work; request.* is NOT_FOUND", async () => {
  const host = await tcp("tcp=props");
  const c = host.connection({ properties: { "source.address": "10.1.2.3:4567" } });
  c.downstreamData("x");
  const f = facts(c.logs());
  assert.equal(valueAndStatus(f.get("nc_prop_connection_id")), ["set", Status.OK]);
  assert.equal(valueAndStatus(f.get("dd_prop_source")), ["10.1.2.3:4567", Status.OK]);
  assert.equal(valueAndStatus(f.get("dd_prop_request_path")), ["null", Status.NOT_FOUND]);
  assert.is(Number(f.get("dd_set_property")), Status.OK);
  assert.equal(valueAndStatus(f.get("dd_get_property")), ["t", Status.OK]);
  assert.is(c.property("probe_tcp"), "t");
  assert.is(Number(f.get("dd_filter_state")), Status.OK);
  assert.equal(c.envoyFilterState.get("envoy.tcp_proxy.cluster"), { value: "tcp-cluster", span: 2 });
});

test("§10.14 a trap in a TCP callback fails the VM and closes the connection; no close callbacks; later connections are closed at accept", async () => {
  const host = await tcp("tcp=trap_dd");
  const c = host.connection();
  assert.is(c.downstreamData("x"), "StopIteration");
  assert.ok(host.failed);
  assert.equal(c.closed, { peer: "local", details: "wasm_vm_failed" });
  assert.is(c.upstream.text, "");
  assert.not.ok(callbackNames(c.logs()).includes("downstream_close"));
  const later = host.connection();
  assert.equal(later.closed, { peer: "local", details: "wasm_vm_failed" });
  assert.is(later.contextId, 0);
});

test("§10.14 fail-open (legacy fail_open): the trapping connection continues and later connections skip the filter", async () => {
  const host = await loadProbe({ pluginConfig: "kind=tcp;tcp=trap_dd", failOpen: true });
  const c = host.connection();
  assert.is(c.downstreamData("x"), "Continue");
  assert.is(c.upstream.text, "x");
  assert.is(c.closed, null);
  const later = host.connection();
  later.downstreamData("y");
  later.upstreamData("z");
  assert.equal([later.skipped, later.upstream.text, later.client.text], [true, "y", "z"]);
});

test("§10.14 a connection already open when another one traps is closed at its next event, without callbacks; FAIL_OPEN alone does not save it", async () => {
  const host = await loadProbe({ pluginConfig: "kind=tcp;tcp=trap_ud", failurePolicy: "FAIL_OPEN" });
  const open = host.connection();
  open.downstreamData("a");
  const trapping = host.connection();
  trapping.downstreamData("b");
  trapping.upstreamData("boom");
  assert.ok(host.failed);
  const before = open.logs().length;
  assert.is(open.downstreamData("c"), "StopIteration");
  assert.equal(open.closed, { peer: "local", details: "wasm_vm_failed" });
  assert.is(open.upstream.text, "a");
  assert.is(open.logs().length, before, "no callback reached the failed VM, not even the close");
  const later = host.connection();
  assert.equal([later.skipped, later.closed], [true, null], "new connections leave the filter out");
});

test("runTcp: the whole connection as data, closed by the client", async () => {
  const host = await tcp();
  const c = await host.runTcp({ downstream: ["GET", " /"], downstreamEnd: true, upstream: ["OK"], upstreamEnd: true });
  assert.is(c.upstream.text, "GET /");
  assert.is(c.client.text, "OK");
  assert.equal(callbackNames(c.logs()).slice(-5), ["upstream_close", "downstream_close", "done", "log", "delete"]);
});

test.run();
