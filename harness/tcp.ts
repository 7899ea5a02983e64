/**
 * @module harness/tcp
 * The TCP driver: one downstream connection through plugins used as Envoy network filters in
 * front of `tcp_proxy`, run the way Envoy's network FilterManager and Wasm `Context` run them —
 * `proxy_on_new_connection` as each filter is first reached (a stop there leaves the filters
 * after it, tcp_proxy included, uninitialised until data or `continue_stream` gets past it); one
 * connection read buffer that every read runs through the filters from the first (so a stop
 * keeps the bytes and the next call sees them all, and filters before the one that stopped see
 * them again); the write path in reverse filter order; deferred `continue_stream`/`close_stream`;
 * a synthesised upstream close (peer UNKNOWN) for each filter an end_stream write reaches;
 * done → log → delete as soon as the downstream closes; and a failed VM closing the connection
 * unless the plugin is fail-open (reference §10.4, §10.5, §10.7, §10.9, §10.14).
 */
import { convertNetworkResult, PeerType, type LogLevelName, type NetworkStatus } from "./abi.ts";
import type { Environment } from "./environment.ts";
import { bytes, text } from "./memory.ts";
import type { Plugin } from "./plugin.ts";
import { normalizeProperties, type PropertyTree } from "./properties.ts";
import type { BodyBuffer } from "./http.ts";
import { logOrigin } from "./log-origin.ts";
import { TcpContext, type ConnectionInfo, type TcpHooks } from "./tcp-context.ts";
import type { LogEntry, TraceEntry, Vm } from "./vm.ts";

const EMPTY = new Uint8Array(0);
const concat = (a: Uint8Array, b: Uint8Array) => (a.length === 0 ? b : b.length === 0 ? a : Buffer.concat([a, b]));

let nextConnectionId = 1;

export interface ConnectionOptions {
  /** Worker (VM instance) that runs the connection; default round-robin. */
  worker?: number;
  /** Per-connection properties over the plugin's (e.g. `{"source.address": "10.0.0.1:5000"}`). */
  properties?: PropertyTree;
}

/** What one side received: the upstream (client bytes) or the client (upstream bytes). */
export interface TcpReceived {
  chunks: Array<{ bytes: Uint8Array; endOfStream: boolean }>;
  /** A write with end_stream reached this side (half-close). */
  endOfStream: boolean;
  readonly bytes: Uint8Array;
  readonly text: string;
}

function tcpReceived(): TcpReceived {
  return {
    chunks: [], endOfStream: false,
    get bytes() { return Buffer.concat(this.chunks.map((c) => c.bytes)); },
    get text() { return text(this.bytes); },
  };
}

/**
 * Who closed the connection and why: `remote_close` (the client), `upstream_close` (tcp_proxy
 * closing the client after its upstream went away), the filter's `wasm_downstream_close` /
 * `wasm_upstream_close`, or `wasm_vm_failed` (Envoy's failStream, which passes no details).
 */
export interface TcpClose { peer: "local" | "remote"; details: string }

export interface TcpCallbackRecord { plugin: string; callback: string; status: NetworkStatus | null }

/** One plugin's place in the connection's filter chain. */
interface TcpSlot {
  plugin: Plugin;
  /** The VM the connection started on (a FAIL_RELOAD does not move it). */
  vm: Vm;
  ctx: TcpContext;
  /** FAIL_OPEN on a failed VM: the filter was never added. */
  skipped: boolean;
  /** `onNewConnection` ran (Envoy's `initialized_`). */
  initialized: boolean;
  /** done → log → delete ran (Envoy's `tcp_connection_closed_`). */
  tcpClosed: boolean;
}

