/**
 * @module filters/payload-guard/root
 * The plugin's root context: reads the configuration in `proxy_on_configure` (false, with a log
 * line naming the field, for a bad one), prepares the redaction labels, defines the metrics, and
 * makes a `GuardStream` per request. Readers and scratch lists are per VM: a worker runs one
 * callback at a time.
 */
import { Counter, HttpContext, RootContext, logInfo } from "../sdk/index";
import { ApiRecognizer } from "../lib/llm/api";
import { RequestReader } from "../lib/llm/request";
import { OutputTextReader } from "../lib/llm/stream-text";
import { ACTION_NAMES } from "./kinds";
import { GuardConfig, parseConfig } from "./config";
import { FindingList } from "./detect/findings";
import { Inspection } from "./inspect";
import { maskLabel } from "./redact";
import { GuardStream } from "./filter";
import { logInvalidConfiguration, pluginConfigurationBytes } from "../common/plugin-config";

/** Counters: per kind and action (`payload_guard.<kind>.<action>`, defined on first use) and these. */
export class GuardMetrics {
  scanned: Counter = Counter.define("payload_guard.scanned");
  blocked: Counter = Counter.define("payload_guard.blocked");
  tooLarge: Counter = Counter.define("payload_guard.body_too_large");
  unscanned: Counter = Counter.define("payload_guard.unscanned");
  parseErrors: Counter = Counter.define("payload_guard.parse_errors");
  moderationFlagged: Counter = Counter.define("payload_guard.moderation.flagged");
  moderationFailOpen: Counter = Counter.define("payload_guard.moderation.failed_open");
  moderationFailClosed: Counter = Counter.define("payload_guard.moderation.failed_closed");

  finding(kindName: string, action: i32, count: i32): void {
    if (count > 0) Counter.define("payload_guard." + kindName + "." + unchecked(ACTION_NAMES[action])).increment(count);
  }
}

export class GuardRoot extends RootContext {
  config: GuardConfig = new GuardConfig();
  apis: ApiRecognizer = new ApiRecognizer([]);
  reader: RequestReader = new RequestReader();
  output: OutputTextReader = new OutputTextReader();
  findings: FindingList = new FindingList();
  inspection: Inspection = new Inspection();
  /** Per kind: the label text (`[REDACTED:<kind>]` or the configured mask). */
  labels: Array<Uint8Array> = [];
  metrics: GuardMetrics | null = null;

  onConfigure(configurationSize: u32): bool {
    const bytes = pluginConfigurationBytes("payload-guard");
    if (bytes === null) return false;
    const parsed = parseConfig(bytes);
    if (parsed.config === null) { logInvalidConfiguration("payload-guard", parsed.error); return false; }
    const c = parsed.config!;
    this.config = c;
    this.apis = new ApiRecognizer(c.apiPrefixes);
    const labels = new Array<Uint8Array>();
    for (let i = 0; i < c.kindNames.length; i++) labels.push(maskLabel(c.mask, unchecked(c.kindNames[i])));
    this.labels = labels;
    if (this.metrics === null) this.metrics = new GuardMetrics();
    logInfo("payload-guard: configured (request detectors " + (c.request.enabled ? "on" : "off") + ", response detectors " +
      (c.response.enabled ? "on" : "off") + ", moderation " + (c.moderation !== null ? "on" : "off") + ", holdHeaders " +
      (c.holdHeaders ? "true" : "false") + ")");
    return true;
  }

  newHttpContext(contextId: u32): HttpContext | null {
    return new GuardStream(contextId, this);
  }
}
