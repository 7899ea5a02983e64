/**
 * @module test/module-shape.test
 * Every built module against the host-facing rules of test/module-shape.ts, plus modules built
 * to break one rule each, which the checker must reject.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { build, ROOT } from "../scripts/build.ts";
import { checkModuleShape, ENV_IMPORTS } from "./module-shape.ts";
import { readModuleInfo } from "../harness/module-info.ts";
import { OWN_ABORT, compileSnippet } from "./conformance/snippets.ts";

function builtModules(): string[] {
  const out: string[] = [];
  for (const dir of ["dist/filters", "dist/test"]) {
    const full = join(ROOT, dir);
    if (!existsSync(full)) continue;
    for (const f of readdirSync(full)) if (f.endsWith(".wasm")) out.push(join(dir, f));
  }
  return out.sort();
}

/** Proxy-wasm modules carry the ABI marker; other test modules (lib's) are checked on imports only. */
function isProxyWasmModule(bytes: Uint8Array, path: string): boolean {
  return path.startsWith("dist/filters/") || readModuleInfo(bytes).exports.some((e) => e.name.startsWith("proxy_abi_version_"));
}

test("every built module passes the import/export rules", async () => {
  await build();
  const modules = builtModules();
  assert.ok(modules.includes("dist/test/abi-probe.wasm"), "abi-probe was built");
  const failures: string[] = [];
  for (const path of modules) {
    const bytes = new Uint8Array(readFileSync(join(ROOT, path)));
    let problems = checkModuleShape(bytes);
    if (!isProxyWasmModule(bytes, path)) problems = problems.filter((p) => p.startsWith("import ") || p.startsWith("has a start"));
    for (const p of problems) failures.push(`${path}: ${p}`);
  }
  assert.equal(failures, []);
});

test("the section reader agrees with V8 on the abi-probe's imports and exports", () => {
  const bytes = readFileSync(join(ROOT, "dist/test/abi-probe.wasm"));
  const mine = readModuleInfo(new Uint8Array(bytes));
  const v8 = new WebAssembly.Module(bytes);
  assert.equal(mine.imports.map((i) => `${i.module}.${i.name}:${i.kind}`),
    WebAssembly.Module.imports(v8).map((i) => `${i.module}.${i.name}:${i.kind}`));
  assert.equal(mine.exports.map((e) => `${e.name}:${e.kind}`),
    WebAssembly.Module.exports(v8).map((e) => `${e.name}:${e.kind}`));
});

test("the abi-probe imports all 39 env host functions of ABI 0.2.1", () => {
  const mine = readModuleInfo(new Uint8Array(readFileSync(join(ROOT, "dist/test/abi-probe.wasm"))));
  const env = mine.imports.filter((i) => i.module === "env").map((i) => i.name).sort();
  assert.equal(env, Object.keys(ENV_IMPORTS).sort());
  assert.is(env.length, 39);
});

// --- modules that break one rule each -----------------------------------------------------------

const GOOD_CORE = `
function snippetAbort(message: string | null, file: string | null, line: u32, column: u32): void { unreachable(); }
export function proxy_abi_version_0_2_1(): void {}
export function proxy_on_memory_allocate(size: usize): usize { return heap.alloc(size); }
`;


test("the checker accepts a minimal correct module (so the negative cases below are meaningful)", async () => {
  const bytes = await compileSnippet(GOOD_CORE + `
export function proxy_on_request_headers(id: u32, n: u32, eos: u32): u32 { return 0; }`, ["--exportStart", "_initialize", ...OWN_ABORT]);
  assert.equal(checkModuleShape(bytes), []);
});

test("a module built without the SDK's abort imports env.abort and is rejected", async () => {
  const bytes = await compileSnippet(GOOD_CORE + `
const values = new Array<i32>(2);
export function proxy_on_request_headers(id: u32, n: u32, eos: u32): u32 { return values[n]; }`, ["--exportStart", "_initialize"]);
  const problems = checkModuleShape(bytes);
  assert.ok(problems.some((p) => p.includes("import env.abort")), problems.join("\n"));
});

test("a module without --exportStart has a start section and no _initialize: rejected", async () => {
  const bytes = await compileSnippet(GOOD_CORE + `
@external("env", "proxy_log") declare function proxy_log(level: i32, ptr: usize, len: usize): i32;
const greeting = String.UTF8.encode("hello");
proxy_log(2, changetype<usize>(greeting), greeting.byteLength);`, OWN_ABORT);
  const problems = checkModuleShape(bytes);
  assert.ok(problems.some((p) => p.startsWith("has a start section")), problems.join("\n"));
  assert.ok(problems.includes("missing function export _initialize"), problems.join("\n"));
});

test("a 0.1.0-style header callback (2 params) and a missing marker are rejected", async () => {
  const bytes = await compileSnippet(`
export function proxy_on_memory_allocate(size: usize): usize { return heap.alloc(size); }
export function proxy_on_request_headers(id: u32, n: u32): u32 { return 0; }
function snippetAbort(message: string | null, file: string | null, line: u32, column: u32): void { unreachable(); }`, ["--exportStart", "_initialize", ...OWN_ABORT]);
  const problems = checkModuleShape(bytes);
  assert.ok(problems.includes("missing export proxy_abi_version_0_2_1"), problems.join("\n"));
  assert.ok(problems.includes("export proxy_on_request_headers has signature (i32, i32) -> (i32), expected (i32, i32, i32) -> (i32)"), problems.join("\n"));
});

test("two different allocators, a stray export and wrongly typed or unknown imports are rejected", async () => {
  const bytes = await compileSnippet(GOOD_CORE + `
export function malloc(size: usize): usize { return heap.alloc(size + 8); }
export function helper(): i32 { return 1; }
@external("env", "proxy_increment_metric") declare function inc(id: u32, delta: i32): i32;
@external("env", "envoy_resolve_dns") declare function dns(a: i32, b: i32, c: i32): i32;
@external("wasi_unstable", "random_get") declare function rnd(a: i32, b: i32): i32;
export function proxy_on_tick(id: u32): void { inc(id, 1); dns(0, 0, 0); rnd(0, 0); }`, ["--exportStart", "_initialize", ...OWN_ABORT]);
  const problems = checkModuleShape(bytes);
  const expected = [
    "malloc and proxy_on_memory_allocate are different functions; export one, or the same function twice",
    "unexpected export helper (func)",
    "import env.proxy_increment_metric has signature (i32, i32) -> (i32), expected (i32, i64) -> (i32)",
    "import env.envoy_resolve_dns is not a proxy-wasm 0.2.1 or WASI host function",
    "import wasi_unstable.random_get is not a proxy-wasm 0.2.1 or WASI host function",
  ];
  for (const e of expected) assert.ok(problems.includes(e), `missing "${e}" in:\n${problems.join("\n")}`);
});

test.run();
