/**
 * @module filters/model-router/root
 * The plugin's root context: reads and checks the configuration in `proxy_on_configure`
 * (false, with a log line naming the field, for a bad one), defines the metrics once per VM, and
 * makes a `RouterStream` per request.
 */
import {
  Counter, HttpContext, RootContext, logInfo,
} from "../sdk/index";
import { ApiRecognizer } from "../lib/llm/api";
import { RequestReader } from "../lib/llm/request";
import { RouterConfig, parseConfig } from "./config";
import { Decider } from "./decide";
import { ModelScan } from "./model-scan";
import { RouterStream } from "./filter";
import { logInvalidConfiguration, pluginConfigurationBytes } from "../common/plugin-config";

/** Counters the router keeps (one per matched rule besides these). */
export class RouterMetrics {
  routed: Counter = Counter.define("model_router.routed");
  rejected: Counter = Counter.define("model_router.rejected");
  unrouted: Counter = Counter.define("model_router.unrouted");
  tooLarge: Counter = Counter.define("model_router.body_too_large");
  bodyKept: Counter = Counter.define("model_router.body_not_rewritten");
  rules: Counter[] = [];
}

export class RouterRoot extends RootContext {
  config: RouterConfig = new RouterConfig();
  apis: ApiRecognizer = new ApiRecognizer([]);
  decider: Decider = new Decider(this.config);
  /** One reader per VM: requests on a worker run one callback at a time. */
  reader: RequestReader = new RequestReader();
  scan: ModelScan = new ModelScan();
  /** Whether requests are read whole (`RequestReader`) or for the model only (`ModelScan`). */
  readWhole: bool = false;
  metrics: RouterMetrics | null = null;

  onConfigure(configurationSize: u32): bool {
    const bytes = pluginConfigurationBytes("model-router");
    if (bytes === null) return false;
    const parsed = parseConfig(bytes);
    if (parsed.config === null) { logInvalidConfiguration("model-router", parsed.error); return false; }
    const c = parsed.config!;
    this.config = c;
    this.apis = new ApiRecognizer(c.apiPrefixes);
    this.decider = new Decider(c);
    this.readWhole = c.needsPromptFacts;
    const m = this.metrics === null ? new RouterMetrics() : this.metrics!;
    m.rules = [];
    for (let i = 0; i < c.rules.length; i++) {
      m.rules.push(Counter.define("model_router.rule." + unchecked(c.rules[i]).name + ".matched"));
    }
    this.metrics = m;
    logInfo("model-router: configured with " + c.rules.length.toString() + " rules, " + c.aliases.size.toString() +
      " aliases, holdHeaders " + (c.holdHeaders ? "true" : "false"));
    return true;
  }

  newHttpContext(contextId: u32): HttpContext | null {
    return new RouterStream(contextId, this);
  }
}
