/**
 * @module controller/provider/controller
 * Wires the running controller: discovery (which gateway `Auto` means, which owned kinds
 * exist), informers, leader election, a single-flight reconcile loop with capped
 * exponential backoff, the FilterModule re-resolve schedule, and the health server.
 * Informers run on every replica (so a standby is ready to take over); only the leader
 * reconciles.
 */
import { hostname } from "node:os";
import type { KubeConfig } from "@kubernetes/client-node";
import type { ModuleResolver } from "../api/module-resolver.ts";
import { MANAGED_BY, MANAGED_BY_LABEL } from "../api/types.ts";
import { Backoff, sleep } from "./backoff.ts";
import { startHealthServer } from "./health-server.ts";
import { Informer } from "./informer.ts";
import { FILTER_MODULE, GATEWAY, HTTP_ROUTE, OWNED, PAYLOAD_PROCESSOR, type KindDef } from "./kinds.ts";
import { Kube } from "./kube.ts";
import { LeaderElector } from "./leader.ts";
import { jsonLogger, type Logger } from "./log.ts";
import { Metrics } from "./metrics.ts";
import { ModuleResolution } from "./module-resolution.ts";
import { Reconciler, type GatewayDetection } from "./reconciler.ts";

export interface ControllerOptions {
  kubeConfig: KubeConfig;
  /** Resolves FilterModule tags; without one, only pinned modules render. */
  resolver?: ModuleResolver;
  log?: Logger;
  identity?: string;
  /** `false` runs as the only replica. */
  leaderElection?: false | { namespace: string; name?: string; leaseDurationSeconds?: number; renewDeadlineMs?: number; retryPeriodMs?: number };
  health?: { host: string; port: number };
  resolveIntervalMs?: number;
  resolveRetryMs?: number;
  /** Full resync even without events (re-reads gateway status, catches anything missed). */
  resyncMs?: number;
  debounceMs?: number;
  backoff?: { baseMs: number; maxMs: number };
  watchTimeoutSeconds?: number;
  registryPlainHttp?: boolean;
  metrics?: Metrics;
}

export interface RunningController {
  stop(): Promise<void>;
  readonly metrics: Metrics;
  healthPort?: number;
  isLeader(): boolean;
  ready(): boolean;
  /** Number of reconcile passes finished. */
  passes(): number;
  detection: GatewayDetection;
}

export function detectGateway(groups: Set<string>): GatewayDetection {
  const istio = groups.has("extensions.istio.io");
  const eg = groups.has("gateway.envoyproxy.io");
  if (istio && !eg) return { gateway: "Istio" };
  if (eg && !istio) return { gateway: "EnvoyGateway" };
  if (istio && eg) return { unavailable: "gateway is Auto but the cluster serves both Istio (extensions.istio.io) and Envoy Gateway (gateway.envoyproxy.io); set spec.gateway" };
  return { unavailable: "gateway is Auto but the cluster serves neither Istio (extensions.istio.io) nor Envoy Gateway (gateway.envoyproxy.io) APIs; install one, or set spec.gateway" };
}

