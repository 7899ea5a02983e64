/**
 * @module test/rls/proto/rls
 * `envoy.service.ratelimit.v3` messages for the test rate limit service: decode a
 * `RateLimitRequest` and encode a `RateLimitResponse` (what the service needs), plus the
 * reverse directions so tests can cross-check the AssemblyScript codec in filters/lib/proto.
 * Field numbers follow rls.proto and extensions/common/ratelimit/v3/ratelimit.proto; a field
 * with an unexpected wire type is ignored as an unknown field, as protobuf does.
 */
import { Field, fieldString, i32, i64, MessageWriter, readFields, u32, u64, Wire } from "./wire.ts";

export const Code = { UNKNOWN: 0, OK: 1, OVER_LIMIT: 2 } as const;
export const Unit = { UNKNOWN: 0, SECOND: 1, MINUTE: 2, HOUR: 3, DAY: 4, MONTH: 5, YEAR: 6 } as const;

export interface RateLimitEntry { key: string; value: string; }
export interface RateLimitOverride { requestsPerUnit: number; unit: number; }
export interface RateLimitDescriptor {
  entries: RateLimitEntry[];
  limit?: RateLimitOverride;
  /** Present (even 0) when the descriptor carries its own `hits_addend` wrapper. */
  hitsAddend?: number;
}
export interface RateLimitRequest { domain: string; descriptors: RateLimitDescriptor[]; hitsAddend: number; }

export interface RateLimitLimit { requestsPerUnit: number; unit: number; name: string; }
export interface Duration { seconds: number; nanos: number; }
export interface DescriptorStatus {
  code: number;
  currentLimit?: RateLimitLimit;
  limitRemaining: number;
  durationUntilReset?: Duration;
}
export interface HeaderValue { key: string; value: string; }
export interface RateLimitResponse {
  overallCode: number;
  statuses: DescriptorStatus[];
  responseHeadersToAdd: HeaderValue[];
  requestHeadersToAdd: HeaderValue[];
}

const is = (f: Field, field: number, wire: number) => f.field === field && f.wire === wire;
const nested = (f: Field) => readFields(f.bytes, f.offset);

// ---- RateLimitRequest ----

export function encodeRequest(req: RateLimitRequest): Uint8Array {
  const w = new MessageWriter().string(1, req.domain);
  for (const d of req.descriptors) {
    const dw = new MessageWriter();
    for (const e of d.entries) dw.message(1, new MessageWriter().string(1, e.key).string(2, e.value));
    if (d.limit) dw.message(2, new MessageWriter().varint(1, d.limit.requestsPerUnit).varint(2, d.limit.unit));
    if (d.hitsAddend !== undefined) dw.message(3, new MessageWriter().varint(1, d.hitsAddend));
    w.message(2, dw);
  }
  return w.varint(3, req.hitsAddend).finish();
}

export function decodeRequest(buf: Uint8Array): RateLimitRequest {
  const req: RateLimitRequest = { domain: "", descriptors: [], hitsAddend: 0 };
  for (const f of readFields(buf)) {
    if (is(f, 1, Wire.Len)) req.domain = fieldString(f);
    else if (is(f, 2, Wire.Len)) req.descriptors.push(decodeDescriptor(f));
    else if (is(f, 3, Wire.Varint)) req.hitsAddend = u32(f);
  }
  return req;
}

function decodeDescriptor(outer: Field): RateLimitDescriptor {
  const d: RateLimitDescriptor = { entries: [] };
  for (const f of nested(outer)) {
    if (is(f, 1, Wire.Len)) {
      const e: RateLimitEntry = { key: "", value: "" };
      for (const g of nested(f)) {
        if (is(g, 1, Wire.Len)) e.key = fieldString(g);
        else if (is(g, 2, Wire.Len)) e.value = fieldString(g);
      }
      d.entries.push(e);
    } else if (is(f, 2, Wire.Len)) {
      const o: RateLimitOverride = d.limit ?? { requestsPerUnit: 0, unit: 0 };
      for (const g of nested(f)) {
        if (is(g, 1, Wire.Varint)) o.requestsPerUnit = u32(g);
        else if (is(g, 2, Wire.Varint)) o.unit = i32(g);
      }
      d.limit = o;
    } else if (is(f, 3, Wire.Len)) {
      let v = d.hitsAddend ?? 0;
      for (const g of nested(f)) if (is(g, 1, Wire.Varint)) v = u64(g);
      d.hitsAddend = v;
    }
  }
  return d;
}

// ---- RateLimitResponse ----

export function encodeResponse(resp: RateLimitResponse): Uint8Array {
  const w = new MessageWriter().varint(1, resp.overallCode);
  for (const s of resp.statuses) {
    const sw = new MessageWriter().varint(1, s.code);
    if (s.currentLimit) {
      const l = s.currentLimit;
      sw.message(2, new MessageWriter().varint(1, l.requestsPerUnit).varint(2, l.unit).string(3, l.name));
    }
    sw.varint(3, s.limitRemaining);
    if (s.durationUntilReset) {
      const d = s.durationUntilReset;
      sw.message(4, new MessageWriter().varint(1, d.seconds).varint(2, d.nanos));
    }
    w.message(2, sw);
  }
  for (const h of resp.responseHeadersToAdd) w.message(3, new MessageWriter().string(1, h.key).string(2, h.value));
  for (const h of resp.requestHeadersToAdd) w.message(4, new MessageWriter().string(1, h.key).string(2, h.value));
  return w.finish();
}

function decodeHeader(outer: Field): HeaderValue {
  const h: HeaderValue = { key: "", value: "" };
  for (const g of nested(outer)) {
    if (is(g, 1, Wire.Len)) h.key = fieldString(g);
    else if ((g.field === 2 || g.field === 3) && g.wire === Wire.Len) h.value = fieldString(g);
  }
  return h;
}

export function decodeResponse(buf: Uint8Array): RateLimitResponse {
  const resp: RateLimitResponse = { overallCode: 0, statuses: [], responseHeadersToAdd: [], requestHeadersToAdd: [] };
  for (const f of readFields(buf)) {
    if (is(f, 1, Wire.Varint)) resp.overallCode = i32(f);
    else if (is(f, 2, Wire.Len)) {
      const s: DescriptorStatus = { code: 0, limitRemaining: 0 };
      for (const g of nested(f)) {
        if (is(g, 1, Wire.Varint)) s.code = i32(g);
        else if (is(g, 2, Wire.Len)) {
          const l: RateLimitLimit = s.currentLimit ?? { requestsPerUnit: 0, unit: 0, name: "" };
          for (const h of nested(g)) {
            if (is(h, 1, Wire.Varint)) l.requestsPerUnit = u32(h);
            else if (is(h, 2, Wire.Varint)) l.unit = i32(h);
            else if (is(h, 3, Wire.Len)) l.name = fieldString(h);
          }
          s.currentLimit = l;
        } else if (is(g, 3, Wire.Varint)) s.limitRemaining = u32(g);
        else if (is(g, 4, Wire.Len)) {
          const d: Duration = s.durationUntilReset ?? { seconds: 0, nanos: 0 };
          for (const h of nested(g)) {
            if (is(h, 1, Wire.Varint)) d.seconds = i64(h);
            else if (is(h, 2, Wire.Varint)) d.nanos = i32(h);
          }
          s.durationUntilReset = d;
        }
      }
      resp.statuses.push(s);
    } else if (is(f, 3, Wire.Len)) resp.responseHeadersToAdd.push(decodeHeader(f));
    else if (is(f, 4, Wire.Len)) resp.requestHeadersToAdd.push(decodeHeader(f));
  }
  return resp;
}
