/**
 * @module filters/sdk/hostcalls/timers
 * Tick timers and the clock. The tick period belongs to the root context (set from a stream, it
 * sets its root's); Envoy re-arms it after each tick; 0 stops it.
 */
import { Status } from "../types";
import { proxy_get_current_time_nanoseconds, proxy_set_tick_period_milliseconds, wasi_clock_time_get } from "./raw";
import { SLOT_A } from "./memory";
import { record } from "./status";

/** Calls the root's `onTick` every `periodMs` milliseconds; 0 stops the timer. */
export function setTickPeriodMilliseconds(periodMs: u32): Status {
  return record(proxy_set_tick_period_milliseconds(periodMs));
}

/** Wall-clock time in nanoseconds since the Unix epoch (`proxy_get_current_time_nanoseconds`); 0 on failure. */
export function getCurrentTimeNanoseconds(): u64 {
  if (record(proxy_get_current_time_nanoseconds(SLOT_A)) != Status.Ok) return 0;
  return load<u64>(SLOT_A);
}

/** Monotonic time in nanoseconds (WASI clock 1), for measuring durations; 0 on failure. */
export function getMonotonicNanoseconds(): u64 {
  if (wasi_clock_time_get(1, 1, SLOT_A) != 0) return 0;
  return load<u64>(SLOT_A);
}
