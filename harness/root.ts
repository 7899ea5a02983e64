/**
 * @module harness/root
 * The state of one root (plugin) context inside one VM: its plugin's settings, the
 * configuration window (`temp_plugin_`), tick timer, callouts in flight, the response a
 * callout callback may read, and `proxy_get_status`. Callouts, ticks and queue
 * notifications are all delivered to a root context, never to a stream.
 */
import type { Timer } from "./clock.ts";
import type { HeaderMap } from "./header-map.ts";
import type { PropertyTree } from "./properties.ts";
import type { Callout } from "./callouts.ts";
import { TraceLog } from "./trace-log.ts";

export type FailurePolicy = "FAIL_CLOSED" | "FAIL_OPEN" | "FAIL_RELOAD";

/** One plugin as Envoy configures it (`PluginConfig`), shared by all its worker VMs. */
export interface PluginSpec {
  /** Plugin name (`plugin_name` property, log prefix). */
  name: string;
  rootId: string;
  vmId: string;
  /** Replaced by a restart (`Host.reconfigure`); roots read it through this spec. */
  configuration: Uint8Array;
  /**
   * Envoy's legacy `fail_open`: the only flag that lets streams already on a failed VM continue
   * (cpp-host's `plugin_->fail_open_`); it also means FAIL_OPEN for new streams.
   */
  failOpen: boolean;
  /** What new streams meet once the VM failed (Envoy's `failure_policy`, default FAIL_CLOSED). */
  failurePolicy: FailurePolicy;
  /** FAIL_RELOAD: at least this long between reloads of a worker's VM (`reload_config.backoff.base_interval`). */
  reloadBackoffMs: number;
  allowOnHeadersStopIteration: boolean;
  properties: PropertyTree;
}

/** What a callout callback can read through maps 4–7 and buffers 4–5, via the root context. */
export interface CalloutDelivery {
  headers?: HeaderMap;
  trailers?: HeaderMap;
  body?: Uint8Array;
  grpcInitialMetadata?: HeaderMap;
  grpcTrailingMetadata?: HeaderMap;
  grpcMessage?: { bytes: Uint8Array };
}

export class RootContext {
  readonly kind = "root" as const;
  /** `proxy_on_context_create` ran (and the context was not deleted since). */
  created = false;
  /** PLUGIN_CONFIGURATION is readable only while this is set (Envoy's `temp_plugin_`). */
  configuring = false;
  tickPeriodMs = 0;
  tickTimer: Timer | null = null;
  status = { code: 0, message: "" };
  delivery: CalloutDelivery | null = null;
  readonly callouts = new Map<number, Callout>();
  /** `proxy_on_done` returned false: the root waits for `proxy_done`. */
  pendingDone = false;
  foreignArgs: Uint8Array = new Uint8Array(0);
  /** Properties declared with the `declare_property` foreign function (effective in root contexts). */
  readonly declared = new Map<string, { readonly: boolean }>();
  readonly trace = new TraceLog();

  constructor(readonly id: number, readonly plugin: PluginSpec) {}
}