export class TcpConnection implements TcpHooks {
  readonly upstream = tcpReceived();
  readonly client = tcpReceived();
  readonly filterState = new Map<string, Uint8Array>();
  readonly envoyFilterState = new Map<string, { value: string; span: number }>();
  readonly info: ConnectionInfo;
  readonly properties: PropertyTree;
  /** Every filter callback run for this connection, with the status Envoy acted on (null: no result). */
  readonly callbacks: TcpCallbackRecord[] = [];
  /** tcp_proxy initialised (it connects upstream on its own `onNewConnection`). */
  upstreamConnected = false;
  /** Set once the downstream connection is closed. */
  closed: TcpClose | null = null;
  /** The upstream sent end_stream, or its connection went away. */
  upstreamClosed = false;
  private readonly slots: TcpSlot[];
  /** Envoy's connection read buffer: what the client sent and tcp_proxy has not taken yet. */
  private readonly readBuffer: BodyBuffer = { bytes: EMPTY };
  /** What the upstream sent and the write filters have not let through to the client yet. */
  private readonly writeBuffer: BodyBuffer = { bytes: EMPTY };
  private downstreamEnded = false;
  private downstreamEndForwarded = false;
  private stepStatus: NetworkStatus | null = null;

  constructor(plugins: Plugin[], private readonly env: Environment, readonly worker: number, options: ConnectionOptions = {}) {
    this.properties = normalizeProperties(options.properties);
    this.info = { startTimeMs: env.clock.wallMs(), connectionId: nextConnectionId++ };
    // Envoy makes every filter of the chain (and its context id) when it accepts the connection.
    this.slots = plugins.map((plugin) => {
      const vm = plugin.vmForNewStream(worker);
      const ctx = new TcpContext(vm.failed ? 0 : vm.allocContextId(), plugin.root(worker), this);
      return { plugin, vm, ctx, skipped: vm.failed && plugin.skipsWhenFailed, initialized: false, tcpClosed: false };
    });
    this.env.run(() => this.iterateRead(0));
  }

  // ---- public steps -------------------------------------------------------------------

  /** The client sends bytes (end_stream: it half-closed): drives `proxy_on_downstream_data`. Returns the first filter's status. */
  downstreamData(chunk: string | Uint8Array, endOfStream = false): NetworkStatus | null {
    if (this.closed) throw new Error(`the connection is closed (${this.closed.details})`);
    if (this.downstreamEnded) throw new Error("the client already half-closed the connection");
    const b = bytes(chunk);
    if (b.length === 0 && !endOfStream) return null;
    if (endOfStream) this.downstreamEnded = true;
    this.readBuffer.bytes = concat(this.readBuffer.bytes, b);
    return this.step(() => this.iterateRead(0));
  }

  /** The upstream sends bytes back: drives `proxy_on_upstream_data` (then the synthesised upstream close on end_stream), last filter first. */
  upstreamData(chunk: string | Uint8Array, endOfStream = false): NetworkStatus | null {
    if (this.closed) throw new Error(`the connection is closed (${this.closed.details})`);
    if (!this.upstreamConnected) throw new Error("there is no upstream connection yet: the filter has not let the connection through");
    if (this.upstreamClosed) throw new Error("the upstream already ended its side");
    const b = bytes(chunk);
    if (b.length === 0 && !endOfStream) return null;
    if (endOfStream) this.upstreamClosed = true;
    this.writeBuffer.bytes = concat(this.writeBuffer.bytes, b);
    return this.step(() => this.iterateWrite(endOfStream));
  }

  /** The client closes (peer REMOTE) or Envoy closes it (LOCAL): `proxy_on_downstream_connection_close`, then done → log → delete. */
  closeDownstream(peer: "remote" | "local" = "remote"): void {
    if (this.closed) return;
    this.env.run(() => this.downstreamClosed(peer, peer === "remote" ? "remote_close" : "local_close"));
  }

  /**
   * The upstream connection goes away: tcp_proxy closes the client connection after flushing,
   * so the filters see a LOCAL downstream close (Envoy reports upstream closes to a Wasm filter
   * only as the synthesised UNKNOWN close of an end_stream write).
   */
  closeUpstream(): void {
    if (this.closed) return;
    this.upstreamClosed = true;
    this.env.run(() => this.downstreamClosed("local", "upstream_close"));
  }

  // ---- observers ----------------------------------------------------------------------

