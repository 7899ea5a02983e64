/**
 * @module filters/sdk/hostcalls/raw
 * Every host function a proxy-wasm ABI v0.2.1 module may import (the 39 `env.proxy_*` of the
 * reference's §3, with `i64` exactly where the ABI has it), plus the WASI calls the SDK uses.
 * Nothing here is meant for filters: use the typed wrappers beside this file.
 * All pointers and sizes are wasm32 `usize`; every function returns a raw `Status` number.
 */

// --- logging, time, contexts -------------------------------------------------------------
@external("env", "proxy_log")
export declare function proxy_log(level: i32, messagePtr: usize, messageLen: usize): i32;
@external("env", "proxy_get_log_level")
export declare function proxy_get_log_level(retLevel: usize): i32;
@external("env", "proxy_get_current_time_nanoseconds")
export declare function proxy_get_current_time_nanoseconds(retTime: usize): i32;
@external("env", "proxy_set_tick_period_milliseconds")
export declare function proxy_set_tick_period_milliseconds(periodMs: u32): i32;
@external("env", "proxy_set_effective_context")
export declare function proxy_set_effective_context(contextId: u32): i32;
@external("env", "proxy_done")
export declare function proxy_done(): i32;

// --- buffers -------------------------------------------------------------------------------
@external("env", "proxy_get_buffer_status")
export declare function proxy_get_buffer_status(bufferType: i32, retSize: usize, retFlags: usize): i32;
@external("env", "proxy_get_buffer_bytes")
export declare function proxy_get_buffer_bytes(bufferType: i32, start: u32, maxSize: u32, retPtr: usize, retLen: usize): i32;
@external("env", "proxy_set_buffer_bytes")
export declare function proxy_set_buffer_bytes(bufferType: i32, start: u32, size: u32, valuePtr: usize, valueLen: usize): i32;

// --- header maps ---------------------------------------------------------------------------
@external("env", "proxy_get_header_map_size")
export declare function proxy_get_header_map_size(mapType: i32, retSize: usize): i32;
@external("env", "proxy_get_header_map_pairs")
export declare function proxy_get_header_map_pairs(mapType: i32, retPtr: usize, retLen: usize): i32;
@external("env", "proxy_set_header_map_pairs")
export declare function proxy_set_header_map_pairs(mapType: i32, pairsPtr: usize, pairsLen: usize): i32;
@external("env", "proxy_get_header_map_value")
export declare function proxy_get_header_map_value(mapType: i32, keyPtr: usize, keyLen: usize, retPtr: usize, retLen: usize): i32;
@external("env", "proxy_add_header_map_value")
export declare function proxy_add_header_map_value(mapType: i32, keyPtr: usize, keyLen: usize, valuePtr: usize, valueLen: usize): i32;
@external("env", "proxy_replace_header_map_value")
export declare function proxy_replace_header_map_value(mapType: i32, keyPtr: usize, keyLen: usize, valuePtr: usize, valueLen: usize): i32;
@external("env", "proxy_remove_header_map_value")
export declare function proxy_remove_header_map_value(mapType: i32, keyPtr: usize, keyLen: usize): i32;

// --- stream control ------------------------------------------------------------------------
@external("env", "proxy_continue_stream")
export declare function proxy_continue_stream(streamType: i32): i32;
@external("env", "proxy_close_stream")
export declare function proxy_close_stream(streamType: i32): i32;
@external("env", "proxy_send_local_response")
export declare function proxy_send_local_response(
  statusCode: u32, detailsPtr: usize, detailsLen: usize, bodyPtr: usize, bodyLen: usize,
  headersPtr: usize, headersLen: usize, grpcStatus: i32,
): i32;
@external("env", "proxy_get_status")
export declare function proxy_get_status(retCode: usize, retMessagePtr: usize, retMessageLen: usize): i32;

