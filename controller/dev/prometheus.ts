/**
 * @module controller/dev/prometheus
 * The filters' stats (Envoy's stat store in the harness) and the dev gateway's own request
 * counters in Prometheus text exposition format, for `/_tollgate/metrics`. Filter metric names
 * are Envoy stat names with every character Prometheus does not allow turned into `_`.
 */
import type { Stat } from "../../harness/environment.ts";

/** `model_router.rule.openai.matched` → `model_router_rule_openai_matched`. */
export function promName(name: string): string {
  const n = name.replace(/[^a-zA-Z0-9_:]/g, "_");
  return /^[0-9]/.test(n) ? `_${n}` : n;
}

export interface GatewayCounters {
  /** Requests answered, by status code (0: the client got no status, e.g. it left first). */
  requests: Map<number, number>;
  /** Sum of milliseconds spent inside filter callbacks. */
  filterMs: number;
}

/** The exposition text: filter stats first (counters, gauges; histograms as summaries with count and sum), then the gateway's. */
export function exposition(stats: Map<string, Stat>, counters: GatewayCounters): string {
  const lines: string[] = [];
  for (const name of [...stats.keys()].sort()) {
    const s = stats.get(name)!, n = promName(name);
    if (s.type === "histogram") {
      lines.push(`# TYPE ${n} summary`, `${n}_count ${s.samples.length}`, `${n}_sum ${s.samples.reduce((a, b) => a + b, 0n)}`);
    } else {
      lines.push(`# TYPE ${n} ${s.type}`, `${n} ${s.value}`);
    }
  }
  lines.push("# HELP tollgate_dev_requests_total Requests the dev gateway answered, by status code.", "# TYPE tollgate_dev_requests_total counter");
  for (const [status, count] of [...counters.requests].sort((a, b) => a[0] - b[0])) lines.push(`tollgate_dev_requests_total{code="${status}"} ${count}`);
  lines.push("# HELP tollgate_dev_filter_seconds_total Time spent inside filter callbacks.", "# TYPE tollgate_dev_filter_seconds_total counter");
  lines.push(`tollgate_dev_filter_seconds_total ${(counters.filterMs / 1000).toFixed(6)}`);
  return lines.join("\n") + "\n";
}