  /** True once the connection is closed (the filters' done → log → delete have run, where they had a context). */
  get finished(): boolean { return this.closed !== null; }
  /** Context id of each plugin's context, in chain order (0 when its VM had failed). */
  get contextIds(): number[] { return this.slots.map((s) => s.ctx.id); }
  /** The first plugin's context id. */
  get contextId(): number { return this.slots[0].ctx.id; }
  /** The first plugin was left out (FAIL_OPEN on a failed VM); bytes pass it untouched. */
  get skipped(): boolean { return this.slots[0].skipped; }
  /** Bytes from the client a filter holds (after StopIteration), not yet sent upstream. */
  get heldDownstream(): Uint8Array { return this.readBuffer.bytes; }
  /** Bytes from the upstream a filter holds, not yet written to the client. */
  get heldUpstream(): Uint8Array { return this.writeBuffer.bytes; }
  /** Value stored with `proxy_set_property`, as text. */
  property(path: string): string | undefined { const v = this.filterState.get(path); return v && text(v); }
  trace(): TraceEntry[] { return this.slots.flatMap((s) => s.ctx.trace.entries()).sort((a, b) => a.seq - b.seq); }
  logs(level?: LogLevelName): string[] {
    return this.slots.flatMap((s) => s.plugin.host.logEntries.filter((e: LogEntry) =>
      logOrigin.get(e) === s.vm && e.context === s.ctx.id && e.context !== 0 && e.plugin === s.plugin.spec.name && (!level || e.level === level)))
      .sort((a, b) => a.seq - b.seq).map((e) => e.message);
  }

  // ---- hooks called from hostcalls (deferred until the callback returned) -------------

  /** `continueReading()`: the read buffer goes on from the filter after this one. */
  continueDownstream(ctx: TcpContext): void {
    const i = this.slots.findIndex((s) => s.ctx === ctx);
    if (this.closed || i < 0) return;
    this.iterateRead(i + 1);
  }

  closeConnection(ctx: TcpContext, details: string): void {
    if (this.slots.some((s) => s.ctx === ctx)) this.downstreamClosed("local", details);
  }

  // ---- the filter chain ---------------------------------------------------------------

  private step(fn: () => void): NetworkStatus | null {
    this.stepStatus = null;
    this.env.run(fn);
    return this.stepStatus;
  }

  /**
   * Runs a data/new-connection callback with cpp-host's CHECK_FAIL_NETWORK around it: on a failed
   * VM a fail-open plugin continues, otherwise both directions fail, which closes the connection.
   * Deferred actions run before Envoy acts on the status.
   */
  private call(slot: TcpSlot, name: string, args: number[]): NetworkStatus {
    let status: NetworkStatus;
    let flush = () => {};
    const failed = (): NetworkStatus => {
      if (slot.plugin.spec.failOpen) return "Continue";
      flush = () => this.downstreamClosed("local", "wasm_vm_failed");
      return "StopIteration";
    };
    if (slot.vm.failed) status = failed();
    else {
      const r = slot.vm.call(slot.ctx, name, args);
      if (r.trapped) status = failed();
      else { status = r.ran ? convertNetworkResult(r.value) : "Continue"; flush = r.flush; }
    }
    this.callbacks.push({ plugin: slot.plugin.spec.name, callback: name, status });
    if (this.stepStatus === null) this.stepStatus = status;
    flush();
    return status;
  }

  /** Envoy's `onNewConnection` for one filter: its context is created in the VM, then asked. */
  private initialize(slot: TcpSlot): NetworkStatus {
    slot.initialized = true;
    if (!slot.vm.failed) {
      slot.ctx.created = true;
      slot.vm.contexts.set(slot.ctx.id, slot.ctx);
      slot.vm.call(slot.ctx, "proxy_on_context_create", [slot.ctx.id, slot.ctx.root.id]).flush();
    }
    return this.call(slot, "proxy_on_new_connection", [slot.ctx.id]);
  }

