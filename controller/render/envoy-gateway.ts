/**
 * @module controller/render/envoy-gateway
 * Envoy Gateway rendering: one `gateway.envoyproxy.io/v1alpha1` EnvoyExtensionPolicy per
 * PayloadProcessor with `wasm[]` in processor order (EG runs the list in order and keeps
 * one winning policy per route, so one policy holds the whole pipeline). Processors that
 * read the body before routing also get an EnvoyPatchPolicy per Gateway setting
 * `allow_on_headers_stop_iteration` on the filter EG generates for them, addressed by EG's
 * generated names: listener `<gw-namespace>/<gw-name>/<first listener on the port>` and
 * filter `envoy.filters.http.wasm/envoyextensionpolicy/<namespace>/<policy>/wasm/<index>`.
 */
import { GATEWAY_API_GROUP, type KubeObject, type ProcessorStatus, type TargetRef } from "../api/types.ts";
import { ownedMetadata, objectName } from "./metadata.ts";
import { BODY_MINIMUM_VERSIONS, type GatewayRendering, type Plan, type PlannedProcessor } from "./plan.ts";

interface Listener { name: string; port: number; protocol: string }

/** The name EG gives the HTTP filter of `wasm[index]` in policy `namespace/name`. */
export function egWasmFilterName(namespace: string, policy: string, index: number): string {
  return `envoy.filters.http.wasm/envoyextensionpolicy/${namespace}/${policy}/wasm/${index}`;
}

/** xDS listener names EG generates for the chosen listeners of a Gateway (first listener on each port names it). */
export function egListenerNames(gateway: KubeObject, sectionName?: string): string[] {
  const listeners = (((gateway.spec as Record<string, unknown>)?.listeners ?? []) as Listener[]);
  const chosen = listeners.filter((l) => (sectionName ? l.name === sectionName : l.protocol === "HTTP" || l.protocol === "HTTPS"));
  const names = chosen.map((l) => {
    const first = listeners.find((x) => x.port === l.port)!;
    return `${gateway.metadata.namespace ?? "default"}/${gateway.metadata.name}/${first.name}`;
  });
  return [...new Set(names)];
}

