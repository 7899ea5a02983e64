/**
 * @module filters/lib/proto/rls-request
 * Encodes `envoy.service.ratelimit.v3.RateLimitRequest`, the message of
 * `RateLimitService/ShouldRateLimit`:
 *
 *   RateLimitRequest    { 1: string domain; 2: repeated RateLimitDescriptor; 3: uint32 hits_addend }
 *   RateLimitDescriptor { 1: repeated Entry entries; 2: RateLimitOverride limit;
 *                         3: google.protobuf.UInt64Value hits_addend }
 *   Entry               { 1: string key; 2: string value }
 *   RateLimitOverride   { 1: uint32 requests_per_unit; 2: RateLimitUnit unit }
 *   UInt64Value         { 1: uint64 value }
 *
 * The encoder counts every nested length first and then writes into one exactly sized array.
 * Proto3 leaves zero scalars out, so a request-level `hits_addend` of 0 is "unset" (services
 * then count 1); only the descriptor-level wrapper can say "0 hits", which is how a caller checks
 * a budget without spending it.
 */
import { lenFieldSize, ProtoWriter, varintFieldSize } from "./wire";
import { RateLimitUnit } from "./rls-types";

const F_REQ_DOMAIN: u32 = 1;
const F_REQ_DESCRIPTORS: u32 = 2;
const F_REQ_HITS: u32 = 3;
const F_DESC_ENTRIES: u32 = 1;
const F_DESC_LIMIT: u32 = 2;
const F_DESC_HITS: u32 = 3;
const F_ENTRY_KEY: u32 = 1;
const F_ENTRY_VALUE: u32 = 2;
const F_OVERRIDE_RPU: u32 = 1;
const F_OVERRIDE_UNIT: u32 = 2;
const F_WRAPPER_VALUE: u32 = 1;

export class RateLimitEntry {
  constructor(public key: string, public value: string) {}
}

/** A descriptor's `limit`: the budget the service should apply instead of its own configuration. */
export class RateLimitOverride {
  constructor(public requestsPerUnit: u32, public unit: RateLimitUnit) {}
}

export class RateLimitDescriptor {
  entries: RateLimitEntry[] = [];
  limit: RateLimitOverride | null = null;
  /** Whether `hitsAddend` is sent (the wrapper is present, even holding 0). */
  hasHitsAddend: bool = false;
  hitsAddend: u64 = 0;

  /** Appends an entry; returns the descriptor so entries chain. */
  add(key: string, value: string): RateLimitDescriptor {
    this.entries.push(new RateLimitEntry(key, value));
    return this;
  }

  /** Sets this descriptor's own hits (0 = check without spending); overrides the request's. */
  setHitsAddend(hits: u64): RateLimitDescriptor {
    this.hasHitsAddend = true;
    this.hitsAddend = hits;
    return this;
  }

  setLimit(requestsPerUnit: u32, unit: RateLimitUnit): RateLimitDescriptor {
    this.limit = new RateLimitOverride(requestsPerUnit, unit);
    return this;
  }
}

export class RateLimitRequest {
  descriptors: RateLimitDescriptor[] = [];
  /** Hits for every descriptor without its own; 0 is not sent and means 1 to the service. */
  hitsAddend: u32 = 0;

  constructor(public domain: string) {}

  /** Appends and returns a new descriptor. */
  descriptor(): RateLimitDescriptor {
    const d = new RateLimitDescriptor();
    this.descriptors.push(d);
    return d;
  }
}

function entrySize(e: RateLimitEntry): i32 {
  let n = 0;
  const k = String.UTF8.byteLength(e.key, false);
  const v = String.UTF8.byteLength(e.value, false);
  if (k > 0) n += lenFieldSize(F_ENTRY_KEY, k);
  if (v > 0) n += lenFieldSize(F_ENTRY_VALUE, v);
  return n;
}

