/**
 * @module test/module-shape
 * The import/export rules every Tollgate module must meet to load in Envoy (reference §1–§3, §5,
 * §7, §11): ABI 0.2.1 marker, `_initialize`, one allocator, `memory`, only `proxy_on_*`
 * callbacks with their exact signatures, no start section, and imports limited to the 39
 * `env.proxy_*` host functions and WASI preview1, each with its exact signature.
 */
import { readModuleInfo, type FuncType } from "../harness/module-info.ts";

/** `(i32, i64) -> (i32)`: the form problems are reported in. */
const formatType = (t: FuncType | undefined): string => (t ? `(${t.params.join(", ")}) -> (${t.results.join(", ")})` : "(unknown)");

const sig = (params: string, results = ""): string => `(${params.split("").map((c) => (c === "I" ? "i64" : "i32")).join(", ")}) -> (${results ? "i32" : ""})`;
// Letters: one per parameter, "i" = i32, "I" = i64; second argument "r" = returns i32.

/** §2: callbacks a module may export, with their signatures. */
export const CALLBACKS: Record<string, string> = {
  proxy_on_memory_allocate: sig("i", "r"),
  proxy_on_context_create: sig("ii"),
  proxy_on_done: sig("i", "r"),
  proxy_on_log: sig("i"),
  proxy_on_delete: sig("i"),
  proxy_on_vm_start: sig("ii", "r"),
  proxy_on_configure: sig("ii", "r"),
  proxy_validate_configuration: sig("ii", "r"),
  proxy_on_tick: sig("i"),
  proxy_on_new_connection: sig("i", "r"),
  proxy_on_downstream_data: sig("iii", "r"),
  proxy_on_downstream_connection_close: sig("ii"),
  proxy_on_upstream_data: sig("iii", "r"),
  proxy_on_upstream_connection_close: sig("ii"),
  proxy_on_request_headers: sig("iii", "r"),
  proxy_on_request_body: sig("iii", "r"),
  proxy_on_request_trailers: sig("ii", "r"),
  proxy_on_response_headers: sig("iii", "r"),
  proxy_on_response_body: sig("iii", "r"),
  proxy_on_response_trailers: sig("ii", "r"),
  proxy_on_http_call_response: sig("iiiii"),
  proxy_on_grpc_receive_initial_metadata: sig("iii"),
  proxy_on_grpc_receive: sig("iii"),
  proxy_on_grpc_receive_trailing_metadata: sig("iii"),
  proxy_on_grpc_close: sig("iii"),
  proxy_on_queue_ready: sig("ii"),
  proxy_on_foreign_function: sig("iii"),
};

/** §3: the 39 `env` host functions of ABI 0.2.1. */
export const ENV_IMPORTS: Record<string, string> = {
  proxy_log: sig("iii", "r"),
  proxy_get_log_level: sig("i", "r"),
  proxy_get_current_time_nanoseconds: sig("i", "r"),
  proxy_set_tick_period_milliseconds: sig("i", "r"),
  proxy_set_effective_context: sig("i", "r"),
  proxy_done: sig("", "r"),
  proxy_get_buffer_status: sig("iii", "r"),
  proxy_get_buffer_bytes: sig("iiiii", "r"),
  proxy_set_buffer_bytes: sig("iiiii", "r"),
  proxy_get_header_map_size: sig("ii", "r"),
  proxy_get_header_map_pairs: sig("iii", "r"),
  proxy_set_header_map_pairs: sig("iii", "r"),
  proxy_get_header_map_value: sig("iiiii", "r"),
  proxy_add_header_map_value: sig("iiiii", "r"),
  proxy_replace_header_map_value: sig("iiiii", "r"),
  proxy_remove_header_map_value: sig("iii", "r"),
  proxy_continue_stream: sig("i", "r"),
  proxy_close_stream: sig("i", "r"),
  proxy_send_local_response: sig("iiiiiiii", "r"),
  proxy_get_status: sig("iii", "r"),
  proxy_http_call: sig("iiiiiiiiii", "r"),
  proxy_grpc_call: sig("iiiiiiiiiiii", "r"),
  proxy_grpc_stream: sig("iiiiiiiii", "r"),
  proxy_grpc_send: sig("iiii", "r"),
  proxy_grpc_cancel: sig("i", "r"),
  proxy_grpc_close: sig("i", "r"),
  proxy_set_shared_data: sig("iiiii", "r"),
  proxy_get_shared_data: sig("iiiii", "r"),
  proxy_register_shared_queue: sig("iii", "r"),
  proxy_resolve_shared_queue: sig("iiiii", "r"),
  proxy_enqueue_shared_queue: sig("iii", "r"),
  proxy_dequeue_shared_queue: sig("iii", "r"),
  proxy_define_metric: sig("iiii", "r"),
  proxy_increment_metric: sig("iI", "r"),
  proxy_record_metric: sig("iI", "r"),
  proxy_get_metric: sig("ii", "r"),
  proxy_get_property: sig("iiii", "r"),
  proxy_set_property: sig("iiii", "r"),
  proxy_call_foreign_function: sig("iiiiii", "r"),
};

