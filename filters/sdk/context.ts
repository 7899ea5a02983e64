/**
 * @module filters/sdk/context
 * Base classes a filter extends. Every callback defaults to "continue" (or true, or nothing), so a
 * filter overrides only what it needs. A `RootContext` exists per plugin (root id) and makes one
 * `HttpContext` per request (or `TcpContext` per connection); callouts made through a context's
 * `dispatch*` methods are answered on that same context.
 */
import {
  Action, BufferType, FilterDataStatus, FilterHeadersStatus, FilterTrailersStatus, PeerType, Status, StreamType,
} from "./types";
import { getBufferBytes, setBufferBytes } from "./hostcalls/buffers";
import { closeStream, continueStream } from "./hostcalls/stream";
import { grpcCall, grpcStream, httpCall } from "./hostcalls/callouts";
import { HeaderPair } from "./hostcalls/pairs";

/** Call id → the context that made the call (read by the dispatcher). */
export const calloutOwners = new Map<u32, Context>();

/** What every context can do: own callouts and be told it is going away. */
export class Context {
  readonly id: u32;
  /** False once the host deleted the context; late callout answers for it are dropped. */
  alive: bool = true;

  constructor(id: u32) {
    this.id = id;
  }

  /** An HTTP callout answered (`numHeaders` 0 = the call failed; see `getStatus()`). */
  onHttpCallResponse(callId: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {}
  onGrpcReceiveInitialMetadata(callId: u32, numElements: u32): void {}
  onGrpcReceive(callId: u32, messageSize: u32): void {}
  onGrpcReceiveTrailingMetadata(callId: u32, numElements: u32): void {}
  /** The gRPC call or stream ended; the message is available through `getStatus()`. */
  onGrpcClose(callId: u32, statusCode: u32): void {}

  /** Root: false = the module will call `done()` later. Streams: the result is ignored. */
  onDone(): bool { return true; }
  onDelete(): void {}

  /** `httpCall` whose response comes back to this context. Returns the call id, 0 on failure. */
  dispatchHttpCall(
    upstream: string, headers: HeaderPair[], body: ArrayBuffer | null, trailers: HeaderPair[] | null, timeoutMs: u32,
  ): u32 {
    const id = httpCall(upstream, headers, body, trailers, timeoutMs);
    if (id != 0) calloutOwners.set(id, this);
    return id;
  }

  /** `grpcCall` whose messages come back to this context. Returns the call id, 0 on failure. */
  dispatchGrpcCall(
    upstream: ArrayBuffer, service: string, method: string, metadata: HeaderPair[] | null, message: ArrayBuffer | null,
    timeoutMs: u32,
  ): u32 {
    const id = grpcCall(upstream, service, method, metadata, message, timeoutMs);
    if (id != 0) calloutOwners.set(id, this);
    return id;
  }

  /** `grpcStream` whose messages come back to this context. Returns the stream id, 0 on failure. */
  openGrpcStream(upstream: ArrayBuffer, service: string, method: string, metadata: HeaderPair[] | null): u32 {
    const id = grpcStream(upstream, service, method, metadata);
    if (id != 0) calloutOwners.set(id, this);
    return id;
  }
}

/** One per plugin. Host calls other than logging belong in these callbacks, never in top-level code. */
export class RootContext extends Context {
  /** First callback of a plugin; the VM configuration is readable (not the plugin configuration). */
  onVmStart(vmConfigurationSize: u32): bool { return true; }
  /** The plugin configuration is readable here (`pluginConfiguration()`); false rejects it. */
  onConfigure(pluginConfigurationSize: u32): bool { return true; }
  /**
   * A host asks whether a configuration would be accepted, before starting the plugin (the root
   * may not have seen `onVmStart` yet); `pluginConfiguration()` is readable. Needs the module to
   * re-export `proxy_validate_configuration` from dispatcher.ts (it is not among exports.ts's).
   */
  onValidateConfiguration(pluginConfigurationSize: u32): bool { return true; }
  onTick(): void {}
  onQueueReady(queueId: u32): void {}
  /** Arguments are in buffer `CallData` (8). */
  onForeignFunction(functionId: u32, argumentsSize: u32): void {}

