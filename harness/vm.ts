/**
 * @module harness/vm
 * One VM instance (one Envoy worker's copy of a module): linking with cpp-host's rules,
 * start-up (`_initialize` then `main(0,0)`, else `_start`) with V8's restricted hostcalls,
 * the context table and id counter, the current/effective context, the per-call
 * "local response sent" flag and deferred actions, and the failure state a trap sets.
 */
import { ALLOWED_DURING_ALLOC, ALLOWED_DURING_START, Status, STATUS_NAMES, LOG_LEVELS, type LogLevelName } from "./abi.ts";
import { ModuleMemory, MemoryFault } from "./memory.ts";
import type { RootContext } from "./root.ts";
import type { StreamContext } from "./http.ts";
import type { TcpContext } from "./tcp-context.ts";
import type { Environment } from "./environment.ts";
import { HostLoadError, type CompiledModule } from "./compile.ts";
import type { PropertyTree } from "./properties.ts";
import type { ClusterTarget } from "./callouts.ts";
import { nameId, TraceLog } from "./trace-log.ts";

export type { TraceEntry } from "./trace-log.ts";

export type Context = RootContext | StreamContext | TcpContext;

export interface Misuse { worker: number; context: number; call: string; reason: string }

export interface LogEntry { level: LogLevelName; message: string; context: number; worker: number; plugin: string; seq: number }

/** What a VM needs from the host that owns it. */
export interface VmServices {
  env: Environment;
  vmId: string;
  vmConfig: Uint8Array;
  worker: number;
  logLevel: number;
  wasiEnv: Array<[string, string]>;
  clusters: Map<string, ClusterTarget>;
  filterStateFactories: Set<string>;
  vmProperties: PropertyTree;
  log(entry: LogEntry): void;
  /** Called for every callout dispatched, so the host can list them. */
  onCallout(callout: import("./callouts.ts").Callout): void;
  traceLimit: number;
}

/** A trap the host raises on purpose (restricted hostcall, start-section hostcall). */
export class HostTrap extends Error {}

export interface CallResult {
  /** The export existed, the VM was healthy, and it returned without trapping. */
  ran: boolean;
  trapped: boolean;
  value: number;
  localResponseSent: boolean;
  /** Runs the actions Envoy defers until the callback returns (local reply, continue, close). */
  flush(): void;
}

/** Trace sequence numbers, process-wide: they order the entries of every context and host. */
let traceSeq = 0;

/** What a host call's wrapper knows of its import, fixed when the import is wrapped. */
class HostcallSite {
  readonly name: number;
  readonly proxyCall: boolean;
  readonly wasiCall: boolean;
  constructor(readonly qualified: string) {
    this.name = nameId(qualified);
    this.proxyCall = qualified.startsWith("env.proxy_");
    this.wasiCall = qualified.startsWith("wasi.");
  }
}

const DURING_ALLOC = { allowed: ALLOWED_DURING_ALLOC, phase: "the allocator" };
const NOTHING = (): void => {};

/**
 * A callback's result. Built without a closure unless the callback deferred actions: under tsx
 * (esbuild's keepNames) every named closure costs a `defineProperty`, once per VM call here.
 */
function callResult(ran: boolean, trapped: boolean, value: number, localResponseSent: boolean, actions: Array<() => void> | null): CallResult {
  return { ran, trapped, value, localResponseSent, flush: actions ? runAll.bind(null, actions) : NOTHING };
}
function runAll(actions: Array<() => void>): void { for (const a of actions) a(); }

export class Vm {
  instance!: WebAssembly.Instance;
  readonly memory: ModuleMemory;
  readonly contexts = new Map<number, Context>();
  private nextContextId = 1;
  failed = false;
  failure: string | null = null;
  current: Context | null = null;
  /** VM context (id 0) activity: start-up and allocator calls are traced here. */
  readonly vmTrace = new TraceLog();
  effectiveId = 0;
  localResponseSent = false;
  /** Actions of the running callback that Envoy defers until it returns; null until the first. */
  private deferred: Array<() => void> | null = null;
  restricted: { allowed: Set<string>; phase: string } | null = null;
  instantiating = false;
  readonly misuse: Misuse[] = [];
  /** Per-VM id counters (§10.10, §10.11): type in the low 2 bits, step 4. */
  readonly ids = { counter: 0, gauge: 1, histogram: 2, httpCall: 0, grpcCall: 1, grpcStream: 2 };
  readonly metrics = new Map<number, string>();

