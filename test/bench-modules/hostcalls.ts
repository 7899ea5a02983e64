/**
 * @module test/bench-modules/hostcalls
 * A proxy-wasm module that makes the host calls a filter typically makes and nothing else, so a
 * bench can price the host's side of each one. Its plugin configuration picks what it does:
 * - `typical`: per exchange, the mix of a small filter — request headers: get `:path`, replace
 *   `x-bench`, increment a counter; request body: read it, set a property; response headers: get
 *   `:status`, replace `x-bench`; each response body chunk: read it; log: get `request.path`;
 * - `<call> <n>`: the one call `n` times in one callback (request headers, or the request body for
 *   `get_body`), for a price per call: `get_header`, `get_pairs`, `replace_header`, `get_body`,
 *   `set_property`, `get_property`, `metric`, `log` (at debug, so below the default level).
 * Every other callback continues at once, like `noop`. Raw exports, no SDK.
 */
import "../../filters/sdk/runtime/abort";

@external("env", "proxy_log") declare function proxy_log(level: i32, p: usize, l: usize): i32;
@external("env", "proxy_get_buffer_bytes") declare function proxy_get_buffer_bytes(t: u32, start: u32, max: u32, rp: usize, rl: usize): i32;
@external("env", "proxy_get_header_map_value") declare function proxy_get_header_map_value(t: u32, kp: usize, kl: usize, rp: usize, rl: usize): i32;
@external("env", "proxy_get_header_map_pairs") declare function proxy_get_header_map_pairs(t: u32, rp: usize, rl: usize): i32;
@external("env", "proxy_replace_header_map_value") declare function proxy_replace_header_map_value(t: u32, kp: usize, kl: usize, vp: usize, vl: usize): i32;
@external("env", "proxy_set_property") declare function proxy_set_property(pp: usize, pl: usize, vp: usize, vl: usize): i32;
@external("env", "proxy_get_property") declare function proxy_get_property(pp: usize, pl: usize, rp: usize, rl: usize): i32;
@external("env", "proxy_define_metric") declare function proxy_define_metric(t: u32, np: usize, nl: usize, ret: usize): i32;
@external("env", "proxy_increment_metric") declare function proxy_increment_metric(id: u32, delta: i64): i32;

export function proxy_abi_version_0_2_1(): void {}
export function malloc(size: usize): usize { return heap.alloc(size); }

const enum Mode { Typical, GetHeader, GetPairs, ReplaceHeader, GetBody, SetProperty, GetProperty, Metric, Log }

const RET_PTR = memory.data(8);
const RET_LEN = memory.data(8);
const MAP_REQUEST_HEADERS: u32 = 0, MAP_RESPONSE_HEADERS: u32 = 2;
const BUFFER_REQUEST_BODY: u32 = 0, BUFFER_RESPONSE_BODY: u32 = 1, BUFFER_PLUGIN_CONFIGURATION: u32 = 7;

// Encoded once at start-up: what the filter's own code would cost is not what this module measures.
const PATH = String.UTF8.encode(":path");
const STATUS = String.UTF8.encode(":status");
const X_BENCH = String.UTF8.encode("x-bench");
const ONE = String.UTF8.encode("1");
const PROPERTY = String.UTF8.encode("bench.seen");
const REQUEST_PATH = String.UTF8.encode("request\0path");
const METRIC = String.UTF8.encode("bench_requests_total");
const LINE = String.UTF8.encode("bench: a debug line below the host's level");

let mode = Mode.Typical;
let count: u32 = 1;
let counter: u32 = 0;

function ptr(b: ArrayBuffer): usize { return changetype<usize>(b); }
function len(b: ArrayBuffer): usize { return <usize>b.byteLength; }
/** Frees what the host copied in, if anything (an empty result is `ptr 0`). */
function freeReturned(): void {
  const p = load<u32>(RET_PTR);
  if (p != 0) heap.free(p);
}

function modeOf(name: string): i32 {
  if (name == "typical") return Mode.Typical;
  if (name == "get_header") return Mode.GetHeader;
  if (name == "get_pairs") return Mode.GetPairs;
  if (name == "replace_header") return Mode.ReplaceHeader;
  if (name == "get_body") return Mode.GetBody;
  if (name == "set_property") return Mode.SetProperty;
  if (name == "get_property") return Mode.GetProperty;
  if (name == "metric") return Mode.Metric;
  if (name == "log") return Mode.Log;
  return -1;
}

export function proxy_on_context_create(context: u32, parent: u32): void {}
export function proxy_on_vm_start(root: u32, size: u32): u32 { return 1; }

