/**
 * @module harness/host
 * The public `Host`: loads a module into N worker VMs (like Envoy's worker threads, sharing
 * shared data and queues), starts its plugin(s), creates streams, and exposes what a test
 * observes — logs, metrics, shared data, callouts, memory, failure, ABI misuse.
 *
 * @example
 * const host = await Host.load("dist/filters/x.wasm", { pluginConfig: { limit: 10 } });
 * const s = await host.run({ request: { headers: { ":method": "GET", ":path": "/", ":authority": "a" } } });
 * assert.is(s.client.headers?.get(":status"), "200");
 */
import type { LogLevelName } from "./abi.ts";
import { Chain } from "./chain.ts";
import type { Callout, ClusterTarget } from "./callouts.ts";
import { compileModule, HostLoadError, type CompiledModule } from "./compile.ts";
import type { HttpStream, StreamOptions } from "./driver.ts";
import { Environment, type EnvironmentOptions } from "./environment.ts";
import type { Exchange } from "./exchange.ts";
import { bytes, text } from "./memory.ts";
import { Plugin, stopRoot } from "./plugin.ts";
import { normalizeProperties, type PropertyTree } from "./properties.ts";
import type { FailurePolicy, PluginSpec, RootContext } from "./root.ts";
import { createVm, runCanary, runRootSequence, startRoot, validateOn, type ValidationResult, type VmOwner } from "./startup.ts";
import { TcpConnection, type ConnectionOptions } from "./tcp.ts";
import { runTcpExchange, type TcpExchange } from "./tcp-exchange.ts";
import type { LogEntry, Misuse, TraceEntry, Vm } from "./vm.ts";

export type ConfigInput = string | Uint8Array | object;

export interface PluginOptions {
  /** Plugin configuration: an object (sent as JSON), a string or bytes. */
  pluginConfig?: ConfigInput;
  rootId?: string;
  /** `plugin_name` (default: the root id, or "plugin"). */
  name?: string;
  /**
   * Envoy's legacy `fail_open`: a failed VM lets traffic through instead of answering 503, for
   * streams already on it too. Exclusive with `failurePolicy`, as in Envoy.
   */
  failOpen?: boolean;
  /**
   * Envoy's `failure_policy` for new streams on a failed VM: FAIL_CLOSED (default, a 503 /
   * closed connection), FAIL_OPEN (the filter is left out), FAIL_RELOAD (a fresh VM, at most once
   * per `reloadBackoffMs`; fail-closed meanwhile). Streams already on the failed VM fail closed
   * unless `failOpen` is set.
   */
  failurePolicy?: FailurePolicy;
  /** FAIL_RELOAD's backoff base interval in ms (default 1000, Envoy's default; jitter not modelled). */
  reloadBackoffMs?: number;
  /** Envoy ≥ 1.35 `allow_on_headers_stop_iteration` (default false, as in Envoy). */
  allowOnHeadersStopIteration?: boolean;
  /** Static properties, e.g. `{"xds.route_name": "r1", xds: {cluster_name: "c"}}`. */
  properties?: PropertyTree;
}

export interface HostOptions extends PluginOptions, EnvironmentOptions {
  vmConfig?: ConfigInput;
  /**
   * Run each plugin's start-up first on a throw-away canary VM, as Envoy does (default true). Its
   * logs are kept apart (`canaryLogs()`), its callouts are never sent, its timers never fire.
   */
  canary?: boolean;
  vmId?: string;
  /** Number of VM instances (Envoy worker threads); streams go round-robin unless a worker is chosen. */
  workers?: number;
  /** Further plugins (root ids) sharing the same VMs. */
  plugins?: PluginOptions[];
  /** Upstream clusters for callouts: handler, URL, or `true` to answer by hand. Unknown clusters are BAD_ARGUMENT. */
  clusters?: Record<string, ClusterTarget>;
  /** Level of Envoy's `wasm` logger (default "info"); lower lines are dropped. */
  logLevel?: LogLevelName | "off";
  /** Environment variables the VM sees through WASI. */
  env?: Record<string, string>;
  /** Share clock, shared data and stats with other hosts (as plugins of one Envoy do). */
  environment?: Environment;
  /** Object factories `set_envoy_filter_state` accepts (default: a few well-known Envoy keys). */
  filterStateFactories?: string[];
  /** Echo log lines to this function as they happen (e.g. console.log). */
  onLog?: (entry: LogEntry) => void;
  /** Maximum trace entries kept per context (default 10000). */
  traceLimit?: number;
}

