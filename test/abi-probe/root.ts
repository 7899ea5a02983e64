/**
 * @module test/abi-probe/root
 * The probe's root context, driven by its plugin configuration (`key=value` separated by `;`
 * or newlines):
 *   vm_start=false | configure=false   answer false from that callback;
 *   trap=vm_start|configure|tick        abort in that callback;
 *   tick=<ms>, ticks=<n>                set the tick period in configure, stop after n ticks;
 *   done=false                          answer false from onDone, call proxy_done on the next tick;
 *   queue=<name>                        register a queue; every onQueueReady dequeues until empty;
 *   root=<a,b>                          root scenarios run in configure (metrics, context, callout, foreign);
 *   kind=tcp                            make TCP contexts (test/abi-probe/tcp.ts) instead of HTTP ones;
 *   valid=false | trap=validate         answer false from, or abort in, proxy_validate_configuration.
 */
import {
  BufferType, HeaderPair, HttpContext, MapType, RootContext, StreamType, TcpContext, continueStream, dequeueSharedQueue, done,
  getBufferBytes, getHeaderMapPairs, getHeaderMapValue, getProperty, httpCall, lastStatus, registerSharedQueue,
  sendLocalResponse, setProperty, setTickPeriodMilliseconds, clearRouteCache, setEnvoyFilterState, LifeSpan,
} from "../../filters/sdk/index";
import { parseSettings, renderBytes, renderPairs, report, reportNum } from "./report";
import { ProbeStream } from "./stream";
import { ProbeTcp, tickResume } from "./tcp";

function st(): string {
  return (<i32>lastStatus()).toString();
}

export class ProbeRoot extends RootContext {
  settings: Map<string, string> = new Map<string, string>();
  ticks: i32 = 0;
  queueId: u32 = 0;
  pendingDone: bool = false;

  constructor(id: u32) {
    super(id);
    report("cb", "root_create:" + id.toString());
  }

  private setting(key: string): string {
    return this.settings.has(key) ? this.settings.get(key) : "";
  }

  onVmStart(vmConfigurationSize: u32): bool {
    report("cb", "vm_start:" + this.id.toString() + ":" + vmConfigurationSize.toString());
    report("vm_config", renderBytes(getBufferBytes(BufferType.VmConfiguration)) + "/" + st());
    const plugin = getBufferBytes(BufferType.PluginConfiguration);
    report("vm_start_plugin_config", renderBytes(plugin) + "/" + st());
    // The plugin configuration is not readable yet, so vm_start settings come from the VM config.
    const vm = getBufferBytes(BufferType.VmConfiguration);
    const settings = parseSettings(vm !== null ? String.UTF8.decode(vm).replaceAll("\n", ";") : "", ";");
    if (settings.has("trap") && settings.get("trap") == "vm_start") abort("probe trap in vm_start");
    return !(settings.has("vm_start") && settings.get("vm_start") == "false");
  }

  onConfigure(pluginConfigurationSize: u32): bool {
    report("cb", "configure:" + this.id.toString() + ":" + pluginConfigurationSize.toString());
    const config = this.pluginConfiguration();
    report("plugin_config", renderBytes(config) + "/" + st());
    const text = config !== null ? String.UTF8.decode(config) : "";
    this.settings = parseSettings(text.replaceAll("\n", ";"), ";");
    if (this.setting("trap") == "configure") abort("probe trap in configure");
    if (this.settings.has("tick")) reportNum("tick_set", setTickPeriodMilliseconds(U32.parseInt(this.setting("tick"))));
    if (this.settings.has("queue")) {
      this.queueId = registerSharedQueue(this.setting("queue"));
      report("root_queue", this.queueId.toString() + "/" + st());
    }
    const scenarios = this.setting("root").split(",");
    for (let i = 0; i < scenarios.length; i++) this.runRootScenario(scenarios[i].trim());
    return this.setting("configure") != "false";
  }