  constructor(readonly module: CompiledModule, readonly services: VmServices) {
    this.memory = new ModuleMemory(() => this.instance.exports.memory as WebAssembly.Memory);
    this.memory.allocate = (size) => this.allocate(size);
  }

  /** `instance.exports` is a native getter; it is read once per instance, not on every VM call and allocation. */
  private exportsOf: { instance: WebAssembly.Instance; exports: Record<string, unknown>; allocator: ((n: number) => number) | undefined } | null = null;
  private exportsCache(): { instance: WebAssembly.Instance; exports: Record<string, unknown>; allocator: ((n: number) => number) | undefined } {
    const instance = this.instance;
    let c = this.exportsOf;
    if (c === null || c.instance !== instance) {
      const exports = instance.exports as Record<string, unknown>;
      // The allocator is looked up with the exports: every value the host hands in calls it.
      const allocator = (exports.malloc ?? exports.proxy_on_memory_allocate) as ((n: number) => number) | undefined;
      c = this.exportsOf = { instance, exports, allocator };
    }
    return c;
  }
  get exports(): Record<string, unknown> { return this.exportsCache().exports; }

  allocContextId(): number { return this.nextContextId++; }

  /** The context hostcalls act on: the effective one if set and alive, else the current one. */
  ctx(): Context | null {
    if (this.effectiveId !== 0) {
      const e = this.contexts.get(this.effectiveId);
      if (e) return e;
    }
    return this.current;
  }

  defer(action: () => void): void { (this.deferred ??= []).push(action); }

  noteMisuse(call: string, reason: string): void {
    this.misuse.push({ worker: this.services.worker, context: this.ctx()?.id ?? 0, call, reason });
  }

  /**
   * Traces a callback in `log` (kept to `traceLimit` entries); returns the entry's index for
   * `setResult`, or -1 when no trace is kept. The sequence advances alike either way.
   */
  private traceCallback(log: TraceLog, name: string, context: number, args: readonly number[]): number {
    const limit = this.services.traceLimit;
    if (!(limit > 0)) { traceSeq++; return -1; }
    // A stream's callbacks mostly repeat (a body callback per chunk): the last name's id is kept.
    if (name !== this.lastCallbackName) { this.lastCallbackName = name; this.lastCallbackNameId = nameId(name); }
    // A new context's log is sized like the last stream this VM finished, so that it need not grow.
    if (log.length === 0 && this.traceSizeHint > 0) log.reserve(this.traceSizeHint, limit);
    const index = log.callback(limit, ++traceSeq, this.lastCallbackNameId, context, args);
    // (At most 1,024 entries: after one huge stream, the next small ones would each take its size.)
    if (name === "proxy_on_delete") this.traceSizeHint = Math.min(log.length + 8, 1024);
    return index;
  }
  private lastCallbackName = "";
  private lastCallbackNameId = -1;
  /** Entries the last context deleted on this VM had traced (and a few its delete callback may add). */
  private traceSizeHint = 0;

