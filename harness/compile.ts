/**
 * @module harness/compile
 * Loading checks done once per module, before any VM exists, with cpp-host's messages:
 * ABI version detection (§7), the version-specific import link set with signatures
 * (§3, §5, §10.1), allocator presence and callback signatures (§1, §2).
 */
import { readFile } from "node:fs/promises";
import { ENV_0_2_1_ONLY, ENV_COMMON, ENV_HELPERS, WASI_MODULES } from "./abi.ts";
import { readModuleInfo, signature, type FuncType, type ModuleInfo, type ValType } from "./module-info.ts";

export type AbiVersion = "0.2.1" | "0.2.0";

export interface CompiledModule {
  module: WebAssembly.Module;
  info: ModuleInfo;
  abi: AbiVersion;
  bytes: Uint8Array;
}

/** The module cannot be loaded or its plugin cannot start; `message` is what Envoy would log. */
export class HostLoadError extends Error {}

const T: Record<string, ValType> = { i: "i32", I: "i64" };
const sig = (params: string, result = "i"): FuncType => ({ params: [...params].map((c) => T[c]), results: [...result].map((c) => T[c]) });

const PROXY_PARAMS: Record<string, string> = {
  proxy_log: "iii", proxy_get_log_level: "i", proxy_get_current_time_nanoseconds: "i", proxy_set_tick_period_milliseconds: "i",
  proxy_set_effective_context: "i", proxy_done: "", proxy_get_buffer_status: "iii", proxy_get_buffer_bytes: "iiiii",
  proxy_set_buffer_bytes: "iiiii", proxy_get_header_map_size: "ii", proxy_get_header_map_pairs: "iii",
  proxy_set_header_map_pairs: "iii", proxy_get_header_map_value: "iiiii", proxy_add_header_map_value: "iiiii",
  proxy_replace_header_map_value: "iiiii", proxy_remove_header_map_value: "iii", proxy_continue_stream: "i",
  proxy_close_stream: "i", proxy_send_local_response: "iiiiiiii", proxy_get_status: "iii", proxy_http_call: "iiiiiiiiii",
  proxy_grpc_call: "iiiiiiiiiiii", proxy_grpc_stream: "iiiiiiiii", proxy_grpc_send: "iiii", proxy_grpc_cancel: "i",
  proxy_grpc_close: "i", proxy_set_shared_data: "iiiii", proxy_get_shared_data: "iiiii", proxy_register_shared_queue: "iii",
  proxy_resolve_shared_queue: "iiiii", proxy_enqueue_shared_queue: "iii", proxy_dequeue_shared_queue: "iii",
  proxy_define_metric: "iiii", proxy_increment_metric: "iI", proxy_record_metric: "iI", proxy_get_metric: "ii",
  proxy_get_property: "iiii", proxy_set_property: "iiii", proxy_call_foreign_function: "iiiiii",
};

/** cpp-host's WASI preview1 set (`src/exports.cc`), registered under both WASI module names. */
export const WASI_SIGNATURES: Record<string, FuncType> = Object.fromEntries(Object.entries({
  fd_write: "iiii", fd_read: "iiii", fd_seek: "iIii", fd_close: "i", fd_fdstat_get: "ii", fd_fdstat_set_flags: "ii",
  fd_fdstat_set_rights: "iII", environ_get: "ii", environ_sizes_get: "ii", args_get: "ii", args_sizes_get: "ii",
  clock_time_get: "iIi", clock_res_get: "ii", fd_advise: "iIIi", fd_allocate: "iII", fd_datasync: "i",
  fd_filestat_set_size: "iI", fd_filestat_set_times: "iIIi", fd_pread: "iiiIi", fd_pwrite: "iiiIi", fd_readdir: "iiiIi",
  fd_renumber: "ii", fd_sync: "i", fd_tell: "ii", path_create_directory: "iii", path_filestat_set_times: "iiiiIIi",
  path_link: "iiiiiii", path_readlink: "iiiiii", path_remove_directory: "iii", path_rename: "iiiiii", path_symlink: "iiiii",
  path_unlink_file: "iii", sock_accept: "iii", sock_recv: "iiiiii", sock_send: "iiiii", sock_shutdown: "ii",
  random_get: "ii", sched_yield: "", poll_oneoff: "iiii", path_open: "iiiiiIIii", fd_prestat_get: "ii",
  fd_prestat_dir_name: "iii", path_filestat_get: "iiiii", fd_filestat_get: "ii",
}).map(([k, p]) => [k, sig(p)]));
WASI_SIGNATURES.proc_exit = sig("i", "");

