/**
 * @module test/abi-probe/scenarios-host
 * Scenarios about host services reached from a stream: callouts (§10.11), metrics (§10.10),
 * shared data and queues, ticks and clocks (§10.12), properties and foreign functions (§10.13),
 * the effective context, logging (§10.15) and a deliberate trap (§10.14).
 */
import {
  BufferType, Counter, Gauge, HeaderPair, Histogram, LifeSpan, LogLevel, MapType, MetricType, Status, StreamType, callForeignFunction,
  clearRouteCache, closeStream, continueStream, defineMetric, enqueueSharedQueue, getBufferBytes,
  getCurrentTimeNanoseconds, getHeaderMapPairs, getHeaderMapSize, getHeaderMapValue, getMetric,
  getMonotonicNanoseconds, getProperty, getPropertyInt, getPropertyMap, getPropertyString, getSharedData, getStatus, SharedCopy, copySharedData, setSharedDataBytes,
  grpcCancel, grpcClose, grpcSend, httpCall, incrementMetric, lastStatus, log, logLevel, recordMetric,
  registerSharedQueue, replaceHeaderMapValue, resolveSharedQueue, sendLocalResponse, setBufferBytes,
  setEffectiveContext, setEnvoyFilterState, setProperty, setSharedData, setTickPeriodMilliseconds, addHeaderMapValue,
} from "../../filters/sdk/index";
import {
  proxy_add_header_map_value, proxy_get_buffer_bytes, proxy_get_header_map_pairs, proxy_get_header_map_value, proxy_http_call,
  proxy_log, proxy_set_buffer_bytes,
} from "../../filters/sdk/hostcalls/raw";
import { renderBytes, renderPairs, report, reportNum } from "./report";
import { ProbeStream } from "./stream";

function utf8(s: string): ArrayBuffer {
  return String.UTF8.encode(s);
}

function st(): string {
  return (<i32>lastStatus()).toString();
}

function requestHeadersFor(authority: string, path: string): HeaderPair[] {
  return [HeaderPair.of(":method", "POST"), HeaderPair.of(":path", path), HeaderPair.of(":authority", authority)];
}

function dispatchProbeCall(stream: ProbeStream, key: string): u32 {
  const cluster = stream.arg.length > 0 ? stream.arg : "backend";
  const id = stream.dispatchHttpCall(cluster, requestHeadersFor("backend", "/check"), utf8("ping"),
    [HeaderPair.of("x-call-trailer", "t")], 1000);
  report(key, id.toString() + "/" + st());
  if (id != 0) stream.callIds.push(id);
  return id;
}

/** `proxy_http_call` with a sentinel in the out-slot, to see whether the host wrote 0 first. */
function rawCall(cluster: string, headers: HeaderPair[], timeoutMs: u32): string {
  const slot = memory.data(8, 8);
  store<u32>(slot, 0xdeadbeef);
  const c = utf8(cluster);
  const h = serializeForRaw(headers);
  const status = proxy_http_call(changetype<usize>(c), c.byteLength, changetype<usize>(h), h.byteLength, 0, 0, 0, 0, timeoutMs, slot);
  return status.toString() + "/" + load<u32>(slot).toString();
}

import { serializePairs } from "../../filters/sdk/hostcalls/pairs";
function serializeForRaw(headers: HeaderPair[]): ArrayBuffer {
  return serializePairs(headers);
}

function calloutBad(): void {
  const good = requestHeadersFor("backend", "/x");
  report("bad_timeout", rawCall("backend", good, 0x80000000));
  report("bad_cluster", rawCall("no-such-cluster", good, 1000));
  report("bad_no_path", rawCall("backend", [HeaderPair.of(":method", "GET"), HeaderPair.of(":authority", "a")], 1000));
  report("bad_no_method", rawCall("backend", [HeaderPair.of(":path", "/"), HeaderPair.of(":authority", "a")], 1000));
  report("bad_no_authority", rawCall("backend", [HeaderPair.of(":method", "GET"), HeaderPair.of(":path", "/")], 1000));
  report("ok_timeout0", rawCall("backend", good, 0));
}

