/**
 * @module controller/provider/reconciler
 * One reconcile pass over the whole cluster state held by the informers: pin
 * FilterModules, render every PayloadProcessor, server-side apply what changed, delete
 * owned objects no longer desired, and write statuses that changed. Objects Tollgate does
 * not own are never written: an existing object under a rendered name without Tollgate's
 * label and owner reference is reported in status and left alone. A pass that re-renders
 * an unchanged cluster writes nothing, so restarts and resyncs neither duplicate nor flap.
 */
import { createHash } from "node:crypto";
import type { ResolvedModule } from "../api/module-resolver.ts";
import { API_VERSION, MANAGED_BY, MANAGED_BY_LABEL, type FilterModule, type GatewayKind, type KubeObject, type PayloadProcessor, type PayloadProcessorStatus } from "../api/types.ts";
import { keyOf, render } from "../render/index.ts";
import { ConditionType, mergeConditions, Reason, condition } from "../status/conditions.ts";
import { canonicalJson } from "./canonical.ts";
import { FILTER_MODULE, PAYLOAD_PROCESSOR, ownedKindOf } from "./kinds.ts";
import type { Informer } from "./informer.ts";
import type { Kube, KubeError } from "./kube.ts";
import type { Logger } from "./log.ts";
import type { Metrics } from "./metrics.ts";
import { needsResolution, type ModuleResolution } from "./module-resolution.ts";

export const APPLIED_HASH = "tollgate.dev/applied-hash";

export interface Informers {
  payloadProcessors: Informer;
  filterModules: Informer;
  gateways?: Informer;
  httpRoutes?: Informer;
  /** Owned kinds the cluster serves, label-selected `app.kubernetes.io/managed-by=tollgate`. */
  owned: Informer[];
}

export interface GatewayDetection { gateway?: GatewayKind; unavailable?: string }

export interface PassResult {
  ok: boolean;
  /** When a FilterModule resolution falls due next (ms since epoch), if any. */
  nextResolution?: number;
}

