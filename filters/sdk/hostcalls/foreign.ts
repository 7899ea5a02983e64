/**
 * @module filters/sdk/hostcalls/foreign
 * Foreign functions Envoy registers (reference §10.13). They act on the *current* context and
 * ignore `proxy_set_effective_context`: call them from the stream's own callbacks, not from a
 * callout response. Unknown name ⇒ NOT_FOUND.
 */
import { LifeSpan, Status } from "../types";
import { proxy_call_foreign_function } from "./raw";
import { SLOT_A, SLOT_B, lenOf, ptrOf, takeBytes } from "./memory";
import { lastStatus, record } from "./status";

/** Calls a host function by name; its result bytes (empty buffer if none), null on a non-OK status. */
export function callForeignFunction(name: string, args: ArrayBuffer | null): ArrayBuffer | null {
  const n = String.UTF8.encode(name);
  store<usize>(SLOT_A, 0);
  store<usize>(SLOT_B, 0);
  if (record(proxy_call_foreign_function(changetype<usize>(n), n.byteLength, ptrOf(args), lenOf(args), SLOT_A, SLOT_B)) != Status.Ok) {
    return null;
  }
  return takeBytes(load<usize>(SLOT_A), load<usize>(SLOT_B));
}

/** Makes Envoy pick the route again after this filter changed request headers (Envoy ≥ 1.33). */
export function clearRouteCache(): Status {
  callForeignFunction("clear_route_cache", null);
  return lastStatus();
}

/**
 * Sets an Envoy filter-state object through its registered factory (e.g. `envoy.tcp_proxy.cluster`).
 * NOT_FOUND when no factory exists for `path` or the context has no stream.
 */
export function setEnvoyFilterState(path: string, value: string, span: LifeSpan = LifeSpan.FilterChain): Status {
  callForeignFunction("set_envoy_filter_state", encodeSetEnvoyFilterStateArguments(path, value, span));
  return lastStatus();
}

/**
 * Protobuf `SetEnvoyFilterStateArguments { string path = 1; string value = 2; LifeSpan span = 3 }`,
 * hand-encoded: tag, varint length, bytes per string field; tag, varint for the enum (omitted at 0,
 * its proto3 default).
 */
export function encodeSetEnvoyFilterStateArguments(path: string, value: string, span: LifeSpan): ArrayBuffer {
  const p = String.UTF8.encode(path);
  const v = String.UTF8.encode(value);
  const spanSize = span == LifeSpan.FilterChain ? 0 : 1 + varintSize(<u32>span);
  const size = 1 + varintSize(p.byteLength) + p.byteLength + 1 + varintSize(v.byteLength) + v.byteLength + spanSize;
  const out = new ArrayBuffer(size);
  let at = changetype<usize>(out);
  at = writeBytesField(at, 0x0a, p);
  at = writeBytesField(at, 0x12, v);
  if (spanSize > 0) {
    store<u8>(at, 0x18);
    writeVarint(at + 1, <u32>span);
  }
  return out;
}

function varintSize(value: u32): i32 {
  let size = 1;
  while (value >= 0x80) { value >>= 7; size++; }
  return size;
}

function writeVarint(at: usize, value: u32): usize {
  while (value >= 0x80) {
    store<u8>(at, <u8>(value & 0x7f) | 0x80);
    value >>= 7;
    at++;
  }
  store<u8>(at, <u8>value);
  return at + 1;
}

function writeBytesField(at: usize, tag: u8, bytes: ArrayBuffer): usize {
  store<u8>(at, tag);
  at = writeVarint(at + 1, <u32>bytes.byteLength);
  memory.copy(at, changetype<usize>(bytes), bytes.byteLength);
  return at + bytes.byteLength;
}