function grpcUpstream(stream: ProbeStream): ArrayBuffer {
  return utf8(stream.arg.length > 0 ? stream.arg : "grpc-backend");
}

function grpc(stream: ProbeStream): void {
  const md: HeaderPair[] = [HeaderPair.of("x-md", "1")];
  const call = stream.dispatchGrpcCall(grpcUpstream(stream), "probe.Echo", "Say", md, utf8("hi"), 1000);
  report("grpc_call", call.toString() + "/" + st());
  const unknown = stream.dispatchGrpcCall(utf8("no-such-cluster"), "probe.Echo", "Say", null, utf8("hi"), 1000);
  report("grpc_call_unknown", unknown.toString() + "/" + st());
  const s = stream.openGrpcStream(grpcUpstream(stream), "probe.Echo", "Chat", md);
  report("grpc_stream", s.toString() + "/" + st());
  reportNum("grpc_send", grpcSend(s, utf8("m1"), false));
  reportNum("grpc_send_on_call", grpcSend(call, utf8("m1"), false));
  reportNum("grpc_send_unknown", grpcSend(9998, utf8("m1"), false));
  reportNum("grpc_cancel_unknown", grpcCancel(9998));
  reportNum("grpc_close_unknown", grpcClose(9998));
  const http = httpCall("backend", requestHeadersFor("backend", "/h"), null, null, 1000);
  reportNum("grpc_cancel_http_id", grpcCancel(http));
  reportNum("grpc_close_http_id", grpcClose(http));
  stream.callIds.push(call);
  stream.callIds.push(s);
}

function metrics(prefix: string): void {
  const c1 = defineMetric(MetricType.Counter, "probe_counter");
  const c2 = defineMetric(MetricType.Counter, "probe_counter");
  const g = defineMetric(MetricType.Gauge, "probe_gauge");
  const h = defineMetric(MetricType.Histogram, "probe_histogram");
  report(prefix + "ids", c1.toString() + "," + c2.toString() + "," + g.toString() + "," + h.toString());
  const bad = defineMetric(<MetricType>3, "probe_bad");
  report(prefix + "define_type3", bad.toString() + "/" + st());
  reportNum(prefix + "counter_inc0", incrementMetric(c1, 0));
  reportNum(prefix + "counter_inc_neg", incrementMetric(c1, -1));
  reportNum(prefix + "counter_inc5", incrementMetric(c1, 5));
  reportNum(prefix + "counter_record3", recordMetric(c2, 3));
  reportNum(prefix + "counter_value", getMetric(c1));
  reportNum(prefix + "gauge_inc10", incrementMetric(g, 10));
  reportNum(prefix + "gauge_inc_neg3", incrementMetric(g, -3));
  reportNum(prefix + "gauge_value_after_inc", getMetric(g));
  reportNum(prefix + "gauge_inc0", incrementMetric(g, 0));
  reportNum(prefix + "gauge_value_after_inc0", getMetric(g));
  reportNum(prefix + "gauge_record42", recordMetric(g, 42));
  reportNum(prefix + "gauge_value", getMetric(g));
  reportNum(prefix + "hist_record7", recordMetric(h, 7));
  reportNum(prefix + "hist_inc", incrementMetric(h, 1));
  report(prefix + "hist_get", getMetric(h).toString() + "/" + st());
  reportNum(prefix + "unknown_inc", incrementMetric(400, 1));
  reportNum(prefix + "unknown_record", recordMetric(400, 1));
  report(prefix + "unknown_get", getMetric(400).toString() + "/" + st());
  reportNum(prefix + "type3_inc", incrementMetric(7, 1));
  // The SDK's typed metrics define a name once per VM and reuse its id.
  const first = Counter.define("probe_cached");
  const again = Counter.define("probe_cached");
  report(prefix + "cached_ids", first.id.toString() + "," + again.id.toString());
  reportNum(prefix + "cached_inc", again.increment(2));
  reportNum(prefix + "cached_value", first.value());
  const gauge = Gauge.define("probe_cached_gauge");
  reportNum(prefix + "cached_gauge_set", gauge.set(9));
  const hist = Histogram.define("probe_cached_histogram");
  reportNum(prefix + "cached_hist", hist.record(3));
}

