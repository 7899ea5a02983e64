/**
 * @module test/conformance/tcp-chain.test
 * Several Wasm network filters on one connection, as Envoy's network FilterManager runs them
 * (reference §10.4, §10.9; `FilterManagerImpl::onContinueReading` / `onWrite`): reads in filter
 * order from the first filter every time, over one connection read buffer; writes in reverse
 * order; a filter first reached (initialised) only when the filters before it let data through;
 * the close event reaching every filter in order, each running done → log → delete at once.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Chain } from "../../harness/index.ts";
import { callbacks, facts, probeWasm, valueAndStatus, Status } from "./probe.ts";

async function chain(first: string, second: string): Promise<Chain> {
  const wasm = await probeWasm();
  return Chain.load([
    { wasm, options: { name: "first", logLevel: "trace", pluginConfig: `kind=tcp;${first}` } },
    { wasm, options: { name: "second", logLevel: "trace", pluginConfig: `kind=tcp;${second}` } },
  ]);
}

/** The probe's `cb=` lines of one plugin's stream contexts, tagged with its name, in the order they ran. */
function seen(c: Chain, ...names: string[]): string[] {
  return c.plugins.flatMap((p) => p.host.logEntries.filter((e) => names.includes(e.plugin) && e.context !== 1))
    .sort((a, b) => a.seq - b.seq).flatMap((e) => callbacks([e.message]).map((cb) => `${e.plugin}:${cb.split(":")[0]}`));
}

test("§10.4 reads run through the filters in order, writes in reverse; the close reaches each in order, each running done → log → delete at once", async () => {
  const c = await chain("", "");
  const conn = c.connection();
  conn.downstreamData("q");
  conn.upstreamData("a");
  conn.closeDownstream();
  assert.equal(seen(c, "first", "second"), [
    "first:context_create", "first:new_connection", "second:context_create", "second:new_connection",
    "first:downstream_data", "second:downstream_data", "second:upstream_data", "first:upstream_data",
    "first:downstream_close", "first:done", "first:log", "first:delete",
    "second:downstream_close", "second:done", "second:log", "second:delete",
  ]);
  assert.equal([conn.upstream.text, conn.client.text], ["q", "a"]);
});

test("§10.9 one read buffer: after the second filter stops, the next read runs from the first filter again, which sees the held bytes again", async () => {
  const c = await chain("", "dd=1,0");
  const conn = c.connection();
  conn.downstreamData("a");
  conn.downstreamData("b");
  const data = (name: string) => c.plugins.flatMap((p) => p.host.logEntries).filter((e) => e.plugin === name)
    .flatMap((e) => callbacks([e.message])).filter((x) => x.startsWith("downstream_data"));
  assert.equal(data("first"), ["downstream_data:2:1:0", "downstream_data:2:2:0"], "the first filter sees 'a' twice");
  assert.equal(data("second"), ["downstream_data:2:1:0", "downstream_data:2:2:0"]);
  assert.is(conn.upstream.text, "ab");
});

test("§10.9 what one filter writes into the read buffer is what the next one reads", async () => {
  const c = await chain("tcp=shapes", "tcp=read");
  const conn = c.connection();
  conn.downstreamData("abc");
  const second = facts(c.plugins[1].host.logEntries.filter((e) => e.plugin === "second").map((e) => e.message));
  assert.equal(valueAndStatus(second.get("dd_down")), ["<abc>", Status.OK]);
  assert.is(conn.upstream.text, "<abc>");
});

test("§10.4 §10.5 a stop in the first filter's new_connection leaves the second uninitialised (no context) until data gets past the first", async () => {
  const c = await chain("nc=1", "");
  const conn = c.connection();
  assert.equal(seen(c, "second"), []);
  assert.is(conn.upstreamConnected, false);
  conn.downstreamData("x");
  assert.equal(seen(c, "second"), ["second:context_create", "second:new_connection", "second:downstream_data"]);
  assert.is(conn.upstream.text, "x");
});

test("§10.7 continue_stream(DOWNSTREAM) goes on from the filter after the one that continued", async () => {
  const c = await chain("", "dd=1;tick=10;tcp=tick_resume");
  const conn = c.connection();
  conn.downstreamData("held");
  assert.is(conn.upstream.text, "");
  c.advance(10);
  assert.is(conn.upstream.text, "held");
  assert.equal(seen(c, "first").filter((x) => x.endsWith("downstream_data")).length, 1, "the first filter is not asked again");
});

test("§10.5 a write stopped by the last filter is not seen by the first, and is seen whole by both with the next write", async () => {
  const c = await chain("", "ud=1,0");
  const conn = c.connection();
  conn.upstreamData("x");
  assert.equal(seen(c, "first").filter((x) => x.endsWith("upstream_data")), []);
  conn.upstreamData("y");
  assert.equal(seen(c, "first", "second").filter((x) => x.endsWith("upstream_data")), ["second:upstream_data", "second:upstream_data", "first:upstream_data"]);
  assert.is(conn.client.text, "xy");
});

test.run();
