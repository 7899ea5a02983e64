/**
 * @module harness/http
 * The state of one HTTP stream context inside one VM, mirroring Envoy's Wasm `Context`:
 * the header-map and body "handles" the filter holds (set when its callback runs, dropped
 * when it continues), the access-log copies used in `proxy_on_log`, and the hooks back into
 * the stream driver for the actions Envoy defers until the callback returns.
 */
import type { HeaderMap } from "./header-map.ts";
import type { RootContext } from "./root.ts";
import { TraceLog } from "./trace-log.ts";

export type Direction = "request" | "response";

/** A body the filter currently sees; `set_buffer_bytes` rewrites `bytes` in place. */
export interface BodyBuffer { bytes: Uint8Array }

/** Facts about the stream that properties read (`request.*`, `response.*`, connection). */
export interface StreamInfo {
  startTimeMs: number;
  protocol: string;
  responseCode?: number;
  responseCodeDetails?: string;
  grpcStatus?: number;
  requestBodyBytes: number;
  responseBodyBytes: number;
  durationMs?: number;
  connectionId: number;
}

export interface LocalReplySpec {
  status: number;
  body: Uint8Array;
  headers: Array<[string, string]>;
  grpcStatus: number | null;
  details: string;
}

/** What the driver offers a stream context; Envoy's decoder/encoder filter callbacks. */
export interface StreamHooks {
  continueStream(ctx: StreamContext, dir: Direction): void;
  closeStream(ctx: StreamContext, dir: Direction): void;
  sendLocalReply(ctx: StreamContext, reply: LocalReplySpec): void;
  /** Creates trailers from the last body callback (`addDecodedTrailers`/`addEncodedTrailers`). */
  addTrailers(ctx: StreamContext, dir: Direction): HeaderMap;
  clearRouteCache(ctx: StreamContext): void;
  /** Filter state shared by every filter of the stream (`wasm.<name>` objects). */
  readonly filterState: Map<string, Uint8Array>;
  /** Objects set with the `set_envoy_filter_state` foreign function. */
  readonly envoyFilterState: Map<string, { value: string; span: number }>;
  readonly info: StreamInfo;
  /** Per-stream static properties (e.g. source.address), over the plugin's. */
  readonly properties: import("./properties.ts").PropertyTree;
}

export class StreamContext {
  readonly kind = "stream" as const;
  /** `proxy_on_context_create` ran in the VM (`in_vm_context_created_`). */
  created = false;
  destroyed = false;
  requestHeaders: HeaderMap | null = null;
  requestTrailers: HeaderMap | null = null;
  requestBody: BodyBuffer | null = null;
  responseHeaders: HeaderMap | null = null;
  responseTrailers: HeaderMap | null = null;
  responseBody: BodyBuffer | null = null;
  endOfStream = false;
  bufferingRequestBody = false;
  bufferingResponseBody = false;
  /** In `proxy_on_log`: maps are the read-only access-log copies below. */
  logPhase = false;
  logRequestHeaders: HeaderMap | null = null;
  logResponseHeaders: HeaderMap | null = null;
  logResponseTrailers: HeaderMap | null = null;
  /** The 503 `wasm_fail_stream` reply went out; response callbacks are skipped after it. */
  failureReplySent = false;
  /** Times `clear_route_cache` was called on this stream. */
  routeCacheCleared = 0;
  foreignArgs: Uint8Array = new Uint8Array(0);
  /** Properties declared with the `declare_property` foreign function (effective in root contexts). */
  readonly declared = new Map<string, { readonly: boolean }>();
  readonly trace = new TraceLog();

  constructor(readonly id: number, readonly root: RootContext, readonly hooks: StreamHooks) {}

  dropRequestHandles(): void {
    this.requestHeaders = null;
    this.requestBody = null;
    this.requestTrailers = null;
  }
}