function shared(stream: ProbeStream): void {
  const key = stream.arg.length > 0 ? stream.arg : "probe-key";
  const missing = getSharedData(key);
  report("shared_missing", (missing === null ? "null" : "value") + "/" + st());
  reportNum("shared_set_new_with_cas", setSharedData(key, utf8("v1"), 12345));
  const first = getSharedData(key);
  const cas1 = first !== null ? first.cas : 0;
  report("shared_get1", (first !== null ? renderBytes(first.value) : "null") + "/" + cas1.toString());
  reportNum("shared_set_wrong_cas", setSharedData(key, utf8("v2"), cas1 + 1000));
  reportNum("shared_set_right_cas", setSharedData(key, utf8("v3"), cas1));
  const second = getSharedData(key);
  report("shared_get2", (second !== null ? renderBytes(second.value) + "/" + second.cas.toString() : "null"));
  reportNum("shared_set_stale_cas", setSharedData(key, utf8("v4"), cas1));
  reportNum("shared_set_unconditional", setSharedData(key, null, 0));
  const empty = getSharedData(key);
  report("shared_get_empty", (empty !== null ? empty.value.byteLength.toString() + "/" + empty.cas.toString() : "null") + "/" + st());
  // The byte-level pair: a key encoded once, a value copied into the caller's memory.
  const k = String.UTF8.encode(key);
  const v = String.UTF8.encode("v5-longer");
  const into = new ArrayBuffer(4);
  const found = new SharedCopy();
  const cas3 = empty !== null ? empty.cas : 0;
  reportNum("shared_bytes_set", setSharedDataBytes(k, changetype<usize>(v), <usize>v.byteLength, cas3));
  const ok = copySharedData(k, changetype<usize>(into), into.byteLength, found);
  report("shared_bytes_copy", (ok ? "ok" : "no") + "/" + found.length.toString() + "/" + found.cas.toString() + "/" + renderBytes(into));
  reportNum("shared_bytes_stale", setSharedDataBytes(k, changetype<usize>(v), 2, cas3));
  const none = copySharedData(String.UTF8.encode(key + "-absent"), changetype<usize>(into), into.byteLength, found);
  report("shared_bytes_missing", (none ? "ok" : "no") + "/" + found.length.toString() + "/" + st());
}

function queue(): void {
  const id = registerSharedQueue("probe-q");
  report("queue_register", id.toString() + "/" + st());
  reportNum("queue_register_again", registerSharedQueue("probe-q"));
  reportNum("queue_resolve", resolveSharedQueue("", "probe-q"));
  const unknown = resolveSharedQueue("", "no-such-queue");
  report("queue_resolve_unknown", unknown.toString() + "/" + st());
  reportNum("queue_enqueue", enqueueSharedQueue(id, utf8("item1")));
  reportNum("queue_enqueue_unknown", enqueueSharedQueue(9999, utf8("x")));
}