const DEFAULT_FACTORIES = ["envoy.tcp_proxy.cluster", "envoy.network.upstream_server_name", "envoy.network.application_protocols",
  "envoy.network.upstream_subject_alt_names", "envoy.tcp_proxy.per_connection_idle_timeout_ms", "envoy.string",
  "envoy.upstream.dynamic_host", "envoy.upstream.dynamic_port", "envoy.network.transport_socket.original_dst_address"];

const DEFAULT_STREAM_PROPERTIES: PropertyTree = {
  source: { address: "127.0.0.1:50000", port: 50000 },
  destination: { address: "127.0.0.1:10000", port: 10000 },
};

export function configBytes(c: ConfigInput | undefined): Uint8Array {
  if (c === undefined) return new Uint8Array(0);
  if (typeof c === "string" || c instanceof Uint8Array) return bytes(c);
  return bytes(JSON.stringify(c));
}

let logSeq = 0;

export interface MetricValue { name: string; type: "counter" | "gauge" | "histogram"; value: number; samples: number[] }

export class Host implements VmOwner {
  /** The current VM of each worker (FAIL_RELOAD replaces a failed one). */
  readonly vms: Vm[] = [];
  /** Worker VMs a FAIL_RELOAD replaced; their failures still count in `failures()`. */
  readonly retiredVms: Vm[] = [];
  /** What the canary VMs logged (Envoy prints these too; kept apart so start-up lines are not doubled). */
  readonly canaryLogEntries: LogEntry[] = [];
  readonly vmConfig: Uint8Array;
  readonly vmProperties = DEFAULT_STREAM_PROPERTIES;
  readonly filterStateFactories: Set<string>;
  readonly plugins: Plugin[] = [];
  readonly logEntries: LogEntry[] = [];
  readonly calloutList: Callout[] = [];
  private chain!: Chain;
  private nextConnectionWorker = 0;

  private constructor(readonly module: CompiledModule, readonly environment: Environment, readonly options: HostOptions) {
    this.vmConfig = configBytes(options.vmConfig);
    this.filterStateFactories = new Set(options.filterStateFactories ?? DEFAULT_FACTORIES);
  }

  /**
   * Asks the module whether it would accept `pluginConfig` (`proxy_validate_configuration` on a
   * fresh VM, as cpp-host's `validateConfiguration`). A module without that export is valid.
   */
  static async validateConfiguration(wasm: string | Uint8Array | ArrayBuffer, pluginConfig: ConfigInput, options: HostOptions = {}): Promise<ValidationResult> {
    const compiled = await compileModule(wasm);
    const env = options.environment ?? new Environment(options);
    const host = new Host(compiled, env, { ...options, canary: false });
    const spec = host.specs()[0];
    spec.configuration = configBytes(pluginConfig);
    return env.run(() => validateOn(createVm(host, 0), spec, host.logEntries));
  }

  /** VmOwner: where a VM's log lines and callouts go. */
  log(e: LogEntry, canary: boolean): void {
    e.seq = ++logSeq;
    if (canary) { this.canaryLogEntries.push(e); return; }
    this.logEntries.push(e);
    this.options.onLog?.(e);
  }
  callout(c: Callout, canary: boolean): void { if (!canary) this.calloutList.push(c); }

  /** Loads and starts a module; rejects with HostLoadError (missing imports, failed start, configure false). */
  static async load(wasm: string | Uint8Array | ArrayBuffer, options: HostOptions = {}): Promise<Host> {
    const compiled = await compileModule(wasm);
    const env = options.environment ?? new Environment(options);
    const host = new Host(compiled, env, options);
    env.run(() => host.boot());
    return host;
  }

