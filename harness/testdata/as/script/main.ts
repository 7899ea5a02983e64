/**
 * @module harness/testdata/script
 * A scriptable proxy-wasm module for the harness tests, written against raw `env` imports
 * (no SDK). Its plugin configuration (and VM configuration, for `vm_start`) is a script:
 * one action per line, `<event>[#n|@eos|@!eos] <op> <args…>`. Each op makes one hostcall
 * and logs its outcome at info, so a test asserts the host's answers through `host.logs()`.
 * Tokens are space-separated; `\s` is a space, `-` an empty value.
 */
import "../../../../filters/sdk/runtime/abort";

@external("env", "proxy_log") declare function proxy_log(level: i32, p: usize, l: usize): i32;
@external("env", "proxy_get_log_level") declare function proxy_get_log_level(ret: usize): i32;
@external("env", "proxy_get_current_time_nanoseconds") declare function proxy_get_current_time_nanoseconds(ret: usize): i32;
@external("env", "proxy_set_tick_period_milliseconds") declare function proxy_set_tick_period_milliseconds(ms: u32): i32;
@external("env", "proxy_set_effective_context") declare function proxy_set_effective_context(id: u32): i32;
@external("env", "proxy_done") declare function proxy_done(): i32;
@external("env", "proxy_get_buffer_status") declare function proxy_get_buffer_status(t: u32, size: usize, flags: usize): i32;
@external("env", "proxy_get_buffer_bytes") declare function proxy_get_buffer_bytes(t: u32, start: u32, max: u32, rp: usize, rl: usize): i32;
@external("env", "proxy_set_buffer_bytes") declare function proxy_set_buffer_bytes(t: u32, start: u32, size: u32, p: usize, l: usize): i32;
@external("env", "proxy_get_header_map_size") declare function proxy_get_header_map_size(t: u32, ret: usize): i32;
@external("env", "proxy_get_header_map_pairs") declare function proxy_get_header_map_pairs(t: u32, rp: usize, rl: usize): i32;
@external("env", "proxy_set_header_map_pairs") declare function proxy_set_header_map_pairs(t: u32, p: usize, l: usize): i32;
@external("env", "proxy_get_header_map_value") declare function proxy_get_header_map_value(t: u32, kp: usize, kl: usize, rp: usize, rl: usize): i32;
@external("env", "proxy_add_header_map_value") declare function proxy_add_header_map_value(t: u32, kp: usize, kl: usize, vp: usize, vl: usize): i32;
@external("env", "proxy_replace_header_map_value") declare function proxy_replace_header_map_value(t: u32, kp: usize, kl: usize, vp: usize, vl: usize): i32;
@external("env", "proxy_remove_header_map_value") declare function proxy_remove_header_map_value(t: u32, kp: usize, kl: usize): i32;
@external("env", "proxy_continue_stream") declare function proxy_continue_stream(t: u32): i32;
@external("env", "proxy_close_stream") declare function proxy_close_stream(t: u32): i32;
@external("env", "proxy_send_local_response") declare function proxy_send_local_response(code: u32, dp: usize, dl: usize, bp: usize, bl: usize, hp: usize, hl: usize, grpc: i32): i32;
@external("env", "proxy_get_status") declare function proxy_get_status(code: usize, rp: usize, rl: usize): i32;
@external("env", "proxy_http_call") declare function proxy_http_call(up: usize, ul: usize, hp: usize, hl: usize, bp: usize, bl: usize, tp: usize, tl: usize, timeout: u32, ret: usize): i32;
@external("env", "proxy_grpc_call") declare function proxy_grpc_call(up: usize, ul: usize, sp: usize, sl: usize, mp: usize, ml: usize, mdp: usize, mdl: usize, msgp: usize, msgl: usize, timeout: u32, ret: usize): i32;
@external("env", "proxy_grpc_stream") declare function proxy_grpc_stream(up: usize, ul: usize, sp: usize, sl: usize, mp: usize, ml: usize, mdp: usize, mdl: usize, ret: usize): i32;
@external("env", "proxy_grpc_send") declare function proxy_grpc_send(id: u32, p: usize, l: usize, end: u32): i32;
@external("env", "proxy_grpc_cancel") declare function proxy_grpc_cancel(id: u32): i32;
@external("env", "proxy_grpc_close") declare function proxy_grpc_close(id: u32): i32;
@external("env", "proxy_set_shared_data") declare function proxy_set_shared_data(kp: usize, kl: usize, vp: usize, vl: usize, cas: u32): i32;
@external("env", "proxy_get_shared_data") declare function proxy_get_shared_data(kp: usize, kl: usize, rp: usize, rl: usize, rc: usize): i32;
@external("env", "proxy_register_shared_queue") declare function proxy_register_shared_queue(np: usize, nl: usize, ret: usize): i32;
@external("env", "proxy_resolve_shared_queue") declare function proxy_resolve_shared_queue(vp: usize, vl: usize, np: usize, nl: usize, ret: usize): i32;
@external("env", "proxy_enqueue_shared_queue") declare function proxy_enqueue_shared_queue(id: u32, p: usize, l: usize): i32;
@external("env", "proxy_dequeue_shared_queue") declare function proxy_dequeue_shared_queue(id: u32, rp: usize, rl: usize): i32;
@external("env", "proxy_define_metric") declare function proxy_define_metric(t: u32, np: usize, nl: usize, ret: usize): i32;
@external("env", "proxy_increment_metric") declare function proxy_increment_metric(id: u32, delta: i64): i32;
@external("env", "proxy_record_metric") declare function proxy_record_metric(id: u32, value: u64): i32;
@external("env", "proxy_get_metric") declare function proxy_get_metric(id: u32, ret: usize): i32;
@external("env", "proxy_get_property") declare function proxy_get_property(pp: usize, pl: usize, rp: usize, rl: usize): i32;
@external("env", "proxy_set_property") declare function proxy_set_property(pp: usize, pl: usize, vp: usize, vl: usize): i32;
@external("env", "proxy_call_foreign_function") declare function proxy_call_foreign_function(np: usize, nl: usize, ap: usize, al: usize, rp: usize, rl: usize): i32;
@external("wasi_snapshot_preview1", "fd_write") declare function fd_write(fd: u32, iovs: usize, n: usize, ret: usize): u16;
@external("wasi_snapshot_preview1", "random_get") declare function random_get(buf: usize, len: usize): u16;
@external("wasi_snapshot_preview1", "environ_sizes_get") declare function environ_sizes_get(count: usize, size: usize): u16;
@external("wasi_snapshot_preview1", "environ_get") declare function environ_get(array: usize, buf: usize): u16;
@external("wasi_snapshot_preview1", "clock_time_get") declare function clock_time_get(id: u32, precision: u64, ret: usize): u16;