function properties(stream: ProbeStream): void {
  report("prop_root_id", renderBytes(getProperty(["plugin_root_id"])) + "/" + st());
  report("prop_plugin_name", renderBytes(getProperty(["plugin_name"])) + "/" + st());
  report("prop_vm_id", renderBytes(getProperty(["plugin_vm_id"])) + "/" + st());
  report("prop_path", renderBytes(getProperty(["request", "path"])) + "/" + st());
  report("prop_method", renderBytes(getProperty(["request", "method"])) + "/" + st());
  report("prop_header", renderBytes(getProperty(["request", "headers", "x-dup"])) + "/" + st());
  report("prop_headers_map", renderPairs(getPropertyMap(["request", "headers"])) + "/" + st());
  report("prop_empty_path", renderBytes(getProperty([])) + "/" + st());
  report("prop_missing", renderBytes(getProperty(["no_such", "property"])) + "/" + st());
  reportNum("prop_set", setProperty(["probe_state"], utf8("v1")));
  report("prop_get_set", renderBytes(getProperty(["probe_state"])) + "/" + st());
  if (stream.arg.length > 0) report("prop_arg", renderBytes(getProperty(stream.arg.split("."))) + "/" + st());
}

function foreign(prefix: string): void {
  reportNum(prefix + "clear_route_cache", clearRouteCache());
  reportNum(prefix + "filter_state_known", setEnvoyFilterState("envoy.tcp_proxy.cluster", "probe-cluster", LifeSpan.FilterChain));
  reportNum(prefix + "filter_state_unknown", setEnvoyFilterState("no.such.factory", "x", LifeSpan.DownstreamRequest));
  const garbage = new ArrayBuffer(2);
  store<u8>(changetype<usize>(garbage), 0xff);
  store<u8>(changetype<usize>(garbage), 0xff, 1);
  callForeignFunction("set_envoy_filter_state", garbage);
  report(prefix + "filter_state_garbage", st());
  callForeignFunction("no_such_function", null);
  report(prefix + "foreign_unknown", st());
}

function logging(): void {
  reportNum("log_level", logLevel());
  const msg = utf8("level six");
  reportNum("log_level6", proxy_log(6, changetype<usize>(msg), msg.byteLength));
  log(LogLevel.Trace, "gated trace line");
  log(LogLevel.Debug, "gated debug line");
  log(LogLevel.Info, "gated info line");
  log(LogLevel.Warn, "gated warn line");
  log(LogLevel.Error, "gated error line");
  log(LogLevel.Critical, "gated critical line");
}

// Far past any memory a small module has: every access there is out of bounds.
const OUT_OF_BOUNDS: usize = 0xfffffff0;

/** Raw calls with out-of-bounds pointers, and what the host returns for empty results. */
function memoryRules(): void {
  const key = utf8(":path");
  const slot = memory.data(16, 8);
  reportNum("oob_log", proxy_log(2, OUT_OF_BOUNDS, 64));
  reportNum("oob_get_value_ret", proxy_get_header_map_value(0, changetype<usize>(key), key.byteLength, OUT_OF_BOUNDS, slot + 4));
  reportNum("oob_get_value_key", proxy_get_header_map_value(0, OUT_OF_BOUNDS, 64, slot, slot + 4));
  reportNum("oob_add_key", proxy_add_header_map_value(0, OUT_OF_BOUNDS, 64, changetype<usize>(key), 1));
  reportNum("oob_vm_config_ret", proxy_get_buffer_bytes(6, 0, 100, OUT_OF_BOUNDS, slot + 4));
  reportNum("oob_set_body", proxy_set_buffer_bytes(0, 0, 0, OUT_OF_BOUNDS, 64));
  // Empty results come back as ptr 0 / len 0 without the allocator: sentinels show what was written.
  const emptyKey = utf8("x-empty");
  store<u32>(slot, 0xdeadbeef); store<u32>(slot + 4, 0xdeadbeef);
  const s1 = proxy_get_header_map_value(0, changetype<usize>(emptyKey), emptyKey.byteLength, slot, slot + 4);
  report("empty_header_value", s1.toString() + "/" + load<u32>(slot).toString() + ":" + load<u32>(slot + 4).toString());
  store<u32>(slot, 0xdeadbeef); store<u32>(slot + 4, 0xdeadbeef);
  const s2 = proxy_get_buffer_bytes(0, 0, 100, slot, slot + 4);
  report("empty_body", s2.toString() + "/" + load<u32>(slot).toString() + ":" + load<u32>(slot + 4).toString());
  store<u32>(slot, 0xdeadbeef); store<u32>(slot + 4, 0xdeadbeef);
  const s3 = proxy_get_header_map_pairs(3, slot, slot + 4);
  report("empty_map", s3.toString() + "/" + load<u32>(slot).toString() + ":" + load<u32>(slot + 4).toString());
}