export async function startController(options: ControllerOptions): Promise<RunningController> {
  const log = options.log ?? jsonLogger();
  const metrics = options.metrics ?? new Metrics(true);
  const kube = new Kube(options.kubeConfig);
  const abort = new AbortController();
  const identity = options.identity ?? `${hostname()}-${process.pid}`;

  // Discovery, retried: nothing works without it.
  const discoveryBackoff = new Backoff(200, 10_000);
  let groups: Set<string> | undefined;
  while (!groups) {
    try {
      groups = await kube.servedGroups();
    } catch (err) {
      log.warn("discovery failed, retrying", { error: err });
      await sleep(discoveryBackoff.next(), abort.signal);
    }
  }
  const detection = detectGateway(groups);
  log.info("discovered", { gateway: detection.gateway ?? "none", istio: groups.has("extensions.istio.io"), envoyGateway: groups.has("gateway.envoyproxy.io") });

  let dirty = true;
  let wake: (() => void) | undefined;
  const trigger = () => {
    dirty = true;
    wake?.();
  };
  const onError = (operation: string) => metrics.errors.inc({ operation });
  const informer = (kind: KindDef, labelSelector?: string) =>
    new Informer(kube, kind, log.with({ component: "informer" }), () => trigger(), { labelSelector, watchTimeoutSeconds: options.watchTimeoutSeconds, onError });
  const owned = [...OWNED.Istio, ...OWNED.EnvoyGateway].filter((k) => groups!.has(k.group)).map((k) => informer(k, `${MANAGED_BY_LABEL}=${MANAGED_BY}`));
  const gatewayApi = groups.has(GATEWAY.group);
  const informers = {
    payloadProcessors: informer(PAYLOAD_PROCESSOR),
    filterModules: informer(FILTER_MODULE),
    ...(gatewayApi ? { gateways: informer(GATEWAY), httpRoutes: informer(HTTP_ROUTE) } : {}),
    owned,
  };
  const all = [informers.payloadProcessors, informers.filterModules, ...(gatewayApi ? [informers.gateways!, informers.httpRoutes!] : []), ...owned];
  let synced = false;
  all.forEach((i) => i.start());
  void Promise.all(all.map((i) => i.synced)).then(() => {
    synced = true;
    log.info("caches synced", { kinds: all.map((i) => i.kind.kind) });
    trigger();
  });

  const resolution = options.resolver
    ? new ModuleResolution(kube, options.resolver, options.resolveIntervalMs ?? 5 * 60_000, { plainHttp: options.registryPlainHttp }, options.resolveRetryMs ?? 30_000)
    : undefined;
  const reconciler = new Reconciler(kube, informers, log.with({ component: "reconciler" }), metrics, () => detection, resolution);

  let leading = options.leaderElection === false;
  const elector = options.leaderElection === false ? undefined : new LeaderElector(kube, {
    namespace: options.leaderElection?.namespace ?? "tollgate-system",
    name: options.leaderElection?.name ?? "tollgate-controller",
    identity,
    leaseDurationSeconds: options.leaderElection?.leaseDurationSeconds ?? 15,
    renewDeadlineMs: options.leaderElection?.renewDeadlineMs ?? 10_000,
    retryPeriodMs: options.leaderElection?.retryPeriodMs ?? 2_000,
  }, log.with({ component: "leader" }), {
    started: () => { leading = true; metrics.leader.set(1); trigger(); },
    stopped: () => { leading = false; metrics.leader.set(0); },
  });
  if (leading) metrics.leader.set(1);
  elector?.start();

  let passes = 0;
  let lastBeat = Date.now();
  const loop = (async () => {
    const backoff = new Backoff(options.backoff?.baseMs ?? 200, options.backoff?.maxMs ?? 60_000);
    let retryAt = Infinity;
    let resolveAt = Infinity;
    let resyncAt = Date.now() + (options.resyncMs ?? 10 * 60_000);
    while (!abort.signal.aborted) {
      lastBeat = Date.now();
      const now = Date.now();
      if (now >= retryAt || now >= resolveAt || now >= resyncAt) dirty = true;
      if (dirty && leading && synced) {
        if (options.debounceMs) await sleep(options.debounceMs, abort.signal);
        dirty = false;
        retryAt = Infinity;
        resyncAt = Date.now() + (options.resyncMs ?? 10 * 60_000);
        try {
          const result = await reconciler.pass();
          resolveAt = result.nextResolution ?? Infinity;
          if (result.ok) backoff.reset();
          else retryAt = Date.now() + backoff.next();
        } catch (err) {
          log.error("reconcile pass failed", { error: err });
          metrics.reconciles.inc({ result: "error" });
          retryAt = Date.now() + backoff.next();
        }
        passes++;
        continue;
      }
      const until = Math.min(retryAt, resolveAt, resyncAt) - Date.now();
      await new Promise<void>((resolve) => {
        wake = resolve;
        const t = setTimeout(resolve, Math.max(0, Math.min(until, 1000)));
        abort.signal.addEventListener("abort", () => { clearTimeout(t); resolve(); }, { once: true });
      });
      wake = undefined;
    }
  })();

  const health = options.health
    ? await startHealthServer(options.health.host, options.health.port, { healthy: () => Date.now() - lastBeat < 30_000, ready: () => synced }, metrics)
    : undefined;
  if (health) log.info("serving /healthz, /readyz and /metrics", { host: options.health!.host, port: health.port });

  return {
    metrics,
    healthPort: health?.port,
    detection,
    isLeader: () => leading,
    ready: () => synced,
    passes: () => passes,
    async stop() {
      abort.abort();
      await loop;
      await elector?.stop();
      await Promise.all(all.map((i) => i.stop()));
      if (health) await new Promise((r) => health.server.close(r));
      log.info("stopped");
    },
  };
}