  private specs(): PluginSpec[] {
    const o = this.options;
    return [o, ...(o.plugins ?? [])].map((p) => {
      const failOpen = p.failOpen ?? o.failOpen;
      const policy = p.failurePolicy ?? o.failurePolicy;
      // Envoy refuses only `fail_open: true` beside a policy (a false fail_open is the proto default).
      if (failOpen && policy !== undefined) throw new HostLoadError("only one of fail_open or failure_policy can be set");
      return {
        name: p.name ?? (p.rootId || "plugin"), rootId: p.rootId ?? "", vmId: o.vmId ?? "",
        configuration: configBytes(p.pluginConfig), failOpen: failOpen ?? false,
        failurePolicy: failOpen ? "FAIL_OPEN" : policy ?? "FAIL_CLOSED",
        reloadBackoffMs: p.reloadBackoffMs ?? o.reloadBackoffMs ?? 1000,
        allowOnHeadersStopIteration: p.allowOnHeadersStopIteration ?? o.allowOnHeadersStopIteration ?? false,
        properties: normalizeProperties(p.properties ?? {}),
      };
    });
  }

  private boot(): void {
    const specs = this.specs();
    const logs = () => this.logEntries;
    // Envoy validates each plugin on a throw-away clone before any worker starts it.
    if (this.options.canary ?? true) for (const spec of specs) runCanary(this, spec, () => this.canaryLogEntries);
    const roots = specs.map(() => [] as RootContext[]);
    for (let w = 0; w < Math.max(1, this.options.workers ?? 1); w++) {
      const vm = createVm(this, w);
      this.vms.push(vm);
      specs.forEach((spec, i) => roots[i].push(startRoot(vm, spec, logs)));
    }
    specs.forEach((spec, i) => this.plugins.push(new Plugin(this, spec, roots[i])));
    this.chain = new Chain([this.plugins[0]]);
  }

  /**
   * A plugin started again on the VMs it runs in, as Envoy does on a config update that keeps the
   * VM. The canary runs first (a rejection throws HostLoadError and changes nothing). cpp-host keys
   * root contexts by root id and configuration: with the same configuration the existing root is
   * restarted (`proxy_on_context_create(R, 0)` and `proxy_on_vm_start` again, the latter's result
   * ignored, then `proxy_on_configure`); with a new one each worker gets a new root context (next
   * id, the whole sequence) and the old root is shut down (`proxy_on_done`, `proxy_on_delete`).
   */
  reconfigure(pluginConfig?: ConfigInput, rootId?: string): void {
    const plugin = this.plugin(rootId);
    const configuration = pluginConfig === undefined ? plugin.spec.configuration : configBytes(pluginConfig);
    const same = Buffer.compare(configuration, plugin.spec.configuration) === 0;
    const spec = same ? plugin.spec : { ...plugin.spec, configuration };
    const logs = () => this.logEntries;
    this.environment.run(() => {
      if (this.options.canary ?? true) runCanary(this, spec, () => this.canaryLogEntries);
      if (same) { plugin.roots.forEach((root, w) => runRootSequence(plugin.vm(w), root, logs, true)); return; }
      const old = [...plugin.roots];
      old.forEach((_, w) => { plugin.roots[w] = startRoot(plugin.vm(w), spec, logs); });
      plugin.spec = spec;
      old.forEach((root, w) => stopRoot(plugin.vm(w), root));
    });
  }

  /** The healthy VM of a worker for a FAIL_RELOAD: the current one, or a fresh clone replacing a failed one. */
  workerVm(worker: number): Vm {
    const current = this.vms[worker];
    if (!current.failed) return current;
    const fresh = createVm(this, worker);
    this.retiredVms.push(current);
    this.vms[worker] = fresh;
    return fresh;
  }

  /** The plugin with this root id (default: the first). */
  plugin(rootId?: string): Plugin {
    const p = rootId === undefined ? this.plugins[0] : this.plugins.find((x) => x.spec.rootId === rootId);
    if (!p) throw new Error(`no plugin with root_id "${rootId}"`);
    return p;
  }

  /** A new HTTP stream through this host's first plugin; drive it step by step. */
  stream(options?: StreamOptions): HttpStream { return this.chain.stream(options); }
  /** Runs a whole exchange (`{request, response}`) and returns the finished (or paused) stream. */
  run(exchange: Exchange, options?: StreamOptions): Promise<HttpStream> { return this.chain.run(exchange, options); }

