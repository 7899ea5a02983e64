/**
 * @module filters/token-limit/root
 * The plugin's root context: reads and checks the configuration in `proxy_on_configure` (false,
 * with a log line naming the field, for a bad one), defines the metrics once per VM, and makes a
 * `TokenStream` per request. It also sends the end-of-response usage reports to the rate limit
 * service: a root's callouts outlive the request that caused them.
 */
import { Counter, HttpContext, RootContext, headerKeys, logInfo } from "../sdk/index";
import { ApiRecognizer } from "../lib/llm/api";
import { RequestReader } from "../lib/llm/request";
import { TokenLimitConfig, parseConfig } from "./config";
import { TokenStream } from "./filter";
import { ResponseMeter } from "./meter";
import { logInvalidConfiguration, pluginConfigurationBytes } from "../common/plugin-config";

/**
 * Counters. Token usage follows the OpenTelemetry GenAI convention `gen_ai.client.token.usage`
 * with the attributes `gen_ai.token.type` (input/output) and `gen_ai.request.model` spelled into
 * the name (`tollgate.gen_ai.client.token.usage.type.input.model.gpt-4o`) for Envoy's stats_tags
 * to extract; model values outside `models` are `other`, so the label set stays bounded.
 */
export class TokenMetrics {
  admitted: Counter = Counter.define("tollgate.token_limit.admitted");
  rejected: Counter = Counter.define("tollgate.token_limit.rejected");
  reported: Counter = Counter.define("tollgate.token_limit.usage_reported");
  estimated: Counter = Counter.define("tollgate.token_limit.usage_estimated");
  rlsFailures: Counter = Counter.define("tollgate.token_limit.rls_failures");
  injected: Counter = Counter.define("tollgate.token_limit.include_usage_injected");
  notInjected: Counter = Counter.define("tollgate.token_limit.include_usage_not_injected");
  stripped: Counter = Counter.define("tollgate.token_limit.usage_chunks_stripped");
  perLimitRejected: Counter[] = [];
  private usage: Map<string, Counter> = new Map();
  // The last model label's two counters: most requests name the model the one before named.
  private lastLabel: string | null = null;
  private lastInput: Counter | null = null;
  private lastOutput: Counter | null = null;

  tokenUsage(type: string, modelLabel: string): Counter {
    const name = "tollgate.gen_ai.client.token.usage.type." + type + ".model." + modelLabel;
    if (this.usage.has(name)) return this.usage.get(name);
    const c = Counter.define(name);
    this.usage.set(name, c);
    return c;
  }

  /** The input (`output` false) or output token counter of a model label. */
  tokens(output: bool, modelLabel: string): Counter {
    if (this.lastLabel === null || this.lastLabel != modelLabel) {
      this.lastInput = this.tokenUsage("input", modelLabel);
      this.lastOutput = this.tokenUsage("output", modelLabel);
      this.lastLabel = modelLabel;
    }
    return output ? this.lastOutput! : this.lastInput!;
  }
}

export class TokenLimitRoot extends RootContext {
  config: TokenLimitConfig = new TokenLimitConfig();
  apis: ApiRecognizer = new ApiRecognizer([]);
  /** Header names any limit's key reads, captured on request headers. */
  keyHeaders: string[] = [];
  /** What request headers reads in one pairs call: `:method`, `:path`, `content-length`, then `keyHeaders`. */
  requestKeys: ArrayBuffer[] = [];
  /** What response headers reads in one pairs call: `:status`, `content-type`. */
  responseKeys: ArrayBuffer[] = headerKeys([":status", "content-type"]);
  /** Whether any limit's key holds the route (only then is `xds.route_name` read). */
  keysRoute: bool = false;
  /** One reader and meter pool per VM: a worker runs one callback at a time. */
  reader: RequestReader = new RequestReader();
  meters: ResponseMeter[] = [];
  metrics: TokenMetrics | null = null;
  /** `config.models` as metric labels (built once: a label is needed on every request). */
  modelLabels: string[] = [];

  onConfigure(configurationSize: u32): bool {
    const bytes = pluginConfigurationBytes("token-limit");
    if (bytes === null) return false;
    const parsed = parseConfig(bytes);
    if (parsed.config === null) { logInvalidConfiguration("token-limit", parsed.error); return false; }
    const c = parsed.config!;
    this.config = c;
    this.apis = new ApiRecognizer(c.apiPrefixes);
    const names = new Array<string>();
    for (let i = 0; i < c.limits.length; i++) {
      const hs = unchecked(c.limits[i]).keyHeaders;
      for (let j = 0; j < hs.length; j++) if (!names.includes(unchecked(hs[j]))) names.push(unchecked(hs[j]));
    }
    this.keyHeaders = names;
    this.requestKeys = headerKeys([":method", ":path", "content-length"].concat(names));
    let route = false;
    for (let i = 0; i < c.limits.length; i++) if (unchecked(c.limits[i]).keyRoute) route = true;
    this.keysRoute = route;
    const labels = new Array<string>(c.models.length);
    for (let i = 0; i < c.models.length; i++) unchecked(labels[i] = sanitize(unchecked(c.models[i])));
    this.modelLabels = labels;
    const m = this.metrics === null ? new TokenMetrics() : this.metrics!;
    m.perLimitRejected = [];
    for (let i = 0; i < c.limits.length; i++) m.perLimitRejected.push(Counter.define("tollgate.token_limit.rejected." + unchecked(c.limits[i]).name));
    this.metrics = m;
    logInfo("token-limit: configured with " + c.limits.length.toString() + " limits, admission " +
      (c.admission == 0 ? "reserve" : "spend") + ", holdHeaders " + (c.holdHeaders ? "true" : "false"));
    return true;
  }

  /** A meter from the pool (meters keep their buffers' capacity across requests). */
  takeMeter(): ResponseMeter {
    return this.meters.length > 0 ? this.meters.pop() : new ResponseMeter();
  }

  giveMeter(m: ResponseMeter): void {
    if (this.meters.length < 64) this.meters.push(m);
    else m.dispose(); // its copies live outside the collector
  }

  /** The metric label of a model: itself when configured, else `other`. */
  modelLabel(model: string): string {
    const i = this.config.models.indexOf(model);
    return i >= 0 ? unchecked(this.modelLabels[i]) : "other";
  }

  newHttpContext(contextId: u32): HttpContext | null {
    return new TokenStream(contextId, this);
  }
}

/** Dots separate name segments in Envoy's stats: a model's dots become underscores. */
function sanitize(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c == 0x2e || c < 0x21 || c > 0x7e ? "_" : String.fromCharCode(c);
  }
  return out;
}
