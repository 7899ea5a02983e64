/**
 * @module filters/sdk
 * The public surface of Tollgate's proxy-wasm SDK: contexts to extend, ABI enums, the root
 * factory registration, and the typed host-call wrappers. Wrappers never trap: actions return a
 * `Status`; getters return null / 0 / -1 when the host did not answer OK, and `lastStatus()` says why.
 */
import "./runtime/abort";

export * from "./types";
export { Context, RootContext, HttpContext, TcpContext } from "./context";
export { registerRootContext, RootFactory } from "./dispatcher";
export { lastStatus } from "./hostcalls/status";
export { collectSoon } from "./runtime/collect";
export { HeaderPair, serializePairs, parsePairs } from "./hostcalls/pairs";
export { log, logBytes, logEnabled, logLevel, logTrace, logDebug, logInfo, logWarn, logError, logCritical } from "./hostcalls/log";
export * from "./hostcalls/headers";
export * from "./hostcalls/buffers";
export * from "./hostcalls/stream";
export * from "./hostcalls/lifecycle";
export * from "./hostcalls/properties";
export * from "./hostcalls/shared";
export * from "./hostcalls/metrics";
export * from "./hostcalls/callouts";
export * from "./hostcalls/timers";
export * from "./hostcalls/foreign";
