/**
 * @module filters/sdk/hostcalls/status
 * The status of the last host call made through a wrapper. Wrappers that yield a value return
 * null (objects), 0 (ids, which hosts never hand out as 0) or -1 (sizes and metric values) when
 * the host did not answer OK; `lastStatus()` then says why, like C's errno. Nothing traps.
 */
import { Status } from "../types";

let last: Status = Status.Ok;

/** Status of the most recent host call made through an SDK wrapper. */
export function lastStatus(): Status {
  return last;
}

/** Records a raw status number from the host and returns it typed. */
// @ts-ignore: decorator
@inline
export function record(raw: i32): Status {
  last = <Status>raw;
  return last;
}
