/**
 * @module filters/token-limit/limits
 * Which limits apply to a request, under which key, and what they cost; local admission (all
 * limits or none: a refusal by one releases what the others reserved) and settlement (the
 * reservation replaced by the actual usage) on the shared-data windows of `window.ts`.
 *
 * Bounded key space: shared-data keys can never be deleted in proxy-wasm, so a limit's keys are
 * hashed (XXH64) into a fixed table of `slots` entries, `tollgate.token-limit/<limit>/<slot>`.
 * However many distinct API keys arrive, a limit holds at most `slots` values of 176 bytes.
 * Two keys that share a slot share one budget: a collision can only make a limit stricter,
 * never let a key spend more than its budget.
 */
import { decimalLength, writeU64 } from "../lib/decimal";
import { xxh64String } from "../lib/hash";
import { Cost, LimitConfig, Scope } from "./config";
import { WindowResult, updateWindow } from "./window";

/** One limit applied to one request. */
export class AppliedLimit {
  limit: LimitConfig;
  /** The key's value (headers, model, route joined); the global descriptor's value. */
  keyValue: string;
  /** The shared-data key of the slot, UTF-8 (local limits). */
  slotKey: ArrayBuffer = EMPTY_KEY;
  /** Tokens reserved for this request, and the sub-bucket holding them. */
  reserved: i64 = 0;
  bucket: i64 = 0;
  /** What the limit's state was after admission (for the `x-ratelimit-*` headers). */
  remaining: i64 = 0;
  resetMs: i64 = 0;

  constructor(limit: LimitConfig, keyValue: string, slots: i32) {
    this.limit = limit;
    this.keyValue = keyValue;
    if (limit.scope == Scope.Local) this.slotKey = slotKeyOf(limit, xxh64String(keyValue) % <u64>slots);
  }
}

const EMPTY_KEY = new ArrayBuffer(0);

/** `tollgate.token-limit/<limit>/<slot>` as UTF-8: the limit's prefix is encoded once, the slot's digits written after it. */
function slotKeyOf(limit: LimitConfig, slot: u64): ArrayBuffer {
  let prefix = limit.slotPrefix;
  if (prefix === null) limit.slotPrefix = prefix = String.UTF8.encode("tollgate.token-limit/" + limit.name + "/");
  const n = prefix.byteLength;
  const key = new ArrayBuffer(n + decimalLength(slot));
  memory.copy(changetype<usize>(key), changetype<usize>(prefix), <usize>n);
  writeU64(changetype<usize>(key) + <usize>n, slot);
  return key;
}

/** Token counts of one request, as charged. */
export class TokenCounts {
  input: i64 = 0;
  output: i64 = 0;
  cacheRead: i64 = 0;
  cacheWrite: i64 = 0;
}

/** The weighted cost; `input` includes the cache tokens, which are weighed on their own. */
export function costOf(c: Cost, t: TokenCounts): i64 {
  let plain = t.input - t.cacheRead - t.cacheWrite;
  if (plain < 0) plain = 0;
  const v = c.input * <f64>plain + c.cacheRead * <f64>t.cacheRead + c.cacheWrite * <f64>t.cacheWrite + c.output * <f64>t.output;
  if (!(v > 0)) return 0;
  return v >= 9.0e18 ? i64.MAX_VALUE / 4 : <i64>Math.ceil(v);
}

/** The key of `limit` for this request, or null when a header it needs is missing. */
export function keyValueOf(limit: LimitConfig, headerNames: string[], headerValues: (string | null)[], model: string, route: string): string | null {
  let s = "";
  const hs = limit.keyHeaders;
  for (let i = 0; i < hs.length; i++) {
    const at = headerNames.indexOf(unchecked(hs[i]));
    const v = at >= 0 ? unchecked(headerValues[at]) : null;
    if (v === null || v.length == 0) return null;
    if (s.length > 0) s += "|";
    s += v;
  }
  if (limit.keyModel) { if (s.length > 0) s += "|"; s += model; }
  if (limit.keyRoute) { if (s.length > 0) s += "|"; s += route; }
  return s.length > 0 ? s : "*";
}

/** The outcome of a local admission. */
export class AdmissionResult {
  /** The limit that refused, or null when admitted. */
  refusedBy: AppliedLimit | null = null;
  retryMs: i64 = 0;
  /** The limit with the least remaining (for the headers), or null. */
  tightest: AppliedLimit | null = null;
}

const scratch = new WindowResult();

/**
 * Checks (and, with `reserve`, reserves `need` tokens of) every local limit in `applied`; on a
 * refusal, releases the reservations already made. `need` is per limit (weights differ).
 */
export function admitLocal(applied: AppliedLimit[], needs: i64[], reserve: bool, nowMs: i64, out: AdmissionResult): AdmissionResult {
  out.refusedBy = null;
  out.tightest = null;
  for (let i = 0; i < applied.length; i++) {
    const a = unchecked(applied[i]);
    if (a.limit.scope != Scope.Local) continue;
    const need = unchecked(needs[i]);
    const r = updateWindow(a.slotKey, a.limit.windowMs, nowMs, a.limit.tokens, reserve ? need : 0, reserve ? need : 0, 0, 0, scratch);
    if (r.failed) continue; // the host refused shared data: this limit is not enforced for the request
    if (r.refused) {
      out.refusedBy = a;
      out.retryMs = r.retryMs;
      a.remaining = a.limit.tokens - r.used;
      if (a.remaining < 0) a.remaining = 0;
      a.resetMs = r.resetMs;
      for (let j = 0; j < i; j++) releaseLocal(unchecked(applied[j]), nowMs);
      return out;
    }
    a.reserved = reserve ? need : 0;
    a.bucket = r.bucket;
    a.remaining = a.limit.tokens - r.after;
    if (a.remaining < 0) a.remaining = 0;
    a.resetMs = r.resetMs;
    noteTightest(out, a);
  }
  return out;
}

export function noteTightest(out: AdmissionResult, a: AppliedLimit): void {
  const t = out.tightest;
  if (t === null || a.remaining < t.remaining) out.tightest = a;
}

/** Gives back a reservation without charging anything. */
export function releaseLocal(a: AppliedLimit, nowMs: i64): void {
  if (a.limit.scope != Scope.Local || a.reserved == 0) return;
  updateWindow(a.slotKey, a.limit.windowMs, nowMs, 0, 0, 0, a.bucket, a.reserved, scratch);
  a.reserved = 0;
}

/** Replaces the reservation by the actual cost. */
export function settleLocal(a: AppliedLimit, cost: i64, nowMs: i64): void {
  if (a.limit.scope != Scope.Local) return;
  if (cost == 0 && a.reserved == 0) return;
  updateWindow(a.slotKey, a.limit.windowMs, nowMs, 0, 0, cost, a.bucket, a.reserved, scratch);
  a.reserved = 0;
}
