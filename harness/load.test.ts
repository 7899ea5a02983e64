/**
 * @module harness/load.test
 * Loading and start-up as Envoy does them: link checks with cpp-host's messages, start
 * order and restrictions, the root sequence, and configure results.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Host, HostLoadError } from "./index.ts";
import { baseFuncs, buildModule, op } from "./testdata/wasm-builder.ts";
import { scripted, SCRIPT_WASM, buildFixtures } from "./testdata/helpers.ts";
import { compileModule } from "./compile.ts";

async function loadError(wasm: Uint8Array, options = {}): Promise<string> {
  try { await Host.load(wasm, options); } catch (e) { assert.instance(e, HostLoadError); return (e as Error).message; }
  throw new Error("load unexpectedly succeeded");
}

const LOG = { module: "env", name: "proxy_log", params: ["i32", "i32", "i32"] as const, results: ["i32"] as const };
const logCall = (msgLen: number) => [...op.i32(2), ...op.i32(1024), ...op.i32(msgLen), ...op.call(0), ...op.drop];

test("a missing import fails the load and names every missing import", async () => {
  const wasm = buildModule({
    imports: [{ module: "env", name: "abort", params: ["i32", "i32", "i32", "i32"] }, { module: "env", name: "proxy_clear_route_cache" }],
    funcs: baseFuncs(),
  });
  const msg = await loadError(wasm);
  assert.match(msg, "missing import: env.abort, env.proxy_clear_route_cache");
});

test("an import with the wrong signature fails the load", async () => {
  const wasm = buildModule({ imports: [{ module: "env", name: "proxy_log", params: ["i32", "i32"], results: ["i32"] }], funcs: baseFuncs() });
  assert.match(await loadError(wasm), "import type mismatch: env.proxy_log");
});

test("the ABI marker and an allocator are required; callback signatures are checked", async () => {
  assert.match(await loadError(buildModule({ funcs: [{ export: "malloc", params: ["i32"], results: ["i32"], body: op.i32(8) }] })), "Missing or unknown Proxy-Wasm ABI version");
  assert.match(await loadError(buildModule({ funcs: [{ export: "proxy_abi_version_0_2_1", body: [] }] })), "missing malloc");
  const badCallback = buildModule({ funcs: [...baseFuncs(), { export: "proxy_on_request_headers", params: ["i32", "i32"], results: ["i32"], body: op.i32(0) }] });
  assert.match(await loadError(badCallback), "Bad function signature for: proxy_on_request_headers");
});

test("proxy_get_log_level is linked only for 0.2.1 modules", async () => {
  const imports = [{ module: "env", name: "proxy_get_log_level", params: ["i32" as const], results: ["i32" as const] }];
  const v020 = buildModule({ imports, funcs: [{ export: "proxy_abi_version_0_2_0", body: [] }, baseFuncs()[1]] });
  assert.match(await loadError(v020), "missing import: env.proxy_get_log_level");
  const v021 = buildModule({ imports, funcs: baseFuncs() });
  assert.is((await compileModule(v021)).abi, "0.2.1");
});

test("a start section that makes a hostcall fails the module", async () => {
  const msg = "hello";
  const wasm = buildModule({
    imports: [{ ...LOG, params: [...LOG.params], results: [...LOG.results] }],
    funcs: [...baseFuncs(), { body: logCall(msg.length) }],
    start: 3,
    data: new TextEncoder().encode(msg),
  });
  assert.match(await loadError(wasm), /Failed to create new Wasm instance: .*start section made a hostcall \(env\.proxy_log\)/);
});

test("_initialize runs, then main(0,0); proxy_log is allowed there, in the VM context 0", async () => {
  const wasm = buildModule({
    imports: [{ ...LOG, params: [...LOG.params], results: [...LOG.results] }],
    funcs: [...baseFuncs(),
      { export: "_initialize", body: logCall(4) },
      { export: "main", params: ["i32", "i32"], results: ["i32"], body: [...logCall(4), ...op.i32(0)] },
      { export: "_start", body: op.unreachable }],
    data: new TextEncoder().encode("init"),
  });
  const host = await Host.load(wasm);
  assert.equal(host.logs(), ["init", "init"]);
  const names = host.trace().filter((t) => t.kind === "callback").map((t) => t.name);
  assert.equal(names.slice(0, 2), ["_initialize", "main"]);
  assert.ok(host.trace().filter((t) => t.name === "env.proxy_log").every((t) => t.context === 0));
});

test("_start runs only when there is no _initialize", async () => {
  const wasm = buildModule({
    imports: [{ ...LOG, params: [...LOG.params], results: [...LOG.results] }],
    funcs: [...baseFuncs(), { export: "_start", body: logCall(5) }],
    data: new TextEncoder().encode("start"),
  });
  const host = await Host.load(wasm);
  assert.equal(host.logs(), ["start"]);
});

test("a restricted hostcall during _initialize traps with restricted_callback and fails the VM", async () => {
  const wasm = buildModule({
    imports: [{ module: "env", name: "proxy_set_tick_period_milliseconds", params: ["i32"], results: ["i32"] }],
    funcs: [...baseFuncs(), { export: "_initialize", body: [...op.i32(10), ...op.call(0), ...op.drop] }],
  });
  const msg = await loadError(wasm);
  assert.match(msg, "restricted_callback");
  assert.match(msg, "env.proxy_set_tick_period_milliseconds");
});

test("root sequence: context_create(R,0) → vm_start → configure; ids start at 1; plugin config readable in create and configure only", async () => {
  const plugin = "configure log 2 configured", vm = "vm_start log 2 vm-script-ran";
  const host = await scripted(plugin, { vmConfig: vm });
  assert.equal(host.logs("info"), [
    `root_create 1 plugin_config=${plugin.length}`,
    `vm_start 1 size=${vm.length} plugin_config_status=1`,
    "vm-script-ran",
    `configure 1 size=${plugin.length}`,
    "configured",
  ]);
  const callbacks = host.trace().filter((t) => t.kind === "callback").map((t) => `${t.name}(${t.args.join(",")})`);
  assert.equal(callbacks, ["_initialize()", "proxy_on_context_create(1,0)", `proxy_on_vm_start(1,${vm.length})`, `proxy_on_configure(1,${plugin.length})`]);
});

test("configure returning false fails the load with a clear error naming the plugin and the last log line", async () => {
  await buildFixtures();
  try {
    await Host.load(SCRIPT_WASM, { rootId: "limits", pluginConfig: "configure log 4 field\\s'limit'\\smust\\sbe\\sa\\snumber\nconfigure return 0" });
    assert.unreachable("load should fail");
  } catch (e) {
    assert.instance(e, HostLoadError);
    const m = (e as Error).message;
    assert.match(m, "proxy_on_configure returned false");
    assert.match(m, 'plugin "limits"');
    assert.match(m, "field 'limit' must be a number");
  }
});

test("vm_start returning false or trapping fails the load", async () => {
  await buildFixtures();
  await Host.load(SCRIPT_WASM, { vmConfig: "vm_start return 0" }).then(() => assert.unreachable(), (e) => assert.match(e.message, "proxy_on_vm_start returned false"));
  await Host.load(SCRIPT_WASM, { vmConfig: "vm_start trap" }).then(() => assert.unreachable(), (e) => assert.match(e.message, /Wasm VM failed in proxy_on_vm_start.*trap in proxy_on_vm_start/));
});

test("several root ids share one VM and its context counter", async () => {
  await buildFixtures();
  const host = await Host.load(SCRIPT_WASM, { rootId: "a", plugins: [{ rootId: "b", pluginConfig: "" }] });
  assert.equal(host.plugins.map((p) => p.roots[0].id), [1, 2]);
  assert.is(host.vms.length, 1);
  const s = host.stream();
  assert.equal(s.contextIds, [3]);
});

test.run();
