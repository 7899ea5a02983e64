/**
 * @module test/bench-modules/floor
 * A host-call floor: a proxy-wasm module that replays another filter's host calls — same kinds,
 * same order and count per callback, same sizes, same callback results — and does nothing else,
 * so that a bench can split a filter's cost into its own work (filter − floor) and the host's
 * side of its host calls (floor − no-op). Raw exports, no SDK.
 *
 * The plugin configuration is the script, one line each (`test/bench-modules/floor-script.ts`
 * derives it from a filter's trace and writes it; text is hex so that any byte fits):
 * - `key <hex>`: a shared-data key, numbered from 0 in order; `metric <type>`: a metric defined
 *   at configure (0 counter, 1 gauge, 2 histogram), numbered from 0 in order;
 * - `cb <callback> <repeat> <result>`: the next callback(s) of a stream, then its host calls,
 *   one a line: `pairs <map>`, `header_get <map> <key>`, `header_add|header_replace <map> <key>
 *   <value>`, `header_remove <map> <key>`, `buffer_get <buffer> <start> <max>`, `buffer_status
 *   <buffer>`, `buffer_set <buffer> <start> <length> <bytes>`, `time`, `shared_get <key#>`,
 *   `shared_set <key#> <bytes> <cas 0|1>` (1: the cas its last `shared_get` of that key
 *   returned), `property_get <path>`, `property_set <path> <value>`, `metric_inc|metric_record
 *   <metric#> <n>`, `metric_get <metric#>`, `log <level> <bytes>`, `log_level`.
 * Everything a call sends is built at configure; what the host copies in lands in one reused
 * block. Each stream walks the script from its first callback; a callback that is not the one the
 * script expects next makes no call and continues (a trace comparison shows the drift).
 *
 * Built with the minimal runtime (asconfig.json): the incremental one's shadow stack made the
 * floor's own stepping cost about 14 µs per 200-chunk exchange, which the bench then counted as
 * the host's price.
 */
import "../../filters/sdk/runtime/abort";
// The ABI's declarations only (the SDK's wrappers and dispatcher are not linked in).
import {
  proxy_log, proxy_get_log_level, proxy_get_buffer_bytes, proxy_get_buffer_status, proxy_set_buffer_bytes, proxy_get_header_map_pairs,
  proxy_get_header_map_value, proxy_add_header_map_value, proxy_replace_header_map_value, proxy_remove_header_map_value, proxy_get_current_time_nanoseconds, proxy_get_shared_data,
  proxy_set_shared_data, proxy_get_property, proxy_set_property, proxy_define_metric, proxy_increment_metric, proxy_record_metric,
  proxy_get_metric,
} from "../../filters/sdk/hostcalls/raw";

export function proxy_abi_version_0_2_1(): void {}

// What the host hands back (a body, a header map, a shared value) is written into one block the
// floor reuses: the least a module can do for it, so that what the floor costs is the host's.
// No result outlives the next host call, so one block is enough; it only grows.
const SCRATCH_MIN: usize = 16 << 10;
let scratch: usize = 0;
let scratchSize: usize = 0;
export function malloc(size: usize): usize {
  if (scratch == 0 || size > scratchSize) {
    if (scratch != 0) heap.free(scratch);
    scratchSize = size > SCRATCH_MIN ? size : SCRATCH_MIN;
    scratch = heap.alloc(scratchSize);
  }
  return scratch;
}

const enum Callback { RequestHeaders, RequestBody, RequestTrailers, ResponseHeaders, ResponseBody, ResponseTrailers, Log, Done, Delete, ContextCreate }

const enum Op {
  Pairs, HeaderGet, HeaderAdd, HeaderReplace, HeaderRemove, BufferGet, BufferStatus, BufferSet, Time,
  SharedGet, SharedSet, PropertyGet, PropertySet, MetricInc, MetricRecord, MetricGet, Log, LogLevel,
}

const BUFFER_PLUGIN_CONFIGURATION: u32 = 7;
const RET_PTR = memory.data(8);
const RET_LEN = memory.data(8);
const RET_CAS = memory.data(8);

/** One host call, everything it sends prepared: `a`–`c` numbers, `n` a 64-bit one, `x`/`y` bytes. */
class Step {
  constructor(public op: i32, public a: u32, public b: u32, public c: u32, public n: i64, public x: ArrayBuffer, public y: ArrayBuffer) {}
}

/** `repeat` consecutive callbacks of one kind that make the same calls and return `result`. */
class Entry {
  steps: Step[] = [];
  constructor(public callback: i32, public repeat: i32, public result: u32) {}
}

/** Where a stream is in the script. */
class Position { entry: i32 = 0; done: i32 = 0; }

