/**
 * @module filters/token-limit/global
 * Global limits over Envoy's rate limit service protocol
 * (`envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit`, served by envoyproxy/ratelimit
 * and Limitador over Redis). One descriptor per applying global limit,
 * `[(<limit name>, <key value>)]`, carrying the limit itself as the descriptor's `limit`
 * override (tokens per unit), so the filter's configuration is the single source of truth.
 * The check on the request spends nothing (`hits_addend` 0, the descriptor-level wrapper);
 * the report when the response ends spends the actual weighted tokens.
 */
import { encodeRateLimitRequest, RateLimitRequest, RateLimitUnit, decodeRateLimitResponse, RateLimitCode } from "../lib/proto/index";
import { AppliedLimit } from "./limits";
import { Scope } from "./config";

function unitOf(windowMs: i64): RateLimitUnit {
  if (windowMs == 1000) return RateLimitUnit.Second;
  if (windowMs == 60_000) return RateLimitUnit.Minute;
  if (windowMs == 3_600_000) return RateLimitUnit.Hour;
  return RateLimitUnit.Day;
}

/** The request for the global limits in `applied`; `hits[i]` per limit (0 = check only). Null when none applies. */
export function rlsRequest(domain: string, applied: AppliedLimit[], hits: i64[]): Uint8Array | null {
  if (!anyGlobal(applied)) return null;
  const req = new RateLimitRequest(domain);
  let n = 0;
  for (let i = 0; i < applied.length; i++) {
    const a = unchecked(applied[i]);
    if (a.limit.scope != Scope.Global) continue;
    const h = unchecked(hits[i]);
    if (h < 0) continue;
    req.descriptor().add(a.limit.name, a.keyValue).setLimit(<u32>a.limit.tokens, unitOf(a.limit.windowMs)).setHitsAddend(<u64>h);
    n++;
  }
  return n > 0 ? encodeRateLimitRequest(req) : null;
}

/** True when a global limit applies (a local-only request then builds no message). */
function anyGlobal(applied: AppliedLimit[]): bool {
  for (let i = 0; i < applied.length; i++) if (unchecked(applied[i]).limit.scope == Scope.Global) return true;
  return false;
}

/** What the service said about the check. */
export class GlobalVerdict {
  /** The answer could not be decoded. */
  malformed: bool = false;
  /** The limit that refused (over limit, or not enough left for the reservation), or null. */
  refusedBy: AppliedLimit | null = null;
  retryMs: i64 = 0;
}

/**
 * Reads the service's answer: the statuses come in descriptor order. A limit refuses when the
 * service says OVER_LIMIT, when nothing remains, or (reserve) when `needs[i]` exceeds what remains.
 * Fills `remaining` and `resetMs` of each global limit.
 */
export function readVerdict(message: Uint8Array, applied: AppliedLimit[], needs: i64[], reserve: bool): GlobalVerdict {
  const v = new GlobalVerdict();
  const res = decodeRateLimitResponse(message);
  const r = res.response;
  if (r === null) { v.malformed = true; return v; }
  let k = 0;
  for (let i = 0; i < applied.length; i++) {
    const a = unchecked(applied[i]);
    if (a.limit.scope != Scope.Global) continue;
    if (k >= r.statuses.length) {
      // No status for this descriptor: only the overall code speaks for it.
      if (r.overallCode == RateLimitCode.OverLimit && v.refusedBy === null) v.refusedBy = a;
      continue;
    }
    const s = unchecked(r.statuses[k++]);
    a.remaining = <i64>s.limitRemaining;
    a.resetMs = s.resetMillis < 0 ? 0 : s.resetMillis;
    const refused = s.code == RateLimitCode.OverLimit || s.limitRemaining == 0 || (reserve && unchecked(needs[i]) > <i64>s.limitRemaining);
    if (refused && v.refusedBy === null) { v.refusedBy = a; v.retryMs = a.resetMs; }
  }
  if (v.refusedBy === null && r.overallCode == RateLimitCode.OverLimit) {
    for (let i = 0; i < applied.length; i++) if (unchecked(applied[i]).limit.scope == Scope.Global) { v.refusedBy = unchecked(applied[i]); break; }
  }
  return v;
}