/** §5: WASI preview1 as cpp-host registers it (i64 where the WASI ABI has 64-bit values). */
export const WASI_IMPORTS: Record<string, string> = {
  fd_write: sig("iiii", "r"), fd_read: sig("iiii", "r"), fd_seek: sig("iIii", "r"), fd_close: sig("i", "r"),
  fd_fdstat_get: sig("ii", "r"), fd_fdstat_set_flags: sig("ii", "r"), fd_fdstat_set_rights: sig("iII", "r"),
  environ_get: sig("ii", "r"), environ_sizes_get: sig("ii", "r"), args_get: sig("ii", "r"), args_sizes_get: sig("ii", "r"),
  clock_time_get: sig("iIi", "r"), clock_res_get: sig("ii", "r"), fd_advise: sig("iIIi", "r"), fd_allocate: sig("iII", "r"),
  fd_datasync: sig("i", "r"), fd_filestat_set_size: sig("iI", "r"), fd_filestat_set_times: sig("iIIi", "r"),
  fd_pread: sig("iiiIi", "r"), fd_pwrite: sig("iiiIi", "r"), fd_readdir: sig("iiiIi", "r"), fd_renumber: sig("ii", "r"),
  fd_sync: sig("i", "r"), fd_tell: sig("ii", "r"), path_create_directory: sig("iii", "r"),
  path_filestat_set_times: sig("iiiiIIi", "r"), path_link: sig("iiiiiii", "r"), path_readlink: sig("iiiiii", "r"),
  path_remove_directory: sig("iii", "r"), path_rename: sig("iiiiii", "r"), path_symlink: sig("iiiii", "r"),
  path_unlink_file: sig("iii", "r"), sock_accept: sig("iii", "r"), sock_recv: sig("iiiiii", "r"), sock_send: sig("iiiii", "r"),
  sock_shutdown: sig("ii", "r"), random_get: sig("ii", "r"), sched_yield: sig("", "r"), poll_oneoff: sig("iiii", "r"),
  proc_exit: sig("i"), path_open: sig("iiiiiIIii", "r"), fd_prestat_get: sig("ii", "r"), fd_prestat_dir_name: sig("iii", "r"),
  path_filestat_get: sig("iiiii", "r"), fd_filestat_get: sig("ii", "r"),
};

const ALLOCATORS = ["malloc", "proxy_on_memory_allocate"];

/** Every rule the module breaks, one readable line each; empty when the module is fine. */
export function checkModuleShape(bytes: Uint8Array): string[] {
  const problems: string[] = [];
  const m = readModuleInfo(bytes);
  const expect = (what: string, actual: FuncType | undefined, wanted: string) => {
    if (formatType(actual) !== wanted) problems.push(`${what} has signature ${formatType(actual)}, expected ${wanted}`);
  };

  if (m.startFunction !== null) problems.push(`has a start section (function ${m.startFunction}); build with --exportStart _initialize`);

  for (const imp of m.imports) {
    const where = `import ${imp.module}.${imp.name}`;
    if (imp.kind !== "function") { problems.push(`${where} is a ${imp.kind}; only functions may be imported`); continue; }
    const table = imp.module === "env" ? ENV_IMPORTS : imp.module === "wasi_snapshot_preview1" ? WASI_IMPORTS : null;
    const wanted = table && Object.hasOwn(table, imp.name) ? table[imp.name] : undefined;
    if (wanted === undefined) { problems.push(`${where} is not a proxy-wasm 0.2.1 or WASI host function`); continue; }
    expect(where, imp.type, wanted);
  }

  const byName = new Map(m.exports.map((e) => [e.name, e]));
  const marker = byName.get("proxy_abi_version_0_2_1");
  if (!marker) problems.push("missing export proxy_abi_version_0_2_1");
  else if (marker.kind !== "function") problems.push("export proxy_abi_version_0_2_1 is not a function");
  else expect("export proxy_abi_version_0_2_1", marker.type, sig(""));

  const init = byName.get("_initialize");
  if (!init || init.kind !== "function") problems.push("missing function export _initialize");
  else expect("export _initialize", init.type, sig(""));

  const memory = byName.get("memory");
  if (!memory || memory.kind !== "memory") problems.push("missing memory export 'memory'");

  const allocators = ALLOCATORS.map((n) => byName.get(n)).filter((e) => e !== undefined);
  if (allocators.length === 0) problems.push("missing allocator: export malloc or proxy_on_memory_allocate");
  for (const a of allocators) {
    if (a.kind !== "function") problems.push(`export ${a.name} is not a function`);
    else expect(`export ${a.name}`, a.type, sig("i", "r"));
  }
  if (allocators.length === 2 && allocators[0].index !== allocators[1].index) {
    problems.push("malloc and proxy_on_memory_allocate are different functions; export one, or the same function twice");
  }

  for (const e of m.exports) {
    if (e.name === "memory" || e.name === "_initialize" || e.name === "proxy_abi_version_0_2_1" || ALLOCATORS.includes(e.name)) continue;
    const wanted = Object.hasOwn(CALLBACKS, e.name) ? CALLBACKS[e.name] : undefined;
    if (wanted === undefined) { problems.push(`unexpected export ${e.name} (${e.kind === "function" ? "func" : e.kind})`); continue; }
    if (e.kind !== "function") { problems.push(`export ${e.name} is not a function`); continue; }
    expect(`export ${e.name}`, e.type, wanted);
  }
  return problems;
}
