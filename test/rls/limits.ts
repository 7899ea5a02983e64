/**
 * @module test/rls/limits
 * The rate limit rules of the test service and envoyproxy/ratelimit's fixed-window arithmetic,
 * kept pure (no Redis, no clock) so the service only does I/O: which configured limit applies
 * to a request descriptor, the Redis key of its current window, how many hits it spends, and
 * the descriptor status that a counter value produces.
 */
import { Code, Unit, type DescriptorStatus, type RateLimitDescriptor, type RateLimitRequest } from "./proto/rls.ts";

export type LimitUnit = "second" | "minute" | "hour" | "day";

/**
 * One configured limit. `entries` are matched against a request descriptor's entries in order
 * and must have the same length; an entry without `value` matches any value, and each value then
 * gets its own counter (envoyproxy/ratelimit's `key` without `value`).
 */
export interface DescriptorLimit {
  entries: { key: string; value?: string }[];
  requestsPerUnit: number;
  unit: LimitUnit;
  /** Reported as `current_limit.name`. */
  name?: string;
  /** Counted and reported, but never refuses (`code` stays OK). */
  shadowMode?: boolean;
}

/** A limit resolved for one descriptor. */
export interface AppliedLimit {
  requestsPerUnit: number;
  unit: number;
  unitSeconds: number;
  name: string;
  shadowMode: boolean;
}

export const UNIT_NUMBER: Record<LimitUnit, number> = { second: Unit.SECOND, minute: Unit.MINUTE, hour: Unit.HOUR, day: Unit.DAY };

/** Window length per protocol unit, as envoyproxy/ratelimit divides time (months of 30 days, years of 365). */
export function unitSeconds(unit: number): number {
  switch (unit) {
    case Unit.SECOND: return 1;
    case Unit.MINUTE: return 60;
    case Unit.HOUR: return 3600;
    case Unit.DAY: return 86400;
    case Unit.MONTH: return 86400 * 30;
    case Unit.YEAR: return 86400 * 365;
    default: return 0;
  }
}

/** Checks a configuration, throwing one clear message for the first problem. */
export function validateLimits(limits: DescriptorLimit[]): void {
  limits.forEach((l, i) => {
    if (!Array.isArray(l.entries) || l.entries.length === 0) throw new Error(`limits[${i}].entries: at least one entry is required`);
    l.entries.forEach((e, j) => {
      if (!e.key) throw new Error(`limits[${i}].entries[${j}].key: must be a non-empty string`);
    });
    if (!Number.isInteger(l.requestsPerUnit) || l.requestsPerUnit < 0 || l.requestsPerUnit > 0xffffffff) {
      throw new Error(`limits[${i}].requestsPerUnit: must be an integer from 0 to 2^32-1, got ${l.requestsPerUnit}`);
    }
    if (!(l.unit in UNIT_NUMBER)) throw new Error(`limits[${i}].unit: must be second, minute, hour or day, got ${JSON.stringify(l.unit)}`);
  });
}

/**
 * The limit for `descriptor`: its own `limit` override first (as envoyproxy/ratelimit honours
 * it), else the most specific configured rule (an exact value beats a wildcard at the first
 * entry where candidates differ), else none.
 */
export function resolveLimit(limits: DescriptorLimit[], descriptor: RateLimitDescriptor): AppliedLimit | null {
  const o = descriptor.limit;
  if (o) {
    const seconds = unitSeconds(o.unit);
    return seconds > 0 ? { requestsPerUnit: o.requestsPerUnit, unit: o.unit, unitSeconds: seconds, name: "", shadowMode: false } : null;
  }
  const entries = descriptor.entries;
  let best: DescriptorLimit | null = null;
  for (const l of limits) {
    if (l.entries.length !== entries.length) continue;
    if (!l.entries.every((e, i) => e.key === entries[i].key && (e.value === undefined || e.value === entries[i].value))) continue;
    if (!best || moreSpecific(l, best)) best = l;
  }
  if (!best) return null;
  const unit = UNIT_NUMBER[best.unit];
  return { requestsPerUnit: best.requestsPerUnit, unit, unitSeconds: unitSeconds(unit), name: best.name ?? "", shadowMode: !!best.shadowMode };
}

function moreSpecific(a: DescriptorLimit, b: DescriptorLimit): boolean {
  for (let i = 0; i < a.entries.length; i++) {
    const av = a.entries[i].value !== undefined, bv = b.entries[i].value !== undefined;
    if (av !== bv) return av;
  }
  return false;
}

/** Hits a descriptor spends: its own `hits_addend` when present (0 = check only), else the request's, at least 1. */
export function hitsFor(request: RateLimitRequest, descriptor: RateLimitDescriptor): number {
  return descriptor.hitsAddend !== undefined ? descriptor.hitsAddend : Math.max(1, request.hitsAddend);
}

/** Start (unix seconds) of the fixed window containing `nowSeconds`. */
export function windowStart(nowSeconds: number, seconds: number): number {
  return Math.floor(nowSeconds / seconds) * seconds;
}

/** envoyproxy/ratelimit's cache key: `<prefix><domain>_<key>_<value>_…_<window start>`. */
export function cacheKey(prefix: string, domain: string, descriptor: RateLimitDescriptor, limit: AppliedLimit, nowSeconds: number): string {
  let key = prefix + domain + "_";
  for (const e of descriptor.entries) key += `${e.key}_${e.value}_`;
  return key + windowStart(nowSeconds, limit.unitSeconds);
}

/**
 * The status for a counter that went from `after - hits` to `after`: over the limit when the
 * count passes `requests_per_unit` (reaching it exactly is still OK, with 0 remaining), as
 * envoyproxy/ratelimit decides; shadow mode reports OK whatever the count.
 */
export function statusFor(limit: AppliedLimit, after: number, nowSeconds: number): DescriptorStatus {
  const over = after > limit.requestsPerUnit;
  const reset = limit.unitSeconds - (Math.floor(nowSeconds) % limit.unitSeconds);
  return {
    code: over && !limit.shadowMode ? Code.OVER_LIMIT : Code.OK,
    currentLimit: { requestsPerUnit: limit.requestsPerUnit, unit: limit.unit, name: limit.name },
    limitRemaining: over ? 0 : limit.requestsPerUnit - after,
    durationUntilReset: { seconds: reset, nanos: 0 },
  };
}