/** Returns true when `name` is one of this file's scenarios. */
export function runHostScenario(stream: ProbeStream, name: string, phase: string, eos: bool): bool {
  const first = phase == "request_headers";
  if (name == "callout") { if (first) dispatchProbeCall(stream, "call"); }
  else if (name == "callout_bad") { if (first) calloutBad(); }
  else if (name == "callout_ids") {
    if (first) {
      dispatchProbeCall(stream, "call1");
      dispatchProbeCall(stream, "call2");
      const g = stream.dispatchGrpcCall(utf8("grpc-backend"), "probe.Echo", "Say", null, null, 1000);
      report("grpc_id", g.toString() + "/" + st());
      const s = stream.openGrpcStream(utf8("grpc-backend"), "probe.Echo", "Chat", null);
      report("grpc_stream_id", s.toString() + "/" + st());
    }
  }
  else if (name == "grpc") { if (first) grpc(stream); }
  else if (name == "metrics") { if (first) metrics(""); }
  else if (name == "shared") { if (first) shared(stream); }
  else if (name == "shared_read") {
    if (first) {
      const v = getSharedData(stream.arg);
      report("shared_read", v !== null ? renderBytes(v.value) + "/" + v.cas.toString() : "null/" + st());
    }
  }
  else if (name == "shared_write") {
    if (first) reportNum("shared_write", setSharedData("probe-key", utf8(stream.arg), 0));
  }
  else if (name == "queue") { if (first) queue(); }
  else if (name == "tick_from_stream") { if (first) reportNum("tick_set", setTickPeriodMilliseconds(stream.arg.length > 0 ? U32.parseInt(stream.arg) : 250)); }
  else if (name == "time") {
    if (first) {
      report("time_now", getCurrentTimeNanoseconds().toString() + "/" + st());
      report("time_monotonic", getMonotonicNanoseconds().toString());
      report("random", Math.random() >= 0 ? "ok" : "bad");
    }
  }
  else if (name == "properties") { if (first) properties(stream); }
  else if (name == "properties_late") {
    if (phase == "response_headers" || phase == "log") {
      report(phase + "_prop_path", renderBytes(getProperty(["request", "path"])) + "/" + st());
      report(phase + "_prop_code", getPropertyInt(["response", "code"], -1).toString() + "/" + st());
      report(phase + "_prop_state", renderBytes(getProperty(["probe_state"])) + "/" + st());
    }
    if (first) setProperty(["probe_state"], utf8("kept"));
  }
  else if (name == "foreign") { if (first) foreign(""); }
  else if (name == "effective") {
    if (first) {
      reportNum("effective_unknown", setEffectiveContext(999999));
      reportNum("effective_self", setEffectiveContext(stream.id));
      reportNum("effective_root", setEffectiveContext(stream.root.id));
      // Acts on the root now: a local response there is OK and does nothing (§10.6).
      if (stream.arg == "local") reportNum("effective_root_local", sendLocalResponse(500, "from_root", null, null));
      else report("effective_root_log", "on the root");
    }
  }
  else if (name == "logging") { if (first) logging(); }
  else if (name == "memory") { if (first) memoryRules(); }
  else if (name == "trap_bounds") {
    // A compiler-inserted check: AssemblyScript calls abort with its message and source location.
    if (first) { const empty = new Array<i32>(0); reportNum("unreachable", empty[stream.arg.length + 3]); }
  }
  else if (name == "trap") {
    const at = stream.arg.length > 0 ? stream.arg : "request_headers";
    if (phase == at) abort("probe trap in " + phase);
  }
  else return false;
  return true;
}

