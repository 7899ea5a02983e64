/**
 * @module controller/render/istio
 * Istio rendering. A plain processor becomes one `extensions.istio.io/v1alpha1` WasmPlugin
 * with an explicit phase and a descending priority (Istio sorts an unset priority last, and
 * ties by creation time, so both are always set). A processor that reads the body before
 * routing needs Envoy's `allow_on_headers_stop_iteration`, which WasmPlugin cannot set: it and
 * every processor before it go into one `networking.istio.io/v1alpha3` EnvoyFilter that adds
 * each as an ECDS extension config (typed Wasm, module pulled from OCI by istio-agent, pinned
 * by sha256) and inserts the HTTP filters first in the chain, in order; EnvoyFilter patches
 * land after WasmPlugins, so the processors after the last body reader stay WasmPlugins.
 */
import type { KubeObject, ProcessorStatus } from "../api/types.ts";
import { ownedMetadata, objectName } from "./metadata.ts";
import { BODY_MINIMUM_VERSIONS, type GatewayRendering, type Plan, type PlannedProcessor } from "./plan.ts";

const PHASE = { PreRouting: "AUTHN", PostRouting: "STATS" } as const;
const WASM_TYPE = "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm";
const RBAC_TYPE = "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC";

/** Priority for the processor at `index`: higher runs first, 10 apart. */
export function istioPriority(index: number): number {
  return 1000 - 10 * index;
}

function ociUrl(image: string): string {
  return image.startsWith("oci://") ? image : `oci://${image}`;
}

/** The Envoy filter / ECDS name of a processor carried by the EnvoyFilter. */
export function ecdsName(plan: Plan, p: PlannedProcessor): string {
  return `tollgate.${plan.pp.metadata.namespace ?? "default"}.${plan.pp.metadata.name}.${p.name}`;
}

function wasmPlugin(plan: Plan, p: PlannedProcessor): KubeObject {
  const { pp } = plan;
  const spec: Record<string, unknown> = {
    targetRefs: pp.spec.targetRefs.map((t) => ({ group: t.group, kind: t.kind, name: t.name })),
    url: ociUrl(p.module.image),
    sha256: p.module.sha256,
    ...(p.module.pullSecret ? { imagePullSecret: p.module.pullSecret } : {}),
    ...(p.module.rootID ? { pluginName: p.module.rootID } : {}),
    phase: PHASE[pp.spec.phase],
    priority: istioPriority(p.index),
    failStrategy: p.failureMode === "FailOpen" ? "FAIL_OPEN" : "FAIL_CLOSE",
    ...(p.config !== undefined ? { pluginConfig: p.config } : {}),
  };
  return { apiVersion: "extensions.istio.io/v1alpha1", kind: "WasmPlugin", metadata: ownedMetadata(pp, objectName(pp.metadata.name, p.name)), spec };
}

function extensionConfigPatch(plan: Plan, p: PlannedProcessor): Record<string, unknown> {
  const config: Record<string, unknown> = {
    name: ecdsName(plan, p),
    ...(p.module.rootID ? { root_id: p.module.rootID } : {}),
    ...(p.bodyBeforeRouting ? { allow_on_headers_stop_iteration: true } : {}),
    failure_policy: p.failureMode === "FailOpen" ? "FAIL_OPEN" : "FAIL_CLOSED",
    configuration: { "@type": "type.googleapis.com/google.protobuf.StringValue", value: JSON.stringify(p.config ?? {}) },
    vm_config: {
      runtime: "envoy.wasm.runtime.v8",
      code: { remote: { http_uri: { uri: ociUrl(p.module.image), cluster: "_", timeout: "30s" }, sha256: p.module.sha256 } },
      environment_variables: { key_values: { ISTIO_META_WASM_IMAGE_PULL_POLICY: "IfNotPresent" } },
    },
  };
  return { applyTo: "EXTENSION_CONFIG", patch: { operation: "ADD", value: { name: ecdsName(plan, p), typed_config: { "@type": WASM_TYPE, config } } } };
}

function httpFilterPatch(plan: Plan, p: PlannedProcessor, previous: PlannedProcessor | undefined): Record<string, unknown> {
  const filter: Record<string, unknown> = { name: "envoy.filters.network.http_connection_manager" };
  if (previous) filter.subFilter = { name: ecdsName(plan, previous) };
  return {
    applyTo: "HTTP_FILTER",
    match: { context: "GATEWAY", listener: { filterChain: { filter } } },
    patch: {
      operation: previous ? "INSERT_AFTER" : "INSERT_FIRST",
      value: {
        name: ecdsName(plan, p),
        config_discovery: {
          config_source: { ads: {}, initial_fetch_timeout: "0s", resource_api_version: "V3" },
          type_urls: [WASM_TYPE, RBAC_TYPE],
        },
      },
    },
  };
}

export function renderIstio(plan: Plan): GatewayRendering {
  const { pp } = plan;
  const routeTargets = pp.spec.targetRefs.filter((t) => t.kind !== "Gateway" || t.sectionName);
  if (routeTargets.length) {
    const t = routeTargets[0];
    return {
      objects: [], processors: [], notes: [],
      failure: {
        reason: "TargetNotSupported",
        message: t.kind !== "Gateway"
          ? `Istio WasmPlugin and EnvoyFilter cannot attach to ${t.kind} ${t.name}: target the Gateway instead (phase PreRouting), or use Envoy Gateway for route-level processors`
          : `Istio cannot attach to a single listener: targetRefs Gateway ${t.name} has sectionName ${t.sectionName}`,
      },
    };
  }
  const lastBody = plan.processors.reduce((last, p) => (p.bodyBeforeRouting ? p.index : last), -1);
  const objects: KubeObject[] = [];
  const statuses: ProcessorStatus[] = [];
  const notes: string[] = [];
  const filterName = objectName(pp.metadata.name, "ecds");
  if (lastBody >= 0) {
    const carried = plan.processors.slice(0, lastBody + 1);
    const configPatches = carried.flatMap((p, i) => [extensionConfigPatch(plan, p), httpFilterPatch(plan, p, carried[i - 1])]);
    objects.push({
      apiVersion: "networking.istio.io/v1alpha3",
      kind: "EnvoyFilter",
      metadata: ownedMetadata(pp, filterName),
      spec: { targetRefs: pp.spec.targetRefs.map((t) => ({ group: t.group, kind: t.kind, name: t.name })), configPatches },
    });
    const secrets = carried.filter((p) => p.module.pullSecret).map((p) => p.name);
    if (secrets.length) {
      notes.push(`processors ${secrets.join(", ")} run through an EnvoyFilter, which cannot pass pullSecretRef to istio-agent: the registry must allow anonymous pulls or the gateway pods need DOCKER_CONFIG (see README)`);
    }
  }
  for (const p of plan.processors) {
    const viaFilter = p.index <= lastBody;
    if (!viaFilter) objects.push(wasmPlugin(plan, p));
    statuses.push({
      name: p.name,
      mode: p.bodyBeforeRouting ? "BodyBeforeRouting" : "Standard",
      renderedAs: [viaFilter ? `EnvoyFilter/${filterName}` : `WasmPlugin/${objectName(pp.metadata.name, p.name)}`],
      digest: `sha256:${p.module.sha256}`,
      ...(p.bodyBeforeRouting ? { minimumVersions: [...BODY_MINIMUM_VERSIONS.Istio] } : {}),
    });
  }
  return { objects, processors: statuses, notes };
}
