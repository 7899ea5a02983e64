/**
 * @module harness/startup
 * Plugin start-up as Envoy does it (reference §10.2, §10.4): every VM instance (the throw-away
 * canary, then each worker's clone) runs `_initialize` in context 0; the canary runs each
 * plugin's root sequence first and is discarded, so a configuration the plugin rejects fails the
 * load before any worker sees it. Also a restart of a plugin on VMs that already hold its root
 * (`proxy_on_context_create(R, 0)` and `proxy_on_vm_start` again, then `proxy_on_configure`), and
 * `proxy_validate_configuration` on a fresh VM.
 */
import { LOG_LEVELS, LOG_OFF } from "./abi.ts";
import type { Callout, ClusterTarget } from "./callouts.ts";
import { HostLoadError, type CompiledModule } from "./compile.ts";
import type { Environment } from "./environment.ts";
import { buildImports } from "./imports/index.ts";
import { logOrigin } from "./log-origin.ts";
import type { PropertyTree } from "./properties.ts";
import { RootContext, type PluginSpec } from "./root.ts";
import { Vm, type LogEntry } from "./vm.ts";

/** `worker` of the canary VM in log entries and messages. */
export const CANARY_WORKER = -1;

/** What a new VM needs from whoever owns it (a Host, or a one-off validation). */
export interface VmOwner {
  readonly module: CompiledModule;
  readonly environment: Environment;
  readonly options: {
    vmId?: string; vmConfig?: string | Uint8Array | object; logLevel?: string; env?: Record<string, string>;
    clusters?: Record<string, ClusterTarget>; filterStateFactories?: string[]; traceLimit?: number;
  };
  readonly vmConfig: Uint8Array;
  readonly vmProperties: PropertyTree;
  readonly filterStateFactories: Set<string>;
  log(entry: LogEntry, canary: boolean): void;
  callout(callout: Callout, canary: boolean): void;
}

export function logLevelNumber(level: string | undefined): number {
  return level === "off" ? LOG_OFF : LOG_LEVELS.indexOf((level ?? "info") as (typeof LOG_LEVELS)[number]);
}

/**
 * Instantiates the module and runs `_initialize` in context 0. The canary's callouts are never
 * sent (every cluster is answered by hand, and the canary is discarded before anyone answers).
 */
export function createVm(owner: VmOwner, worker: number): Vm {
  const o = owner.options;
  const canary = worker === CANARY_WORKER;
  const clusters = new Map(Object.entries(o.clusters ?? {}).map(([k, v]) => [k, canary ? (true as const) : v]));
  const vm = new Vm(owner.module, {
    env: owner.environment, vmId: o.vmId ?? "", vmConfig: owner.vmConfig, worker, logLevel: logLevelNumber(o.logLevel),
    wasiEnv: Object.entries(o.env ?? {}), clusters, filterStateFactories: owner.filterStateFactories,
    vmProperties: owner.vmProperties, traceLimit: o.traceLimit ?? 10000,
    log: (e) => { logOrigin.set(e, vm); owner.log(e, canary); },
    onCallout: (c) => owner.callout(c, canary),
  });
  vm.instantiate(buildImports(vm));
  vm.start();
  if (vm.failed) throw new HostLoadError(`Wasm VM failed to start (${where(vm)}): ${vm.failure}`);
  return vm;
}

function where(vm: Vm): string {
  return vm.services.worker === CANARY_WORKER ? "canary VM" : `worker ${vm.services.worker}`;
}

/**
 * The root sequence on `root`: `proxy_on_context_create(R, 0)` with the plugin configuration
 * readable, `proxy_on_vm_start`, `proxy_on_configure`. A false result or a trap throws
 * HostLoadError naming the step, the plugin and the VM, with the last warning logged — except
 * vm_start's result on a `restart`, which cpp-host's `WasmBase::start` ignores for a root it has.
 */
