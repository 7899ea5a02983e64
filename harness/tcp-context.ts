/**
 * @module harness/tcp-context
 * The state of one TCP (network filter) stream context inside one VM, mirroring Envoy's Wasm
 * `Context` as a network read/write filter: the DOWNSTREAM_DATA / UPSTREAM_DATA buffers it holds
 * (set when its data callback runs, kept while that callback stopped iteration), and the hooks
 * back into the connection driver for the actions Envoy defers until the callback returns.
 */
import type { BodyBuffer } from "./http.ts";
import type { PropertyTree } from "./properties.ts";
import type { RootContext } from "./root.ts";
import { TraceLog } from "./trace-log.ts";

/** Facts about the connection that properties read (`connection.*`, `connection_id`). */
export interface ConnectionInfo {
  startTimeMs: number;
  connectionId: number;
}

/** What the connection driver offers a TCP context: Envoy's read/write filter callbacks. */
export interface TcpHooks {
  /** `continueReading()`: what the filter holds from the client goes on to the upstream. */
  continueDownstream(ctx: TcpContext): void;
  /** `connection().close(FlushWrite)` with Envoy's details string. */
  closeConnection(ctx: TcpContext, details: string): void;
  /** The connection's filter state (`wasm.<name>` objects from `proxy_set_property`). */
  readonly filterState: Map<string, Uint8Array>;
  /** Objects set with the `set_envoy_filter_state` foreign function (e.g. `envoy.tcp_proxy.cluster`). */
  readonly envoyFilterState: Map<string, { value: string; span: number }>;
  readonly info: ConnectionInfo;
  /** Per-connection static properties (e.g. source.address), over the plugin's. */
  readonly properties: PropertyTree;
}

export class TcpContext {
  readonly kind = "tcp" as const;
  /** `proxy_on_context_create` ran in the VM (`in_vm_context_created_`). */
  created = false;
  destroyed = false;
  /** Envoy's `network_downstream_data_buffer_`: set in the data callback, dropped when it continues. */
  downstreamData: BodyBuffer | null = null;
  /** Envoy's `network_upstream_data_buffer_` (the write path). */
  upstreamData: BodyBuffer | null = null;
  foreignArgs: Uint8Array = new Uint8Array(0);
  /** Properties declared with the `declare_property` foreign function (effective in root contexts). */
  readonly declared = new Map<string, { readonly: boolean }>();
  readonly trace = new TraceLog();

  constructor(readonly id: number, readonly root: RootContext, readonly hooks: TcpHooks) {}
}