/** What the probe does when an HTTP callout made by `stream` answers (`x-probe-then`). */
export function onCalloutAnswer(stream: ProbeStream, callId: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {
  report("answer_headers", renderPairs(getHeaderMapPairs(MapType.HttpCallResponseHeaders)));
  const status = getHeaderMapValue(MapType.HttpCallResponseHeaders, ":status");
  report("answer_status", status !== null ? status : "null/" + st());
  report("answer_body", renderBytes(getBufferBytes(BufferType.HttpCallResponseBody)) + "/" + st());
  report("answer_trailers", renderPairs(getHeaderMapPairs(MapType.HttpCallResponseTrailers)));
  reportNum("answer_map6_size", getHeaderMapSize(MapType.HttpCallResponseHeaders));
  reportNum("answer_map6_size_status", lastStatus());
  reportNum("answer_map6_add", addHeaderMapValue(MapType.HttpCallResponseHeaders, "x", "y"));
  reportNum("answer_body_set", setBufferBytes(BufferType.HttpCallResponseBody, 0, 0, utf8("x")));
  if (numHeaders == 0) {
    const failure = getStatus();
    report("answer_failure", failure !== null ? failure.code.toString() + ":" + failure.messageString : "null/" + st());
  }
  const then = stream.then;
  if (then == "continue") reportNum("then_continue", continueStream(StreamType.HttpRequest));
  else if (then == "continue_response") reportNum("then_continue_response", continueStream(StreamType.HttpResponse));
  else if (then == "local") reportNum("then_local", sendLocalResponse(403, "from_callout", utf8("denied"), [HeaderPair.of("x-from", "callout")]));
  else if (then == "close") reportNum("then_close", closeStream(StreamType.HttpRequest));
  else if (then == "header") reportNum("then_header", replaceHeaderMapValue(MapType.HttpRequestHeaders, "x-from-callout", "1"));
  else if (then == "foreign") foreign("then_");
  else if (then == "quirk") {
    // §10.7: continue_stream(HTTP_RESPONSE) drops the *request* handles; a second answer shows it.
    if (stream.callIds.length == 1) {
      reportNum("quirk_continue_response", continueStream(StreamType.HttpResponse));
      dispatchProbeCall(stream, "quirk_call2");
    } else {
      const path = getHeaderMapValue(MapType.HttpRequestHeaders, ":path");
      report("quirk_req_path", (path !== null ? path : "null") + "/" + st());
      reportNum("quirk_continue_request", continueStream(StreamType.HttpRequest));
    }
  }
}

/** gRPC answers for calls and streams made by `stream`. */
export function onGrpcEvent(stream: ProbeStream, event: string, callId: u32, value: u32): void {
  if (event == "initial_metadata") {
    report("grpc_initial", renderPairs(getHeaderMapPairs(MapType.GrpcReceiveInitialMetadata)));
    reportNum("grpc_initial_size", getHeaderMapSize(MapType.GrpcReceiveInitialMetadata));
    reportNum("grpc_initial_size_status", lastStatus());
  } else if (event == "receive") {
    report("grpc_message", renderBytes(getBufferBytes(BufferType.GrpcReceiveBuffer)));
    reportNum("grpc_message_set", setBufferBytes(BufferType.GrpcReceiveBuffer, 0, 0, utf8("x")));
  } else if (event == "trailing_metadata") {
    report("grpc_trailing", renderPairs(getHeaderMapPairs(MapType.GrpcReceiveTrailingMetadata)));
  } else if (event == "close") {
    const s = getStatus();
    report("grpc_status", s !== null ? s.code.toString() + ":" + s.messageString : "null/" + st());
    if (stream.then == "continue") reportNum("then_continue", continueStream(StreamType.HttpRequest));
  }
}