  /** Makes the context of a new HTTP stream; null = this plugin does not filter HTTP. */
  newHttpContext(contextId: u32): HttpContext | null { return null; }
  /** Makes the context of a new TCP connection; null = this plugin does not filter TCP. */
  newTcpContext(contextId: u32): TcpContext | null { return null; }

  /** The plugin configuration bytes (only inside `onConfigure`); null when unavailable. */
  pluginConfiguration(): ArrayBuffer | null { return getBufferBytes(BufferType.PluginConfiguration); }
  /** The VM configuration bytes; null when unavailable. */
  vmConfiguration(): ArrayBuffer | null { return getBufferBytes(BufferType.VmConfiguration); }
}

/** One per HTTP request/response exchange. */
export class HttpContext extends Context {
  readonly root: RootContext;

  constructor(id: u32, root: RootContext) {
    super(id);
    this.root = root;
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus { return FilterHeadersStatus.Continue; }
  onRequestBody(bodySize: u32, endOfStream: bool): FilterDataStatus { return FilterDataStatus.Continue; }
  onRequestTrailers(numTrailers: u32): FilterTrailersStatus { return FilterTrailersStatus.Continue; }
  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus { return FilterHeadersStatus.Continue; }
  onResponseBody(bodySize: u32, endOfStream: bool): FilterDataStatus { return FilterDataStatus.Continue; }
  onResponseTrailers(numTrailers: u32): FilterTrailersStatus { return FilterTrailersStatus.Continue; }
  /** Access-log phase (Envoy: before done/delete); headers are read-only copies here. */
  onLog(): void {}
}

/** One per TCP connection. */
export class TcpContext extends Context {
  readonly root: RootContext;

  constructor(id: u32, root: RootContext) {
    super(id);
    this.root = root;
  }

  /** Pause delays the upstream connection until data passes or `resumeDownstream()`. */
  onNewConnection(): Action { return Action.Continue; }
  /** `dataSize` covers everything the filter held so far (a Pause keeps the bytes for the next call). */
  onDownstreamData(dataSize: u32, endOfStream: bool): Action { return Action.Continue; }
  /** The client closed (Remote) or Envoy closed it (Local); done → log → delete follow at once. */
  onDownstreamConnectionClose(peer: PeerType): void {}
  /** Bytes from the upstream; a Pause keeps them for the next call (there is no resume on this side). */
  onUpstreamData(dataSize: u32, endOfStream: bool): Action { return Action.Continue; }
  /** Envoy only calls this for an upstream write with end_stream, with peer Unknown. */
  onUpstreamConnectionClose(peer: PeerType): void {}
  /** Access-log phase, after `onDone` for TCP (Envoy: done → log → delete). */
  onLog(): void {}

  /** Client bytes (only inside `onDownstreamData`, or while it paused); null on a non-OK status. */
  downstreamData(start: u32 = 0, maxSize: u32 = u32.MAX_VALUE): ArrayBuffer | null {
    return getBufferBytes(BufferType.DownstreamData, start, maxSize);
  }
  /** Rewrites client bytes with Envoy's shapes (start 0: drop `size` and prepend; start ≥ length: append). */
  setDownstreamData(start: u32, size: u32, value: ArrayBuffer): Status {
    return setBufferBytes(BufferType.DownstreamData, start, size, value);
  }
  /** Upstream bytes (only inside `onUpstreamData`, or while it paused). */
  upstreamData(start: u32 = 0, maxSize: u32 = u32.MAX_VALUE): ArrayBuffer | null {
    return getBufferBytes(BufferType.UpstreamData, start, maxSize);
  }
  setUpstreamData(start: u32, size: u32, value: ArrayBuffer): Status {
    return setBufferBytes(BufferType.UpstreamData, start, size, value);
  }
  /** Lets held client bytes go on to the upstream (deferred until the callback returns). */
  resumeDownstream(): Status { return continueStream(StreamType.Downstream); }
  /** Closes the connection after flushing what was written (deferred until the callback returns). */
  closeDownstream(): Status { return closeStream(StreamType.Downstream); }
  /** Same connection, reported as `wasm_upstream_close`. */
  closeUpstream(): Status { return closeStream(StreamType.Upstream); }
}