export function proxy_abi_version_0_2_1(): void {}
export function malloc(size: usize): usize { return heap.alloc(size); }

const A = memory.data(8);
const B = memory.data(8);
const C = memory.data(8);

const scripts = new Map<string, Array<Array<string>>>();
const counts = new Map<u32, Map<string, i32>>();
const metricIds = new Map<string, u32>();
const calloutOwner = new Map<u32, u32>();
let answering: u32 = 0;
let retval: i32 = 0;

function enc(s: string): ArrayBuffer { return String.UTF8.encode(s); }
function ptr(b: ArrayBuffer): usize { return changetype<usize>(b); }
function log(msg: string): void { const b = enc(msg); proxy_log(2, ptr(b), b.byteLength); }
function num(s: string): i64 { return <i64>parseInt(s); }

/** Reads a (ptr, len) pair the host wrote into A/B, frees it, and returns the text. */
function taken(): string {
  const p = load<u32>(A), l = load<u32>(B);
  if (p == 0) return l == 0 ? "(ptr0)" : "(ptr0 len " + l.toString() + ")";
  const s = String.UTF8.decodeUnsafe(p, l);
  heap.free(p);
  return s;
}
function takenHex(): string {
  const p = load<u32>(A), l = load<u32>(B);
  let out = "";
  for (let i: u32 = 0; i < l; i++) {
    const b = load<u8>(p + i);
    out += (b < 16 ? "0" : "") + b.toString(16);
  }
  if (p != 0) heap.free(p);
  return out;
}
function unescape(t: string): string {
  if (t == "-") return "";
  return t.replaceAll("\\s", " ").replaceAll("\\n", "\n").replaceAll("\\0", "\0");
}

