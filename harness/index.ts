/**
 * @module harness
 * Tollgate's proxy-wasm host for Node: load a built filter, drive HTTP streams through it
 * (or a chain of filters) and TCP connections through it as a network filter, exactly as Envoy
 * would, and observe what came out.
 */
export { Host, type HostOptions, type PluginOptions, type MetricValue } from "./host.ts";
export { Chain } from "./chain.ts";
export { Plugin, type ReloadRecord } from "./plugin.ts";
export type { FailurePolicy } from "./root.ts";
export type { ValidationResult } from "./startup.ts";
export { HttpStream, type StreamOptions, type CallbackRecord, type Piece } from "./driver.ts";
export { TcpConnection, type ConnectionOptions, type TcpReceived, type TcpClose, type TcpCallbackRecord } from "./tcp.ts";
export type { TcpExchange } from "./tcp-exchange.ts";
export type { Received, LocalResponse } from "./replies.ts";
export { Environment, type EnvironmentOptions } from "./environment.ts";
export { HeaderMap, type HeadersInit } from "./header-map.ts";
export { Callout, type CalloutHandler, type CalloutReply, type HttpReply, type GrpcReply, type ClusterTarget } from "./callouts.ts";
export { HostLoadError } from "./compile.ts";
export { prop, TypedValue, type PropertyTree, type PropertyValue } from "./properties.ts";
export { Status, MapType, BufferType, StreamType, MetricType, PeerType, type FilterStatus, type NetworkStatus, type LogLevelName } from "./abi.ts";
export { encodePairs, decodePairs } from "./memory.ts";
export type { Exchange, MessageSpec } from "./exchange.ts";
export type { LogEntry, Misuse, TraceEntry } from "./vm.ts";
export { ManualClock, RealClock, type Clock } from "./clock.ts";
