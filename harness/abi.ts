/**
 * @module harness/abi
 * The numbers of proxy-wasm ABI v0.2.1 (statuses, enums, buffer and map ids) and the
 * conversions Envoy applies to callback results (cpp-host `convertVmCallResultTo*`,
 * then Envoy's `convertFilter*Status`). Shared by every host area.
 */

export const Status = {
  OK: 0, NOT_FOUND: 1, BAD_ARGUMENT: 2, SERIALIZATION_FAILURE: 3, PARSE_FAILURE: 4, BAD_EXPRESSION: 5,
  INVALID_MEMORY_ACCESS: 6, EMPTY: 7, CAS_MISMATCH: 8, RESULT_MISMATCH: 9, INTERNAL_FAILURE: 10,
  BROKEN_CONNECTION: 11, UNIMPLEMENTED: 12,
} as const;
export type StatusCode = (typeof Status)[keyof typeof Status];
export const STATUS_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Status).map(([k, v]) => [v, k]));

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "critical"] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];
/** spdlog's "off" level, which `proxy_get_log_level` reports when logging is disabled. */
export const LOG_OFF = 6;

export const BufferType = {
  HTTP_REQUEST_BODY: 0, HTTP_RESPONSE_BODY: 1, DOWNSTREAM_DATA: 2, UPSTREAM_DATA: 3,
  HTTP_CALL_RESPONSE_BODY: 4, GRPC_CALL_MESSAGE: 5, VM_CONFIGURATION: 6, PLUGIN_CONFIGURATION: 7,
  FOREIGN_FUNCTION_ARGUMENTS: 8,
} as const;

export const MapType = {
  HTTP_REQUEST_HEADERS: 0, HTTP_REQUEST_TRAILERS: 1, HTTP_RESPONSE_HEADERS: 2, HTTP_RESPONSE_TRAILERS: 3,
  GRPC_CALL_INITIAL_METADATA: 4, GRPC_CALL_TRAILING_METADATA: 5, HTTP_CALL_RESPONSE_HEADERS: 6,
  HTTP_CALL_RESPONSE_TRAILERS: 7,
} as const;

export const StreamType = { HTTP_REQUEST: 0, HTTP_RESPONSE: 1, DOWNSTREAM: 2, UPSTREAM: 3 } as const;
export const MetricType = { COUNTER: 0, GAUGE: 1, HISTOGRAM: 2 } as const;

/** Envoy's FilterHeadersStatus after the Wasm filter's conversions. */
export type HeadersStatus = "Continue" | "StopIteration" | "StopAllIterationAndBuffer" | "StopAllIterationAndWatermark";
export type DataStatus = "Continue" | "StopIterationAndBuffer" | "StopIterationAndWatermark" | "StopIterationNoBuffer";
export type TrailersStatus = "Continue" | "StopIteration";
export type FilterStatus = HeadersStatus | DataStatus | TrailersStatus;

/** §10.5: StopIteration only survives with `allow_on_headers_stop_iteration`; 2 (ContinueAndEndStream) is Continue. */
export function convertHeadersResult(value: number, localResponseSent: boolean, allowStopIteration: boolean): HeadersStatus {
  const v = value >>> 0;
  if (localResponseSent || v > 4) return "StopAllIterationAndWatermark";
  if (v === 1) return allowStopIteration ? "StopIteration" : "StopAllIterationAndWatermark";
  if (v === 3) return "StopAllIterationAndBuffer";
  if (v === 4) return "StopAllIterationAndWatermark";
  return "Continue";
}

export function convertDataResult(value: number, localResponseSent: boolean): DataStatus {
  const v = value >>> 0;
  if (localResponseSent || v > 3) return "StopIterationNoBuffer";
  return (["Continue", "StopIterationAndBuffer", "StopIterationAndWatermark", "StopIterationNoBuffer"] as const)[v];
}

export function convertTrailersResult(value: number, localResponseSent: boolean): TrailersStatus {
  const v = value >>> 0;
  return localResponseSent || v >= 1 ? "StopIteration" : "Continue";
}

/** Envoy's Network::FilterStatus for a network (TCP) filter callback. */
export type NetworkStatus = "Continue" | "StopIteration";

/** §10.5 for network filters (cpp-host `onNetworkNewConnection`, `convertVmCallResultToFilterStatus`): 0 continues, anything else stops. */
export function convertNetworkResult(value: number): NetworkStatus {
  return value >>> 0 === 0 ? "Continue" : "StopIteration";
}

/** `proxy_on_*_connection_close` peer types. */
export const PeerType = { UNKNOWN: 0, LOCAL: 1, REMOTE: 2 } as const;

/** The `env` imports every 0.2.x module may link, plus those only 0.2.1 links (§7). */
export const ENV_COMMON = [
  "proxy_log", "proxy_get_current_time_nanoseconds", "proxy_set_tick_period_milliseconds", "proxy_set_effective_context",
  "proxy_done", "proxy_get_buffer_status", "proxy_get_buffer_bytes", "proxy_set_buffer_bytes",
  "proxy_get_header_map_size", "proxy_get_header_map_pairs", "proxy_set_header_map_pairs", "proxy_get_header_map_value",
  "proxy_add_header_map_value", "proxy_replace_header_map_value", "proxy_remove_header_map_value",
  "proxy_send_local_response", "proxy_get_status", "proxy_http_call", "proxy_grpc_call", "proxy_grpc_stream",
  "proxy_grpc_send", "proxy_grpc_cancel", "proxy_grpc_close", "proxy_set_shared_data", "proxy_get_shared_data",
  "proxy_register_shared_queue", "proxy_resolve_shared_queue", "proxy_enqueue_shared_queue", "proxy_dequeue_shared_queue",
  "proxy_define_metric", "proxy_increment_metric", "proxy_record_metric", "proxy_get_metric", "proxy_get_property",
  "proxy_set_property", "proxy_call_foreign_function",
] as const;
export const ENV_0_2_1_ONLY = ["proxy_continue_stream", "proxy_close_stream", "proxy_get_log_level"] as const;
export const ENV_HELPERS = ["pthread_equal", "emscripten_notify_memory_growth"] as const;

/** Hostcalls V8 allows while `_initialize`/`main`/`_start` runs (§10.2); everything else traps. */
export const ALLOWED_DURING_START = new Set([
  "env.proxy_log", "env.emscripten_notify_memory_growth",
  ...["fd_write", "args_sizes_get", "args_get", "environ_sizes_get", "environ_get", "clock_time_get", "clock_res_get",
    "random_get", "poll_oneoff", "fd_fdstat_get", "fd_fdstat_set_flags", "fd_advise", "fd_allocate", "fd_datasync",
    "fd_fdstat_set_rights", "fd_filestat_get", "fd_filestat_set_size", "fd_filestat_set_times", "fd_pread",
    "fd_prestat_dir_name", "fd_prestat_get", "fd_pwrite", "fd_readdir", "fd_renumber", "fd_sync", "fd_tell",
    "path_create_directory", "path_filestat_get", "path_filestat_set_times", "path_link", "path_readlink",
    "path_remove_directory", "path_rename", "path_symlink", "path_unlink_file", "sock_accept", "sock_recv",
    "sock_send", "sock_shutdown"].map((n) => `wasi.${n}`),
]);
/** Hostcalls allowed while the host runs the module's allocator (`allocMemory`). */
export const ALLOWED_DURING_ALLOC = new Set(["env.proxy_log", "wasi.fd_write", "wasi.clock_time_get", "wasi.poll_oneoff"]);

export const WASI_MODULES = ["wasi_snapshot_preview1", "wasi_unstable"] as const;