/** "k=v,k=v" → §6.1 pairs. */
function pairs(spec: string): ArrayBuffer {
  const keys = new Array<ArrayBuffer>(), vals = new Array<ArrayBuffer>();
  if (spec != "" && spec != "-") {
    const items = spec.split(",");
    for (let i = 0; i < items.length; i++) {
      const eq = items[i].indexOf("=");
      keys.push(enc(unescape(items[i].substring(0, eq))));
      vals.push(enc(unescape(items[i].substring(eq + 1))));
    }
  }
  let size = 4;
  for (let i = 0; i < keys.length; i++) size += 8 + keys[i].byteLength + vals[i].byteLength + 2;
  const out = new ArrayBuffer(size);
  const base = ptr(out);
  store<u32>(base, keys.length);
  let p = base + 4 + keys.length * 8;
  for (let i = 0; i < keys.length; i++) {
    store<u32>(base + 4 + i * 8, keys[i].byteLength);
    store<u32>(base + 8 + i * 8, vals[i].byteLength);
    memory.copy(p, ptr(keys[i]), keys[i].byteLength); p += keys[i].byteLength; store<u8>(p, 0); p++;
    memory.copy(p, ptr(vals[i]), vals[i].byteLength); p += vals[i].byteLength; store<u8>(p, 0); p++;
  }
  return out;
}

/** §6.1 pairs at A/B → "k:v,k:v". */
function showPairs(): string {
  const p = load<u32>(A), l = load<u32>(B);
  if (p == 0) return "(ptr0)";
  const n = load<u32>(p);
  let q = p + 4 + n * 8;
  let out = "";
  for (let i: u32 = 0; i < n; i++) {
    const kl = load<u32>(p + 4 + i * 8), vl = load<u32>(p + 8 + i * 8);
    out += (i > 0 ? "," : "") + String.UTF8.decodeUnsafe(q, kl) + ":";
    q += kl + 1;
    out += String.UTF8.decodeUnsafe(q, vl);
    q += vl + 1;
  }
  heap.free(p);
  return out;
}

function parseScript(text: string): void {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.length == 0 || line.startsWith("//")) continue;
    const tokens = line.split(" ");
    const event = tokens.shift();
    if (!scripts.has(event)) scripts.set(event, new Array<Array<string>>());
    scripts.get(event).push(tokens);
  }
}

function readBuffer(type: u32): string | null {
  if (proxy_get_buffer_bytes(type, 0, 0xffffffff, A, B) != 0) return null;
  return taken();
}

function runLines(key: string, ctx: u32): void {
  if (!scripts.has(key)) return;
  const lines = scripts.get(key);
  for (let i = 0; i < lines.length; i++) op(lines[i], ctx);
}

function run(event: string, ctx: u32, eos: bool, dflt: i32): i32 {
  retval = dflt;
  if (!counts.has(ctx)) counts.set(ctx, new Map<string, i32>());
  const mine = counts.get(ctx);
  const n = (mine.has(event) ? mine.get(event) : 0) + 1;
  mine.set(event, n);
  runLines(event, ctx);
  runLines(event + "#" + n.toString(), ctx);
  runLines(event + (eos ? "@eos" : "@!eos"), ctx);
  return retval;
}

