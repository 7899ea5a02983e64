/**
 * @module test/conformance/loading.test
 * Checklist §9.1–9.3 and reference §10.1–10.2: what the host refuses at load time, which
 * allocator it uses, and the hostcalls allowed while `_initialize` and the allocator run —
 * with small AssemblyScript modules that each break (or respect) one rule.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Host, HostLoadError } from "../../harness/index.ts";
import { MINIMAL, OWN_ABORT, PROXY_LOG, SNIPPET_ABORT, compileSnippet } from "./snippets.ts";

const REACTOR = ["--exportStart", "_initialize"];

async function loadError(wasm: Uint8Array, options = {}): Promise<string> {
  try {
    await Host.load(wasm, options);
  } catch (e) {
    assert.instance(e, HostLoadError);
    return (e as Error).message;
  }
  throw new Error("the module loaded although it breaks the rules");
}

test("§9.1 §10.1 a module built with AssemblyScript's default abort imports env.abort and fails to load, naming it", async () => {
  const wasm = await compileSnippet(`
export function proxy_abi_version_0_2_1(): void {}
export function proxy_on_memory_allocate(size: usize): usize { return heap.alloc(size); }`, REACTOR);
  assert.match(await loadError(wasm), "missing import: env.abort");
});

test("§10.1 an import whose signature differs from the host's fails the load", async () => {
  const wasm = await compileSnippet(`${MINIMAL}
@external("env", "proxy_increment_metric") declare function inc(id: u32, delta: i32): i32;
export function proxy_on_tick(id: u32): void { inc(id, 1); }`, [...REACTOR, ...OWN_ABORT]);
  assert.match(await loadError(wasm), "import type mismatch: env.proxy_increment_metric");
});

test("§9.1 §7 a module without the 0.2.1 marker is refused", async () => {
  const wasm = await compileSnippet(`${SNIPPET_ABORT}
export function proxy_on_memory_allocate(size: usize): usize { return heap.alloc(size); }`, [...REACTOR, ...OWN_ABORT]);
  assert.match(await loadError(wasm), "Missing or unknown Proxy-Wasm ABI version");
});

test("§9.2 a module without malloc or proxy_on_memory_allocate is refused", async () => {
  const wasm = await compileSnippet(`${SNIPPET_ABORT}
export function proxy_abi_version_0_2_1(): void {}`, [...REACTOR, ...OWN_ABORT]);
  assert.match(await loadError(wasm), /missing malloc/i);
});

const BOTH_ALLOCATORS = `${SNIPPET_ABORT}${PROXY_LOG}
@external("env", "proxy_get_buffer_bytes") declare function get_buffer_bytes(t: i32, start: u32, max: u32, p: usize, l: usize): i32;
export function proxy_abi_version_0_2_1(): void {}
export function malloc(size: usize): usize { say("malloc"); return heap.alloc(size); }
export function proxy_on_memory_allocate(size: usize): usize { say("proxy_on_memory_allocate"); return heap.alloc(size); }
export function proxy_on_vm_start(root: u32, size: u32): u32 {
  const slots = memory.data(8);
  return get_buffer_bytes(6, 0, 100, slots, slots + 4) == 0 ? 1 : 0;
}`;

test("§9.2 §1 cpp-host looks for malloc first: with both exported, malloc receives the host's data", async () => {
  const wasm = await compileSnippet(BOTH_ALLOCATORS, [...REACTOR, ...OWN_ABORT]);
  const host = await Host.load(wasm, { vmConfig: "abc" });
  assert.equal(host.logs(), ["malloc"]);
});

test("§9.3 §10.2 during _initialize proxy_log and WASI clock/random are allowed and run in context 0", async () => {
  const wasm = await compileSnippet(`${MINIMAL}${PROXY_LOG}
@external("wasi_snapshot_preview1", "random_get") declare function random_get(buf: usize, len: usize): i32;
@external("wasi_snapshot_preview1", "clock_time_get") declare function clock_time_get(id: u32, precision: u64, out: usize): i32;
const scratch = memory.data(16);
say("random " + random_get(scratch, 8).toString() + " clock " + clock_time_get(1, 1, scratch + 8).toString());`, [...REACTOR, ...OWN_ABORT]);
  const host = await Host.load(wasm);
  assert.equal(host.logs(), ["random 0 clock 0"]);
  assert.is(host.logEntries[0].context, 0);
});

test("§10.2 any other hostcall during _initialize (here proxy_get_log_level) traps with restricted_callback and fails the VM", async () => {
  const wasm = await compileSnippet(`${MINIMAL}
@external("env", "proxy_get_log_level") declare function get_log_level(out: usize): i32;
const level = get_log_level(memory.data(4));`, [...REACTOR, ...OWN_ABORT]);
  const message = await loadError(wasm);
  assert.match(message, "restricted_callback");
  assert.match(message, "env.proxy_get_log_level");
});

test("§10.2 while the host runs the allocator only proxy_log, fd_write, clock_time_get and poll_oneoff are allowed", async () => {
  const wasm = await compileSnippet(`${SNIPPET_ABORT}${PROXY_LOG}
@external("env", "proxy_get_buffer_bytes") declare function get_buffer_bytes(t: i32, start: u32, max: u32, p: usize, l: usize): i32;
@external("env", "proxy_get_log_level") declare function get_log_level(out: usize): i32;
export function proxy_abi_version_0_2_1(): void {}
export function proxy_on_memory_allocate(size: usize): usize { say("allocating"); get_log_level(memory.data(4)); return heap.alloc(size); }
export function proxy_on_vm_start(root: u32, size: u32): u32 {
  const slots = memory.data(8);
  return get_buffer_bytes(6, 0, 100, slots, slots + 4) == 0 ? 1 : 0;
}`, [...REACTOR, ...OWN_ABORT]);
  const message = await loadError(wasm, { vmConfig: "abc" });
  assert.match(message, "restricted_callback");
});

test("§10.2 a start section (no --exportStart) that makes a hostcall fails the module", async () => {
  const wasm = await compileSnippet(`${MINIMAL}${PROXY_LOG}
say("from a start section");`, OWN_ABORT);
  assert.match(await loadError(wasm), /start section/);
});

test.run();
