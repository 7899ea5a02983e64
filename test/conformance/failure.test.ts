/**
 * @module test/conformance/failure.test
 * Reference §10.14 and checklist §9.7: a trap (the SDK's abort) fails the VM; later callbacks
 * are skipped; streams get Envoy's 503 `wasm_fail_stream` unless the plugin is fail-open; only
 * the worker that trapped is affected; a trap during start-up fails the plugin.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { HostLoadError } from "../../harness/index.ts";
import { callbackNames, loadProbe, probeRequest } from "./probe.ts";

test("§10.14 the SDK's abort logs at critical through proxy_log, then traps and marks the VM failed", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("trap"), true);
  assert.ok(host.failed);
  const aborts = host.logs("critical").filter((l) => l.startsWith("abort: "));
  assert.equal(aborts, ["abort: probe trap in request_headers"]);
});

test("§10.14 a runtime check failing inside AssemblyScript aborts with its message and source location", async () => {
  const host = await loadProbe();
  host.stream().sendRequestHeaders(probeRequest("trap_bounds"), true);
  assert.ok(host.failed);
  const aborts = host.logs("critical").filter((l) => l.startsWith("abort: "));
  assert.is(aborts.length, 1);
  assert.match(aborts[0], /^abort: Index out of range at ~lib\/.+\.ts:\d+:\d+$/);
});

test("§9.7 §10.14 the stream that trapped, and every later stream, get a 503 wasm_fail_stream local reply", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("trap"), true);
  assert.is(s.localResponse?.status, 503);
  assert.is(s.localResponse?.details, "wasm_fail_stream");
  assert.is(s.localResponse?.grpcStatus, 14);
  assert.is(s.upstream.headers, null);
  const later = host.stream();
  later.sendRequestHeaders(probeRequest(""), true);
  assert.is(later.localResponse?.status, 503);
  assert.is(later.localResponse?.details, "wasm_fail_stream");
  assert.equal(callbackNames(later.logs()), [], "no callback reaches the failed VM");
});

test("§10.14 fail-open: the trapping stream continues, and later streams skip the filter", async () => {
  const host = await loadProbe({ failOpen: true });
  const s = host.stream();
  assert.is(s.sendRequestHeaders(probeRequest("trap"), true), "Continue");
  assert.is(s.localResponse, null);
  assert.is(s.upstream.headers?.get(":path"), "/probe?q=1");
  const later = host.stream();
  later.sendRequestHeaders(probeRequest(""), true);
  assert.is(later.localResponse, null);
  assert.is(later.upstream.headers?.get(":path"), "/probe?q=1");
});

test("§10.14 a trap in a response callback fails the stream's response path with the 503 reply", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("trap", { "x-probe-arg": "response_headers" }), true);
  s.sendResponseHeaders({ ":status": "200" }, true);
  assert.ok(host.failed);
  assert.is(s.client.headers?.get(":status") ?? String(s.localResponse?.status), "503");
});

test("§10.14 only the worker whose VM trapped is failed", async () => {
  const host = await loadProbe({ workers: 2 });
  host.stream({ worker: 0 }).sendRequestHeaders(probeRequest("trap"), true);
  const other = host.stream({ worker: 1 });
  other.sendRequestHeaders(probeRequest(""), true);
  assert.is(other.localResponse, null);
  assert.ok(callbackNames(other.logs()).includes("request_headers"));
  assert.is(host.failures().length, 1);
  assert.match(host.failures()[0], /^worker 0: /);
});

test("§10.14 a trap in a tick fails the VM", async () => {
  const host = await loadProbe({ pluginConfig: "tick=10;trap=tick" });
  host.advance(10);
  assert.ok(host.failed);
  const s = host.stream();
  s.sendRequestHeaders(probeRequest(""), true);
  assert.is(s.localResponse?.details, "wasm_fail_stream");
});

test("§10.14 a trap in configure or vm_start fails the plugin start-up", async () => {
  for (const options of [{ pluginConfig: "trap=configure" }, { vmConfig: "trap=vm_start" }]) {
    try {
      await loadProbe(options);
      assert.unreachable(`loaded with ${JSON.stringify(options)}`);
    } catch (e) {
      assert.instance(e, HostLoadError);
      assert.match((e as Error).message, /failed/);
    }
  }
});

test.run();