const NONE = new ArrayBuffer(0);
let entries: Entry[] = [];
let keys: ArrayBuffer[] = [];
let keyCas: u32[] = [];
let metricIds: u32[] = [];
const streams = new Map<u32, Position>();
let lastContext: u32 = 0;
let lastPosition: Position | null = null;

function ptr(b: ArrayBuffer): usize { return changetype<usize>(b); }
function len(b: ArrayBuffer): usize { return <usize>b.byteLength; }
/** Done with what the host wrote: the scratch block is simply reused. */
// @ts-ignore: decorator
@inline function freeReturned(): void {}

// ---- configuration -----------------------------------------------------------------------

function callbackOf(name: string): i32 {
  if (name == "request_headers") return Callback.RequestHeaders;
  if (name == "request_body") return Callback.RequestBody;
  if (name == "request_trailers") return Callback.RequestTrailers;
  if (name == "response_headers") return Callback.ResponseHeaders;
  if (name == "response_body") return Callback.ResponseBody;
  if (name == "response_trailers") return Callback.ResponseTrailers;
  if (name == "log") return Callback.Log;
  if (name == "done") return Callback.Done;
  if (name == "delete") return Callback.Delete;
  if (name == "context_create") return Callback.ContextCreate;
  return -1;
}

function opOf(name: string): i32 {
  if (name == "pairs") return Op.Pairs;
  if (name == "header_get") return Op.HeaderGet;
  if (name == "header_add") return Op.HeaderAdd;
  if (name == "header_replace") return Op.HeaderReplace;
  if (name == "header_remove") return Op.HeaderRemove;
  if (name == "buffer_get") return Op.BufferGet;
  if (name == "buffer_status") return Op.BufferStatus;
  if (name == "buffer_set") return Op.BufferSet;
  if (name == "time") return Op.Time;
  if (name == "shared_get") return Op.SharedGet;
  if (name == "shared_set") return Op.SharedSet;
  if (name == "property_get") return Op.PropertyGet;
  if (name == "property_set") return Op.PropertySet;
  if (name == "metric_inc") return Op.MetricInc;
  if (name == "metric_record") return Op.MetricRecord;
  if (name == "metric_get") return Op.MetricGet;
  if (name == "log") return Op.Log;
  if (name == "log_level") return Op.LogLevel;
  return -1;
}

/** How many fields follow each op's name. */
function arityOf(op: i32): i32 {
  switch (op) {
    case Op.Time: case Op.LogLevel: return 0;
    case Op.Pairs: case Op.BufferStatus: case Op.SharedGet: case Op.PropertyGet: case Op.MetricGet: return 1;
    case Op.HeaderGet: case Op.HeaderRemove: case Op.PropertySet: case Op.MetricInc: case Op.MetricRecord: case Op.Log: return 2;
    case Op.HeaderAdd: case Op.HeaderReplace: case Op.BufferGet: case Op.SharedSet: return 3;
    case Op.BufferSet: return 4;
    default: return -1;
  }
}

/** Parsing sets this instead of trapping; the configuration is then refused. */
let bad = false;

