/**
 * @module harness/testdata/example
 * The module behind README's harness example: requires the header named by its plugin
 * configuration (401 with an OpenAI-style JSON error when it is missing), stamps
 * `x-tenant` on the request, counts requests and marks responses. Raw imports, no SDK.
 */
import "../../../../filters/sdk/runtime/abort";

@external("env", "proxy_log") declare function proxy_log(level: i32, p: usize, l: usize): i32;
@external("env", "proxy_get_buffer_bytes") declare function proxy_get_buffer_bytes(t: u32, start: u32, max: u32, rp: usize, rl: usize): i32;
@external("env", "proxy_get_header_map_value") declare function proxy_get_header_map_value(t: u32, kp: usize, kl: usize, rp: usize, rl: usize): i32;
@external("env", "proxy_add_header_map_value") declare function proxy_add_header_map_value(t: u32, kp: usize, kl: usize, vp: usize, vl: usize): i32;
@external("env", "proxy_send_local_response") declare function proxy_send_local_response(code: u32, dp: usize, dl: usize, bp: usize, bl: usize, hp: usize, hl: usize, grpc: i32): i32;
@external("env", "proxy_define_metric") declare function proxy_define_metric(t: u32, np: usize, nl: usize, ret: usize): i32;
@external("env", "proxy_increment_metric") declare function proxy_increment_metric(id: u32, delta: i64): i32;

export function proxy_abi_version_0_2_1(): void {}
export function malloc(size: usize): usize { return heap.alloc(size); }

const P = memory.data(8);
const L = memory.data(8);
let keyHeader = "x-api-key";
let counter: u32 = 0;

function enc(s: string): ArrayBuffer { return String.UTF8.encode(s); }
function p(b: ArrayBuffer): usize { return changetype<usize>(b); }

export function proxy_on_configure(root: u32, size: u32): bool {
  if (size > 0 && proxy_get_buffer_bytes(7, 0, size, P, L) == 0) {
    keyHeader = String.UTF8.decodeUnsafe(load<u32>(P), load<u32>(L));
    heap.free(load<u32>(P));
  }
  const name = enc("example_requests");
  proxy_define_metric(0, p(name), name.byteLength, P);
  counter = load<u32>(P);
  return true;
}

export function proxy_on_request_headers(id: u32, n: u32, eos: u32): u32 {
  const k = enc(keyHeader);
  if (proxy_get_header_map_value(0, p(k), k.byteLength, P, L) != 0) {
    const body = enc('{"error":{"message":"missing API key","type":"invalid_request_error"}}');
    const details = enc("missing_api_key");
    // pairs: 1 × ("content-type", "application/json")
    const ct = enc("content-type"), json = enc("application/json");
    const hdr = new ArrayBuffer(4 + 8 + ct.byteLength + 1 + json.byteLength + 1);
    store<u32>(p(hdr), 1); store<u32>(p(hdr) + 4, ct.byteLength); store<u32>(p(hdr) + 8, json.byteLength);
    memory.copy(p(hdr) + 12, p(ct), ct.byteLength);
    memory.copy(p(hdr) + 13 + ct.byteLength, p(json), json.byteLength);
    proxy_send_local_response(401, p(details), details.byteLength, p(body), body.byteLength, p(hdr), hdr.byteLength, -1);
    return 1;
  }
  const tenant = String.UTF8.decodeUnsafe(load<u32>(P), load<u32>(L));
  heap.free(load<u32>(P));
  const name = enc("x-tenant"), value = enc(tenant);
  proxy_add_header_map_value(0, p(name), name.byteLength, p(value), value.byteLength);
  proxy_increment_metric(counter, 1);
  const msg = enc("tenant " + tenant);
  proxy_log(2, p(msg), msg.byteLength);
  return 0;
}

export function proxy_on_response_headers(id: u32, n: u32, eos: u32): u32 {
  const k = enc("x-served-by"), v = enc("tollgate");
  proxy_add_header_map_value(2, p(k), k.byteLength, p(v), v.byteLength);
  return 0;
}
