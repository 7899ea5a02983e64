/**
 * @module filters/lib/proto/rls-response
 * Decodes `envoy.service.ratelimit.v3.RateLimitResponse` from untrusted bytes:
 *
 *   RateLimitResponse { 1: Code overall_code; 2: repeated DescriptorStatus statuses;
 *                       3: repeated HeaderValue response_headers_to_add;
 *                       4: repeated HeaderValue request_headers_to_add; 5–7: skipped }
 *   DescriptorStatus  { 1: Code code; 2: RateLimit current_limit; 3: uint32 limit_remaining;
 *                       4: google.protobuf.Duration duration_until_reset; 5: skipped }
 *   RateLimit         { 1: uint32 requests_per_unit; 2: Unit unit; 3: string name }
 *   Duration          { 1: int64 seconds; 2: int32 nanos }
 *   HeaderValue       { 1: string key; 2: string value; 3: bytes raw_value }
 *
 * Protobuf's rules are kept: unknown fields are skipped, a known field with another wire type
 * is treated as unknown, the last scalar wins, a repeated embedded message is merged, and
 * integers are truncated to their declared width. Truncated or hostile input ends with an
 * error code and offset, never a trap; lists are capped so a response cannot grow memory
 * without bound.
 */
import { LibError } from "../errors";
import { ProtoReader, WireType } from "./wire";

/** Caps that bound what one response may allocate (the filter sends a handful of descriptors). */
export const MAX_STATUSES: i32 = 256;
export const MAX_HEADERS: i32 = 64;
export const MAX_STRING_BYTES: i32 = 8192;

/** `RateLimitResponse.RateLimit`: the limit the service applied. */
export class RateLimitLimit {
  requestsPerUnit: u32 = 0;
  /** A `RateLimitUnit` value (kept as a number: proto3 enums are open). */
  unit: i32 = 0;
  name: string = "";
}

export class DescriptorStatus {
  /** A `RateLimitCode` value. */
  code: i32 = 0;
  currentLimit: RateLimitLimit | null = null;
  limitRemaining: u32 = 0;
  hasDurationUntilReset: bool = false;
  resetSeconds: i64 = 0;
  resetNanos: i32 = 0;

  /** Time until the window resets in milliseconds, rounded up; -1 when the service sent none. */
  get resetMillis(): i64 {
    if (!this.hasDurationUntilReset) return -1;
    let ms = this.resetSeconds * 1000 + <i64>(this.resetNanos / 1_000_000);
    if (this.resetNanos % 1_000_000 > 0) ms++;
    return ms < 0 ? 0 : ms;
  }
}

export class HeaderValue {
  constructor(public key: string, public value: string) {}
}

export class RateLimitResponse {
  /** A `RateLimitCode` value. */
  overallCode: i32 = 0;
  statuses: DescriptorStatus[] = [];
  responseHeadersToAdd: HeaderValue[] = [];
  requestHeadersToAdd: HeaderValue[] = [];
}

/** The outcome of a decode: a response, or the error and the byte offset where it was found. */
export class RateLimitResponseResult {
  response: RateLimitResponse | null = null;
  error: LibError = LibError.None;
  errorAt: i32 = -1;
}

const F_RESP_CODE: u32 = 1;
const F_RESP_STATUSES: u32 = 2;
const F_RESP_HEADERS: u32 = 3;
const F_RESP_REQUEST_HEADERS: u32 = 4;
const F_STATUS_CODE: u32 = 1;
const F_STATUS_LIMIT: u32 = 2;
const F_STATUS_REMAINING: u32 = 3;
const F_STATUS_RESET: u32 = 4;
const F_LIMIT_RPU: u32 = 1;
const F_LIMIT_UNIT: u32 = 2;
const F_LIMIT_NAME: u32 = 3;
const F_DURATION_SECONDS: u32 = 1;
const F_DURATION_NANOS: u32 = 2;
const F_HEADER_KEY: u32 = 1;
const F_HEADER_VALUE: u32 = 2;
const F_HEADER_RAW_VALUE: u32 = 3;

function decodeLimit(r: ProtoReader, end: usize, l: RateLimitLimit): void {
  while (r.more(end)) {
    const t = r.tag(end);
    const field = t >>> 3, wt = t & 7;
    if (field == F_LIMIT_RPU && wt == WireType.Varint) l.requestsPerUnit = <u32>r.varint(end);
    else if (field == F_LIMIT_UNIT && wt == WireType.Varint) l.unit = <i32>r.varint(end);
    else if (field == F_LIMIT_NAME && wt == WireType.Len) l.name = r.string(end, MAX_STRING_BYTES);
    else if (t != 0) r.skip(wt, end);
  }
}