function hexDigit(c: i32): i32 {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function hex(s: string): ArrayBuffer {
  if ((s.length & 1) != 0) { bad = true; return NONE; }
  const out = new ArrayBuffer(s.length >> 1);
  for (let i = 0; i < s.length; i += 2) {
    const hi = hexDigit(s.charCodeAt(i)), lo = hexDigit(s.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) { bad = true; return NONE; }
    store<u8>(ptr(out) + (i >> 1), <u8>((hi << 4) | lo));
  }
  return out;
}

function isDigits(s: string, signed: bool): bool {
  if (s.length == 0 || s.length > 20) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 45 && i == 0 && signed && s.length > 1) continue;
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A u32 field; `-1` (as in a `max` of "everything") is accepted as its two's complement. */
function u32Of(s: string): u32 {
  if (s == "-1") return 0xffffffff;
  if (!isDigits(s, false) || s.length > 10) { bad = true; return 0; }
  const n = U64.parseInt(s);
  if (n > 0xffffffff) { bad = true; return 0; }
  return <u32>n;
}

function i64Of(s: string): i64 {
  if (!isDigits(s, true)) { bad = true; return 0; }
  return I64.parseInt(s);
}

/** A buffer of `n` bytes of filler (values the host stores or forwards but never reads). */
function filler(n: u32): ArrayBuffer {
  if (n > 64 << 20) { bad = true; return NONE; }
  const b = new ArrayBuffer(<i32>n);
  memory.fill(ptr(b), 0x78, n);
  return b;
}

// What the script being parsed declares: a step may only name a key or metric declared above it.
let newKeys: ArrayBuffer[] = [];
let newMetricTypes: u32[] = [];

function keyIndex(s: string): u32 {
  const i = u32Of(s);
  if (i >= <u32>newKeys.length) bad = true;
  return i;
}

function metricIndex(s: string): u32 {
  const i = u32Of(s);
  if (i >= <u32>newMetricTypes.length) bad = true;
  return i;
}

function stepOf(op: i32, f: string[]): Step {
  switch (op) {
    case Op.Pairs: case Op.BufferStatus: return new Step(op, u32Of(f[1]), 0, 0, 0, NONE, NONE);
    case Op.HeaderGet: case Op.HeaderRemove: return new Step(op, u32Of(f[1]), 0, 0, 0, hex(f[2]), NONE);
    case Op.HeaderAdd: case Op.HeaderReplace: return new Step(op, u32Of(f[1]), 0, 0, 0, hex(f[2]), hex(f[3]));
    case Op.BufferGet: return new Step(op, u32Of(f[1]), u32Of(f[2]), u32Of(f[3]), 0, NONE, NONE);
    case Op.BufferSet: return new Step(op, u32Of(f[1]), u32Of(f[2]), u32Of(f[3]), 0, filler(u32Of(f[4])), NONE);
    case Op.SharedGet: return new Step(op, keyIndex(f[1]), 0, 0, 0, NONE, NONE);
    case Op.SharedSet: return new Step(op, keyIndex(f[1]), u32Of(f[3]), 0, 0, filler(u32Of(f[2])), NONE);
    case Op.PropertyGet: return new Step(op, 0, 0, 0, 0, hex(f[1]), NONE);
    case Op.PropertySet: return new Step(op, 0, 0, 0, 0, hex(f[1]), hex(f[2]));
    case Op.MetricInc: case Op.MetricRecord: return new Step(op, metricIndex(f[1]), 0, 0, i64Of(f[2]), NONE, NONE);
    case Op.MetricGet: return new Step(op, metricIndex(f[1]), 0, 0, 0, NONE, NONE);
    case Op.Log: return new Step(op, u32Of(f[1]), 0, 0, 0, filler(u32Of(f[2])), NONE);
    default: return new Step(op, 0, 0, 0, 0, NONE, NONE);
  }
}

/** Parses the script; false (and nothing half-applied) when any line is malformed. */
function parse(script: string): bool {
  bad = false;
  const lines = script.split("\n");
  const parsed: Entry[] = [];
  newKeys = [];
  newMetricTypes = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.length == 0) continue;
    const f = line.split(" ");
    const name = f[0];
    if (name == "key" && f.length == 2) { newKeys.push(hex(f[1])); continue; }
    if (name == "metric" && f.length == 2) {
      const t = u32Of(f[1]);
      if (t > 2) return false;
      newMetricTypes.push(t); // defined below, once the whole script is known to be good
      continue;
    }
    if (name == "cb" && f.length == 4) {
      const cb = callbackOf(f[1]);
      const repeat = u32Of(f[2]);
      if (cb < 0 || repeat < 1 || repeat > 1000000) return false;
      parsed.push(new Entry(cb, <i32>repeat, u32Of(f[3])));
      continue;
    }
    const op = opOf(name);
    if (op < 0 || parsed.length == 0 || f.length != arityOf(op) + 1) return false;
    parsed[parsed.length - 1].steps.push(stepOf(op, f));
    if (bad) return false;
  }
  if (bad) return false;
  const ids = new Array<u32>(newMetricTypes.length);
  for (let i = 0; i < newMetricTypes.length; i++) {
    const n = String.UTF8.encode("floor_metric_" + i.toString());
    if (proxy_define_metric(newMetricTypes[i], ptr(n), len(n), RET_PTR) != 0) return false;
    ids[i] = load<u32>(RET_PTR);
  }
  entries = parsed;
  keys = newKeys;
  keyCas = new Array<u32>(keys.length);
  metricIds = ids;
  return true;
}

export function proxy_on_vm_start(root: u32, size: u32): u32 { return 1; }

export function proxy_on_configure(root: u32, size: u32): u32 {
  if (size == 0) return 0;
  if (proxy_get_buffer_bytes(BUFFER_PLUGIN_CONFIGURATION, 0, size, RET_PTR, RET_LEN) != 0) return 0;
  const script = String.UTF8.decodeUnsafe(load<u32>(RET_PTR), load<u32>(RET_LEN));
  freeReturned();
  return parse(script) ? 1 : 0;
}

// ---- replay ------------------------------------------------------------------------------

