/**
 * @module harness/tcp
 * The TCP driver: one downstream connection through a plugin used as an Envoy network filter in
 * front of `tcp_proxy`, run the way Envoy's network FilterManager and Wasm `Context` run it —
 * `proxy_on_new_connection` at accept (a stop there delays the upstream connection until data or
 * `continue_stream` lets it through), data callbacks that see everything the filter held so far,
 * deferred `continue_stream`/`close_stream`, a synthesised upstream close (peer UNKNOWN) when the
 * upstream's write carries end_stream, done → log → delete as soon as the downstream closes, and
 * a failed VM closing the connection unless the plugin is fail-open (reference §10.4, §10.5,
 * §10.7, §10.9, §10.14).
 */
import { convertNetworkResult, PeerType, type LogLevelName, type NetworkStatus } from "./abi.ts";
import type { Environment } from "./environment.ts";
import { bytes, text } from "./memory.ts";
import type { Plugin } from "./plugin.ts";
import { normalizeProperties, type PropertyTree } from "./properties.ts";
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
  readonly ctx: TcpContext;
  /** The VM this connection's context lives in (a FAIL_RELOAD reload does not move it). */
  readonly vm: Vm;
  /** FAIL_OPEN on a failed VM: the filter was never added; bytes pass untouched. */
  readonly skipped: boolean;
  private downstreamHeld: Uint8Array = EMPTY;
  private downstreamEnded = false;
  private downstreamEndForwarded = false;
  private upstreamHeld: Uint8Array = EMPTY;
  private tcpClosed = false;

  constructor(readonly plugin: Plugin, private readonly env: Environment, readonly worker: number, options: ConnectionOptions = {}) {
    this.properties = normalizeProperties(options.properties);
    this.info = { startTimeMs: env.clock.wallMs(), connectionId: nextConnectionId++ };
    this.vm = plugin.vmForNewStream(worker);
    this.skipped = this.vm.failed && plugin.skipsWhenFailed;
    this.ctx = new TcpContext(this.vm.failed ? 0 : this.vm.allocContextId(), plugin.root(worker), this);
    this.env.run(() => this.accept());
  }

  // ---- public steps -------------------------------------------------------------------

  /** The client sends bytes (end_stream: it half-closed): drives `proxy_on_downstream_data`. */
  downstreamData(chunk: string | Uint8Array, endOfStream = false): NetworkStatus | null {
    if (this.closed) throw new Error(`the connection is closed (${this.closed.details})`);
    if (this.downstreamEnded) throw new Error("the client already half-closed the connection");
    return this.env.run(() => this.onRead(bytes(chunk), endOfStream));
  }

  /** The upstream sends bytes back: drives `proxy_on_upstream_data` (then the synthesised upstream close on end_stream). */
  upstreamData(chunk: string | Uint8Array, endOfStream = false): NetworkStatus | null {
    if (this.closed) throw new Error(`the connection is closed (${this.closed.details})`);
    if (!this.upstreamConnected) throw new Error("there is no upstream connection yet: the filter has not let the connection through");
    if (this.upstreamClosed) throw new Error("the upstream already ended its side");
    return this.env.run(() => this.onWrite(bytes(chunk), endOfStream));
  }

  /** The client closes (peer REMOTE) or Envoy closes it (LOCAL): `proxy_on_downstream_connection_close`, then done → log → delete. */
  closeDownstream(peer: "remote" | "local" = "remote"): void {
    if (this.closed) return;
    this.env.run(() => this.downstreamClosed(peer, peer === "remote" ? "remote_close" : "local_close"));
  }

  /**
   * The upstream connection goes away: tcp_proxy closes the client connection after flushing,
   * so the filter sees a LOCAL downstream close (Envoy reports upstream closes to the filter only
   * as the synthesised UNKNOWN close of an end_stream write).
   */
  closeUpstream(): void {
    if (this.closed) return;
    this.upstreamClosed = true;
    this.env.run(() => this.downstreamClosed("local", "upstream_close"));
  }

  // ---- observers ----------------------------------------------------------------------

  /** True once the connection is closed (the filter's done → log → delete have run, if it had a context). */
  get finished(): boolean { return this.closed !== null; }
  get contextId(): number { return this.ctx.id; }
  /** Bytes from the client the filter holds (after StopIteration), not yet sent upstream. */
  get heldDownstream(): Uint8Array { return this.ctx.downstreamData?.bytes ?? this.downstreamHeld; }
  /** Bytes from the upstream the filter holds, not yet written to the client. */
  get heldUpstream(): Uint8Array { return this.ctx.upstreamData?.bytes ?? this.upstreamHeld; }
  /** Value stored with `proxy_set_property`, as text. */
  property(path: string): string | undefined { const v = this.filterState.get(path); return v && text(v); }
  trace(): TraceEntry[] { return [...this.ctx.trace]; }
  logs(level?: LogLevelName): string[] {
    const name = this.plugin.spec.name;
    return this.plugin.host.logEntries
      .filter((e: LogEntry) => e.worker === this.worker && e.context === this.ctx.id && e.context !== 0 && e.plugin === name && (!level || e.level === level))
      .map((e) => e.message);
  }

  // ---- hooks called from hostcalls (deferred until the callback returned) -------------

  continueDownstream(ctx: TcpContext): void {
    if (this.closed || ctx !== this.ctx) return;
    const held = this.heldDownstream;
    this.ctx.downstreamData = null;
    this.downstreamHeld = EMPTY;
    this.forwardUpstream(held);
  }

  closeConnection(ctx: TcpContext, details: string): void {
    if (ctx === this.ctx) this.downstreamClosed("local", details);
  }

  // ---- the filter ---------------------------------------------------------------------

  private record(callback: string, status: NetworkStatus | null): void {
    this.callbacks.push({ plugin: this.plugin.spec.name, callback, status });
  }

  /**
   * Runs a data/new-connection callback with cpp-host's CHECK_FAIL_NETWORK around it: on a failed
   * VM a fail-open plugin continues, otherwise both directions fail, which closes the connection.
   */
  private call(name: string, args: number[]): { status: NetworkStatus; flush: () => void } {
    const failed = () => {
      if (this.plugin.spec.failOpen) return { status: "Continue" as const, flush: () => {} };
      return { status: "StopIteration" as const, flush: () => this.downstreamClosed("local", "wasm_vm_failed") };
    };
    let out: { status: NetworkStatus; flush: () => void };
    if (this.vm.failed) out = failed();
    else {
      const r = this.vm.call(this.ctx, name, args);
      out = r.trapped ? failed() : { status: r.ran ? convertNetworkResult(r.value) : "Continue", flush: r.flush };
    }
    this.record(name, out.status);
    return out;
  }

  private accept(): void {
    if (this.skipped) { this.upstreamConnected = true; return; }
    if (!this.vm.failed) {
      this.ctx.created = true;
      this.vm.contexts.set(this.ctx.id, this.ctx);
      this.vm.call(this.ctx, "proxy_on_context_create", [this.ctx.id, this.ctx.root.id]).flush();
    }
    // A stop here leaves tcp_proxy uninitialised: no upstream connection until data passes or the filter continues.
    const r = this.call("proxy_on_new_connection", [this.ctx.id]);
    r.flush();
    if (r.status === "Continue" && !this.closed) this.upstreamConnected = true;
  }

  /** Envoy's read path: the read buffer keeps what the filter did not let go, so the next call sees it all. */
  private onRead(chunk: Uint8Array, eos: boolean): NetworkStatus | null {
    if (eos) this.downstreamEnded = true;
    const all = concat(this.heldDownstream, chunk);
    if (all.length === 0 && !eos) return null;
    if (this.skipped || !this.ctx.created) { this.downstreamHeld = EMPTY; this.forwardUpstream(all); return "Continue"; }
    this.ctx.downstreamData = { bytes: all };
    const r = this.call("proxy_on_downstream_data", [this.ctx.id, all.length, eos ? 1 : 0]);
    // Deferred actions run before Envoy acts on the status: a close stops the data, a continue already sent it.
    r.flush();
    if (this.closed) return r.status;
    const data = this.ctx.downstreamData?.bytes ?? EMPTY;
    if (r.status === "Continue") {
      this.ctx.downstreamData = null;
      this.downstreamHeld = EMPTY;
      this.forwardUpstream(data);
    } else this.downstreamHeld = data;
    return r.status;
  }

  /** tcp_proxy: initialised on the first data that passes (it connects upstream), then writes upstream. */
  private forwardUpstream(data: Uint8Array): void {
    if (this.closed) return;
    this.upstreamConnected = true;
    const eos = this.downstreamEnded && !this.downstreamEndForwarded;
    if (data.length === 0 && !eos) return;
    if (eos) this.downstreamEndForwarded = true;
    this.upstream.chunks.push({ bytes: data, endOfStream: eos });
    if (eos) this.upstream.endOfStream = true;
  }

  /** Envoy's write path: a stop leaves the bytes in the upstream's read buffer; there is no resume (UPSTREAM continue is UNIMPLEMENTED). */
  private onWrite(chunk: Uint8Array, eos: boolean): NetworkStatus | null {
    const all = concat(this.heldUpstream, chunk);
    if (all.length === 0 && !eos) return null;
    let status: NetworkStatus = "Continue";
    let data: Uint8Array = all;
    if (!this.skipped && this.ctx.created) {
      this.ctx.upstreamData = { bytes: all };
      const r = this.call("proxy_on_upstream_data", [this.ctx.id, all.length, eos ? 1 : 0]);
      r.flush();
      status = r.status;
      data = this.ctx.upstreamData?.bytes ?? EMPTY;
      if (status === "Continue") this.ctx.upstreamData = null;
    }
    if (status === "Continue") {
      this.upstreamHeld = EMPTY;
      if (!this.closed && (data.length > 0 || eos)) {
        this.client.chunks.push({ bytes: data, endOfStream: eos });
        if (eos) this.client.endOfStream = true;
      }
    } else this.upstreamHeld = data;
    if (eos && !this.closed) {
      // Envoy has no upstream connection event here: an end_stream write stands for the upstream close.
      this.upstreamClosed = true;
      this.onUpstreamConnectionClose(PeerType.UNKNOWN);
    }
    return status;
  }

  private onUpstreamConnectionClose(peer: number): void {
    if (this.skipped || !this.ctx.created || this.tcpClosed) return;
    if (!this.vm.failed) {
      this.vm.call(this.ctx, "proxy_on_upstream_connection_close", [this.ctx.id, peer]).flush();
      this.record("proxy_on_upstream_connection_close", null);
    }
    // done → log → delete only once the downstream side is closed too.
    if (this.closed) this.closeTcp();
  }

  private downstreamClosed(peer: "local" | "remote", details: string): void {
    if (this.closed) return;
    this.closed = { peer, details };
    this.ctx.downstreamData = null;
    this.ctx.upstreamData = null;
    if (this.skipped || !this.ctx.created) return;
    if (!this.vm.failed) {
      this.vm.call(this.ctx, "proxy_on_downstream_connection_close", [this.ctx.id, peer === "local" ? PeerType.LOCAL : PeerType.REMOTE]).flush();
      this.record("proxy_on_downstream_connection_close", null);
    }
    this.closeTcp();
  }

  /** Envoy's `onCloseTCP`: done → log → delete, at most once, skipped on a failed VM. */
  private closeTcp(): void {
    if (this.tcpClosed || !this.ctx.created) return;
    this.tcpClosed = true;
    for (const cb of ["proxy_on_done", "proxy_on_log", "proxy_on_delete"]) {
      if (this.vm.failed) break;
      this.vm.call(this.ctx, cb, [this.ctx.id]).flush();
    }
    this.ctx.created = false;
    this.ctx.destroyed = true;
    this.vm.contexts.delete(this.ctx.id);
  }
}

