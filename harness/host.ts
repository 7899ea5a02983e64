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
import { LOG_LEVELS, LOG_OFF, type LogLevelName } from "./abi.ts";
import { Chain } from "./chain.ts";
import type { Callout, ClusterTarget } from "./callouts.ts";
import { compileModule, HostLoadError, type CompiledModule } from "./compile.ts";
import type { HttpStream, StreamOptions } from "./driver.ts";
import { Environment, type EnvironmentOptions } from "./environment.ts";
import type { Exchange } from "./exchange.ts";
import { buildImports } from "./imports/index.ts";
import { bytes, text } from "./memory.ts";
import { Plugin, startRoot, stopRoot } from "./plugin.ts";
import { normalizeProperties, type PropertyTree } from "./properties.ts";
import type { PluginSpec } from "./root.ts";
import { Vm, type LogEntry, type Misuse, type TraceEntry } from "./vm.ts";

export type ConfigInput = string | Uint8Array | object;

export interface PluginOptions {
  /** Plugin configuration: an object (sent as JSON), a string or bytes. */
  pluginConfig?: ConfigInput;
  rootId?: string;
  /** `plugin_name` (default: the root id, or "plugin"). */
  name?: string;
  /** Envoy's legacy `fail_open`: a failed VM lets traffic through instead of answering 503. */
  failOpen?: boolean;
  /** Envoy ≥ 1.35 `allow_on_headers_stop_iteration` (default false, as in Envoy). */
  allowOnHeadersStopIteration?: boolean;
  /** Static properties, e.g. `{"xds.route_name": "r1", xds: {cluster_name: "c"}}`. */
  properties?: PropertyTree;
}

export interface HostOptions extends PluginOptions, EnvironmentOptions {
  vmConfig?: ConfigInput;
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

export class Host {
  readonly vms: Vm[] = [];
  readonly plugins: Plugin[] = [];
  readonly logEntries: LogEntry[] = [];
  readonly calloutList: Callout[] = [];
  private chain!: Chain;

  private constructor(readonly module: CompiledModule, readonly environment: Environment, readonly options: HostOptions) {}

  /** Loads and starts a module; rejects with HostLoadError (missing imports, failed start, configure false). */
  static async load(wasm: string | Uint8Array | ArrayBuffer, options: HostOptions = {}): Promise<Host> {
    const compiled = await compileModule(wasm);
    const env = options.environment ?? new Environment(options);
    const host = new Host(compiled, env, options);
    env.run(() => host.boot());
    return host;
  }

  private boot(): void {
    const o = this.options;
    const level = o.logLevel === "off" ? LOG_OFF : LOG_LEVELS.indexOf(o.logLevel ?? "info");
    const specs: PluginSpec[] = [o, ...(o.plugins ?? [])].map((p) => ({
      name: p.name ?? (p.rootId || "plugin"), rootId: p.rootId ?? "", vmId: o.vmId ?? "",
      configuration: configBytes(p.pluginConfig), failOpen: p.failOpen ?? o.failOpen ?? false,
      allowOnHeadersStopIteration: p.allowOnHeadersStopIteration ?? o.allowOnHeadersStopIteration ?? false,
      properties: normalizeProperties(p.properties ?? {}),
    }));
    const roots = specs.map(() => [] as import("./root.ts").RootContext[]);
    for (let w = 0; w < Math.max(1, o.workers ?? 1); w++) {
      const vm = new Vm(this.module, {
        env: this.environment, vmId: o.vmId ?? "", vmConfig: configBytes(o.vmConfig), worker: w, logLevel: level,
        wasiEnv: Object.entries(o.env ?? {}), clusters: new Map(Object.entries(o.clusters ?? {})),
        filterStateFactories: new Set(o.filterStateFactories ?? DEFAULT_FACTORIES), vmProperties: DEFAULT_STREAM_PROPERTIES,
        log: (e) => { e.seq = ++logSeq; this.logEntries.push(e); o.onLog?.(e); },
        onCallout: (c) => this.calloutList.push(c),
        traceLimit: o.traceLimit ?? 10000,
      });
      vm.instantiate(buildImports(vm));
      vm.start();
      if (vm.failed) throw new HostLoadError(`Wasm VM failed to start (worker ${w}): ${vm.failure}`);
      this.vms.push(vm);
      specs.forEach((spec, i) => roots[i].push(startRoot(this, vm, spec)));
    }
    specs.forEach((spec, i) => this.plugins.push(new Plugin(this, spec, roots[i])));
    this.chain = new Chain([this.plugins[0]]);
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
  /** True once any worker VM has failed (trap). */
  get failed(): boolean { return this.vms.some((vm) => vm.failed); }
  failures(): string[] { return this.vms.flatMap((vm) => (vm.failure ? [`worker ${vm.services.worker}: ${vm.failure}`] : [])); }
  /** ABI misuse recorded so far (BAD_ARGUMENT / INVALID_MEMORY_ACCESS results, restricted calls, …). */
  misuse(): Misuse[] { return this.vms.flatMap((vm) => vm.misuse); }
  /** Hostcalls made outside any stream: start-up and root contexts. */
  trace(): TraceEntry[] {
    return [...this.vms.flatMap((vm) => vm.vmTrace), ...this.plugins.flatMap((p) => p.roots.flatMap((r) => r.trace))].sort((a, b) => a.seq - b.seq);
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