function call(s: Step): void {
  switch (s.op) {
    case Op.Pairs: if (proxy_get_header_map_pairs(s.a, RET_PTR, RET_LEN) == 0) freeReturned(); break;
    case Op.HeaderGet: if (proxy_get_header_map_value(s.a, ptr(s.x), len(s.x), RET_PTR, RET_LEN) == 0) freeReturned(); break;
    case Op.HeaderAdd: proxy_add_header_map_value(s.a, ptr(s.x), len(s.x), ptr(s.y), len(s.y)); break;
    case Op.HeaderReplace: proxy_replace_header_map_value(s.a, ptr(s.x), len(s.x), ptr(s.y), len(s.y)); break;
    case Op.HeaderRemove: proxy_remove_header_map_value(s.a, ptr(s.x), len(s.x)); break;
    case Op.BufferGet: if (proxy_get_buffer_bytes(s.a, s.b, s.c, RET_PTR, RET_LEN) == 0) freeReturned(); break;
    case Op.BufferStatus: proxy_get_buffer_status(s.a, RET_LEN, RET_CAS); break;
    case Op.BufferSet: proxy_set_buffer_bytes(s.a, s.b, s.c, ptr(s.x), len(s.x)); break;
    case Op.Time: proxy_get_current_time_nanoseconds(RET_PTR); break;
    case Op.SharedGet: {
      const key = unchecked(keys[s.a]);
      if (proxy_get_shared_data(ptr(key), len(key), RET_PTR, RET_LEN, RET_CAS) == 0) {
        unchecked(keyCas[s.a] = load<u32>(RET_CAS));
        freeReturned();
      } else unchecked(keyCas[s.a] = 0);
      break;
    }
    case Op.SharedSet: {
      const key = unchecked(keys[s.a]);
      proxy_set_shared_data(ptr(key), len(key), ptr(s.x), len(s.x), s.b != 0 ? unchecked(keyCas[s.a]) : 0);
      break;
    }
    case Op.PropertyGet: if (proxy_get_property(ptr(s.x), len(s.x), RET_PTR, RET_LEN) == 0) freeReturned(); break;
    case Op.PropertySet: proxy_set_property(ptr(s.x), len(s.x), ptr(s.y), len(s.y)); break;
    case Op.MetricInc: proxy_increment_metric(unchecked(metricIds[s.a]), s.n); break;
    case Op.MetricRecord: proxy_record_metric(unchecked(metricIds[s.a]), <u64>s.n); break;
    case Op.MetricGet: proxy_get_metric(unchecked(metricIds[s.a]), RET_PTR); break;
    case Op.Log: proxy_log(<i32>s.a, ptr(s.x), len(s.x)); break;
    case Op.LogLevel: proxy_get_log_level(RET_PTR); break;
    default: break;
  }
}

/** Runs the stream's next script entry if it is for `callback`; returns its result, or `otherwise`. */
function replay(context: u32, callback: i32, otherwise: u32): u32 {
  // The stream called last is looked up with one compare (a bench drives one stream at a time).
  let at = lastPosition;
  if (context != lastContext || at === null) {
    if (!streams.has(context)) return otherwise;
    at = streams.get(context);
    lastContext = context;
    lastPosition = at;
  }
  if (at.entry >= entries.length) return otherwise;
  const e = unchecked(entries[at.entry]);
  if (e.callback != callback) return otherwise;
  const steps = e.steps;
  for (let i = 0; i < steps.length; i++) call(unchecked(steps[i]));
  if (++at.done >= e.repeat) { at.entry++; at.done = 0; }
  return e.result;
}

export function proxy_on_context_create(context: u32, parent: u32): void {
  if (parent == 0) return; // a root context
  streams.set(context, new Position());
  replay(context, Callback.ContextCreate, 0);
}

export function proxy_on_request_headers(context: u32, headers: u32, endOfStream: u32): u32 { return replay(context, Callback.RequestHeaders, 0); }
export function proxy_on_request_body(context: u32, size: u32, endOfStream: u32): u32 { return replay(context, Callback.RequestBody, 0); }
export function proxy_on_request_trailers(context: u32, trailers: u32): u32 { return replay(context, Callback.RequestTrailers, 0); }
export function proxy_on_response_headers(context: u32, headers: u32, endOfStream: u32): u32 { return replay(context, Callback.ResponseHeaders, 0); }
export function proxy_on_response_body(context: u32, size: u32, endOfStream: u32): u32 { return replay(context, Callback.ResponseBody, 0); }
export function proxy_on_response_trailers(context: u32, trailers: u32): u32 { return replay(context, Callback.ResponseTrailers, 0); }
export function proxy_on_log(context: u32): void { replay(context, Callback.Log, 0); }
export function proxy_on_done(context: u32): u32 { return replay(context, Callback.Done, 1); }
/** Streams deleted since the last collection (see asconfig.json: the floor is built with the minimal runtime). */
let deleted = 0;

export function proxy_on_delete(context: u32): void {
  replay(context, Callback.Delete, 0);
  streams.delete(context);
  if (context == lastContext) lastPosition = null;
  // The minimal runtime collects only when asked, and only with no reference on the Wasm stack:
  // here, at the end of a callback. A stream leaves one Position (and map slots) behind.
  if (++deleted >= 64) { deleted = 0; __collect(); }
}
