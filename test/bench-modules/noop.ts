/**
 * @module test/bench-modules/noop
 * A proxy-wasm module that does nothing: every callback continues at once and no host call is
 * made. Benchmarks drive it through the same exchange as a real filter, so what it costs is the
 * host's own per-callback overhead (the harness's bookkeeping, V8's boundary crossing), the
 * baseline to subtract from a filter's figure. Raw exports, no SDK: the SDK's dispatch is
 * filter cost, not host cost.
 */
import "../../filters/sdk/runtime/abort";

export function proxy_abi_version_0_2_1(): void {}
export function malloc(size: usize): usize { return heap.alloc(size); }

export function proxy_on_context_create(context: u32, parent: u32): void {}
export function proxy_on_vm_start(root: u32, size: u32): u32 { return 1; }
export function proxy_on_configure(root: u32, size: u32): u32 { return 1; }

// Continue (0) from every stream callback.
export function proxy_on_request_headers(context: u32, headers: u32, endOfStream: u32): u32 { return 0; }
export function proxy_on_request_body(context: u32, size: u32, endOfStream: u32): u32 { return 0; }
export function proxy_on_request_trailers(context: u32, trailers: u32): u32 { return 0; }
export function proxy_on_response_headers(context: u32, headers: u32, endOfStream: u32): u32 { return 0; }
export function proxy_on_response_body(context: u32, size: u32, endOfStream: u32): u32 { return 0; }
export function proxy_on_response_trailers(context: u32, trailers: u32): u32 { return 0; }

export function proxy_on_log(context: u32): void {}
export function proxy_on_done(context: u32): u32 { return 1; }
export function proxy_on_delete(context: u32): void {}