export function runRootSequence(vm: Vm, root: RootContext, logs: () => LogEntry[], restart = false): void {
  const spec = root.plugin;
  const at = `plugin "${spec.name}" (root_id "${spec.rootId}", ${where(vm)})`;
  const lastProblem = () => {
    const e = [...logs()].reverse().find((l) => l.worker === vm.services.worker && ["warn", "error", "critical"].includes(l.level));
    return e ? ` (last log: ${e.message})` : "";
  };
  const check = (step: string, r: { ran: boolean; value: number } | null) => {
    if (vm.failed) throw new HostLoadError(`Wasm VM failed in ${step} of ${at}: ${vm.failure}`);
    if (r && r.ran && r.value === 0) throw new HostLoadError(`${step} returned false for ${at}: configuration rejected${lastProblem()}`);
  };
  root.created = true;
  root.configuring = true;
  vm.call(root, "proxy_on_context_create", [root.id, 0]).flush();
  root.configuring = false;
  check("proxy_on_context_create", null);
  const started = vm.call(root, "proxy_on_vm_start", [root.id, vm.services.vmConfig.length]);
  started.flush();
  check("proxy_on_vm_start", restart ? null : started);
  root.configuring = true;
  const configured = vm.call(root, "proxy_on_configure", [root.id, spec.configuration.length]);
  root.configuring = false;
  configured.flush();
  check("proxy_on_configure", configured);
}

/** A new root context for `spec` in `vm`, started. */
export function startRoot(vm: Vm, spec: PluginSpec, logs: () => LogEntry[]): RootContext {
  const root = new RootContext(vm.allocContextId(), spec);
  vm.contexts.set(root.id, root);
  runRootSequence(vm, root, logs);
  return root;
}

/** Discards a VM without callbacks (Envoy destroys the canary's handle): its timers and callouts stop. */
export function discardVm(vm: Vm): void {
  for (const c of vm.contexts.values()) {
    if (c.kind !== "root") continue;
    c.tickTimer?.cancel();
    c.tickTimer = null;
    for (const call of [...c.callouts.values()]) call.cancel();
  }
  vm.contexts.clear();
}

/** Envoy's canary: a fresh clone runs the plugin's root sequence and is thrown away. */
export function runCanary(owner: VmOwner, spec: PluginSpec, logs: () => LogEntry[]): void {
  const vm = createVm(owner, CANARY_WORKER);
  try { startRoot(vm, spec, logs); } finally { discardVm(vm); }
}

export interface ValidationResult {
  /** `proxy_validate_configuration` answered true (or the module does not export it, which Envoy takes as valid). */
  valid: boolean;
  /** The module exports `proxy_validate_configuration`. */
  exported: boolean;
  /** Why it is not valid: a false answer or a trap. */
  reason: string | null;
  /** What the module logged meanwhile. */
  logs: LogEntry[];
}

/**
 * cpp-host's `validateConfiguration`: on a fresh VM, the root context exists only host-side (no
 * `proxy_on_context_create`), the plugin configuration is readable, and the call's bool is the answer.
 */
export function validateOn(vm: Vm, spec: PluginSpec, logs: LogEntry[]): ValidationResult {
  const exported = typeof vm.exports.proxy_validate_configuration === "function";
  const root = new RootContext(vm.allocContextId(), spec);
  vm.contexts.set(root.id, root);
  root.configuring = true;
  const r = vm.call(root, "proxy_validate_configuration", [root.id, spec.configuration.length]);
  root.configuring = false;
  r.flush();
  discardVm(vm);
  if (r.trapped) {
    const abort = [...logs].reverse().find((e) => e.level === "critical" && e.message !== `wasm VM failed: ${vm.failure}`);
    return { valid: false, exported, reason: `${vm.failure}${abort ? ` (last log: ${abort.message})` : ""}`, logs };
  }
  if (r.ran && r.value === 0) return { valid: false, exported, reason: "proxy_validate_configuration returned false", logs };
  return { valid: true, exported, reason: null, logs };
}

