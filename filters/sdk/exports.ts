/**
 * @module filters/sdk/exports
 * Everything a proxy-wasm host looks for in a module: the ABI marker, the one allocator and every
 * callback. A filter's `main.ts` re-exports this file (`export * from "../sdk/exports"`).
 *
 * Each callback is bracketed by `enter` and `leave`: the per-callback caches are reset, and the
 * outermost callback's end is where a module built with the minimal runtime collects garbage
 * (runtime/collect.ts). The routing to contexts is the dispatcher's.
 */
import "./runtime/abort";
import {
  dispatchContextCreate, dispatchVmStart, dispatchConfigure, dispatchDone, dispatchLog, dispatchDelete,
  dispatchTick, dispatchQueueReady, dispatchForeignFunction, dispatchRequestHeaders, dispatchRequestBody,
  dispatchRequestTrailers, dispatchResponseHeaders, dispatchResponseBody, dispatchResponseTrailers,
  dispatchNewConnection, dispatchDownstreamData, dispatchDownstreamConnectionClose, dispatchUpstreamData,
  dispatchUpstreamConnectionClose, dispatchHttpCallResponse, dispatchGrpcReceiveInitialMetadata,
  dispatchGrpcReceive, dispatchGrpcReceiveTrailingMetadata, dispatchGrpcClose,
} from "./dispatcher";
import { enterCallback, leaveCallback } from "./runtime/collect";
import { beginCallback } from "./hostcalls/log";
import { allocateForHost } from "./hostcalls/memory";

/** ABI marker: the host detects the ABI version by this export's name; never called. */
export function proxy_abi_version_0_2_1(): void {}

/**
 * The only allocator (cpp-host would prefer a `malloc` export, so there is none). What the host
 * writes here belongs to the module, which frees it after copying (hostcalls/memory.ts, which
 * keeps one reusable block for the common case). Called from inside host calls, so it is no
 * callback of its own: it never collects.
 */
export function proxy_on_memory_allocate(size: usize): usize {
  return allocateForHost(size);
}

// @ts-ignore: decorator
@inline function enter(): void {
  enterCallback();
  beginCallback();
}

/** Ends the callback after its result was computed (the argument is evaluated first). */
// @ts-ignore: decorator
@inline function leave(result: i32): i32 {
  leaveCallback();
  return result;
}

// --- lifecycle -----------------------------------------------------------------------------

export function proxy_on_context_create(contextId: u32, parentContextId: u32): void {
  enter();
  dispatchContextCreate(contextId, parentContextId);
  leaveCallback();
}

export function proxy_on_vm_start(rootContextId: u32, vmConfigurationSize: u32): i32 {
  enter();
  return leave(dispatchVmStart(rootContextId, vmConfigurationSize));
}

export function proxy_on_configure(rootContextId: u32, pluginConfigurationSize: u32): i32 {
  enter();
  return leave(dispatchConfigure(rootContextId, pluginConfigurationSize));
}

export function proxy_on_done(contextId: u32): i32 {
  enter();
  return leave(dispatchDone(contextId));
}

export function proxy_on_log(contextId: u32): void {
  enter();
  dispatchLog(contextId);
  leaveCallback();
}

export function proxy_on_delete(contextId: u32): void {
  enter();
  dispatchDelete(contextId);
  leaveCallback();
}

// --- root callbacks ------------------------------------------------------------------------

export function proxy_on_tick(rootContextId: u32): void {
  enter();
  dispatchTick(rootContextId);
  leaveCallback();
}

export function proxy_on_queue_ready(rootContextId: u32, queueId: u32): void {
  enter();
  dispatchQueueReady(rootContextId, queueId);
  leaveCallback();
}

export function proxy_on_foreign_function(rootContextId: u32, functionId: u32, argumentsSize: u32): void {
  enter();
  dispatchForeignFunction(rootContextId, functionId, argumentsSize);
  leaveCallback();
}

// --- HTTP streams --------------------------------------------------------------------------

export function proxy_on_request_headers(contextId: u32, numHeaders: u32, endOfStream: u32): i32 {
  enter();
  return leave(dispatchRequestHeaders(contextId, numHeaders, endOfStream));
}

export function proxy_on_request_body(contextId: u32, bodySize: u32, endOfStream: u32): i32 {
  enter();
  return leave(dispatchRequestBody(contextId, bodySize, endOfStream));
}

export function proxy_on_request_trailers(contextId: u32, numTrailers: u32): i32 {
  enter();
  return leave(dispatchRequestTrailers(contextId, numTrailers));
}

export function proxy_on_response_headers(contextId: u32, numHeaders: u32, endOfStream: u32): i32 {
  enter();
  return leave(dispatchResponseHeaders(contextId, numHeaders, endOfStream));
}

export function proxy_on_response_body(contextId: u32, bodySize: u32, endOfStream: u32): i32 {
  enter();
  return leave(dispatchResponseBody(contextId, bodySize, endOfStream));
}

export function proxy_on_response_trailers(contextId: u32, numTrailers: u32): i32 {
  enter();
  return leave(dispatchResponseTrailers(contextId, numTrailers));
}

// --- TCP streams ---------------------------------------------------------------------------

export function proxy_on_new_connection(contextId: u32): i32 {
  enter();
  return leave(dispatchNewConnection(contextId));
}

export function proxy_on_downstream_data(contextId: u32, dataSize: u32, endOfStream: u32): i32 {
  enter();
  return leave(dispatchDownstreamData(contextId, dataSize, endOfStream));
}

export function proxy_on_downstream_connection_close(contextId: u32, peerType: u32): void {
  enter();
  dispatchDownstreamConnectionClose(contextId, peerType);
  leaveCallback();
}

export function proxy_on_upstream_data(contextId: u32, dataSize: u32, endOfStream: u32): i32 {
  enter();
  return leave(dispatchUpstreamData(contextId, dataSize, endOfStream));
}

export function proxy_on_upstream_connection_close(contextId: u32, peerType: u32): void {
  enter();
  dispatchUpstreamConnectionClose(contextId, peerType);
  leaveCallback();
}

// --- callout answers -----------------------------------------------------------------------

export function proxy_on_http_call_response(rootContextId: u32, callId: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {
  enter();
  dispatchHttpCallResponse(rootContextId, callId, numHeaders, bodySize, numTrailers);
  leaveCallback();
}

export function proxy_on_grpc_receive_initial_metadata(rootContextId: u32, callId: u32, numElements: u32): void {
  enter();
  dispatchGrpcReceiveInitialMetadata(rootContextId, callId, numElements);
  leaveCallback();
}

export function proxy_on_grpc_receive(rootContextId: u32, callId: u32, messageSize: u32): void {
  enter();
  dispatchGrpcReceive(rootContextId, callId, messageSize);
  leaveCallback();
}

export function proxy_on_grpc_receive_trailing_metadata(rootContextId: u32, callId: u32, numElements: u32): void {
  enter();
  dispatchGrpcReceiveTrailingMetadata(rootContextId, callId, numElements);
  leaveCallback();
}

export function proxy_on_grpc_close(rootContextId: u32, callId: u32, statusCode: u32): void {
  enter();
  dispatchGrpcClose(rootContextId, callId, statusCode);
  leaveCallback();
}