const CALLBACKS: Record<string, FuncType> = {
  proxy_on_context_create: sig("ii", ""), proxy_on_done: sig("i"), proxy_on_log: sig("i", ""), proxy_on_delete: sig("i", ""),
  proxy_on_vm_start: sig("ii"), proxy_on_configure: sig("ii"), proxy_on_validate_configuration: sig("ii"),
  proxy_validate_configuration: sig("ii"), proxy_on_tick: sig("i", ""),
  proxy_on_new_connection: sig("i"), proxy_on_downstream_data: sig("iii"), proxy_on_downstream_connection_close: sig("ii", ""),
  proxy_on_upstream_data: sig("iii"), proxy_on_upstream_connection_close: sig("ii", ""),
  proxy_on_request_headers: sig("iii"), proxy_on_request_body: sig("iii"), proxy_on_request_trailers: sig("ii"),
  proxy_on_response_headers: sig("iii"), proxy_on_response_body: sig("iii"), proxy_on_response_trailers: sig("ii"),
  proxy_on_request_metadata: sig("ii"), proxy_on_response_metadata: sig("ii"),
  proxy_on_http_call_response: sig("iiiii", ""), proxy_on_grpc_receive_initial_metadata: sig("iii", ""),
  proxy_on_grpc_receive: sig("iii", ""), proxy_on_grpc_receive_trailing_metadata: sig("iii", ""),
  proxy_on_grpc_close: sig("iii", ""), proxy_on_queue_ready: sig("ii", ""), proxy_on_foreign_function: sig("iii", ""),
  malloc: sig("i"), proxy_on_memory_allocate: sig("i"), _initialize: sig("", ""), _start: sig("", ""), main: sig("ii"),
};

/** The host's signature for an import, or undefined when the host does not link it. */
export function hostImportSignature(abi: AbiVersion, module: string, name: string): FuncType | undefined {
  if ((WASI_MODULES as readonly string[]).includes(module)) return WASI_SIGNATURES[name];
  if (module !== "env") return undefined;
  if (name === "pthread_equal") return sig("ii");
  if (name === "emscripten_notify_memory_growth") return sig("i", "");
  const linked = (ENV_COMMON as readonly string[]).includes(name) ||
    (name === "proxy_continue_stream" || name === "proxy_close_stream") ||
    (abi === "0.2.1" && (ENV_0_2_1_ONLY as readonly string[]).includes(name));
  return linked ? sig(PROXY_PARAMS[name]) : undefined;
}

const same = (a: FuncType, b: FuncType) => signature(a) === signature(b);

export async function compileModule(wasm: string | Uint8Array | ArrayBuffer): Promise<CompiledModule> {
  const bytes = typeof wasm === "string" ? new Uint8Array(await readFile(wasm)) : new Uint8Array(wasm as ArrayBuffer);
  let info: ModuleInfo;
  try { info = readModuleInfo(bytes); } catch (e) { throw new HostLoadError(`Failed to load Wasm module: ${(e as Error).message}`); }

  const marker = info.exports.find((e) => e.kind === "function" && /^proxy_abi_version_0_(1_0|2_0|2_1)$/.test(e.name));
  if (!marker) throw new HostLoadError("Missing or unknown Proxy-Wasm ABI version: the module must export the function proxy_abi_version_0_2_1");
  if (marker.name === "proxy_abi_version_0_1_0") throw new HostLoadError("Proxy-Wasm ABI 0.1.0 is not supported by this host (build for 0.2.1)");
  const abi: AbiVersion = marker.name === "proxy_abi_version_0_2_1" ? "0.2.1" : "0.2.0";

  const missing: string[] = [], mismatched: string[] = [], other: string[] = [];
  for (const imp of info.imports) {
    const qname = `${imp.module}.${imp.name}`;
    if (imp.kind !== "function") { other.push(`${qname} (${imp.kind})`); continue; }
    const expected = hostImportSignature(abi, imp.module, imp.name);
    if (!expected) missing.push(qname);
    else if (imp.type && !same(expected, imp.type)) mismatched.push(`${qname} is ${signature(imp.type)}, the host has ${signature(expected)}`);
  }
  if (missing.length) throw new HostLoadError(`Failed to load Wasm module due to a missing import: ${missing.join(", ")}`);
  if (mismatched.length) throw new HostLoadError(`Failed to load Wasm module due to an import type mismatch: ${mismatched.join("; ")}`);
  if (other.length) throw new HostLoadError(`Failed to load Wasm module due to a non-function import: ${other.join(", ")}`);

  const exported = new Map(info.exports.map((e) => [e.name, e]));
  if (!exported.get("memory") || exported.get("memory")!.kind !== "memory") throw new HostLoadError("Wasm module is missing its memory export");
  if (!exported.has("malloc") && !exported.has("proxy_on_memory_allocate")) throw new HostLoadError("Wasm module is missing malloc function (export malloc or proxy_on_memory_allocate)");
  for (const [name, expected] of Object.entries(CALLBACKS)) {
    const e = exported.get(name);
    if (e && (e.kind !== "function" || (e.type && !same(e.type, expected)))) {
      throw new HostLoadError(`Bad function signature for: ${name} (${signature(e.type)}, expected ${signature(expected)})`);
    }
  }
  let module: WebAssembly.Module;
  try { module = new WebAssembly.Module(bytes); } catch (e) { throw new HostLoadError(`Failed to load Wasm module: ${(e as Error).message}`); }
  return { module, info, abi, bytes };
}