  /**
   * Wraps a hostcall: start-section and restricted-callback traps, memory faults as
   * INVALID_MEMORY_ACCESS (WASI: errno FAULT), trace, and misuse bookkeeping.
   */
  hostcall(qualified: string, impl: (...args: any[]) => number, faultValue: number = Status.INVALID_MEMORY_ACCESS, arity = -1) {
    const site = new HostcallSite(qualified);
    const vm = this;
    // The common arities get a wrapper with fixed parameters (the load checked every import's
    // signature, so the count is exact): no rest array and spread call per host call, and the
    // arguments go to the trace's columns as they are. What surrounds the call is in prototype
    // methods, one target for every import (a closure per import would make those calls
    // megamorphic and keep V8 from inlining them).
    if (arity === 5) {
      return (a: number, b: number, c: number, d: number, e: number): number => {
        vm.enterHostcall(qualified);
        let result: number;
        try { result = impl(a, b, c, d, e); } catch (x) { result = vm.faultResult(x, faultValue); }
        return vm.leaveHostcall(site, result, 5, a, b, c, d, e);
      };
    }
    if (arity === 4) {
      return (a: number, b: number, c: number, d: number): number => {
        vm.enterHostcall(qualified);
        let result: number;
        try { result = impl(a, b, c, d); } catch (x) { result = vm.faultResult(x, faultValue); }
        return vm.leaveHostcall(site, result, 4, a, b, c, d, 0);
      };
    }
    if (arity === 3) {
      return (a: number, b: number, c: number): number => {
        vm.enterHostcall(qualified);
        let result: number;
        try { result = impl(a, b, c); } catch (x) { result = vm.faultResult(x, faultValue); }
        return vm.leaveHostcall(site, result, 3, a, b, c, 0, 0);
      };
    }
    if (arity === 2) {
      return (a: number | bigint, b: number | bigint): number => {
        vm.enterHostcall(qualified);
        let result: number;
        try { result = impl(a, b); } catch (x) { result = vm.faultResult(x, faultValue); }
        return vm.leaveHostcall(site, result, 2, a, b, 0, 0, 0);
      };
    }
    if (arity === 1) {
      return (a: number): number => {
        vm.enterHostcall(qualified);
        let result: number;
        try { result = impl(a); } catch (x) { result = vm.faultResult(x, faultValue); }
        return vm.leaveHostcall(site, result, 1, a, 0, 0, 0, 0);
      };
    }
    return (...args: Array<number | bigint>): number => {
      vm.enterHostcall(qualified);
      let result: number;
      try { result = impl(...args); } catch (x) { result = vm.faultResult(x, faultValue); }
      const limit = vm.services.traceLimit;
      if (limit > 0) {
        const c = vm.ctx();
        (c !== null ? c.trace : vm.vmTrace).hostcallList(limit, ++traceSeq, site.name, c !== null ? c.id : 0, result, args);
      } else traceSeq++;
      return vm.checkStatus(site, result);
    };
  }

  /** Before a host call: the start-section and restricted-callback traps. */
  private enterHostcall(qualified: string): void {
    if (this.instantiating) throw new HostTrap(`start section made a hostcall (${qualified}) before any context exists`);
    const r = this.restricted;
    if (r && !r.allowed.has(qualified)) {
      this.noteMisuse(qualified, `restricted_callback during ${r.phase}`);
      throw new HostTrap(`restricted_callback: ${qualified} is not allowed during ${r.phase}`);
    }
  }

  /** A memory fault becomes the call's fault status; anything else is rethrown. */
  private faultResult(e: unknown, faultValue: number): number {
    if (!(e instanceof MemoryFault)) throw e;
    return faultValue;
  }

  /** After a host call of up to five arguments (`n` of them meaningful): the trace entry (when kept) and the misuse bookkeeping. */
  private leaveHostcall(site: HostcallSite, result: number, n: number,
    a: number | bigint, b: number | bigint, c: number | bigint, d: number | bigint, e: number | bigint): number {
    const limit = this.services.traceLimit;
    if (limit > 0) {
      const ctx = this.ctx();
      (ctx !== null ? ctx.trace : this.vmTrace).hostcall(limit, ++traceSeq, site.name, ctx !== null ? ctx.id : 0, result, n, a, b, c, d, e);
    } else traceSeq++;
    return this.checkStatus(site, result);
  }

  /** A failing status is noted as ABI misuse (the call's result is returned unchanged). */
  private checkStatus(site: HostcallSite, result: number): number {
    if (site.proxyCall && (result === Status.BAD_ARGUMENT || result === Status.INVALID_MEMORY_ACCESS || result === Status.UNIMPLEMENTED)) {
      this.noteMisuse(site.qualified, STATUS_NAMES[result]);
    } else if (site.wasiCall && result === 21) {
      this.noteMisuse(site.qualified, "FAULT");
    }
    return result;
  }

