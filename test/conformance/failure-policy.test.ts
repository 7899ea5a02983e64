/**
 * @module test/conformance/failure-policy.test
 * Envoy's failure policies (reference §10.14, `PluginConfig::createContext` and
 * `maybeReloadHandleIfNeeded`): FAIL_CLOSED, FAIL_OPEN for new streams while streams already on the
 * failed VM follow only the legacy `fail_open`, the two options being exclusive, and FAIL_RELOAD —
 * a fresh VM for new streams at most once per backoff interval since the last load, fail-closed
 * until then, streams already on the failed VM staying there.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { HostLoadError } from "../../harness/index.ts";
import { callbackNames, callbacks, loadProbe, probeRequest } from "./probe.ts";

const trap = (host: Awaited<ReturnType<typeof loadProbe>>) => host.stream().sendRequestHeaders(probeRequest("trap"), true);

test("§10.14 FAIL_CLOSED (the default when unset): new streams on the failed VM get the 503 wasm_fail_stream reply", async () => {
  const host = await loadProbe({ failurePolicy: "FAIL_CLOSED" });
  trap(host);
  const s = host.stream();
  s.sendRequestHeaders(probeRequest(""), true);
  assert.equal([s.localResponse?.status, s.localResponse?.details], [503, "wasm_fail_stream"]);
});

test("§10.14 FAIL_OPEN alone: new streams leave the filter out, but the stream that trapped still fails closed (only legacy fail_open reaches it)", async () => {
  const host = await loadProbe({ failurePolicy: "FAIL_OPEN" });
  const inFlight = host.stream();
  inFlight.sendRequestHeaders(probeRequest("trap"), true);
  assert.equal([inFlight.localResponse?.status, inFlight.localResponse?.details], [503, "wasm_fail_stream"]);
  const later = host.stream();
  assert.is(later.sendRequestHeaders(probeRequest(""), true), null, "no filter ran");
  assert.is(later.localResponse, null);
  assert.is(later.upstream.headers?.get(":path"), "/probe?q=1");
});

test("§10.14 fail_open true and failure_policy are exclusive, as Envoy's config check says", async () => {
  try {
    await loadProbe({ failOpen: true, failurePolicy: "FAIL_CLOSED" });
    assert.unreachable("loaded");
  } catch (e) {
    assert.instance(e, HostLoadError);
    assert.is((e as Error).message, "only one of fail_open or failure_policy can be set");
  }
  const host = await loadProbe({ failOpen: false, failurePolicy: "FAIL_OPEN" });
  assert.is(host.plugin().spec.failurePolicy, "FAIL_OPEN", "fail_open false is the proto default, not a setting");
});

test("§10.14 FAIL_RELOAD: fail-closed within the backoff since the last load, then a fresh VM for the next new stream", async () => {
  const host = await loadProbe({ failurePolicy: "FAIL_RELOAD" });
  host.advance(400);
  trap(host);
  const early = host.stream();
  early.sendRequestHeaders(probeRequest(""), true);
  assert.is(early.localResponse?.details, "wasm_fail_stream", "400 ms after the load: still inside the 1 s backoff");
  assert.is(host.plugin().reloadBackoffs, 1);
  host.advance(600);
  const fresh = host.stream();
  fresh.sendRequestHeaders(probeRequest(""), true);
  assert.is(fresh.localResponse, null);
  assert.equal(fresh.contextIds, [2], "a new VM: root 1 again, first stream 2");
  assert.equal(callbackNames(fresh.logs()).slice(0, 2), ["context_create", "request_headers"]);
  assert.equal(host.plugin().reloads.map((r) => [r.worker, r.atMs, r.ok]), [[0, 1000, true]]);
  assert.equal(callbacks(host.logs()).filter((c) => c.startsWith("root_create")), ["root_create:1", "root_create:1"], "the fresh VM started the plugin");
  assert.is(host.failures().length, 1, "the trap is still reported");
  assert.is(host.vms[0].failed, false);
});

test("§10.14 FAIL_RELOAD: the backoff runs from the last reload, not from the failure", async () => {
  const host = await loadProbe({ failurePolicy: "FAIL_RELOAD", reloadBackoffMs: 250 });
  host.advance(300);
  trap(host);
  const a = host.stream();
  a.sendRequestHeaders(probeRequest("trap"), true);
  assert.is(host.plugin().reloads.length, 1, "300 ms since the load: reloaded at once, and the new VM trapped too");
  host.advance(100);
  const b = host.stream();
  b.sendRequestHeaders(probeRequest(""), true);
  assert.is(b.localResponse?.details, "wasm_fail_stream", "100 ms after the reload");
  host.advance(150);
  const c = host.stream();
  c.sendRequestHeaders(probeRequest(""), true);
  assert.is(c.localResponse, null);
  assert.equal(host.plugin().reloads.map((r) => r.atMs), [300, 550]);
});

test("§10.14 FAIL_RELOAD: a stream already on the failed VM stays there and fails closed at its next event", async () => {
  const host = await loadProbe({ failurePolicy: "FAIL_RELOAD" });
  const old = host.stream();
  old.sendRequestHeaders(probeRequest(""), false);
  host.advance(1000);
  trap(host);
  const fresh = host.stream();
  fresh.sendRequestHeaders(probeRequest(""), true);
  assert.is(fresh.localResponse, null);
  assert.equal([old.contextIds, fresh.contextIds], [[2], [2]], "the same id on two VMs of one worker");
  assert.equal(callbackNames(old.logs()), ["context_create", "request_headers"], "each stream reads only its own VM's lines");
  old.sendRequestBody("late", true);
  assert.equal([old.localResponse?.status, old.localResponse?.details], [503, "wasm_fail_stream"]);
  assert.not.ok(callbackNames(old.logs()).includes("request_body"));
});

test("§10.14 FAIL_RELOAD for TCP: a trap closes the connection; a new connection after the backoff runs on a fresh VM", async () => {
  const host = await loadProbe({ pluginConfig: "kind=tcp;tcp=trap_ud", failurePolicy: "FAIL_RELOAD" });
  const c = host.connection();
  c.downstreamData("x");
  c.upstreamData("y");
  assert.is(c.closed?.details, "wasm_vm_failed");
  assert.is(host.connection().closed?.details, "wasm_vm_failed", "inside the backoff");
  host.advance(1000);
  const d = host.connection();
  assert.equal([d.closed, d.contextId], [null, 2]);
  d.downstreamData("again");
  assert.is(d.upstream.text, "again");
});

test.run();
