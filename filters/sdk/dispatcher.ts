/**
 * @module filters/sdk/dispatcher
 * The `proxy_on_*` callbacks the host calls (exports.ts brackets each one and calls its
 * `dispatch*` function here), routed to the filter's contexts. Contexts are kept by id; an id the
 * module does not know (a root without factory, a stream the root declined, a context already
 * deleted) gets the ABI's neutral answer instead of a trap. Callout answers go to the context that
 * made the call, after `proxy_set_effective_context` so its host calls act on its stream.
 */
import { LogLevel, PeerType } from "./types";
import { Context, HttpContext, RootContext, TcpContext, calloutOwners } from "./context";
import { beginCallback, log } from "./hostcalls/log";
import { enterCallback, leaveCallback, streamEnded } from "./runtime/collect";
import { getPropertyString } from "./hostcalls/properties";
import { setEffectiveContext } from "./hostcalls/lifecycle";

export type RootFactory = (contextId: u32) => RootContext;

const factories = new Map<string, RootFactory>();
const roots = new Map<u32, RootContext>();
const https = new Map<u32, HttpContext>();
const tcps = new Map<u32, TcpContext>();

/**
 * The stream the last HTTP callback went to: a stream's callbacks come one after another, so one
 * compare finds it instead of a map's `has` then `get` (AssemblyScript's `get` traps on a missing
 * key). Cleared when that context is deleted or created again.
 */
let lastHttpId: u32 = 0;
let lastHttp: HttpContext | null = null;

function httpById(contextId: u32): HttpContext | null {
  if (contextId == lastHttpId) { const h = lastHttp; if (h !== null) return h; }
  if (!https.has(contextId)) return null;
  const h = https.get(contextId);
  lastHttpId = contextId;
  lastHttp = h;
  return h;
}

function forgetHttp(contextId: u32): void {
  if (contextId == lastHttpId) { lastHttpId = 0; lastHttp = null; }
}

/**
 * Registers the root context factory of plugin `rootId` (`""` = any root id without its own
 * factory). The only thing a filter's top-level code should do: no host call happens here.
 */
export function registerRootContext(rootId: string, factory: RootFactory): void {
  factories.set(rootId, factory);
}

/** One factory serves every root id; several are chosen by `plugin_root_id`, then `""`. */
function factoryFor(): RootFactory | null {
  const keys = factories.keys();
  if (keys.length == 0) return null;
  if (keys.length == 1) return factories.get(unchecked(keys[0]));
  const rootId = getPropertyString(["plugin_root_id"]);
  if (rootId !== null && factories.has(rootId)) return factories.get(rootId);
  if (factories.has("")) return factories.get("");
  log(LogLevel.Error, "no root context registered for root id '" + (rootId !== null ? rootId : "") + "'");
  return null;
}

// --- lifecycle -----------------------------------------------------------------------------

export function dispatchContextCreate(contextId: u32, parentContextId: u32): void {
  if (parentContextId == 0) {
    // Envoy calls this again when it restarts a plugin whose root still exists: keep its state.
    if (roots.has(contextId)) return;
    const factory = factoryFor();
    if (factory !== null) roots.set(contextId, factory(contextId));
    return;
  }
  if (!roots.has(parentContextId)) return;
  const root = roots.get(parentContextId);
  forgetHttp(contextId);
  const http = root.newHttpContext(contextId);
  if (http !== null) { https.set(contextId, http); return; }
  const tcp = root.newTcpContext(contextId);
  if (tcp !== null) tcps.set(contextId, tcp);
}

export function dispatchVmStart(rootContextId: u32, vmConfigurationSize: u32): i32 {
  if (!roots.has(rootContextId)) return 1;
  return roots.get(rootContextId).onVmStart(vmConfigurationSize) ? 1 : 0;
}

export function dispatchConfigure(rootContextId: u32, pluginConfigurationSize: u32): i32 {
  if (!roots.has(rootContextId)) return 1;
  return roots.get(rootContextId).onConfigure(pluginConfigurationSize) ? 1 : 0;
}

/**
 * Not in the SDK's default exports: a filter that wants hosts to validate its configuration
 * re-exports it. The root may not exist yet (cpp-host validates before starting the plugin), so it
 * is made here without `proxy_on_context_create`, and kept for a later start with the same id.
 */
export function proxy_validate_configuration(rootContextId: u32, pluginConfigurationSize: u32): i32 {
  enterCallback();
  beginCallback();
  const valid = validateConfiguration(rootContextId, pluginConfigurationSize);
  leaveCallback();
  return valid;
}

function validateConfiguration(rootContextId: u32, pluginConfigurationSize: u32): i32 {
  if (!roots.has(rootContextId)) {
    const factory = factoryFor();
    if (factory === null) return 1;
    roots.set(rootContextId, factory(rootContextId));
  }
  return roots.get(rootContextId).onValidateConfiguration(pluginConfigurationSize) ? 1 : 0;
}

function contextById(contextId: u32): Context | null {
  const http = httpById(contextId);
  if (http !== null) return http;
  if (roots.has(contextId)) return roots.get(contextId);
  if (tcps.has(contextId)) return tcps.get(contextId);
  return null;
}

export function dispatchDone(contextId: u32): i32 {
  const context = contextById(contextId);
  if (context === null) return 1;
  return context.onDone() ? 1 : 0;
}

export function dispatchLog(contextId: u32): void {
  const http = httpById(contextId);
  if (http !== null) http.onLog();
  else if (tcps.has(contextId)) tcps.get(contextId).onLog();
}