function overrideSize(o: RateLimitOverride): i32 {
  let n = 0;
  if (o.requestsPerUnit != 0) n += varintFieldSize(F_OVERRIDE_RPU, <u64>o.requestsPerUnit);
  if (o.unit != RateLimitUnit.Unknown) n += varintFieldSize(F_OVERRIDE_UNIT, <u64>o.unit);
  return n;
}

function wrapperSize(v: u64): i32 {
  return v != 0 ? varintFieldSize(F_WRAPPER_VALUE, v) : 0;
}

function descriptorSize(d: RateLimitDescriptor): i32 {
  let n = 0;
  for (let i = 0, c = d.entries.length; i < c; i++) n += lenFieldSize(F_DESC_ENTRIES, entrySize(unchecked(d.entries[i])));
  const limit = d.limit;
  if (limit !== null) n += lenFieldSize(F_DESC_LIMIT, overrideSize(limit));
  if (d.hasHitsAddend) n += lenFieldSize(F_DESC_HITS, wrapperSize(d.hitsAddend));
  return n;
}

/** Exact encoded size of `req` in bytes. */
export function rateLimitRequestSize(req: RateLimitRequest): i32 {
  let n = 0;
  const domain = String.UTF8.byteLength(req.domain, false);
  if (domain > 0) n += lenFieldSize(F_REQ_DOMAIN, domain);
  for (let i = 0, c = req.descriptors.length; i < c; i++) {
    n += lenFieldSize(F_REQ_DESCRIPTORS, descriptorSize(unchecked(req.descriptors[i])));
  }
  if (req.hitsAddend != 0) n += varintFieldSize(F_REQ_HITS, <u64>req.hitsAddend);
  return n;
}

function writeString(w: ProtoWriter, field: u32, s: string): void {
  const n = String.UTF8.byteLength(s, false);
  if (n > 0) w.stringField(field, s, n);
}

function writeDescriptor(w: ProtoWriter, d: RateLimitDescriptor): void {
  for (let i = 0, c = d.entries.length; i < c; i++) {
    const e = unchecked(d.entries[i]);
    w.lenHeader(F_DESC_ENTRIES, entrySize(e));
    writeString(w, F_ENTRY_KEY, e.key);
    writeString(w, F_ENTRY_VALUE, e.value);
  }
  const limit = d.limit;
  if (limit !== null) {
    w.lenHeader(F_DESC_LIMIT, overrideSize(limit));
    if (limit.requestsPerUnit != 0) w.varintField(F_OVERRIDE_RPU, <u64>limit.requestsPerUnit);
    if (limit.unit != RateLimitUnit.Unknown) w.varintField(F_OVERRIDE_UNIT, <u64>limit.unit);
  }
  if (d.hasHitsAddend) {
    // An empty wrapper (value 0) is still present: "0 hits", unlike an absent field.
    w.lenHeader(F_DESC_HITS, wrapperSize(d.hitsAddend));
    if (d.hitsAddend != 0) w.varintField(F_WRAPPER_VALUE, d.hitsAddend);
  }
}

/**
 * The wire bytes of `req`, or null if the counted size and the written bytes disagree (a bug
 * in this module; reported rather than sent as a corrupt message).
 *
 * @example
 *   const req = new RateLimitRequest("tollgate");
 *   req.descriptor().add("api_key", key).setHitsAddend(0);            // check the budget, spend nothing
 *   req.descriptor().add("team", team).add("model", model).setHitsAddend(<u64>tokens);
 *   const message = encodeRateLimitRequest(req);                       // → proxy_grpc_call's message
 */
export function encodeRateLimitRequest(req: RateLimitRequest): Uint8Array | null {
  const w = new ProtoWriter(rateLimitRequestSize(req));
  writeString(w, F_REQ_DOMAIN, req.domain);
  for (let i = 0, c = req.descriptors.length; i < c; i++) {
    const d = unchecked(req.descriptors[i]);
    w.lenHeader(F_REQ_DESCRIPTORS, descriptorSize(d));
    writeDescriptor(w, d);
  }
  if (req.hitsAddend != 0) w.varintField(F_REQ_HITS, <u64>req.hitsAddend);
  return w.complete ? w.bytes : null;
}
