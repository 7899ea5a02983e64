/**
 * @module test/bench-modules/hostcalls.test
 * The host-call bench module makes exactly the calls the bench divides by, and every one
 * succeeds: the typical mix (with its visible effects), each single-call mode `n` times, no
 * misuse, and a configuration it does not know refused.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Host, HostLoadError } from "../../harness/index.ts";
import { build } from "../../scripts/build.ts";

const WASM = "dist/test/bench-hostcalls.wasm";
await build(["bench-hostcalls"]);

const EXCHANGE = {
  request: { headers: { ":method": "POST", ":path": "/v1/chat/completions", ":authority": "api" }, body: '{"model":"m"}' },
  response: { headers: { ":status": "200" }, bodyChunks: ["a", "b", "c"] },
};

const streamHostcalls = (s: { trace(): Array<{ kind: string; name: string; result?: number }> }) =>
  s.trace().filter((e) => e.kind === "hostcall");

test("typical: the small filter's mix of calls, each OK, with their effects", async () => {
  const host = await Host.load(WASM, { pluginConfig: "typical" });
  const s = await host.run(EXCHANGE);
  const calls = streamHostcalls(s);
  assert.equal(calls.map((e) => e.name.replace("env.proxy_", "")), [
    "get_header_map_value", "replace_header_map_value", "increment_metric",
    "get_buffer_bytes", "set_property",
    "get_header_map_value", "replace_header_map_value",
    "get_buffer_bytes", "get_buffer_bytes", "get_buffer_bytes",
    "get_property",
  ]);
  assert.equal(calls.map((e) => e.result), Array(calls.length).fill(0));
  assert.is(s.upstream.headers?.get("x-bench"), "1");
  assert.is(s.client.headers?.get("x-bench"), "1");
  assert.is(s.property("bench.seen"), "1");
  assert.is(s.client.bodyText, "abc");
  assert.is(host.metric("bench_requests_total")?.value, 1);
  assert.equal(host.misuse(), []);
});

const SINGLE: Array<[string, string]> = [
  ["get_header", "env.proxy_get_header_map_value"], ["get_pairs", "env.proxy_get_header_map_pairs"],
  ["replace_header", "env.proxy_replace_header_map_value"], ["get_body", "env.proxy_get_buffer_bytes"],
  ["set_property", "env.proxy_set_property"], ["get_property", "env.proxy_get_property"],
  ["metric", "env.proxy_increment_metric"], ["log", "env.proxy_log"],
];

for (const [mode, call] of SINGLE) {
  test(`${mode} 7: the one call seven times, each OK, and nothing else`, async () => {
    const host = await Host.load(WASM, { pluginConfig: `${mode} 7` });
    const s = await host.run(EXCHANGE);
    const calls = streamHostcalls(s);
    assert.equal(calls.map((e) => e.name), Array(7).fill(call));
    assert.equal(calls.map((e) => e.result), Array(calls.length).fill(0));
    assert.equal(host.misuse(), []);
    assert.equal(host.logs(), [], "the debug line stays below the default level");
  });
}

test("a mode it does not know, or a count out of range, is refused at configure", async () => {
  for (const config of ["sleep 3", "get_header 0", "get_header x"]) {
    try {
      await Host.load(WASM, { pluginConfig: config });
      assert.unreachable(`loaded with ${config}`);
    } catch (e) {
      assert.instance(e, HostLoadError);
      assert.match((e as Error).message, "proxy_on_configure returned false");
    }
  }
});

test("memory stays flat: what the host copies in is freed", async () => {
  const host = await Host.load(WASM, { pluginConfig: "typical" });
  const r = await host.memoryCheck(EXCHANGE, { requests: 300 });
  assert.ok(r.flat, JSON.stringify(r));
});

test.run();