export function dispatchDelete(contextId: u32): void {
  const context = contextById(contextId);
  if (context === null) return;
  context.alive = false;
  context.onDelete();
  if (!roots.has(contextId)) streamEnded();
  forgetHttp(contextId);
  https.delete(contextId);
  roots.delete(contextId);
  tcps.delete(contextId);
}

// --- root callbacks -----------------------------------------------------------------------

export function dispatchTick(rootContextId: u32): void {
  if (roots.has(rootContextId)) roots.get(rootContextId).onTick();
}

export function dispatchQueueReady(rootContextId: u32, queueId: u32): void {
  if (roots.has(rootContextId)) roots.get(rootContextId).onQueueReady(queueId);
}

export function dispatchForeignFunction(rootContextId: u32, functionId: u32, argumentsSize: u32): void {
  if (roots.has(rootContextId)) roots.get(rootContextId).onForeignFunction(functionId, argumentsSize);
}

// --- HTTP streams -------------------------------------------------------------------------

export function dispatchRequestHeaders(contextId: u32, numHeaders: u32, endOfStream: u32): i32 {
  const http = httpById(contextId);
  if (http === null) return 0;
  return http.onRequestHeaders(numHeaders, endOfStream != 0);
}

export function dispatchRequestBody(contextId: u32, bodySize: u32, endOfStream: u32): i32 {
  const http = httpById(contextId);
  if (http === null) return 0;
  return http.onRequestBody(bodySize, endOfStream != 0);
}

export function dispatchRequestTrailers(contextId: u32, numTrailers: u32): i32 {
  const http = httpById(contextId);
  if (http === null) return 0;
  return http.onRequestTrailers(numTrailers);
}

export function dispatchResponseHeaders(contextId: u32, numHeaders: u32, endOfStream: u32): i32 {
  const http = httpById(contextId);
  if (http === null) return 0;
  return http.onResponseHeaders(numHeaders, endOfStream != 0);
}

export function dispatchResponseBody(contextId: u32, bodySize: u32, endOfStream: u32): i32 {
  const http = httpById(contextId);
  if (http === null) return 0;
  return http.onResponseBody(bodySize, endOfStream != 0);
}

export function dispatchResponseTrailers(contextId: u32, numTrailers: u32): i32 {
  const http = httpById(contextId);
  if (http === null) return 0;
  return http.onResponseTrailers(numTrailers);
}

// --- TCP streams --------------------------------------------------------------------------

export function dispatchNewConnection(contextId: u32): i32 {
  if (!tcps.has(contextId)) return 0;
  return tcps.get(contextId).onNewConnection();
}

export function dispatchDownstreamData(contextId: u32, dataSize: u32, endOfStream: u32): i32 {
  if (!tcps.has(contextId)) return 0;
  return tcps.get(contextId).onDownstreamData(dataSize, endOfStream != 0);
}

export function dispatchDownstreamConnectionClose(contextId: u32, peerType: u32): void {
  if (tcps.has(contextId)) tcps.get(contextId).onDownstreamConnectionClose(<PeerType>peerType);
}

export function dispatchUpstreamData(contextId: u32, dataSize: u32, endOfStream: u32): i32 {
  if (!tcps.has(contextId)) return 0;
  return tcps.get(contextId).onUpstreamData(dataSize, endOfStream != 0);
}

export function dispatchUpstreamConnectionClose(contextId: u32, peerType: u32): void {
  if (tcps.has(contextId)) tcps.get(contextId).onUpstreamConnectionClose(<PeerType>peerType);
}

// --- callout answers ----------------------------------------------------------------------

/**
 * The context a callout answer belongs to: its owner if still alive (made current through
 * `proxy_set_effective_context`), the root for calls made without a context, null to drop it.
 */
function calloutTarget(rootContextId: u32, callId: u32, finished: bool): Context | null {
  if (calloutOwners.has(callId)) {
    const owner = calloutOwners.get(callId);
    if (finished) calloutOwners.delete(callId);
    if (!owner.alive) return null;
    if (owner.id != rootContextId) setEffectiveContext(owner.id);
    return owner;
  }
  return roots.has(rootContextId) ? roots.get(rootContextId) : null;
}

export function dispatchHttpCallResponse(rootContextId: u32, callId: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {
  const target = calloutTarget(rootContextId, callId, true);
  if (target !== null) target.onHttpCallResponse(callId, numHeaders, bodySize, numTrailers);
}

export function dispatchGrpcReceiveInitialMetadata(rootContextId: u32, callId: u32, numElements: u32): void {
  const target = calloutTarget(rootContextId, callId, false);
  if (target !== null) target.onGrpcReceiveInitialMetadata(callId, numElements);
}

export function dispatchGrpcReceive(rootContextId: u32, callId: u32, messageSize: u32): void {
  const target = calloutTarget(rootContextId, callId, false);
  if (target !== null) target.onGrpcReceive(callId, messageSize);
}

export function dispatchGrpcReceiveTrailingMetadata(rootContextId: u32, callId: u32, numElements: u32): void {
  const target = calloutTarget(rootContextId, callId, false);
  if (target !== null) target.onGrpcReceiveTrailingMetadata(callId, numElements);
}

export function dispatchGrpcClose(rootContextId: u32, callId: u32, statusCode: u32): void {
  const target = calloutTarget(rootContextId, callId, true);
  if (target !== null) target.onGrpcClose(callId, statusCode);
}
