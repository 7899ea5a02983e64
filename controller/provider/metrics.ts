/**
 * @module controller/provider/metrics
 * Prometheus metrics through prom-client, on a registry of the controller's own (so two
 * controllers in one test process do not share counters).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export class Metrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({ name: "tollgate_reconciles_total", help: "Reconcile passes, by result", labelNames: ["result"], registers: [this.registry] });
  readonly errors = new Counter({ name: "tollgate_reconcile_errors_total", help: "API errors met while reconciling, by operation", labelNames: ["operation"], registers: [this.registry] });
  readonly duration = new Histogram({ name: "tollgate_reconcile_duration_seconds", help: "Duration of reconcile passes", buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30], registers: [this.registry] });
  readonly applied = new Counter({ name: "tollgate_objects_applied_total", help: "Objects written with server-side apply, by kind", labelNames: ["kind"], registers: [this.registry] });
  readonly deleted = new Counter({ name: "tollgate_objects_deleted_total", help: "Owned objects deleted because no longer desired, by kind", labelNames: ["kind"], registers: [this.registry] });
  readonly resolutions = new Counter({ name: "tollgate_module_resolutions_total", help: "FilterModule resolutions, by result", labelNames: ["result"], registers: [this.registry] });
  readonly leader = new Gauge({ name: "tollgate_leader", help: "1 while this replica holds the leader lease", registers: [this.registry] });
  readonly processors = new Gauge({ name: "tollgate_payload_processors", help: "PayloadProcessors by Accepted status", labelNames: ["accepted"], registers: [this.registry] });

  constructor(defaults = false) {
    if (defaults) collectDefaultMetrics({ register: this.registry });
  }
}
