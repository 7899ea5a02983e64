/**
 * @module test/conformance/lifecycle.test
 * Reference §9.3–9.4, §10.2–10.4: start-up in context 0, context ids, the root sequence, the
 * HTTP stream order (log → done → delete), root shutdown, and several plugins in one module.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Chain, HostLoadError } from "../../harness/index.ts";
import { Status, callbackNames, callbacks, facts, loadProbe, probeRequest, probeWasm, valueAndStatus } from "./probe.ts";

test("§9.3 §10.2 _initialize runs first, in the VM context 0, and the SDK's top-level code makes no host call", async () => {
  const host = await loadProbe();
  const trace = host.trace();
  const firstCallback = trace.find((t) => t.kind === "callback");
  assert.is(firstCallback?.name, "_initialize");
  assert.is(firstCallback?.context, 0);
  const duringInit = trace.filter((t) => t.seq > firstCallback!.seq && t.kind !== "callback" && t.context === 0);
  assert.equal(duringInit.map((t) => t.name), []);
  assert.equal(host.misuse(), []);
});

test("§10.3 context ids: root 1, then streams 2, 3 from the same counter; every worker starts again at 1", async () => {
  const host = await loadProbe({ workers: 2 });
  assert.equal(callbacks(host.logs()).filter((c) => c.startsWith("root_create")), ["root_create:1", "root_create:1"]);
  const a = host.stream({ worker: 0 });
  const b = host.stream({ worker: 0 });
  const c = host.stream({ worker: 1 });
  for (const s of [a, b, c]) s.sendRequestHeaders(probeRequest(""), true);
  assert.equal([a.contextIds, b.contextIds, c.contextIds], [[2], [3], [2]]);
  assert.equal(callbacks(a.logs())[0], "context_create:2:1");
  assert.equal(callbacks(b.logs())[0], "context_create:3:1");
});

test("§10.4 root sequence: context_create(R, 0) → vm_start(R, vm config size) → configure(R, plugin config size)", async () => {
  const host = await loadProbe({ vmConfig: "vm=1", pluginConfig: "a=b;c=d" });
  assert.equal(callbacks(host.logs()), ["root_create:1", "vm_start:1:4", "configure:1:7"]);
});

test("§2.1 §10.4 the plugin configuration is NOT_FOUND in vm_start and readable in configure; the VM configuration in vm_start", async () => {
  const host = await loadProbe({ vmConfig: "vm=1", pluginConfig: "a=b" });
  const f = facts(host.logs());
  assert.equal(valueAndStatus(f.get("vm_start_plugin_config")), ["null", Status.NOT_FOUND]);
  assert.equal(valueAndStatus(f.get("plugin_config")), ["a=b", Status.OK]);
  assert.equal(valueAndStatus(f.get("vm_config")), ["vm=1", Status.OK]);
});

test("§10.4 a false result from vm_start or configure fails the plugin", async () => {
  for (const options of [{ vmConfig: "vm_start=false" }, { pluginConfig: "configure=false" }]) {
    try {
      await loadProbe(options);
      assert.unreachable(`loaded with ${JSON.stringify(options)}`);
    } catch (e) {
      assert.instance(e, HostLoadError);
      assert.match((e as Error).message, /returned false/);
    }
  }
});

test("§10.4 HTTP stream order: context created lazily, request then response callbacks, then log → done → delete", async () => {
  const host = await loadProbe();
  const s = host.stream();
  assert.equal(callbackNames(s.logs()), [], "no context before the first filter event");
  s.sendRequestHeaders(probeRequest(""), false);
  s.sendRequestBody("a", false);
  s.sendRequestTrailers({ "x-t": "1" });
  s.sendResponseHeaders({ ":status": "200" }, false);
  s.sendResponseBody("b", false);
  s.sendResponseTrailers({ "x-r": "1" });
  assert.equal(callbackNames(s.logs()), [
    "context_create", "request_headers", "request_body", "request_trailers",
    "response_headers", "response_body", "response_trailers", "log", "done", "delete",
  ]);
  const cbs = callbacks(s.logs());
  assert.ok(cbs.includes("request_headers:2:4:0"), "num_headers and end_of_stream are passed");
  assert.ok(cbs.includes("request_trailers:2:1"));
});

test("§10.4 a stream that never reached the filter still gets context_create → log → done → delete", async () => {
  const chain = await Chain.load([
    { wasm: await probeWasm(), options: { name: "first", logLevel: "trace" } },
    { wasm: await probeWasm(), options: { name: "second", logLevel: "trace" } },
  ]);
  const s = chain.stream();
  s.sendRequestHeaders(probeRequest("local_reply"), true);
  assert.is(s.localResponse?.plugin, "first");
  const second = chain.plugins[1].host.logEntries.filter((e) => e.plugin === "second" && e.context !== 1).map((e) => e.message);
  assert.equal(callbackNames(second), ["context_create", "log", "done", "delete"]);
});

test("§10.4 root shutdown: done(R) true ⇒ delete(R), and no proxy_on_log for a root", async () => {
  const host = await loadProbe();
  host.close();
  assert.equal(callbacks(host.logs()).slice(-2), ["done:1", "delete:1"]);
  assert.not.ok(callbacks(host.logs()).some((c) => c.startsWith("log:1")));
});

test("§10.4 root shutdown: done(R) false ⇒ no delete yet; proxy_done before the root is pending is NOT_FOUND", async () => {
  const host = await loadProbe({ pluginConfig: "done=false" });
  host.close();
  const f = facts(host.logs());
  assert.is(f.get("done_early"), String(Status.NOT_FOUND));
  assert.equal(callbacks(host.logs()).slice(-1), ["done:1"]);
  assert.is(host.plugins[0].roots[0].pendingDone, true);
});

test("§10.3 several plugins share one module: each root id gets its own factory (plugin_root_id), ids from one counter", async () => {
  const host = await loadProbe({ rootId: "main", plugins: [{ rootId: "second" }] });
  const f = facts(host.logs());
  assert.is(f.get("root_kind"), "second:2");
  assert.equal(callbacks(host.logs()).filter((c) => c.startsWith("root_create")), ["root_create:1"]);
  const s = host.plugin("second").host.stream();
  s.sendRequestHeaders(probeRequest(""), true);
  assert.equal(s.contextIds, [3]);
});

test.run();
