/**
 * @module test/conformance/services.test
 * Reference §10.12 (ticks, shared data with CAS, shared queues, clocks, the effective context)
 * and §10.15 (logging), through the abi-probe.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Chain } from "../../harness/index.ts";
import { Status, callbacks, facts, loadProbe, probeRequest, streamFacts, valueAndStatus } from "./probe.ts";

const ticks = (lines: string[]) => callbacks(lines).filter((c) => c.startsWith("tick:"));

test("§10.12 ticks arrive on the root every period, re-armed after each tick; period 0 stops them", async () => {
  const host = await loadProbe({ pluginConfig: "tick=100;ticks=3" });
  assert.is(facts(host.logs()).get("tick_set"), String(Status.OK));
  host.advance(99);
  assert.equal(ticks(host.logs()), []);
  host.advance(1);
  assert.equal(ticks(host.logs()), ["tick:1:1"]);
  host.advance(200);
  assert.equal(ticks(host.logs()), ["tick:1:1", "tick:1:2", "tick:1:3"]);
  assert.is(facts(host.logs()).get("tick_stop"), String(Status.OK));
  host.advance(1000);
  assert.is(ticks(host.logs()).length, 3);
});

test("§10.12 set_tick_period from a stream sets its root's timer", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("tick_from_stream", { "x-probe-arg": "250" }), true);
  assert.is(streamFacts(s).get("tick_set"), String(Status.OK));
  host.advance(250);
  assert.equal(ticks(host.logs()), ["tick:1:1"]);
});

test("§10.12 shared data: NOT_FOUND when missing; a missing key is set whatever the cas; CAS from one counter starting at 1; wrong or stale cas CAS_MISMATCH; cas 0 unconditional; empty value", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("shared"), true);
  const f = streamFacts(s);
  assert.equal(valueAndStatus(f.get("shared_missing")), ["null", Status.NOT_FOUND]);
  assert.is(f.get("shared_set_new_with_cas"), String(Status.OK));
  assert.is(f.get("shared_get1"), "v1/1");
  assert.is(f.get("shared_set_wrong_cas"), String(Status.CAS_MISMATCH));
  assert.is(f.get("shared_set_right_cas"), String(Status.OK));
  assert.is(f.get("shared_get2"), "v3/2");
  assert.is(f.get("shared_set_stale_cas"), String(Status.CAS_MISMATCH));
  assert.is(f.get("shared_set_unconditional"), String(Status.OK));
  assert.is(f.get("shared_get_empty"), `0/3/${Status.OK}`);
  // SDK copySharedData / setSharedDataBytes: the same rules on pre-encoded keys; a value is copied
  // up to the caller's room while its whole length is reported.
  assert.is(f.get("shared_bytes_set"), String(Status.OK));
  assert.is(f.get("shared_bytes_copy"), "ok/9/4/v5-l");
  assert.is(f.get("shared_bytes_stale"), String(Status.CAS_MISMATCH));
  assert.is(f.get("shared_bytes_missing"), `no/-1/${Status.NOT_FOUND}`);
  assert.is(host.sharedData.get("probe-key")?.cas, 4);
});

test("§10.12 shared data is shared by every worker of a vm_id", async () => {
  const host = await loadProbe({ workers: 2 });
  const w0 = host.stream({ worker: 0 });
  w0.sendRequestHeaders(probeRequest("shared_write", { "x-probe-arg": "from-worker-0" }), true);
  const w1 = host.stream({ worker: 1 });
  w1.sendRequestHeaders(probeRequest("shared_read", { "x-probe-arg": "probe-key" }), true);
  assert.is(streamFacts(w1).get("shared_read"), "from-worker-0/1");
});

test("§10.12 shared queues: register (again: same id), resolve (empty vm_id = own), enqueue notifies the root, dequeue until EMPTY; unknown queues NOT_FOUND", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("queue"), true);
  await host.settle();
  const f = streamFacts(s);
  assert.is(f.get("queue_register"), "1/0");
  assert.is(f.get("queue_register_again"), "1");
  assert.is(f.get("queue_resolve"), "1");
  assert.equal(valueAndStatus(f.get("queue_resolve_unknown")), ["0", Status.NOT_FOUND]);
  assert.is(f.get("queue_enqueue"), String(Status.OK));
  assert.is(f.get("queue_enqueue_unknown"), String(Status.NOT_FOUND));
  assert.ok(callbacks(host.logs()).includes("queue_ready:1:1"));
  const root = facts(host.logs());
  assert.is(root.get("dequeued"), "item1");
  assert.is(root.get("dequeue_end"), String(Status.EMPTY));
});

test("§10.12 re-registering a queue rebinds its notifications to the latest registrant's root", async () => {
  const host = await loadProbe({ rootId: "a", plugins: [{ rootId: "b" }] });
  const first = new Chain([host.plugin("a")]).stream();
  first.sendRequestHeaders(probeRequest("queue"), true);
  await host.settle();
  assert.ok(callbacks(host.logs()).includes("queue_ready:1:1"));
  const second = new Chain([host.plugin("b")]).stream();
  second.sendRequestHeaders(probeRequest("queue"), true);
  await host.settle();
  assert.is(streamFacts(second).get("queue_register"), "1/0", "same queue, same id");
  assert.ok(callbacks(host.logs()).includes("queue_ready:2:1"), callbacks(host.logs()).join("\n"));
});

test("§10.12 clocks: proxy_get_current_time_nanoseconds is the host's wall clock; WASI monotonic and random_get (Math.random's seed) work", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("time"), true);
  const f = streamFacts(s);
  const [now, status] = valueAndStatus(f.get("time_now"));
  assert.is(status, Status.OK);
  assert.is(BigInt(now), BigInt(Math.round(host.environment.clock.wallMs())) * 1_000_000n);
  assert.ok(Number(f.get("time_monotonic")) >= 0);
  assert.is(f.get("random"), "ok");
  assert.not.ok(host.failed);
});

test("§10.12 set_effective_context: unknown id BAD_ARGUMENT; later host calls act on the chosen context", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("effective"), true);
  const f = streamFacts(s);
  assert.is(f.get("effective_unknown"), String(Status.BAD_ARGUMENT));
  assert.is(f.get("effective_self"), String(Status.OK));
  // After switching to the root, the probe's own log lines are attributed to the root context.
  const rootLines = host.logEntries.filter((e) => e.context === 1).map((e) => e.message);
  assert.ok(rootLines.includes("probe effective_root_log=on the root"));
});

test("§10.12 §10.15 log level: read once per callback, disabled lines never reach proxy_log, level > 5 BAD_ARGUMENT", async () => {
  const host = await loadProbe({ logLevel: "warn" });
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("logging"), true);
  const trace = s.trace();
  const inHeaders = (() => {
    const start = trace.findIndex((t) => t.kind === "callback" && t.name === "proxy_on_request_headers");
    const end = trace.findIndex((t, i) => i > start && t.kind === "callback");
    return trace.slice(start + 1, end < 0 ? undefined : end);
  })();
  assert.is(inHeaders.filter((t) => t.name === "env.proxy_get_log_level").length, 1, "asked once in the callback");
  const logCalls = inHeaders.filter((t) => t.name === "env.proxy_log");
  const sdkLevels = logCalls.map((t) => Number(t.args[0])).filter((l) => l !== 2); // level 2: the probe's own report lines
  assert.equal(sdkLevels, [6, 3, 4, 5], "only the bad level-6 call and warn/error/critical were sent");
  assert.is(logCalls.find((t) => Number(t.args[0]) === 6)?.result, Status.BAD_ARGUMENT);
  assert.equal(host.logs().filter((l) => l.startsWith("gated")), ["gated warn line", "gated error line", "gated critical line"]);
  assert.equal(host.logs("warn"), ["gated warn line"]);
});

test("§10.15 with Envoy's wasm logger off (level 6) the SDK sends no log line at all", async () => {
  const host = await loadProbe({ logLevel: "off" });
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("logging"), true);
  const sdkLevels = s.trace().filter((t) => t.name === "env.proxy_log").map((t) => Number(t.args[0])).filter((l) => l !== 2 && l !== 6);
  assert.equal(sdkLevels, []);
});

test.run();
