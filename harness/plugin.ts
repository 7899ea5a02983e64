/**
 * @module harness/plugin
 * A plugin (one root id with its configuration) and, per worker, the VM and root context it runs
 * in. Envoy's FAIL_RELOAD lives here (`maybeReloadHandleIfNeeded`): as a stream or connection is
 * created on a failed VM, the plugin moves that worker to a fresh VM, at most once per backoff
 * interval since it was last loaded, and stays fail-closed until a reload succeeds.
 */
import { startRoot } from "./startup.ts";
import type { RootContext, PluginSpec } from "./root.ts";
import type { Vm } from "./vm.ts";
import type { Host } from "./host.ts";

export interface ReloadRecord { worker: number; atMs: number; ok: boolean; error?: string }

export class Plugin {
  /** The VM each worker runs this plugin in; streams already on an old VM keep it. */
  readonly vms: Vm[];
  /** FAIL_RELOAD attempts, in order (Envoy's VmReloadSuccess / VmReloadFailure events). */
  readonly reloads: ReloadRecord[] = [];
  /** New streams that met a failed VM inside the backoff interval (Envoy's VmReloadBackoff). */
  reloadBackoffs = 0;
  private readonly lastLoadMs: number[];

  /** `spec` changes when `Host.reconfigure` gives the plugin a new configuration (and new roots). */
  constructor(readonly host: Host, public spec: PluginSpec, readonly roots: RootContext[]) {
    this.vms = [...host.vms];
    this.lastLoadMs = host.vms.map(() => this.nowMs());
  }

  vm(worker: number): Vm { return this.vms[worker % this.vms.length]; }
  root(worker: number): RootContext { return this.roots[worker % this.roots.length]; }
  /** A new stream or connection on a failed VM leaves this plugin out of the chain (FAIL_OPEN) rather than failing closed. */
  get skipsWhenFailed(): boolean { return this.spec.failurePolicy === "FAIL_OPEN"; }

  private nowMs(): number { return Number(this.host.environment.clock.monotonicNs() / 1_000_000n); }

  /** The VM a new stream or connection on `worker` gets, after a FAIL_RELOAD reload if one is due. */
  vmForNewStream(worker: number): Vm {
    const w = worker % this.vms.length;
    const vm = this.vms[w];
    if (!vm.failed || this.spec.failurePolicy !== "FAIL_RELOAD") return vm;
    const now = this.nowMs();
    if (now - this.lastLoadMs[w] < this.spec.reloadBackoffMs) { this.reloadBackoffs++; return vm; }
    this.lastLoadMs[w] = now;
    try {
      const fresh = this.host.workerVm(w);
      this.roots[w] = this.host.environment.run(() => startRoot(fresh, this.spec, () => this.host.logEntries));
      this.vms[w] = fresh;
      this.reloads.push({ worker: w, atMs: now, ok: true });
    } catch (e) {
      this.reloads.push({ worker: w, atMs: now, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
    return this.vms[w];
  }
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
