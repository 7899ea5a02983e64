/**
 * @module test/conformance/metrics.test
 * Reference §10.10: metric ids with type bits, per-VM id counters, Envoy's increment/record/get
 * semantics and statuses, and the SDK's define-once metric classes.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Status, loadProbe, probeRequest, streamFacts, valueAndStatus } from "./probe.ts";

async function metricsRun(workers = 1) {
  const host = await loadProbe({ workers });
  const runs = [];
  for (let w = 0; w < workers; w++) {
    const s = host.stream({ worker: w });
    s.sendRequestHeaders(probeRequest("metrics"), true);
    runs.push(streamFacts(s));
  }
  return { host, runs };
}

test("§10.10 every define_metric returns a new id whose low 2 bits are the type: counters 4, 8; gauges 5; histograms 6; type > 2 BAD_ARGUMENT", async () => {
  const { runs: [f] } = await metricsRun();
  assert.is(f.get("ids"), "4,8,5,6");
  assert.equal(valueAndStatus(f.get("define_type3")), ["0", Status.BAD_ARGUMENT]);
});

test("§10.10 counters: increment ≤ 0 is BAD_ARGUMENT, record adds; two ids of one name share the stat", async () => {
  const { host, runs: [f] } = await metricsRun();
  assert.is(f.get("counter_inc0"), String(Status.BAD_ARGUMENT));
  assert.is(f.get("counter_inc_neg"), String(Status.BAD_ARGUMENT));
  assert.is(f.get("counter_inc5"), String(Status.OK));
  assert.is(f.get("counter_record3"), String(Status.OK));
  assert.is(f.get("counter_value"), "8");
  assert.is(host.metric("probe_counter")?.value, 8);
});

test("§10.10 gauges: positive increments add, zero or negative subtract; record sets", async () => {
  const { host, runs: [f] } = await metricsRun();
  assert.is(f.get("gauge_inc10"), String(Status.OK));
  assert.is(f.get("gauge_inc_neg3"), String(Status.OK));
  assert.is(f.get("gauge_value_after_inc"), "7");
  assert.is(f.get("gauge_inc0"), String(Status.OK));
  assert.is(f.get("gauge_value_after_inc0"), "7");
  assert.is(f.get("gauge_record42"), String(Status.OK));
  assert.is(f.get("gauge_value"), "42");
  assert.is(host.metric("probe_gauge")?.value, 42);
});

test("§10.10 histograms: record samples; increment and get are BAD_ARGUMENT", async () => {
  const { host, runs: [f] } = await metricsRun();
  assert.is(f.get("hist_record7"), String(Status.OK));
  assert.is(f.get("hist_inc"), String(Status.BAD_ARGUMENT));
  assert.equal(valueAndStatus(f.get("hist_get")), ["-1", Status.BAD_ARGUMENT]);
  assert.equal(host.metric("probe_histogram")?.samples, [7]);
});

test("§10.10 unknown ids: increment/record/get NOT_FOUND; type bits 3 BAD_ARGUMENT", async () => {
  const { runs: [f] } = await metricsRun();
  assert.is(f.get("unknown_inc"), String(Status.NOT_FOUND));
  assert.is(f.get("unknown_record"), String(Status.NOT_FOUND));
  assert.equal(valueAndStatus(f.get("unknown_get")), ["-1", Status.NOT_FOUND]);
  assert.is(f.get("type3_inc"), String(Status.BAD_ARGUMENT));
});

test("§10.10 id counters are per VM (same ids on every worker) while the stat is process-wide", async () => {
  const { host, runs } = await metricsRun(2);
  assert.equal(runs.map((f) => f.get("ids")), ["4,8,5,6", "4,8,5,6"]);
  assert.equal(runs.map((f) => f.get("counter_value")), ["8", "16"]);
  assert.is(host.metric("probe_counter")?.value, 16);
});

test("§10.10 the SDK's Counter/Gauge/Histogram.define define a name once per VM and cache its id", async () => {
  const { host, runs: [f] } = await metricsRun();
  const [a, b] = f.get("cached_ids")!.split(",").map(Number);
  assert.is(a, b);
  assert.is(a & 3, 0);
  assert.is(f.get("cached_inc"), String(Status.OK));
  assert.is(f.get("cached_value"), "2");
  assert.is(host.metric("probe_cached_gauge")?.value, 9);
  assert.equal(host.metric("probe_cached_histogram")?.samples, [3]);
});

test.run();
