/**
 * @module filters/token-limit/window
 * The sliding window of one (limit, key slot), kept in proxy-wasm shared data and updated with
 * compare-and-swap so Envoy's worker threads never lose each other's updates.
 *
 * Algorithm: a ring of sub-buckets. A window of W is cut into N = 10 sub-buckets of g = W/N;
 * tokens are added to the sub-bucket of the current time, and a check sums the current
 * sub-bucket and the N before it (N + 1 in all). The counted stretch therefore always covers the
 * whole last W (and at most g more): the filter never admits more than the budget within any
 * span of W — there is no double budget at an edge, as fixed windows allow — and the only error
 * is conservative: a token is remembered for up to W + g instead of W (at most 10 % longer).
 * Reset times are exact for this scheme (when the sub-bucket holding a token leaves the ring).
 *
 * Value layout (little-endian, 176 bytes): N + 1 pairs of (i64 sub-bucket number, i64 tokens),
 * the pair of sub-bucket b at index b mod (N + 1). A stale pair (older number) counts as empty.
 */
import { SharedCopy, Status, copySharedData, setSharedDataBytes } from "../sdk/index";

export const SUB_BUCKETS: i64 = 10;
const RING: i32 = 11;
const PAIR: i32 = 16;
export const VALUE_BYTES: i32 = RING * PAIR;
const MAX_CAS_RETRIES: i32 = 64;
const VALUE = new ArrayBuffer(VALUE_BYTES);
const FOUND = new SharedCopy();

/** The outcome of one read-modify-write of a window. */
export class WindowResult {
  /** The host refused the update (not a CAS race): the caller treats the limit as unenforced. */
  failed: bool = false;
  /** The check refused: nothing was added. */
  refused: bool = false;
  /** Tokens counted in the window before this update. */
  used: i64 = 0;
  /** Tokens counted after it. */
  after: i64 = 0;
  /** The sub-bucket the tokens were added to. */
  bucket: i64 = 0;
  /** Milliseconds until every counted token has left the window. */
  resetMs: i64 = 0;
  /** Milliseconds until `need` more tokens would fit (for `retry-after`). */
  retryMs: i64 = 0;
  /** CAS mismatches met (and retried). */
  retries: i32 = 0;
}

/** Sub-bucket length in ms for a window. */
// @ts-ignore: decorator
@inline export function subBucketMs(windowMs: i64): i64 { return windowMs / SUB_BUCKETS; }

/**
 * One window operation, retried on CAS mismatch:
 * - when `limit` > 0, refuses (adding nothing) if the window is exhausted or `need` more tokens
 *   would pass `limit`;
 * - subtracts `release` from sub-bucket `releaseBucket` if that sub-bucket is still in the ring
 *   (a reservation being replaced; never below zero);
 * - adds `add` to the current sub-bucket.
 */
export function updateWindow(key: ArrayBuffer, windowMs: i64, nowMs: i64, limit: i64, need: i64, add: i64,
    releaseBucket: i64, release: i64, out: WindowResult): WindowResult {
  const g = subBucketMs(windowMs);
  const cur = nowMs / g;
  out.failed = false;
  out.refused = false;
  out.retries = 0;
  out.bucket = cur;
  // The host copies what it stores, so one buffer serves every update; the value is read into it.
  const p = changetype<usize>(VALUE);
  for (let attempt = 0; attempt < MAX_CAS_RETRIES; attempt++) {
    let cas: u32 = 0;
    if (copySharedData(key, p, VALUE_BYTES, FOUND) && FOUND.length == VALUE_BYTES) cas = FOUND.cas;
    else memory.fill(p, 0, <usize>VALUE_BYTES);
    const used = sumWindow(p, cur);
    out.used = used;
    if (limit > 0 && (used >= limit || used + need > limit)) {
      out.refused = true;
      out.after = used;
      fillTimes(p, cur, g, nowMs, used - limit + need, out);
      return out;
    }
    if (release > 0 && releaseBucket >= cur - SUB_BUCKETS && releaseBucket <= cur) {
      const q = p + <usize>(<i32>(releaseBucket % RING) * PAIR);
      if (load<i64>(q) == releaseBucket) {
        const t = load<i64>(q, 8) - release;
        store<i64>(q, t > 0 ? t : 0, 8);
      }
    }
    if (add != 0) {
      const q = p + <usize>(<i32>(cur % RING) * PAIR);
      if (load<i64>(q) != cur) { store<i64>(q, cur); store<i64>(q, 0, 8); }
      const t = load<i64>(q, 8) + add;
      store<i64>(q, t > 0 ? t : 0, 8);
    }
    const status = setSharedDataBytes(key, p, <usize>VALUE_BYTES, cas);
    if (status == Status.Ok) {
      out.after = sumWindow(p, cur);
      fillTimes(p, cur, g, nowMs, 0, out);
      return out;
    }
    if (status != Status.CasMismatch) break;
    out.retries++;
  }
  out.failed = true;
  return out;
}

function sumWindow(p: usize, cur: i64): i64 {
  let used: i64 = 0;
  for (let i = 0; i < RING; i++) {
    const b = load<i64>(p + <usize>(i * PAIR));
    if (b >= cur - SUB_BUCKETS && b <= cur) used += load<i64>(p + <usize>(i * PAIR), 8);
  }
  return used;
}

/** Reset (newest counted tokens leave) and retry (`excess` tokens have left) times. */
function fillTimes(p: usize, cur: i64, g: i64, nowMs: i64, excess: i64, out: WindowResult): void {
  let freed: i64 = 0;
  out.resetMs = 0;
  out.retryMs = 0;
  let retryFound = excess <= 0;
  for (let b = cur - SUB_BUCKETS; b <= cur; b++) {
    const q = p + <usize>(<i32>(b % RING) * PAIR);
    if (load<i64>(q) != b) continue;
    const t = load<i64>(q, 8);
    if (t <= 0) continue;
    const leaves = (b + SUB_BUCKETS + 1) * g - nowMs;
    out.resetMs = leaves;
    freed += t;
    if (!retryFound && freed >= excess) { out.retryMs = leaves; retryFound = true; }
  }
  // More than the whole budget was asked for: it never fits; say when the window is empty.
  if (!retryFound) out.retryMs = out.resetMs;
}
