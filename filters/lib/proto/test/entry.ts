/**
 * @module filters/lib/proto/test/entry
 * The `lib-proto-tests` wasm module: thin exports over filters/lib/proto for the uvu tests. A
 * request is built call by call (as a filter would), encoded into the output buffer; a response
 * is decoded and rendered as JSON for the JS side to compare. It imports the SDK's abort
 * replacement only because asconfig.json wires `abort` to it; the proto code never does.
 */
import "../../../sdk/runtime/abort";
import { ByteBuffer } from "../../bytes";
import { errorMessage, LibError } from "../../errors";
import { ProtoReader, varintSize as wireVarintSize } from "../wire";
import { RateLimitUnit, RLS_METHOD_NAME, RLS_SERVICE_NAME, unitSeconds as unitSecondsOf } from "../rls-types";
import { RateLimitDescriptor, RateLimitRequest, encodeRateLimitRequest } from "../rls-request";
import { decodeRateLimitResponseUnsafe, HeaderValue, RateLimitResponse } from "../rls-response";

const output = new ByteBuffer(256);
let request = new RateLimitRequest("");
let descriptor: RateLimitDescriptor | null = null;
let lastResponse: RateLimitResponse | null = null;
let lastError: LibError = LibError.None;
let lastErrorAt: i32 = -1;
let lastValue: u64 = 0;

function text(ptr: usize, len: i32): string {
  return String.UTF8.decodeUnsafe(ptr, <usize>len, false);
}

export function alloc(len: usize): usize { return heap.alloc(len > 0 ? len : 1); }
export function free(ptr: usize): void { heap.free(ptr); }
export function outputPtr(): usize { return output.dataStart; }
export function outputLen(): i32 { return output.length; }
export function error(): i32 { return <i32>lastError; }
export function errorAt(): i32 { return lastErrorAt; }
export function collect(): void { __collect(); }

export function errorText(code: i32): i32 {
  output.reset();
  output.appendString(errorMessage(<LibError>code));
  return output.length;
}

/** Writes `<service>/<method>` of the RLS call into the output buffer. */
export function rlsPath(): i32 {
  output.reset();
  output.appendString(RLS_SERVICE_NAME + "/" + RLS_METHOD_NAME);
  return output.length;
}

export function unitSeconds(unit: u32): i64 { return unitSecondsOf(unit); }

// ---- wire primitives ----

export function varintSize(v: u64): i32 { return wireVarintSize(v); }

/** Reads one varint; returns bytes consumed (or -1 with `error()` set); the value via `value()`. */
export function readVarint(ptr: usize, len: i32): i32 {
  const r = new ProtoReader(ptr, len);
  lastValue = r.varint(r.end);
  lastError = r.error;
  lastErrorAt = r.errorAt;
  return r.ok ? <i32>(r.pos - ptr) : -1;
}
export function value(): u64 { return lastValue; }

/** Reads a tag and skips its value, until the input ends; returns fields skipped or -1. */
export function skipAll(ptr: usize, len: i32): i32 {
  const r = new ProtoReader(ptr, len);
  let n = 0;
  while (r.more(r.end)) {
    const t = r.tag(r.end);
    if (t != 0) r.skip(t & 7, r.end);
    n++;
  }
  lastError = r.error;
  lastErrorAt = r.errorAt;
  return r.ok ? n : -1;
}

// ---- request building ----

export function reqNew(domainPtr: usize, domainLen: i32): void {
  request = new RateLimitRequest(text(domainPtr, domainLen));
  descriptor = null;
}
export function reqHits(hits: u32): void { request.hitsAddend = hits; }
export function descNew(): void { descriptor = request.descriptor(); }
export function descEntry(kPtr: usize, kLen: i32, vPtr: usize, vLen: i32): void {
  const d = descriptor;
  if (d !== null) d.add(text(kPtr, kLen), text(vPtr, vLen));
}
export function descHits(hits: u64): void {
  const d = descriptor;
  if (d !== null) d.setHitsAddend(hits);
}
export function descLimit(requestsPerUnit: u32, unit: i32): void {
  const d = descriptor;
  if (d !== null) d.setLimit(requestsPerUnit, <RateLimitUnit>unit);
}
/** Encodes the built request into the output buffer; returns its length, or -1. */
export function reqEncode(): i32 {
  output.reset();
  const bytes = encodeRateLimitRequest(request);
  if (bytes === null) return -1;
  output.appendBytes(bytes);
  return output.length;
}

// ---- response decoding ----

function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22) out += '\\"';
    else if (c == 0x5c) out += "\\\\";
    else if (c < 0x20) out += "\\u00" + (c < 0x10 ? "0" : "") + c.toString(16);
    else out += String.fromCharCode(c);
  }
  return out + '"';
}

function headersJson(list: HeaderValue[]): string {
  let out = "[";
  for (let i = 0; i < list.length; i++) {
    if (i > 0) out += ",";
    out += '{"key":' + jsonString(list[i].key) + ',"value":' + jsonString(list[i].value) + "}";
  }
  return out + "]";
}

function responseJson(r: RateLimitResponse): string {
  let out = '{"overallCode":' + r.overallCode.toString() + ',"statuses":[';
  for (let i = 0; i < r.statuses.length; i++) {
    const s = r.statuses[i];
    if (i > 0) out += ",";
    out += '{"code":' + s.code.toString();
    const l = s.currentLimit;
    if (l !== null) {
      out += ',"currentLimit":{"requestsPerUnit":' + l.requestsPerUnit.toString() + ',"unit":' + l.unit.toString() +
        ',"name":' + jsonString(l.name) + "}";
    }
    out += ',"limitRemaining":' + s.limitRemaining.toString();
    if (s.hasDurationUntilReset) {
      out += ',"durationUntilReset":{"seconds":"' + s.resetSeconds.toString() + '","nanos":' + s.resetNanos.toString() +
        '},"resetMillis":"' + s.resetMillis.toString() + '"';
    }
    out += "}";
  }
  out += '],"responseHeadersToAdd":' + headersJson(r.responseHeadersToAdd) +
    ',"requestHeadersToAdd":' + headersJson(r.requestHeadersToAdd) + "}";
  return out;
}

/** Decodes a response; returns 1 on success (then `respJson` renders it) or 0 with `error()` set. */
export function respDecode(ptr: usize, len: i32): i32 {
  const result = decodeRateLimitResponseUnsafe(ptr, len);
  lastResponse = result.response;
  lastError = result.error;
  lastErrorAt = result.errorAt;
  return result.response !== null ? 1 : 0;
}

/** Renders the last decoded response as JSON into the output buffer; returns its length. */
export function respJson(): i32 {
  output.reset();
  const r = lastResponse;
  if (r !== null) output.appendString(responseJson(r));
  return output.length;
}

/** Decodes the same bytes `n` times (memory checks): returns how many succeeded. */
export function respDecodeMany(ptr: usize, len: i32, n: i32): i32 {
  let ok = 0;
  for (let i = 0; i < n; i++) if (decodeRateLimitResponseUnsafe(ptr, len).response !== null) ok++;
  return ok;
}
/** Encodes the built request `n` times (memory checks): returns how many succeeded. */
export function reqEncodeMany(n: i32): i32 {
  let ok = 0;
  for (let i = 0; i < n; i++) if (encodeRateLimitRequest(request) !== null) ok++;
  return ok;
}