  /** Marks the VM failed (Envoy `FailState::RuntimeError`); every later callback is skipped. */
  fail(reason: string): void {
    if (this.failed) return;
    this.failed = true;
    this.failure = reason;
    this.services.log({ level: "critical", message: `wasm VM failed: ${reason}`, context: this.current?.id ?? 0, worker: this.services.worker, plugin: "", seq: 0 });
  }

  private allocate(size: number): number {
    const fn = this.exportsCache().allocator;
    if (!fn || this.failed) return 0;
    const saved = this.restricted;
    this.restricted = DURING_ALLOC;
    try {
      return fn(size) >>> 0;
    } catch (e) {
      this.fail(`trap in allocator: ${errorText(e)}`);
      return 0;
    } finally {
      this.restricted = saved;
    }
  }

  /** Instantiates the module; a start section that makes a hostcall fails the load. */
  instantiate(imports: WebAssembly.Imports): void {
    this.instantiating = true;
    this.memory.forget();
    try {
      this.instance = new WebAssembly.Instance(this.module.module, imports);
    } catch (e) {
      throw new HostLoadError(`Failed to create new Wasm instance: ${errorText(e)}`);
    } finally {
      this.instantiating = false;
    }
  }

  /** Runs `_initialize` (+ `main(0,0)` or `__main_void`) or `_start` in the VM context with V8's restrictions. */
  start(): void {
    const e = this.exports;
    const steps: Array<[string, () => unknown]> = [];
    if (typeof e._initialize === "function") {
      steps.push(["_initialize", () => (e._initialize as () => void)()]);
      if (typeof e.main === "function") steps.push(["main", () => (e.main as (a: number, b: number) => number)(0, 0)]);
      else if (typeof e.__main_void === "function") steps.push(["__main_void", () => (e.__main_void as () => number)()]);
    } else if (typeof e._start === "function") {
      steps.push(["_start", () => (e._start as () => void)()]);
    }
    for (const [name, run] of steps) {
      this.restricted = { allowed: ALLOWED_DURING_START, phase: name };
      this.traceCallback(this.vmTrace, name, 0, []);
      try { run(); } catch (err) { this.fail(`trap in ${name}: ${errorText(err)}`); } finally { this.restricted = null; }
      if (this.failed) return;
    }
  }

  /**
   * Calls a `proxy_on_*` export for `ctx`. A missing export or a failed VM does not run
   * (`ran` false); a trap fails the VM. The per-call state (effective context, local
   * response flag) is reset when the call returns, as cpp-host's DeferAfterCallActions does.
   */
  call(ctx: Context, name: string, args: number[]): CallResult {
    const fn = this.exports[name] as ((...a: number[]) => number | undefined) | undefined;
    if (this.failed || typeof fn !== "function") return callResult(false, false, 0, false, null);
    if (this.current) throw new Error(`re-entrant VM call ${name} while ${this.current.id} is running`);
    this.current = ctx;
    this.effectiveId = 0;
    this.localResponseSent = false;
    this.deferred = null;
    const traced = this.traceCallback(ctx.trace, name, ctx.id, args);
    let value = 0, trapped = false;
    try {
      value = (fn(...args) ?? 0) as number;
    } catch (err) {
      trapped = true;
      this.fail(`trap in ${name}(${args.join(", ")}): ${errorText(err)}`);
    } finally {
      this.current = null;
      this.effectiveId = 0;
    }
    if (!trapped && traced >= 0) ctx.trace.setResult(traced, value >>> 0);
    const lrs = this.localResponseSent;
    this.localResponseSent = false;
    const actions = trapped ? null : this.deferred;
    this.deferred = null;
    return callResult(!trapped, trapped, value >>> 0, lrs, actions);
  }

  logLevelName(level: number): LogLevelName { return LOG_LEVELS[level] ?? "critical"; }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