function op(t: Array<string>, ctx: u32): void {
  const o = t[0];
  const a1 = t.length > 1 ? t[1] : "", a2 = t.length > 2 ? t[2] : "", a3 = t.length > 3 ? t[3] : "", a4 = t.length > 4 ? t[4] : "";
  if (o == "return") { retval = <i32>num(a1); return; }
  if (o == "log") { const b = enc(unescape(a2)); proxy_log(<i32>num(a1), ptr(b), b.byteLength); return; }
  if (o == "trap") { unreachable(); }
  if (o == "abort") { assert(false, "scripted abort"); }
  if (o == "get") {
    const k = enc(unescape(a2));
    const s = proxy_get_header_map_value(<u32>num(a1), ptr(k), k.byteLength, A, B);
    log("get " + a1 + " " + a2 + (s == 0 ? "=" + taken() : " status=" + s.toString()));
    return;
  }
  if (o == "pairs") { const s = proxy_get_header_map_pairs(<u32>num(a1), A, B); log("pairs " + a1 + (s == 0 ? "=" + showPairs() : " status=" + s.toString())); return; }
  if (o == "size") { const s = proxy_get_header_map_size(<u32>num(a1), C); log("size " + a1 + (s == 0 ? "=" + load<u32>(C).toString() : " status=" + s.toString())); return; }
  if (o == "add" || o == "replace") {
    const k = enc(unescape(a2)), v = enc(unescape(a3));
    const s = o == "add" ? proxy_add_header_map_value(<u32>num(a1), ptr(k), k.byteLength, ptr(v), v.byteLength)
      : proxy_replace_header_map_value(<u32>num(a1), ptr(k), k.byteLength, ptr(v), v.byteLength);
    log(o + " " + a1 + " " + a2 + " status=" + s.toString());
    return;
  }
  if (o == "remove") { const k = enc(unescape(a2)); log("remove " + a1 + " " + a2 + " status=" + proxy_remove_header_map_value(<u32>num(a1), ptr(k), k.byteLength).toString()); return; }
  if (o == "setpairs") { const p = pairs(a2); log("setpairs " + a1 + " status=" + proxy_set_header_map_pairs(<u32>num(a1), ptr(p), p.byteLength).toString()); return; }
  if (o == "setpairsraw") { const p = enc(unescape(a2)); log("setpairsraw " + a1 + " status=" + proxy_set_header_map_pairs(<u32>num(a1), ptr(p), p.byteLength).toString()); return; }
  if (o == "body") {
    const s = proxy_get_buffer_bytes(<u32>num(a1), <u32>num(a2 == "" ? "0" : a2), a3 == "" ? 0xffffffff : <u32>num(a3), A, B);
    log("body " + a1 + (s == 0 ? "=" + taken() : " status=" + s.toString()));
    return;
  }
  if (o == "bodyhex") { const s = proxy_get_buffer_bytes(<u32>num(a1), 0, 0xffffffff, A, B); log("bodyhex " + a1 + (s == 0 ? "=" + takenHex() : " status=" + s.toString())); return; }
  if (o == "bufstatus") { const s = proxy_get_buffer_status(<u32>num(a1), A, B); log("bufstatus " + a1 + (s == 0 ? " size=" + load<u32>(A).toString() : " status=" + s.toString())); return; }
  if (o == "setbody") {
    const v = enc(unescape(a4));
    log("setbody " + a1 + " status=" + proxy_set_buffer_bytes(<u32>num(a1), <u32>num(a2), <u32>num(a3), ptr(v), v.byteLength).toString());
    return;
  }
  if (o == "local") {
    const d = enc(unescape(a2)), b = enc(unescape(a3)), h = pairs(a4);
    const g = t.length > 5 ? <i32>num(t[5]) : -1;
    log("local status=" + proxy_send_local_response(<u32>num(a1), ptr(d), d.byteLength, ptr(b), b.byteLength, ptr(h), h.byteLength, g).toString());
    return;
  }
  if (o == "continue") { log("continue " + a1 + " status=" + proxy_continue_stream(<u32>num(a1)).toString()); return; }
  if (o == "close") { log("close " + a1 + " status=" + proxy_close_stream(<u32>num(a1)).toString()); return; }
  if (o == "httpcall") {
    // httpcall CLUSTER PATH TIMEOUT [BODY] [extra headers]
    const hdrs = pairs(":method=" + (a4 != "" ? "POST" : "GET") + ",:path=" + a2 + ",:authority=" + a1 + (t.length > 5 ? "," + t[5] : ""));
    const c = enc(a1), b = enc(unescape(a4)), tr = pairs("");
    const s = proxy_http_call(ptr(c), c.byteLength, ptr(hdrs), hdrs.byteLength, ptr(b), b.byteLength, ptr(tr), tr.byteLength, <u32>num(a3), C);
    calloutOwner.set(load<u32>(C), ctx);
    log("httpcall status=" + s.toString() + " id=" + load<u32>(C).toString());
    return;
  }
  if (o == "httpcallraw") {
    // httpcallraw CLUSTER HEADERS TIMEOUT
    const hdrs = pairs(a2), c = enc(a1), e = pairs("");
    const s = proxy_http_call(ptr(c), c.byteLength, ptr(hdrs), hdrs.byteLength, 0, 0, ptr(e), e.byteLength, <u32>num(a3), C);
    log("httpcall status=" + s.toString() + " id=" + load<u32>(C).toString());
    return;
  }
  if (o == "grpccall" || o == "grpcstream") {
    const c = enc(a1), sv = enc(a2), m = enc(a3), md = pairs(""), msg = enc(unescape(a4));
    const s = o == "grpccall"
      ? proxy_grpc_call(ptr(c), c.byteLength, ptr(sv), sv.byteLength, ptr(m), m.byteLength, ptr(md), md.byteLength, ptr(msg), msg.byteLength, t.length > 5 ? <u32>num(t[5]) : 0, C)
      : proxy_grpc_stream(ptr(c), c.byteLength, ptr(sv), sv.byteLength, ptr(m), m.byteLength, ptr(md), md.byteLength, C);
    calloutOwner.set(load<u32>(C), ctx);
    log(o + " status=" + s.toString() + " id=" + load<u32>(C).toString());
    return;
  }
  if (o == "grpcsend") { const m = enc(unescape(a2)); log("grpcsend status=" + proxy_grpc_send(<u32>num(a1), ptr(m), m.byteLength, <u32>num(a3)).toString()); return; }
  if (o == "grpccancel") { log("grpccancel status=" + proxy_grpc_cancel(<u32>num(a1)).toString()); return; }
  if (o == "grpcclose") { log("grpcclose status=" + proxy_grpc_close(<u32>num(a1)).toString()); return; }
  if (o == "resume") {
    // From a callout callback: switch to the stream that made the call, then continue it.
    const owner = calloutOwner.has(answering) ? calloutOwner.get(answering) : 0;
    log("effective " + owner.toString() + " status=" + proxy_set_effective_context(owner).toString());
    if (a1 != "") log("continue " + a1 + " status=" + proxy_continue_stream(<u32>num(a1)).toString());
    return;
  }
  if (o == "effective") { log("effective " + a1 + " status=" + proxy_set_effective_context(<u32>num(a1)).toString()); return; }
  if (o == "status") { const s = proxy_get_status(C, A, B); log("status code=" + load<u32>(C).toString() + " msg=" + taken() + " rc=" + s.toString()); return; }
  if (o == "prop" || o == "propx") {
    const path = enc(unescape(a1).replaceAll(".", "\0"));
    const s = proxy_get_property(ptr(path), path.byteLength, A, B);
    log(o + " " + a1 + (s == 0 ? "=" + (o == "prop" ? taken() : takenHex()) : " status=" + s.toString()));
    return;
  }
  if (o == "setprop") { const p = enc(a1), v = enc(unescape(a2)); log("setprop " + a1 + " status=" + proxy_set_property(ptr(p), p.byteLength, ptr(v), v.byteLength).toString()); return; }
  if (o == "metric") {
    if (a1 == "define") {
      const n = enc(a3);
      const s = proxy_define_metric(<u32>num(a2), ptr(n), n.byteLength, C);
      metricIds.set(a3, load<u32>(C));
      log("metric define " + a3 + " id=" + load<u32>(C).toString() + " status=" + s.toString());
      return;
    }
    const id: u32 = metricIds.has(a2) ? metricIds.get(a2) : <u32>num(a2);
    if (a1 == "inc") log("metric inc " + a2 + " status=" + proxy_increment_metric(id, num(a3)).toString());
    else if (a1 == "rec") log("metric rec " + a2 + " status=" + proxy_record_metric(id, <u64>num(a3)).toString());
    else { const s = proxy_get_metric(id, A); log("metric get " + a2 + (s == 0 ? "=" + load<u64>(A).toString() : " status=" + s.toString())); }
    return;
  }
  if (o == "tick") { log("tick status=" + proxy_set_tick_period_milliseconds(<u32>num(a1)).toString()); return; }
  if (o == "shared") {
    const k = enc(a2);
    if (a1 == "set") { const v = enc(unescape(a3)); log("shared set " + a2 + " status=" + proxy_set_shared_data(ptr(k), k.byteLength, ptr(v), v.byteLength, <u32>num(a4)).toString()); return; }
    const s = proxy_get_shared_data(ptr(k), k.byteLength, A, B, C);
    log("shared get " + a2 + (s == 0 ? "=" + taken() + " cas=" + load<u32>(C).toString() : " status=" + s.toString()));
    return;
  }
  if (o == "queue") {
    if (a1 == "register") { const n = enc(a2); const s = proxy_register_shared_queue(ptr(n), n.byteLength, C); log("queue register " + a2 + " id=" + load<u32>(C).toString() + " status=" + s.toString()); return; }
    if (a1 == "resolve") { const v = enc(unescape(a2)), n = enc(a3); const s = proxy_resolve_shared_queue(ptr(v), v.byteLength, ptr(n), n.byteLength, C); log("queue resolve " + a3 + " id=" + load<u32>(C).toString() + " status=" + s.toString()); return; }
    if (a1 == "enqueue") { const v = enc(unescape(a3)); log("queue enqueue status=" + proxy_enqueue_shared_queue(<u32>num(a2), ptr(v), v.byteLength).toString()); return; }
    const s = proxy_dequeue_shared_queue(<u32>num(a2), A, B);
    log("queue dequeue" + (s == 0 ? "=" + taken() : " status=" + s.toString()));
    return;
  }
  if (o == "foreign") {
    const n = enc(a1);
    const args = new ArrayBuffer(a2.length / 2);
    for (let i = 0; i < a2.length / 2; i++) store<u8>(ptr(args) + i, <u8>parseInt(a2.substr(i * 2, 2), 16));
    store<u32>(A, 0); store<u32>(B, 0);
    const st = proxy_call_foreign_function(ptr(n), n.byteLength, ptr(args), args.byteLength, A, B);
    log("foreign " + a1 + " status=" + st.toString() + (a3 == "out" ? " out=" + takenHex() : ""));
    return;
  }
  if (o == "loglevel") { proxy_get_log_level(C); log("loglevel=" + load<u32>(C).toString()); return; }
  if (o == "time") { proxy_get_current_time_nanoseconds(A); log("time=" + load<u64>(A).toString()); return; }
  if (o == "done") { log("done status=" + proxy_done().toString()); return; }
  if (o == "badptr") {
    log("badptr log status=" + proxy_log(2, 0xfffffff0, 64).toString());
    log("badptr get status=" + proxy_get_header_map_value(0, 0xfffffff0, 64, A, B).toString());
    log("badptr ret status=" + proxy_get_header_map_pairs(0, 0xfffffff0, B).toString());
    return;
  }
  if (o == "badlevel") { const b = enc("x"); log("badlevel status=" + proxy_log(7, ptr(b), 1).toString()); return; }
  if (o == "stdout" || o == "stderr") {
    const m = enc(unescape(a1) + "\n");
    store<u32>(A, <u32>ptr(m)); store<u32>(A + 4, m.byteLength);
    fd_write(o == "stdout" ? 1 : 2, A, 1, C);
    return;
  }
  if (o == "random") { const n = <usize>num(a1); const buf = heap.alloc(n); log("random " + a1 + " errno=" + random_get(buf, n).toString()); heap.free(buf); return; }
  if (o == "environ") {
    environ_sizes_get(A, B);
    const count = load<u32>(A), size = load<u32>(B);
    const arr = heap.alloc(count * 4 + 4), buf = heap.alloc(size + 1);
    environ_get(arr, buf);
    let out = "";
    for (let i: u32 = 0; i < count; i++) {
      const start = load<u32>(arr + i * 4);
      let end = start;
      while (load<u8>(end) != 0) end++;
      out += (i > 0 ? ";" : "") + String.UTF8.decodeUnsafe(start, end - start);
    }
    heap.free(arr); heap.free(buf);
    log("environ count=" + count.toString() + " " + out);
    return;
  }
  if (o == "monotonic") { log("monotonic errno=" + clock_time_get(1, 0, A).toString() + " ns=" + load<u64>(A).toString()); return; }
  if (o == "grow") { memory.grow(<i32>num(a1)); return; }
  if (o == "leak") { heap.alloc(<usize>num(a1)); return; }
  log("unknown op " + o);
}