/** `a` is contained in `b`: every field of `a` present in `b` with the same value (arrays element-wise). */
export function containedIn(a: unknown, b: unknown): boolean {
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => containedIn(x, b[i]));
  if (a && typeof a === "object") {
    if (!b || typeof b !== "object" || Array.isArray(b)) return false;
    return Object.entries(a).every(([k, v]) => containedIn(v, (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

function hashOf(obj: KubeObject): string {
  return createHash("sha256").update(JSON.stringify(obj)).digest("hex").slice(0, 16);
}

/** Owned by Tollgate: our label and a controller owner reference to a PayloadProcessor. */
export function ownedByTollgate(obj: KubeObject): boolean {
  return obj.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY
    && (obj.metadata.ownerReferences ?? []).some((r) => r.apiVersion === API_VERSION && r.kind === "PayloadProcessor" && r.controller);
}

/** A rejection the gateway reported in an owned object's status (Envoy Gateway policies report per ancestor). */
function gatewayRejection(obj: KubeObject): string | undefined {
  const ancestors = ((obj.status as { ancestors?: { ancestorRef?: { name?: string }; conditions?: { type: string; status: string; reason?: string; message?: string }[] }[] })?.ancestors) ?? [];
  for (const a of ancestors) {
    for (const c of a.conditions ?? []) {
      const failed = (c.type === "Accepted" || c.type === "Programmed") && c.status === "False";
      // Envoy Gateway keeps one policy per route: a more specific (or older) one overrides this one there.
      const overridden = c.type === "Overridden" && c.status === "True";
      if (failed || overridden) {
        return `${obj.kind} ${obj.metadata.name} on ${a.ancestorRef?.name ?? "its target"}: ${c.type}=${c.status} (${c.reason ?? "no reason"}): ${c.message ?? ""}`;
      }
    }
  }
  return undefined;
}

const statusJson = canonicalJson;

export class Reconciler {
  /**
   * Statuses written but not yet seen back through the watch, by `Kind/ns/name`: the cache
   * can lag a write, and comparing with the stale copy would write again with new times.
   */
  private readonly written = new Map<string, unknown>();

  /** The status to compare with: what was last written until the cache has caught up with it. */
  private previousStatus(kind: string, obj: { metadata: { namespace?: string; name: string }; status?: unknown }): unknown {
    const key = `${kind}/${obj.metadata.namespace}/${obj.metadata.name}`;
    if (!this.written.has(key)) return obj.status;
    if (canonicalJson(this.written.get(key)) === canonicalJson(obj.status)) {
      this.written.delete(key);
      return obj.status;
    }
    return this.written.get(key);
  }

  constructor(
    private readonly kube: Kube,
    private readonly informers: Informers,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    private readonly detectGateway: () => GatewayDetection,
    private readonly resolution?: ModuleResolution,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private nowIso(): string {
    return this.clock().toISOString().replace(/\.\d+Z$/, "Z");
  }

  /** Pins FilterModules that are due; returns fresh resolutions and the next due time. */
  private async resolveModules(modules: FilterModule[]): Promise<{ resolved: Record<string, ResolvedModule>; next?: number; ok: boolean }> {
    const resolved: Record<string, ResolvedModule> = {};
    let next: number | undefined;
    let ok = true;
    for (const fm of modules) {
      if (!fm.spec?.image || fm.metadata.deletionTimestamp) continue;
      fm.status = this.previousStatus("FilterModule", fm) as FilterModule["status"];
      const cached = fm.status;
      let status = fm.status;
      if (this.resolution && needsResolution(fm)) {
        if (this.resolution.due(fm, this.clock().getTime())) {
          const outcome = await this.resolution.resolve(fm, this.nowIso());
          this.metrics.resolutions.inc({ result: outcome.failed ? "failure" : "success" });
          if (outcome.failed) this.log.warn("module resolution failed", { filterModule: keyOf(fm), error: outcome.failed });
          else if (outcome.resolved && fm.status?.digest && fm.status.digest !== outcome.resolved.digest) {
            this.log.info("tag moved", { filterModule: keyOf(fm), from: fm.status.digest, to: outcome.resolved.digest });
          }
          if (outcome.resolved) resolved[fm.spec.image] = outcome.resolved;
          status = outcome.status;
        }
        const due = this.resolution.nextDue({ ...fm, status });
        if (Number.isFinite(due)) next = Math.min(next ?? Infinity, due);
      } else if (this.resolution) {
        status = this.resolution.pinnedStatus(fm, this.nowIso());
      }
      if (status && statusJson(status) !== statusJson(cached)) {
        try {
          await this.kube.writeStatus(FILTER_MODULE, fm.metadata.namespace ?? "default", fm.metadata.name, status);
          this.written.set(`FilterModule/${fm.metadata.namespace}/${fm.metadata.name}`, status);
          fm.status = status;
        } catch (err) {
          ok = false;
          this.metrics.errors.inc({ operation: "status" });
          this.log.warn("FilterModule status write failed", { filterModule: keyOf(fm), error: err });
        }
      }
    }
    return { resolved, next, ok };
  }

  async pass(): Promise<PassResult> {
    const end = this.metrics.duration.startTimer();
    let ok = true;
    const pps = this.informers.payloadProcessors.list().filter((o) => !o.metadata.deletionTimestamp) as unknown as PayloadProcessor[];
    const fms = (this.informers.filterModules.list() as unknown as FilterModule[]).map((m) => structuredClone(m));
    const modules = await this.resolveModules(fms);
    ok &&= modules.ok;

    const detection = this.detectGateway();
    const result = render({
      payloadProcessors: pps,
      filterModules: fms,
      gateways: this.informers.gateways?.list() ?? [],
      httpRoutes: this.informers.httpRoutes?.list() ?? [],
    }, { autoGateway: detection.gateway, autoGatewaySource: "the cluster's API groups", autoGatewayUnavailable: detection.unavailable, resolved: modules.resolved, now: this.nowIso() });

    const failures = new Map<string, string[]>();
    const fail = (ppKey: string, message: string) => (failures.get(ppKey) ?? failures.set(ppKey, []).get(ppKey)!).push(message);
    const rejections = new Map<string, string[]>();
    const desired = new Set<string>();
    const ownedInformer = (kind: string) => this.informers.owned.find((i) => i.kind.kind === kind);

    for (const obj of result.objects) {
      const ns = obj.metadata.namespace ?? "default";
      const ppKey = `${ns}/${obj.metadata.labels?.["tollgate.dev/payload-processor"]}`;
      desired.add(`${obj.kind}/${ns}/${obj.metadata.name}`);
      const informer = ownedInformer(obj.kind);
      if (!informer) {
        const k = ownedKindOf(obj.kind)!;
        fail(ppKey, `the cluster does not serve ${k.group}/${k.version} ${obj.kind}: install the gateway's CRDs or set spec.gateway`);
        continue;
      }
      const hash = hashOf(obj);
      const toApply: KubeObject = { ...obj, metadata: { ...obj.metadata, annotations: { ...(obj.metadata.annotations ?? {}), [APPLIED_HASH]: hash } } };
      let existing = informer.get(ns, obj.metadata.name);
      try {
        if (!existing) {
          existing = await this.kube.get(obj);
          if (existing && !ownedByTollgate(existing)) {
            fail(ppKey, `${obj.kind} ${ns}/${obj.metadata.name} already exists and is not managed by Tollgate; rename the PayloadProcessor or remove that object`);
            continue;
          }
        }
        if (existing && existing.metadata.annotations?.[APPLIED_HASH] === hash && containedIn({ spec: toApply.spec, metadata: { labels: toApply.metadata.labels, ownerReferences: toApply.metadata.ownerReferences } }, existing)) {
          const rejected = gatewayRejection(existing);
          if (rejected) (rejections.get(ppKey) ?? rejections.set(ppKey, []).get(ppKey)!).push(rejected);
          continue;
        }
        await this.kube.apply(toApply);
        this.metrics.applied.inc({ kind: obj.kind });
        this.log.info("applied", { kind: obj.kind, namespace: ns, name: obj.metadata.name, payloadProcessor: ppKey });
      } catch (err) {
        ok = false;
        this.metrics.errors.inc({ operation: "apply" });
        this.log.warn("apply failed", { kind: obj.kind, namespace: ns, name: obj.metadata.name, error: err, code: (err as KubeError).code });
        fail(ppKey, `applying ${obj.kind} ${ns}/${obj.metadata.name} failed: ${(err as Error).message}`);
      }
    }

    for (const informer of this.informers.owned) {
      for (const obj of informer.list()) {
        const ns = obj.metadata.namespace ?? "default";
        if (desired.has(`${obj.kind}/${ns}/${obj.metadata.name}`) || !ownedByTollgate(obj)) continue;
        try {
          await this.kube.delete(obj);
          this.metrics.deleted.inc({ kind: obj.kind });
          this.log.info("deleted", { kind: obj.kind, namespace: ns, name: obj.metadata.name });
        } catch (err) {
          ok = false;
          this.metrics.errors.inc({ operation: "delete" });
          this.log.warn("delete failed", { kind: obj.kind, namespace: ns, name: obj.metadata.name, error: err });
        }
      }
    }

    let accepted = 0;
    for (const pp of pps) {
      const key = keyOf(pp);
      const status = result.statuses.get(key)!;
      const rendered = status.conditions?.find((c) => c.type === ConditionType.Accepted)?.status === "True";
      if (rendered) {
        accepted++;
        const problems = failures.get(key);
        const rejected = rejections.get(key);
        const n = result.objects.filter((o) => `${o.metadata.namespace}/${o.metadata.labels?.["tollgate.dev/payload-processor"]}` === key).length;
        const programmed = problems ? condition(ConditionType.Programmed, false, Reason.ApplyFailed, problems.join("; "), pp.metadata.generation, this.nowIso())
          : rejected ? condition(ConditionType.Programmed, false, Reason.RejectedByGateway, rejected.join("; "), pp.metadata.generation, this.nowIso())
          : condition(ConditionType.Programmed, true, Reason.Programmed, `Applied ${n} object${n === 1 ? "" : "s"}`, pp.metadata.generation, this.nowIso());
        status.conditions = status.conditions!.map((c) => (c.type === ConditionType.Programmed ? programmed : c));
      }
      const previous = this.previousStatus("PayloadProcessor", pp) as PayloadProcessorStatus | undefined;
      const next: PayloadProcessorStatus = { ...status, conditions: mergeConditions(previous?.conditions, status.conditions ?? []) };
      if (statusJson(next) === statusJson(previous)) continue;
      this.log.debug("status changed", { payloadProcessor: key, from: previous, to: next });
      try {
        await this.kube.writeStatus(PAYLOAD_PROCESSOR, pp.metadata.namespace ?? "default", pp.metadata.name, next);
        this.written.set(`PayloadProcessor/${pp.metadata.namespace}/${pp.metadata.name}`, next);
      } catch (err) {
        if ((err as KubeError).code === 404) continue; // deleted meanwhile
        ok = false;
        this.metrics.errors.inc({ operation: "status" });
        this.log.warn("PayloadProcessor status write failed", { payloadProcessor: key, error: err });
      }
    }
    const live = new Set([...pps.map((p) => `PayloadProcessor/${p.metadata.namespace}/${p.metadata.name}`), ...fms.map((m) => `FilterModule/${m.metadata.namespace}/${m.metadata.name}`)]);
    for (const k of this.written.keys()) if (!live.has(k)) this.written.delete(k);
    this.metrics.processors.set({ accepted: "true" }, accepted);
    this.metrics.processors.set({ accepted: "false" }, pps.length - accepted);
    this.metrics.reconciles.inc({ result: ok ? "success" : "error" });
    end();
    return { ok, nextResolution: modules.next };
  }
}
