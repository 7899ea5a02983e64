import { test } from "uvu";
import * as assert from "uvu/assert";
import { Host } from "./index.ts";

const WASM = "dist/test/harness-tcp-example.wasm"; // your network filter: dist/filters/<name>.wasm

test("the client's bytes wait for a whole line, then go upstream tagged with the tenant", async () => {
  const host = await Host.load(WASM, { pluginConfig: "acme" });
  const c = host.connection();
  assert.is(c.downstreamData("hel"), "StopIteration");
  assert.is(c.upstream.text, "");
  assert.is(c.downstreamData("lo\n"), "Continue");
  assert.is(c.upstream.text, "acme hello\n");
  c.upstreamData("bye\n", true);
  assert.is(c.client.text, "bye\n");
  c.closeDownstream();
  assert.equal(c.closed, { peer: "remote", details: "remote_close" });
  assert.equal(c.logs("info"), ["closed by client"]);
  assert.is(host.metric("tcp_example_upstream_bytes")?.value, 4);
});

test("runTcp: a whole connection as data", async () => {
  const host = await Host.load(WASM, { pluginConfig: "acme" });
  const c = await host.runTcp({ downstream: ["a", "b\n"], upstream: ["ok"], upstreamEnd: true });
  assert.is(c.upstream.text, "acme ab\n");
  assert.is(c.client.text, "ok");
  assert.ok(c.finished);
});

test.run();