  private runRootScenario(name: string): void {
    if (name == "context") {
      report("root_prop_root_id", renderBytes(getProperty(["plugin_root_id"])) + "/" + st());
      report("root_prop_path", renderBytes(getProperty(["request", "path"])) + "/" + st());
      report("root_prop_connection_id", renderBytes(getProperty(["connection_id"])) + "/" + st());
      reportNum("root_set_property", setProperty(["probe_root"], String.UTF8.encode("x")));
      reportNum("root_local", sendLocalResponse(500, "root", null, null));
      reportNum("root_continue", continueStream(StreamType.HttpRequest));
      const h = getHeaderMapValue(MapType.HttpRequestHeaders, ":path");
      report("root_req_header", (h !== null ? h : "null") + "/" + st());
    } else if (name == "callout") {
      const id = httpCall("backend", [HeaderPair.of(":method", "GET"), HeaderPair.of(":path", "/root"), HeaderPair.of(":authority", "backend")], null, null, 0);
      report("root_call", id.toString() + "/" + st());
    } else if (name == "foreign") {
      reportNum("root_clear_route_cache", clearRouteCache());
      reportNum("root_filter_state", setEnvoyFilterState("envoy.tcp_proxy.cluster", "c", LifeSpan.FilterChain));
    }
  }

  onTick(): void {
    this.ticks++;
    report("cb", "tick:" + this.id.toString() + ":" + this.ticks.toString());
    if (this.setting("trap") == "tick") abort("probe trap in tick");
    if (this.setting("tcp").includes("tick_resume")) tickResume();
    if (this.pendingDone) {
      reportNum("done_call", done());
      this.pendingDone = false;
    }
    if (this.settings.has("ticks") && this.ticks >= I32.parseInt(this.setting("ticks"))) {
      reportNum("tick_stop", setTickPeriodMilliseconds(0));
    }
  }

  onQueueReady(queueId: u32): void {
    report("cb", "queue_ready:" + this.id.toString() + ":" + queueId.toString());
    let item = dequeueSharedQueue(queueId);
    while (item !== null) {
      report("dequeued", renderBytes(item));
      item = dequeueSharedQueue(queueId);
    }
    reportNum("dequeue_end", lastStatus());
  }

  onHttpCallResponse(callId: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {
    report("cb", "root_http_call_response:" + this.id.toString() + ":" + callId.toString() + ":" + numHeaders.toString());
    report("root_answer_headers", renderPairs(getHeaderMapPairs(MapType.HttpCallResponseHeaders)));
  }

  onDone(): bool {
    report("cb", "done:" + this.id.toString());
    if (this.setting("done") == "false") {
      this.pendingDone = true;
      // proxy_done now is too early: the root is not pending until this callback returns.
      reportNum("done_early", done());
      return false;
    }
    return true;
  }

  onDelete(): void {
    report("cb", "delete:" + this.id.toString());
  }

  newHttpContext(contextId: u32): HttpContext | null {
    return this.setting("kind") == "tcp" ? null : new ProbeStream(contextId, this);
  }

  newTcpContext(contextId: u32): TcpContext | null {
    return new ProbeTcp(contextId, this, this.settings);
  }

  onValidateConfiguration(pluginConfigurationSize: u32): bool {
    report("cb", "validate:" + this.id.toString() + ":" + pluginConfigurationSize.toString());
    const config = this.pluginConfiguration();
    report("validate_config", renderBytes(config) + "/" + st());
    const settings = parseSettings(config !== null ? String.UTF8.decode(config).replaceAll("\n", ";") : "", ";");
    if (settings.has("trap") && settings.get("trap") == "validate") abort("probe trap in validate");
    return !(settings.has("valid") && settings.get("valid") == "false");
  }
}

/** A second plugin in the same module (root id "second"), to check per-root-id factories. */
export class SecondRoot extends RootContext {
  onConfigure(pluginConfigurationSize: u32): bool {
    report("root_kind", "second:" + this.id.toString());
    return true;
  }
}
