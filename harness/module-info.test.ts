/**
 * @module harness/module-info.test
 * The section reader: signatures and function indices of exports (imports first in the index
 * space), the start section's function, and refusal of a binary that is not wasm.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readModuleInfo, signature } from "./module-info.ts";
import { buildModule } from "./testdata/wasm-builder.ts";

test("exports carry their function index and signature; imported functions come first in the index space", () => {
  const info = readModuleInfo(buildModule({
    imports: [{ module: "env", name: "proxy_log", params: ["i32", "i32", "i32"], results: ["i32"] }],
    funcs: [
      { export: "proxy_abi_version_0_2_1", body: [] },
      { export: "proxy_on_done", params: ["i32"], results: ["i32"], body: [0x41, 0x01] },
    ],
  }));
  assert.equal(info.imports.map((i) => `${i.module}.${i.name}:${signature(i.type)}`), ["env.proxy_log:(i32,i32,i32)->(i32)"]);
  assert.equal(info.exports.map((e) => `${e.name}:${e.kind}:${e.index}:${signature(e.type)}`),
    ["memory:memory:0:?", "proxy_abi_version_0_2_1:function:1:()->()", "proxy_on_done:function:2:(i32)->(i32)"]);
  assert.is(info.startFunction, null);
  assert.is(info.hasStartSection, false);
});

test("the start section's function index is reported", () => {
  const info = readModuleInfo(buildModule({ funcs: [{ body: [] }, { export: "_initialize", body: [] }], start: 1 }));
  assert.is(info.startFunction, 1);
  assert.is(info.hasStartSection, true);
});

test("a binary without the wasm magic is refused with a message", () => {
  assert.throws(() => readModuleInfo(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 0, 0, 0])), /bad magic/);
});

test.run();