  /** A new TCP connection through this host's first plugin as a network filter: `proxy_on_new_connection` runs now. */
  connection(options: ConnectionOptions = {}): TcpConnection {
    const worker = options.worker ?? this.nextConnectionWorker++ % this.vms.length;
    return new TcpConnection([this.plugins[0]], this.environment, worker, options);
  }
  /** Runs a whole connection (`{downstream, upstream, close}`) and returns it, closed unless `close: "none"`. */
  runTcp(exchange: TcpExchange, options?: ConnectionOptions): Promise<TcpConnection> {
    return runTcpExchange(this.connection(options), this.environment, exchange);
  }

  /** Log messages, optionally only those at one level. */
  logs(level?: LogLevelName): string[] { return this.logEntries.filter((e) => !level || e.level === level).map((e) => e.message); }
  /** A metric by the name the plugin defined (process-wide value, as Envoy's stats). */
  metric(name: string): MetricValue | undefined {
    const s = this.environment.stats.get(name);
    return s && { name, type: s.type, value: Number(s.value), samples: s.samples.map(Number) };
  }
  /** Shared data of this host's vm_id: key → value text and CAS. */
  get sharedData(): Map<string, { value: string; bytes: Uint8Array; cas: number }> {
    const out = new Map<string, { value: string; bytes: Uint8Array; cas: number }>();
    for (const [k, e] of this.environment.shared.entries(this.options.vmId ?? "")) out.set(k, { value: text(e.value), bytes: e.value, cas: e.cas });
    return out;
  }
  /** Every callout dispatched so far (answered or not). */
  callouts(): Callout[] { return [...this.calloutList]; }
  pendingCallouts(): Callout[] { return this.calloutList.filter((c) => c.state === "pending"); }
  /** Linear memory size of each worker VM, in 64 KiB pages. */
  memoryPages(): number[] { return this.vms.map((vm) => vm.memory.pages); }
  /**
   * Runs the exchange `requests` times (after `warmup` runs) and compares memory pages per
   * worker before and after: a filter that frees what it allocates stays flat.
   */
  async memoryCheck(exchange: Exchange, options: { requests?: number; warmup?: number } = {}): Promise<{ before: number[]; after: number[]; flat: boolean }> {
    for (let i = 0; i < (options.warmup ?? 20); i++) await this.run(exchange);
    const before = this.memoryPages();
    for (let i = 0; i < (options.requests ?? 100); i++) await this.run(exchange);
    const after = this.memoryPages();
    return { before, after, flat: after.every((p, i) => p === before[i]) };
  }
  /** True once any worker VM has failed (trap), even if FAIL_RELOAD replaced it since. */
  get failed(): boolean { return this.vms.some((vm) => vm.failed) || this.retiredVms.length > 0; }
  failures(): string[] { return [...this.retiredVms, ...this.vms].flatMap((vm) => (vm.failure ? [`worker ${vm.services.worker}: ${vm.failure}`] : [])); }
  /** Log messages of the canary VMs (start-up seen once more per plugin), optionally at one level. */
  canaryLogs(level?: LogLevelName): string[] { return this.canaryLogEntries.filter((e) => !level || e.level === level).map((e) => e.message); }
  /** ABI misuse recorded so far (BAD_ARGUMENT / INVALID_MEMORY_ACCESS results, restricted calls, …). */
  misuse(): Misuse[] { return this.vms.flatMap((vm) => vm.misuse); }
  /** Hostcalls made outside any stream: start-up and root contexts. */
  trace(): TraceEntry[] {
    return [...this.vms.flatMap((vm) => vm.vmTrace.entries()), ...this.plugins.flatMap((p) => p.roots.flatMap((r) => r.trace.entries()))].sort((a, b) => a.seq - b.seq);
  }
  /** Moves the manual clock: fires ticks and callout timeouts due meanwhile. */
  advance(ms: number): void { this.environment.advance(ms); }
  /** Waits for callouts answered asynchronously (handlers returning promises, real upstreams). */
  settle(): Promise<void> { return this.environment.settle(); }
  /** Shuts the plugins down (`proxy_on_done` / `proxy_on_delete` on each root). */
  close(): void {
    this.environment.run(() => { for (const p of this.plugins) p.roots.forEach((r, w) => stopRoot(p.vm(w), r)); });
  }
}
