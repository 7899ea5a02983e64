/**
 * @module test/conformance/host-rules.test
 * Checklist §9.5 and §9.8 plus the cross-cutting rules of §1 and §10.11–10.12: pointer bounds
 * (INVALID_MEMORY_ACCESS), empty results as ptr 0 / len 0 without the allocator, the ordered
 * hostcall trace, no re-entrant delivery, and the effective context ending with its callback.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Status, callbacks, loadProbe, probeRequest, streamFacts } from "./probe.ts";

test("§9.5 every out-of-bounds pointer is INVALID_MEMORY_ACCESS, without trapping the VM", async () => {
  const host = await loadProbe({ vmConfig: "abc" });
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("memory"), true);
  const f = streamFacts(s);
  for (const key of ["oob_log", "oob_get_value_ret", "oob_get_value_key", "oob_add_key", "oob_vm_config_ret", "oob_set_body"]) {
    assert.is(f.get(key), String(Status.INVALID_MEMORY_ACCESS), key);
  }
  assert.not.ok(host.failed);
});

test("§1 §9.5 empty results are ptr 0 / len 0 with OK: an empty header value, an empty body range, an unavailable map's pairs", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("memory", { "x-empty": "" }), true);
  const f = streamFacts(s);
  assert.is(f.get("empty_header_value"), `${Status.OK}/0:0`);
  assert.is(f.get("empty_body"), `${Status.OK}/0:0`);
  assert.is(f.get("empty_map"), `${Status.OK}/0:0`);
});

test("§9.8 the host records an ordered trace of hostcalls with their arguments and results", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("continue_close"), true);
  const calls = s.trace().filter((t) => t.kind === "hostcall" && /proxy_(continue|close)_stream/.test(t.name));
  assert.equal(calls.map((t) => [t.name, Number(t.args[0]), t.result]), [
    ["env.proxy_continue_stream", 3, Status.UNIMPLEMENTED],
    ["env.proxy_continue_stream", 4, Status.BAD_ARGUMENT],
    ["env.proxy_close_stream", 5, Status.BAD_ARGUMENT],
    ["env.proxy_continue_stream", 2, Status.OK],
  ]);
  const seqs = s.trace().map((t) => t.seq);
  assert.equal(seqs, [...seqs].sort((a, b) => a - b));
});

test("§10.11 an answer ready during a VM call is delivered after that call returns, never re-entrantly", async () => {
  const host = await loadProbe({ clusters: { backend: () => ({ headers: { ":status": "200" }, body: "at once" }) } });
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("callout", { "x-probe-ret": "rh=1", "x-probe-then": "continue" }), true);
  await host.settle();
  const lines = s.logs();
  const dispatchedAt = lines.findIndex((l) => l.startsWith("probe call="));
  const answeredAt = lines.findIndex((l) => l.startsWith("probe cb=http_call_response"));
  assert.ok(dispatchedAt >= 0 && answeredAt > dispatchedAt, lines.join("\n"));
  assert.is(s.upstream.headers?.get(":path"), "/probe?q=1");
});

test("§10.12 the effective context ends with the callback that set it", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("effective"), true);
  // request_headers ended switched to the root; the next callback's lines belong to the stream again.
  s.sendResponseHeaders({ ":status": "200" }, true);
  assert.ok(callbacks(s.logs()).includes("response_headers:2:1:1"));
  assert.not.ok(s.logs().includes("probe effective_root_log=on the root"), "that line was logged on the root");
});

test.run();