function wasmEntry(p: PlannedProcessor): Record<string, unknown> {
  const image: Record<string, unknown> = { url: p.module.image.replace(/^oci:\/\//, ""), sha256: p.module.sha256 };
  if (p.module.pullSecret) image.pullSecretRef = { group: "", kind: "Secret", name: p.module.pullSecret };
  return {
    name: p.name,
    ...(p.module.rootID ? { rootID: p.module.rootID } : {}),
    code: { type: "Image", image },
    ...(p.config !== undefined ? { config: p.config } : {}),
    failOpen: p.failureMode === "FailOpen",
  };
}

interface GatewayListeners { gateway: string; listeners: Set<string> }

/** The Gateways (same namespace) and listeners a PayloadProcessor's targets reach, or why they cannot be found. */
function reachedGateways(plan: Plan, gateways: KubeObject[], routes: KubeObject[]): GatewayListeners[] | { reason: "TargetNotFound" | "TargetNotSupported"; message: string } {
  const ns = plan.pp.metadata.namespace ?? "default";
  const out = new Map<string, Set<string>>();
  const add = (name: string, section?: string) => {
    const gw = gateways.find((g) => g.metadata.name === name && (g.metadata.namespace ?? "default") === ns);
    if (!gw) return `Gateway ${ns}/${name} not found: body-before-routing on Envoy Gateway needs its listener names`;
    const names = egListenerNames(gw, section);
    if (!names.length) return `Gateway ${ns}/${name} has no HTTP listener${section ? ` named ${section}` : ""}`;
    const set = out.get(name) ?? new Set<string>();
    names.forEach((n) => set.add(n));
    out.set(name, set);
    return undefined;
  };
  for (const t of plan.pp.spec.targetRefs as TargetRef[]) {
    if (t.kind === "Gateway") {
      const problem = add(t.name, t.sectionName);
      if (problem) return { reason: "TargetNotFound", message: problem };
      continue;
    }
    const route = routes.find((r) => r.metadata.name === t.name && (r.metadata.namespace ?? "default") === ns);
    if (!route) return { reason: "TargetNotFound", message: `HTTPRoute ${ns}/${t.name} not found: body-before-routing on Envoy Gateway needs its parent Gateways` };
    const parents = (((route.spec as Record<string, unknown>)?.parentRefs ?? []) as { group?: string; kind?: string; name: string; namespace?: string; sectionName?: string }[])
      .filter((p) => (p.kind ?? "Gateway") === "Gateway" && (p.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP);
    if (!parents.length) return { reason: "TargetNotFound", message: `HTTPRoute ${ns}/${t.name} has no parent Gateway` };
    for (const parent of parents) {
      if ((parent.namespace ?? ns) !== ns) {
        return { reason: "TargetNotSupported", message: `HTTPRoute ${ns}/${t.name} attaches to Gateway ${parent.namespace}/${parent.name} in another namespace: an EnvoyPatchPolicy must live in the Gateway's namespace, so body-before-routing needs the PayloadProcessor there` };
      }
      const problem = add(parent.name, parent.sectionName);
      if (problem) return { reason: "TargetNotFound", message: problem };
    }
  }
  return [...out.entries()].map(([gateway, listeners]) => ({ gateway, listeners }));
}

export function renderEnvoyGateway(plan: Plan, gateways: KubeObject[], routes: KubeObject[]): GatewayRendering {
  const { pp } = plan;
  const ns = pp.metadata.namespace ?? "default";
  const policyName = pp.metadata.name;
  const objects: KubeObject[] = [{
    apiVersion: "gateway.envoyproxy.io/v1alpha1",
    kind: "EnvoyExtensionPolicy",
    metadata: ownedMetadata(pp, policyName),
    spec: {
      targetRefs: pp.spec.targetRefs.map((t) => ({ group: t.group, kind: t.kind, name: t.name, ...(t.sectionName ? { sectionName: t.sectionName } : {}) })),
      wasm: plan.processors.map(wasmEntry),
    },
  }];
  const body = plan.processors.filter((p) => p.bodyBeforeRouting);
  const patchNames: string[] = [];
  if (body.length) {
    const reached = reachedGateways(plan, gateways, routes);
    if (!Array.isArray(reached)) return { objects: [], processors: [], notes: [], failure: reached };
    for (const { gateway, listeners } of reached) {
      const name = objectName(pp.metadata.name, "body", gateway);
      patchNames.push(name);
      const jsonPatches = [...listeners].sort().flatMap((listener) => body.map((p) => ({
        type: "type.googleapis.com/envoy.config.listener.v3.Listener",
        name: listener,
        operation: {
          op: "add",
          jsonPath: `..http_filters[?(@.name=='${egWasmFilterName(ns, policyName, p.index)}')].typed_config.config`,
          path: "/allow_on_headers_stop_iteration",
          value: true,
        },
      })));
      objects.push({
        apiVersion: "gateway.envoyproxy.io/v1alpha1",
        kind: "EnvoyPatchPolicy",
        metadata: ownedMetadata(pp, name),
        spec: { targetRef: { group: GATEWAY_API_GROUP, kind: "Gateway", name: gateway }, type: "JSONPatch", jsonPatches },
      });
    }
  }
  const processors: ProcessorStatus[] = plan.processors.map((p) => ({
    name: p.name,
    mode: p.bodyBeforeRouting ? "BodyBeforeRouting" : "Standard",
    renderedAs: [`EnvoyExtensionPolicy/${policyName}`, ...(p.bodyBeforeRouting ? patchNames.map((n) => `EnvoyPatchPolicy/${n}`) : [])],
    digest: `sha256:${p.module.sha256}`,
    ...(p.bodyBeforeRouting ? { minimumVersions: [...BODY_MINIMUM_VERSIONS.EnvoyGateway] } : {}),
  }));
  const notes = body.length
    ? ["body-before-routing on Envoy Gateway needs extensionApis.enableEnvoyPatchPolicy and a request buffer limit above the largest body (ClientTrafficPolicy connection.bufferLimit, 32 KiB by default)"]
    : [];
  return { objects, processors, notes };
}
