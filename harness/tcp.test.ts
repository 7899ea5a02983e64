/**
 * @module harness/tcp.test
 * The TCP driver's own contract (Envoy's behaviour itself is checked in test/conformance/tcp.test.ts):
 * what it refuses to pretend, which calls reach the filter, workers, runTcp's endings and what a
 * test can read back.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync } from "node:fs";
import { Host } from "./index.ts";

const WASM = "dist/test/harness-tcp-example.wasm";

async function load(options = {}): Promise<Host> {
  if (!existsSync(WASM)) await import("../scripts/build.ts").then((m) => m.build(["harness-tcp-example"]));
  return Host.load(WASM, { pluginConfig: "t", ...options });
}

test("steps that cannot happen on a real connection throw instead of being invented", async () => {
  const host = await load();
  const c = host.connection();
  c.downstreamData("a\n", true);
  assert.throws(() => c.downstreamData("more"), /half-closed/);
  c.upstreamData("x", true);
  assert.throws(() => c.upstreamData("y"), /already ended/);
  c.closeDownstream();
  assert.throws(() => c.upstreamData("z"), /closed \(remote_close\)/);
});

test("an empty read without end_stream reaches no filter (Envoy calls onData only with bytes or end_stream)", async () => {
  const host = await load();
  const c = host.connection();
  assert.is(c.downstreamData(""), null);
  assert.is(c.downstreamData("", true), "Continue");
  assert.equal(c.upstream.chunks.map((x) => [x.bytes.length, x.endOfStream]), [[2, true]], "the end of stream went upstream with the tenant prefix");
  assert.is(c.upstream.text, "t ");
});

test("connections go round-robin over the workers; each VM counts its own context ids", async () => {
  const host = await load({ workers: 2 });
  const [a, b, c] = [host.connection(), host.connection(), host.connection({ worker: 0 })];
  assert.equal([a.worker, b.worker, c.worker], [0, 1, 0]);
  assert.equal([a.contextId, b.contextId, c.contextId], [2, 2, 3]);
});

test("what a test reads back: held bytes, callbacks with statuses, trace, runTcp endings", async () => {
  const host = await load();
  const c = host.connection();
  c.downstreamData("no newline yet");
  assert.is(new TextDecoder().decode(c.heldDownstream), "no newline yet");
  assert.equal(c.callbacks.map((r) => `${r.callback}:${r.status}`), ["proxy_on_new_connection:Continue", "proxy_on_downstream_data:StopIteration"]);
  assert.ok(c.trace().some((t) => t.kind === "hostcall" && t.name === "env.proxy_get_buffer_bytes"));
  const viaUpstream = await host.runTcp({ downstream: ["q\n"], close: "upstream" });
  assert.equal(viaUpstream.closed, { peer: "local", details: "upstream_close" });
  assert.equal(viaUpstream.logs("info"), ["closed by proxy"]);
  const open = await host.runTcp({ downstream: ["q\n"], close: "none" });
  assert.is(open.closed, null);
  assert.not.ok(open.finished);
});

test.run();
