/**
 * @module harness/plugin
 * A plugin (one root id with its configuration) and its root context in each worker VM,
 * started the way Envoy starts it: `proxy_on_context_create(R, 0)` → `proxy_on_vm_start`
 * → `proxy_on_configure`, a false result or a trap failing the load with a clear error.
 */
import { HostLoadError } from "./compile.ts";
import { RootContext, type PluginSpec } from "./root.ts";
import type { Vm } from "./vm.ts";
import type { Host } from "./host.ts";

export class Plugin {
  constructor(readonly host: Host, readonly spec: PluginSpec, readonly roots: RootContext[]) {}
  vm(worker: number): Vm { return this.host.vms[worker % this.host.vms.length]; }
  root(worker: number): RootContext { return this.roots[worker % this.roots.length]; }
}

function lastProblem(host: Host, vm: Vm): string {
  const e = [...host.logEntries].reverse().find((l) => l.worker === vm.services.worker && ["warn", "error", "critical"].includes(l.level));
  return e ? ` (last log: ${e.message})` : "";
}

export function startRoot(host: Host, vm: Vm, spec: PluginSpec): RootContext {
  const root = new RootContext(vm.allocContextId(), spec);
  vm.contexts.set(root.id, root);
  const where = `plugin "${spec.name}" (root_id "${spec.rootId}", worker ${vm.services.worker})`;
  const check = (step: string, r: { ran: boolean; value: number } | null) => {
    if (vm.failed) throw new HostLoadError(`Wasm VM failed in ${step} of ${where}: ${vm.failure}`);
    if (r && r.ran && r.value === 0) throw new HostLoadError(`${step} returned false for ${where}: configuration rejected${lastProblem(host, vm)}`);
  };
  root.created = true;
  root.configuring = true;
  vm.call(root, "proxy_on_context_create", [root.id, 0]).flush();
  root.configuring = false;
  check("proxy_on_context_create", null);
  const started = vm.call(root, "proxy_on_vm_start", [root.id, vm.services.vmConfig.length]);
  started.flush();
  check("proxy_on_vm_start", started);
  root.configuring = true;
  const configured = vm.call(root, "proxy_on_configure", [root.id, spec.configuration.length]);
  root.configuring = false;
  configured.flush();
  check("proxy_on_configure", configured);
  return root;
}

/** Root shutdown: `proxy_on_done(R)`; true ⇒ `proxy_on_delete(R)`, false ⇒ wait for `proxy_done()`. */
export function stopRoot(vm: Vm, root: RootContext): void {
  root.tickTimer?.cancel();
  root.tickTimer = null;
  for (const c of [...root.callouts.values()]) c.cancel();
  if (!root.created || vm.failed) return;
  const r = vm.call(root, "proxy_on_done", [root.id]);
  r.flush();
  if (r.ran && r.value === 0 && !vm.failed) { root.pendingDone = true; return; }
  vm.call(root, "proxy_on_delete", [root.id]).flush();
  root.created = false;
  vm.contexts.delete(root.id);
}
