/**
 * @module filters/sdk/dispatcher.test
 * The SDK dispatcher's own promises, checked by calling the abi-probe's exports directly with a
 * stub host (no harness): no host call during `_initialize`, neutral answers for ids the module
 * does not know, and a root kept (not rebuilt) when the host creates it again.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { build, ROOT } from "../../scripts/build.ts";

type Exports = Record<string, (...args: number[]) => number>;

async function instantiate() {
  const path = join(ROOT, "dist/test/abi-probe.wasm");
  if (!existsSync(path)) await build(["abi-probe"]);
  const module = new WebAssembly.Module(readFileSync(path));
  const calls: string[] = [];
  const logs: string[] = [];
  let memory: WebAssembly.Memory;
  const imports: Record<string, Record<string, (...a: number[]) => number>> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    imports[imp.module] ??= {};
    imports[imp.module][imp.name] = (...args: number[]) => {
      calls.push(imp.name);
      if (imp.name === "proxy_log") {
        logs.push(new TextDecoder().decode(new Uint8Array(memory.buffer, args[1], args[2])));
        return 0;
      }
      if (imp.name === "proxy_get_log_level") { new DataView(memory.buffer).setUint32(args[0], 0, true); return 0; }
      if (imp.name === "proxy_get_property" || imp.name === "proxy_get_buffer_bytes") return 1; // NOT_FOUND
      return 2; // BAD_ARGUMENT for everything else: the dispatcher must cope
    };
  }
  const instance = new WebAssembly.Instance(module, imports);
  memory = instance.exports.memory as WebAssembly.Memory;
  return { exports: instance.exports as unknown as Exports, calls, logs };
}

test("_initialize makes no host call: top-level code only registers factories", async () => {
  const { exports, calls } = await instantiate();
  exports._initialize();
  assert.equal(calls, []);
});

test("callbacks for ids the module does not know get the ABI's neutral answers, without trapping", async () => {
  const { exports, logs } = await instantiate();
  exports._initialize();
  const unknown = 99, root = 42;
  assert.is(exports.proxy_on_request_headers(unknown, 3, 0), 0);
  assert.is(exports.proxy_on_request_body(unknown, 10, 1), 0);
  assert.is(exports.proxy_on_request_trailers(unknown, 1), 0);
  assert.is(exports.proxy_on_response_headers(unknown, 3, 0), 0);
  assert.is(exports.proxy_on_response_body(unknown, 10, 1), 0);
  assert.is(exports.proxy_on_response_trailers(unknown, 1), 0);
  assert.is(exports.proxy_on_new_connection(unknown), 0);
  assert.is(exports.proxy_on_downstream_data(unknown, 5, 0), 0);
  assert.is(exports.proxy_on_upstream_data(unknown, 5, 0), 0);
  exports.proxy_on_downstream_connection_close(unknown, 1);
  exports.proxy_on_upstream_connection_close(unknown, 2);
  exports.proxy_on_log(unknown);
  assert.is(exports.proxy_on_done(unknown), 1);
  exports.proxy_on_delete(unknown);
  assert.is(exports.proxy_on_vm_start(root, 0), 1);
  assert.is(exports.proxy_on_configure(root, 0), 1);
  exports.proxy_on_tick(root);
  exports.proxy_on_queue_ready(root, 1);
  exports.proxy_on_foreign_function(root, 1, 0);
  exports.proxy_on_http_call_response(root, 4, 0, 0, 0);
  exports.proxy_on_grpc_receive_initial_metadata(root, 5, 0);
  exports.proxy_on_grpc_receive(root, 5, 0);
  exports.proxy_on_grpc_receive_trailing_metadata(root, 5, 0);
  exports.proxy_on_grpc_close(root, 5, 0);
  // A stream whose root does not exist is ignored, and so are its callbacks.
  exports.proxy_on_context_create(7, root);
  assert.is(exports.proxy_on_request_headers(7, 3, 1), 0);
  assert.equal(logs.filter((l) => l.startsWith("abort")), []);
});

test("a root created again (Envoy re-starting a plugin) keeps its state; a deleted root's streams are ignored", async () => {
  const { exports, logs } = await instantiate();
  exports._initialize();
  exports.proxy_on_context_create(1, 0);
  exports.proxy_on_context_create(1, 0);
  assert.equal(logs.filter((l) => l.startsWith("probe cb=root_create")), ["probe cb=root_create:1"]);
  exports.proxy_on_delete(1);
  exports.proxy_on_context_create(2, 1);
  assert.is(exports.proxy_on_request_headers(2, 0, 1), 0);
  assert.not.ok(logs.some((l) => l.startsWith("probe cb=context_create:2")));
});

test("a stream's callbacks reach it until it is deleted, then get the neutral answer (the last-stream cache is cleared)", async () => {
  const { exports, calls } = await instantiate();
  exports._initialize();
  exports.proxy_on_context_create(1, 0);
  exports.proxy_on_context_create(7, 1);
  exports.proxy_on_context_create(8, 1);
  calls.length = 0;
  assert.is(exports.proxy_on_request_headers(7, 3, 0), 0);
  assert.ok(calls.includes("proxy_get_header_map_value"), "stream 7's filter ran");
  exports.proxy_on_delete(7);
  calls.length = 0;
  assert.is(exports.proxy_on_request_headers(7, 3, 0), 0);
  assert.equal(calls, [], "a deleted stream is not reached through the cache");
  assert.is(exports.proxy_on_request_headers(8, 3, 0), 0);
  assert.ok(calls.includes("proxy_get_header_map_value"), "stream 8's filter ran");
});

test.run();
