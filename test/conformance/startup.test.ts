/**
 * @module test/conformance/startup.test
 * Plugin start-up as Envoy runs it (reference §10.2, §10.4): the throw-away canary VM runs each
 * plugin's root sequence before the workers do; a restart on VMs that already hold the root
 * (`proxy_on_context_create(R, 0)` and `proxy_on_vm_start` again, then `proxy_on_configure` with
 * the new configuration); `proxy_validate_configuration` (cpp-host's `validateConfiguration`).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Host, HostLoadError } from "../../harness/index.ts";
import { Status, callbacks, facts, loadProbe, probeWasm, valueAndStatus } from "./probe.ts";

const rootCallbacks = (host: Host, from = 0) =>
  host.trace().filter((t) => t.kind === "callback" && t.context === 1 && t.seq > from).map((t) => `${t.name}(${t.args.join(",")})`);

test("§10.2 §10.4 the canary VM runs the root sequence first, on its own VM (root 1); its lines are kept apart from the workers'", async () => {
  const host = await loadProbe({ pluginConfig: "a=b", workers: 2 });
  assert.equal(callbacks(host.canaryLogs()), ["root_create:1", "vm_start:1:0", "configure:1:3"]);
  assert.equal(callbacks(host.logs()), ["root_create:1", "vm_start:1:0", "configure:1:3", "root_create:1", "vm_start:1:0", "configure:1:3"]);
  assert.ok(host.canaryLogEntries.every((e) => e.worker === -1));
  assert.ok(host.canaryLogEntries[0].seq < host.logEntries[0].seq, "the canary ran before the workers");
});

test("§10.4 a configuration the plugin rejects fails on the canary, before any worker starts it", async () => {
  const seen: string[] = [];
  try {
    await loadProbe({ pluginConfig: "configure=false", onLog: (e) => seen.push(e.message) });
    assert.unreachable("loaded");
  } catch (e) {
    assert.instance(e, HostLoadError);
    assert.match((e as Error).message, /proxy_on_configure returned false for plugin "plugin" \(root_id "", canary VM\)/);
  }
  assert.equal(seen, [], "no worker VM ran the root sequence");
});

test("§10.2 the canary's callouts are never sent and its tick timer never fires (Envoy destroys the clone)", async () => {
  const host = await loadProbe({ pluginConfig: "root=callout;tick=10" });
  assert.is(host.callouts().length, 1, "only the worker's root callout");
  assert.ok(facts(host.canaryLogs()).get("root_call")?.endsWith("/0"), "the canary's http_call itself succeeded");
  host.advance(30);
  assert.equal(callbacks(host.canaryLogs()).filter((c) => c.startsWith("tick")), []);
  assert.equal(callbacks(host.logs()).filter((c) => c.startsWith("tick")), ["tick:1:1", "tick:1:2", "tick:1:3"]);
});

test("canary: false starts the workers only", async () => {
  const host = await loadProbe({ canary: false });
  assert.equal(host.canaryLogs(), []);
  assert.equal(callbacks(host.logs()), ["root_create:1", "vm_start:1:0", "configure:1:0"]);
});

test("§10.4 a restart with the same configuration: the existing root gets proxy_on_context_create(R, 0) and proxy_on_vm_start again, then proxy_on_configure", async () => {
  const host = await loadProbe({ pluginConfig: "a=b", vmConfig: "vm=1" });
  const before = host.trace().at(-1)!.seq;
  host.reconfigure();
  assert.equal(rootCallbacks(host, before), ["proxy_on_context_create(1,0)", "proxy_on_vm_start(1,4)", "proxy_on_configure(1,3)"]);
  assert.equal(callbacks(host.logs()).filter((c) => c.startsWith("root_create")), ["root_create:1"], "the SDK keeps the root it already has");
  const s = host.stream();
  s.sendRequestHeaders({ ":method": "GET", ":path": "/", ":authority": "a" }, true);
  assert.equal(s.contextIds, [2], "the same root and id counter");
});

test("§10.4 a new configuration on the same VM: cpp-host keys roots by root id and configuration, so a new root context starts and the old one shuts down", async () => {
  const host = await loadProbe({ pluginConfig: "a=b", vmConfig: "vm=1" });
  const before = host.trace().at(-1)!.seq;
  host.reconfigure("limit=20");
  assert.equal(callbacks(host.logs()).slice(-5), ["root_create:2", "vm_start:2:4", "configure:2:8", "done:1", "delete:1"]);
  assert.equal(valueAndStatus(facts(host.logs()).get("plugin_config")), ["limit=20", Status.OK]);
  assert.equal(host.trace().filter((t) => t.kind === "callback" && t.seq > before && t.context === 2).map((t) => t.name),
    ["proxy_on_context_create", "proxy_on_vm_start", "proxy_on_configure"]);
  const s = host.stream();
  s.sendRequestHeaders({ ":method": "GET", ":path": "/", ":authority": "a" }, true);
  assert.equal(s.contextIds, [3], "the VM's counter goes on: streams now belong to root 2");
  assert.ok(callbacks(s.logs()).includes("context_create:3:2"));
});

test("§10.4 a restart the plugin rejects throws on the canary and leaves the running configuration alone", async () => {
  const host = await loadProbe({ pluginConfig: "a=b" });
  const before = host.trace().at(-1)!.seq;
  assert.throws(() => host.reconfigure("configure=false"), (e: unknown) => e instanceof HostLoadError && /canary VM/.test((e as Error).message));
  assert.equal(rootCallbacks(host, before), [], "no worker was restarted");
  assert.is(new TextDecoder().decode(host.plugin().spec.configuration), "a=b");
});

test("§2 §10.4 proxy_validate_configuration runs on a fresh VM with the plugin configuration readable and no proxy_on_context_create", async () => {
  const ok = await Host.validateConfiguration(await probeWasm(), "limit=5", { logLevel: "trace" });
  assert.equal([ok.valid, ok.exported, ok.reason], [true, true, null]);
  const lines = ok.logs.map((e) => e.message);
  assert.equal(callbacks(lines).slice(1), ["validate:1:7"], "only the SDK's own root constructor runs before it");
  assert.equal(valueAndStatus(facts(lines).get("validate_config")), ["limit=5", Status.OK]);
  const bad = await Host.validateConfiguration(await probeWasm(), "valid=false");
  assert.equal([bad.valid, bad.reason], [false, "proxy_validate_configuration returned false"]);
  const trapped = await Host.validateConfiguration(await probeWasm(), "trap=validate");
  assert.is(trapped.valid, false);
  assert.match(trapped.reason!, /trap in proxy_validate_configuration.*probe trap in validate/);
});

test("§2 a module that does not export proxy_validate_configuration is taken as valid (cpp-host returns true)", async () => {
  const r = await Host.validateConfiguration("dist/test/harness-script.wasm", "anything");
  assert.equal([r.valid, r.exported], [true, false]);
});

test.run();