  /**
   * Envoy's `onContinueReading`: from filter `from`, initialise filters not yet reached and hand
   * each the read buffer while it has bytes or the client ended; a stop keeps the bytes in the
   * buffer. Past the last filter, tcp_proxy (initialised now: it connects upstream) takes them.
   */
  private iterateRead(from: number): void {
    for (let i = from; i < this.slots.length; i++) {
      const slot = this.slots[i];
      if (slot.skipped) continue;
      if (!slot.initialized && (this.initialize(slot) === "StopIteration" || this.closed)) return;
      if (this.readBuffer.bytes.length === 0 && !this.downstreamEnded) continue;
      if (!slot.ctx.created) continue;
      slot.ctx.downstreamData = this.readBuffer;
      const status = this.call(slot, "proxy_on_downstream_data", [slot.ctx.id, this.readBuffer.bytes.length, this.downstreamEnded ? 1 : 0]);
      if (this.closed) return;
      if (status === "StopIteration") return;
      slot.ctx.downstreamData = null;
    }
    this.upstreamConnected = true;
    const eos = this.downstreamEnded && !this.downstreamEndForwarded;
    const data = this.readBuffer.bytes;
    this.readBuffer.bytes = EMPTY;
    if (data.length === 0 && !eos) return;
    if (eos) this.downstreamEndForwarded = true;
    this.upstream.chunks.push({ bytes: data, endOfStream: eos });
    if (eos) this.upstream.endOfStream = true;
  }

  /**
   * Envoy's write path: write filters in reverse order, each seeing everything not yet let
   * through (a stop leaves the bytes with the upstream; there is no resume, UPSTREAM continue is
   * UNIMPLEMENTED); a filter an end_stream write reaches gets the synthesised upstream close.
   */
  private iterateWrite(eos: boolean): void {
    for (let i = this.slots.length - 1; i >= 0; i--) {
      const slot = this.slots[i];
      if (slot.skipped || !slot.ctx.created || slot.tcpClosed) continue;
      slot.ctx.upstreamData = this.writeBuffer;
      const status = this.call(slot, "proxy_on_upstream_data", [slot.ctx.id, this.writeBuffer.bytes.length, eos ? 1 : 0]);
      if (status === "Continue") slot.ctx.upstreamData = null;
      // Envoy has no upstream connection event here: an end_stream write stands for the upstream close.
      if (eos && !this.closed && !slot.vm.failed) {
        slot.vm.call(slot.ctx, "proxy_on_upstream_connection_close", [slot.ctx.id, PeerType.UNKNOWN]).flush();
        this.callbacks.push({ plugin: slot.plugin.spec.name, callback: "proxy_on_upstream_connection_close", status: null });
      }
      if (this.closed || status === "StopIteration") return;
    }
    const data = this.writeBuffer.bytes;
    this.writeBuffer.bytes = EMPTY;
    if (data.length === 0 && !eos) return;
    this.client.chunks.push({ bytes: data, endOfStream: eos });
    if (eos) this.client.endOfStream = true;
  }

  /** The downstream close event reaches every filter in order; each runs done → log → delete at once. */
  private downstreamClosed(peer: "local" | "remote", details: string): void {
    if (this.closed) return;
    this.closed = { peer, details };
    for (const slot of this.slots) {
      slot.ctx.downstreamData = null;
      slot.ctx.upstreamData = null;
      if (slot.skipped || !slot.ctx.created) continue;
      if (!slot.vm.failed) {
        slot.vm.call(slot.ctx, "proxy_on_downstream_connection_close", [slot.ctx.id, peer === "local" ? PeerType.LOCAL : PeerType.REMOTE]).flush();
        this.callbacks.push({ plugin: slot.plugin.spec.name, callback: "proxy_on_downstream_connection_close", status: null });
      }
      this.closeTcp(slot);
    }
  }

  /** Envoy's `onCloseTCP`: done → log → delete, at most once, skipped on a failed VM. */
  private closeTcp(slot: TcpSlot): void {
    if (slot.tcpClosed || !slot.ctx.created) return;
    slot.tcpClosed = true;
    for (const cb of ["proxy_on_done", "proxy_on_log", "proxy_on_delete"]) {
      if (slot.vm.failed) break;
      slot.vm.call(slot.ctx, cb, [slot.ctx.id]).flush();
    }
    slot.ctx.created = false;
    slot.ctx.destroyed = true;
    slot.vm.contexts.delete(slot.ctx.id);
  }
}