// --- callouts ------------------------------------------------------------------------------
@external("env", "proxy_http_call")
export declare function proxy_http_call(
  upstreamPtr: usize, upstreamLen: usize, headersPtr: usize, headersLen: usize, bodyPtr: usize, bodyLen: usize,
  trailersPtr: usize, trailersLen: usize, timeoutMs: u32, retCallId: usize,
): i32;
@external("env", "proxy_grpc_call")
export declare function proxy_grpc_call(
  upstreamPtr: usize, upstreamLen: usize, servicePtr: usize, serviceLen: usize, methodPtr: usize, methodLen: usize,
  metadataPtr: usize, metadataLen: usize, messagePtr: usize, messageLen: usize, timeoutMs: u32, retCallId: usize,
): i32;
@external("env", "proxy_grpc_stream")
export declare function proxy_grpc_stream(
  upstreamPtr: usize, upstreamLen: usize, servicePtr: usize, serviceLen: usize, methodPtr: usize, methodLen: usize,
  metadataPtr: usize, metadataLen: usize, retStreamId: usize,
): i32;
@external("env", "proxy_grpc_send")
export declare function proxy_grpc_send(streamId: u32, messagePtr: usize, messageLen: usize, endStream: u32): i32;
@external("env", "proxy_grpc_cancel")
export declare function proxy_grpc_cancel(callOrStreamId: u32): i32;
@external("env", "proxy_grpc_close")
export declare function proxy_grpc_close(callOrStreamId: u32): i32;

// --- shared data and queues ----------------------------------------------------------------
@external("env", "proxy_set_shared_data")
export declare function proxy_set_shared_data(keyPtr: usize, keyLen: usize, valuePtr: usize, valueLen: usize, cas: u32): i32;
@external("env", "proxy_get_shared_data")
export declare function proxy_get_shared_data(keyPtr: usize, keyLen: usize, retValuePtr: usize, retValueLen: usize, retCas: usize): i32;
@external("env", "proxy_register_shared_queue")
export declare function proxy_register_shared_queue(namePtr: usize, nameLen: usize, retQueueId: usize): i32;
@external("env", "proxy_resolve_shared_queue")
export declare function proxy_resolve_shared_queue(vmIdPtr: usize, vmIdLen: usize, namePtr: usize, nameLen: usize, retQueueId: usize): i32;
@external("env", "proxy_enqueue_shared_queue")
export declare function proxy_enqueue_shared_queue(queueId: u32, valuePtr: usize, valueLen: usize): i32;
@external("env", "proxy_dequeue_shared_queue")
export declare function proxy_dequeue_shared_queue(queueId: u32, retValuePtr: usize, retValueLen: usize): i32;

// --- metrics -------------------------------------------------------------------------------
@external("env", "proxy_define_metric")
export declare function proxy_define_metric(metricType: i32, namePtr: usize, nameLen: usize, retMetricId: usize): i32;
@external("env", "proxy_increment_metric")
export declare function proxy_increment_metric(metricId: u32, delta: i64): i32;
@external("env", "proxy_record_metric")
export declare function proxy_record_metric(metricId: u32, value: u64): i32;
@external("env", "proxy_get_metric")
export declare function proxy_get_metric(metricId: u32, retValue: usize): i32;

// --- properties and foreign functions ------------------------------------------------------
@external("env", "proxy_get_property")
export declare function proxy_get_property(pathPtr: usize, pathLen: usize, retValuePtr: usize, retValueLen: usize): i32;
@external("env", "proxy_set_property")
export declare function proxy_set_property(pathPtr: usize, pathLen: usize, valuePtr: usize, valueLen: usize): i32;
@external("env", "proxy_call_foreign_function")
export declare function proxy_call_foreign_function(
  namePtr: usize, nameLen: usize, argsPtr: usize, argsLen: usize, retResultsPtr: usize, retResultsLen: usize,
): i32;

// --- WASI (wasi_snapshot_preview1, reference §5) --------------------------------------------
/** Returns a WASI errno (0 = success). Allowed during `_initialize`. */
@external("wasi_snapshot_preview1", "random_get")
export declare function wasi_random_get(buf: usize, len: usize): i32;
/** Clock ids: 0 realtime, 1 monotonic. Returns a WASI errno. Allowed during `_initialize`. */
@external("wasi_snapshot_preview1", "clock_time_get")
export declare function wasi_clock_time_get(clockId: u32, precision: u64, retTime: usize): i32;