export function proxy_on_configure(root: u32, size: u32): u32 {
  let config = "typical";
  if (size > 0 && proxy_get_buffer_bytes(BUFFER_PLUGIN_CONFIGURATION, 0, size, RET_PTR, RET_LEN) == 0) {
    config = String.UTF8.decodeUnsafe(load<u32>(RET_PTR), load<u32>(RET_LEN));
    freeReturned();
  }
  const space = config.indexOf(" ");
  const m = modeOf(space < 0 ? config : config.substring(0, space));
  if (m < 0) return 0;
  mode = m;
  if (space >= 0) {
    const n = I32.parseInt(config.substring(space + 1));
    if (n < 1 || n > 100000) return 0;
    count = <u32>n;
  }
  if (proxy_define_metric(0, ptr(METRIC), len(METRIC), RET_PTR) != 0) return 0;
  counter = load<u32>(RET_PTR);
  return 1;
}

function getHeader(map: u32, key: ArrayBuffer): void {
  if (proxy_get_header_map_value(map, ptr(key), len(key), RET_PTR, RET_LEN) == 0) freeReturned();
}
function getBody(buffer: u32, size: u32): void {
  if (proxy_get_buffer_bytes(buffer, 0, size, RET_PTR, RET_LEN) == 0) freeReturned();
}

export function proxy_on_request_headers(context: u32, headers: u32, endOfStream: u32): u32 {
  switch (mode) {
    case Mode.Typical:
      getHeader(MAP_REQUEST_HEADERS, PATH);
      proxy_replace_header_map_value(MAP_REQUEST_HEADERS, ptr(X_BENCH), len(X_BENCH), ptr(ONE), len(ONE));
      proxy_increment_metric(counter, 1);
      break;
    case Mode.GetHeader: for (let i: u32 = 0; i < count; i++) getHeader(MAP_REQUEST_HEADERS, PATH); break;
    case Mode.GetPairs:
      for (let i: u32 = 0; i < count; i++) if (proxy_get_header_map_pairs(MAP_REQUEST_HEADERS, RET_PTR, RET_LEN) == 0) freeReturned();
      break;
    case Mode.ReplaceHeader:
      for (let i: u32 = 0; i < count; i++) proxy_replace_header_map_value(MAP_REQUEST_HEADERS, ptr(X_BENCH), len(X_BENCH), ptr(ONE), len(ONE));
      break;
    case Mode.SetProperty:
      for (let i: u32 = 0; i < count; i++) proxy_set_property(ptr(PROPERTY), len(PROPERTY), ptr(ONE), len(ONE));
      break;
    case Mode.GetProperty:
      for (let i: u32 = 0; i < count; i++) if (proxy_get_property(ptr(REQUEST_PATH), len(REQUEST_PATH), RET_PTR, RET_LEN) == 0) freeReturned();
      break;
    case Mode.Metric: for (let i: u32 = 0; i < count; i++) proxy_increment_metric(counter, 1); break;
    case Mode.Log: for (let i: u32 = 0; i < count; i++) proxy_log(1, ptr(LINE), len(LINE)); break;
    default: break;
  }
  return 0;
}

export function proxy_on_request_body(context: u32, size: u32, endOfStream: u32): u32 {
  if (mode == Mode.Typical) {
    getBody(BUFFER_REQUEST_BODY, size);
    proxy_set_property(ptr(PROPERTY), len(PROPERTY), ptr(ONE), len(ONE));
  } else if (mode == Mode.GetBody) {
    for (let i: u32 = 0; i < count; i++) getBody(BUFFER_REQUEST_BODY, size);
  }
  return 0;
}

export function proxy_on_request_trailers(context: u32, trailers: u32): u32 { return 0; }

export function proxy_on_response_headers(context: u32, headers: u32, endOfStream: u32): u32 {
  if (mode == Mode.Typical) {
    getHeader(MAP_RESPONSE_HEADERS, STATUS);
    proxy_replace_header_map_value(MAP_RESPONSE_HEADERS, ptr(X_BENCH), len(X_BENCH), ptr(ONE), len(ONE));
  }
  return 0;
}

export function proxy_on_response_body(context: u32, size: u32, endOfStream: u32): u32 {
  if (mode == Mode.Typical) getBody(BUFFER_RESPONSE_BODY, size);
  return 0;
}

export function proxy_on_response_trailers(context: u32, trailers: u32): u32 { return 0; }

export function proxy_on_log(context: u32): void {
  if (mode == Mode.Typical && proxy_get_property(ptr(REQUEST_PATH), len(REQUEST_PATH), RET_PTR, RET_LEN) == 0) freeReturned();
}
export function proxy_on_done(context: u32): u32 { return 1; }
export function proxy_on_delete(context: u32): void {}
