/**
 * @module filters/sdk/exports
 * Everything a proxy-wasm host looks for in a module: the ABI marker, the one allocator and every
 * callback. A filter's `main.ts` re-exports this file (`export * from "../sdk/exports"`).
 */
import "./runtime/abort";

export {
  proxy_on_context_create, proxy_on_vm_start, proxy_on_configure, proxy_on_done, proxy_on_log, proxy_on_delete,
  proxy_on_tick, proxy_on_queue_ready, proxy_on_foreign_function,
  proxy_on_request_headers, proxy_on_request_body, proxy_on_request_trailers,
  proxy_on_response_headers, proxy_on_response_body, proxy_on_response_trailers,
  proxy_on_new_connection, proxy_on_downstream_data, proxy_on_downstream_connection_close,
  proxy_on_upstream_data, proxy_on_upstream_connection_close,
  proxy_on_http_call_response, proxy_on_grpc_receive_initial_metadata, proxy_on_grpc_receive,
  proxy_on_grpc_receive_trailing_metadata, proxy_on_grpc_close,
} from "./dispatcher";
import { allocateForHost } from "./hostcalls/memory";

/** ABI marker: the host detects the ABI version by this export's name; never called. */
export function proxy_abi_version_0_2_1(): void {}

/**
 * The only allocator (cpp-host would prefer a `malloc` export, so there is none). What the host
 * writes here belongs to the module, which frees it after copying (hostcalls/memory.ts, which
 * keeps one reusable block for the common case).
 */
export function proxy_on_memory_allocate(size: usize): usize {
  return allocateForHost(size);
}
