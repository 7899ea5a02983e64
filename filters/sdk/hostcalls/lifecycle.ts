/**
 * @module filters/sdk/hostcalls/lifecycle
 * Context bookkeeping with the host: the effective context (which stream later host calls act
 * on) and `proxy_done` (a root that answered false to `onDone` finishing later).
 */
import { Status } from "../types";
import { proxy_done, proxy_set_effective_context } from "./raw";
import { record } from "./status";

/** Makes later host calls of this callback act on `contextId`; BAD_ARGUMENT for an unknown id. */
export function setEffectiveContext(contextId: u32): Status {
  return record(proxy_set_effective_context(contextId));
}

/** Tells the host a root that returned false from `onDone` may now be deleted; NOT_FOUND if it was not pending. */
export function done(): Status {
  return record(proxy_done());
}