function decodeDuration(r: ProtoReader, end: usize, s: DescriptorStatus): void {
  while (r.more(end)) {
    const t = r.tag(end);
    const field = t >>> 3, wt = t & 7;
    if (field == F_DURATION_SECONDS && wt == WireType.Varint) s.resetSeconds = <i64>r.varint(end);
    else if (field == F_DURATION_NANOS && wt == WireType.Varint) s.resetNanos = <i32>r.varint(end);
    else if (t != 0) r.skip(wt, end);
  }
}

function decodeStatus(r: ProtoReader, end: usize, s: DescriptorStatus): void {
  while (r.more(end)) {
    const t = r.tag(end);
    const field = t >>> 3, wt = t & 7;
    if (field == F_STATUS_CODE && wt == WireType.Varint) {
      s.code = <i32>r.varint(end);
    } else if (field == F_STATUS_LIMIT && wt == WireType.Len) {
      const stop = r.lenEnd(end);
      if (!r.ok) return;
      let l = s.currentLimit;
      if (l === null) s.currentLimit = l = new RateLimitLimit();
      decodeLimit(r, stop, l);
    } else if (field == F_STATUS_REMAINING && wt == WireType.Varint) {
      s.limitRemaining = <u32>r.varint(end);
    } else if (field == F_STATUS_RESET && wt == WireType.Len) {
      const stop = r.lenEnd(end);
      if (!r.ok) return;
      s.hasDurationUntilReset = true;
      decodeDuration(r, stop, s);
    } else if (t != 0) {
      r.skip(wt, end);
    }
  }
}

function decodeHeader(r: ProtoReader, end: usize, h: HeaderValue): void {
  while (r.more(end)) {
    const t = r.tag(end);
    const field = t >>> 3, wt = t & 7;
    if (field == F_HEADER_KEY && wt == WireType.Len) h.key = r.string(end, MAX_STRING_BYTES);
    // `raw_value` is the bytes form of `value`; header values the filter can set are text.
    else if ((field == F_HEADER_VALUE || field == F_HEADER_RAW_VALUE) && wt == WireType.Len) h.value = r.string(end, MAX_STRING_BYTES);
    else if (t != 0) r.skip(wt, end);
  }
}

function decodeHeaderInto(r: ProtoReader, end: usize, list: HeaderValue[]): void {
  const stop = r.lenEnd(end);
  if (!r.ok) return;
  if (list.length >= MAX_HEADERS) {
    r.fail(LibError.TooLarge);
    return;
  }
  const h = new HeaderValue("", "");
  decodeHeader(r, stop, h);
  list.push(h);
}

/** Decodes the `len` bytes at `ptr` (which must stay valid during the call). */
export function decodeRateLimitResponseUnsafe(ptr: usize, len: i32): RateLimitResponseResult {
  const result = new RateLimitResponseResult();
  const r = new ProtoReader(ptr, len);
  const end = r.end;
  const resp = new RateLimitResponse();
  while (r.more(end)) {
    const t = r.tag(end);
    const field = t >>> 3, wt = t & 7;
    if (field == F_RESP_CODE && wt == WireType.Varint) {
      resp.overallCode = <i32>r.varint(end);
    } else if (field == F_RESP_STATUSES && wt == WireType.Len) {
      const stop = r.lenEnd(end);
      if (!r.ok) break;
      if (resp.statuses.length >= MAX_STATUSES) {
        r.fail(LibError.TooLarge);
        break;
      }
      const s = new DescriptorStatus();
      decodeStatus(r, stop, s);
      resp.statuses.push(s);
    } else if (field == F_RESP_HEADERS && wt == WireType.Len) {
      decodeHeaderInto(r, end, resp.responseHeadersToAdd);
    } else if (field == F_RESP_REQUEST_HEADERS && wt == WireType.Len) {
      decodeHeaderInto(r, end, resp.requestHeadersToAdd);
    } else if (t != 0) {
      r.skip(wt, end);
    }
  }
  if (r.ok) result.response = resp;
  result.error = r.error;
  result.errorAt = r.errorAt;
  return result;
}

/**
 * Decodes a whole gRPC message body (e.g. the callout's `GrpcReceiveBuffer`).
 *
 * @example
 *   const result = decodeRateLimitResponse(message);
 *   const resp = result.response;
 *   if (resp === null) logWarn("RLS answer: " + errorMessage(result.error) + " at byte " + result.errorAt.toString());
 *   else if (resp.overallCode == RateLimitCode.OverLimit) { ... 429 ... }
 */
export function decodeRateLimitResponse(bytes: Uint8Array): RateLimitResponseResult {
  return decodeRateLimitResponseUnsafe(bytes.dataStart, bytes.length);
}