export function proxy_on_context_create(id: u32, parent: u32): void {
  if (parent == 0) {
    const s = proxy_get_buffer_status(7, A, B);
    log("root_create " + id.toString() + " plugin_config=" + (s == 0 ? load<u32>(A).toString() : "status " + s.toString()));
    return;
  }
  run("context_create", id, false, 0);
  log("context_create " + id.toString() + " parent=" + parent.toString());
}
export function proxy_on_vm_start(root: u32, size: u32): bool {
  const vmc = readBuffer(6);
  if (vmc !== null) parseScript(vmc);
  const s = proxy_get_buffer_status(7, A, B);
  log("vm_start " + root.toString() + " size=" + size.toString() + " plugin_config_status=" + s.toString());
  return run("vm_start", root, false, 1) != 0;
}
export function proxy_on_configure(root: u32, size: u32): bool {
  const cfg = readBuffer(7);
  if (cfg !== null) parseScript(cfg);
  log("configure " + root.toString() + " size=" + size.toString());
  return run("configure", root, false, 1) != 0;
}
export function proxy_on_request_headers(id: u32, n: u32, eos: u32): u32 { return run("request_headers", id, eos != 0, 0); }
export function proxy_on_request_body(id: u32, size: u32, eos: u32): u32 { log("request_body size=" + size.toString() + " eos=" + eos.toString()); return run("request_body", id, eos != 0, 0); }
export function proxy_on_request_trailers(id: u32, n: u32): u32 { return run("request_trailers", id, true, 0); }
export function proxy_on_response_headers(id: u32, n: u32, eos: u32): u32 { return run("response_headers", id, eos != 0, 0); }
export function proxy_on_response_body(id: u32, size: u32, eos: u32): u32 { log("response_body size=" + size.toString() + " eos=" + eos.toString()); return run("response_body", id, eos != 0, 0); }
export function proxy_on_response_trailers(id: u32, n: u32): u32 { return run("response_trailers", id, true, 0); }
export function proxy_on_log(id: u32): void { run("log", id, false, 0); }
export function proxy_on_done(id: u32): bool { log("done " + id.toString()); return run("done", id, false, 1) != 0; }
export function proxy_on_delete(id: u32): void { log("delete " + id.toString()); counts.delete(id); }
export function proxy_on_tick(root: u32): void { log("tick " + root.toString()); run("tick", root, false, 0); }
export function proxy_on_queue_ready(root: u32, q: u32): void { log("queue_ready " + root.toString() + " queue=" + q.toString()); run("queue_ready", root, false, 0); }
export function proxy_on_http_call_response(root: u32, id: u32, nh: u32, bs: u32, nt: u32): void {
  answering = id;
  log("http_call_response root=" + root.toString() + " id=" + id.toString() + " headers=" + nh.toString() + " body=" + bs.toString() + " trailers=" + nt.toString());
  run("http_call_response", root, false, 0);
}
export function proxy_on_grpc_receive_initial_metadata(root: u32, id: u32, n: u32): void { answering = id; log("grpc_initial id=" + id.toString() + " n=" + n.toString()); run("grpc_initial", root, false, 0); }
export function proxy_on_grpc_receive(root: u32, id: u32, size: u32): void { answering = id; log("grpc_receive id=" + id.toString() + " size=" + size.toString()); run("grpc_receive", root, false, 0); }
export function proxy_on_grpc_receive_trailing_metadata(root: u32, id: u32, n: u32): void { answering = id; log("grpc_trailing id=" + id.toString() + " n=" + n.toString()); run("grpc_trailing", root, false, 0); }
export function proxy_on_grpc_close(root: u32, id: u32, code: u32): void { answering = id; log("grpc_close id=" + id.toString() + " code=" + code.toString()); run("grpc_close", root, false, 0); }
