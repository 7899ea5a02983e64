/**
 * @module test/kube-stand-in/resources
 * The API resources the stand-in serves, as discovery reports them. Which gateway's CRDs
 * are "installed" is chosen per run, so that `gateway: Auto` discovery can be tested.
 */

export interface ResourceDef {
  group: string; // "" for the core group
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  status: boolean;
}

const CORE: ResourceDef[] = [
  { group: "", version: "v1", kind: "Secret", plural: "secrets", namespaced: true, status: false },
  { group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false, status: true },
  { group: "", version: "v1", kind: "Event", plural: "events", namespaced: true, status: false },
  { group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases", namespaced: true, status: false },
  { group: "tollgate.dev", version: "v1alpha1", kind: "PayloadProcessor", plural: "payloadprocessors", namespaced: true, status: true },
  { group: "tollgate.dev", version: "v1alpha1", kind: "FilterModule", plural: "filtermodules", namespaced: true, status: true },
  { group: "gateway.networking.k8s.io", version: "v1", kind: "Gateway", plural: "gateways", namespaced: true, status: true },
  { group: "gateway.networking.k8s.io", version: "v1", kind: "HTTPRoute", plural: "httproutes", namespaced: true, status: true },
];

export const GATEWAY_RESOURCES: Record<string, ResourceDef[]> = {
  istio: [
    { group: "extensions.istio.io", version: "v1alpha1", kind: "WasmPlugin", plural: "wasmplugins", namespaced: true, status: true },
    { group: "networking.istio.io", version: "v1alpha3", kind: "EnvoyFilter", plural: "envoyfilters", namespaced: true, status: true },
  ],
  "envoy-gateway": [
    { group: "gateway.envoyproxy.io", version: "v1alpha1", kind: "EnvoyExtensionPolicy", plural: "envoyextensionpolicies", namespaced: true, status: true },
    { group: "gateway.envoyproxy.io", version: "v1alpha1", kind: "EnvoyPatchPolicy", plural: "envoypatchpolicies", namespaced: true, status: true },
  ],
};

export function resourceSet(gateways: string[]): ResourceDef[] {
  return [...CORE, ...gateways.flatMap((g) => {
    const defs = GATEWAY_RESOURCES[g];
    if (!defs) throw new Error(`unknown gateway ${g} (istio, envoy-gateway)`);
    return defs;
  })];
}

export function apiVersionOf(def: ResourceDef): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}
