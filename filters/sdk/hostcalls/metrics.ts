/**
 * @module filters/sdk/hostcalls/metrics
 * Counters, gauges and histograms. Every `proxy_define_metric` call yields a new id (reference
 * §10.10), so `Counter.define` & co. define a name once per VM and cache its id. Define in
 * `onVmStart`/`onConfigure`: defining is a forbidden host call during `_initialize`.
 * Envoy: a counter's increment must be > 0; a gauge's increment may be negative; `record` adds to
 * a counter, sets a gauge, samples a histogram; histograms cannot be read or incremented.
 */
import { MetricType, Status } from "../types";
import { proxy_define_metric, proxy_get_metric, proxy_increment_metric, proxy_record_metric } from "./raw";
import { SLOT_A } from "./memory";
import { record } from "./status";

/** Raw define: a fresh id every call (0 on failure). Prefer the cached `Counter.define` etc. */
export function defineMetric(type: MetricType, name: string): u32 {
  const n = String.UTF8.encode(name);
  if (record(proxy_define_metric(type, changetype<usize>(n), n.byteLength, SLOT_A)) != Status.Ok) return 0;
  return load<u32>(SLOT_A);
}

export function incrementMetric(metricId: u32, delta: i64): Status {
  return record(proxy_increment_metric(metricId, delta));
}

export function recordMetric(metricId: u32, value: u64): Status {
  return record(proxy_record_metric(metricId, value));
}

/** A counter's or gauge's value (process-wide in Envoy); -1 on a non-OK status. */
export function getMetric(metricId: u32): i64 {
  if (record(proxy_get_metric(metricId, SLOT_A)) != Status.Ok) return -1;
  return load<i64>(SLOT_A);
}

const definedIds = new Map<string, u32>();

/** The cached id for (type, name), defining it on first use; 0 if the host refused. */
function definedId(type: MetricType, name: string): u32 {
  const key = (<i32>type).toString() + ":" + name;
  if (definedIds.has(key)) return definedIds.get(key);
  const id = defineMetric(type, name);
  if (id != 0) definedIds.set(key, id);
  return id;
}

export class Counter {
  private constructor(readonly id: u32) {}
  /** The counter named `name`, defined once per VM. */
  static define(name: string): Counter { return new Counter(definedId(MetricType.Counter, name)); }
  /** Adds `delta` (must be > 0 in Envoy). */
  increment(delta: i64 = 1): Status { return incrementMetric(this.id, delta); }
  value(): i64 { return getMetric(this.id); }
}

export class Gauge {
  private constructor(readonly id: u32) {}
  static define(name: string): Gauge { return new Gauge(definedId(MetricType.Gauge, name)); }
  /** Adds `delta`; zero or negative subtracts its magnitude. */
  add(delta: i64): Status { return incrementMetric(this.id, delta); }
  set(value: u64): Status { return recordMetric(this.id, value); }
  value(): i64 { return getMetric(this.id); }
}

export class Histogram {
  private constructor(readonly id: u32) {}
  static define(name: string): Histogram { return new Histogram(definedId(MetricType.Histogram, name)); }
  record(value: u64): Status { return recordMetric(this.id, value); }
}
