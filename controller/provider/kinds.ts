/**
 * @module controller/provider/kinds
 * The kinds the controller reads and writes, with their REST coordinates.
 */
export interface KindDef {
  group: string;
  version: string;
  kind: string;
  plural: string;
}

export const apiVersion = (k: KindDef) => (k.group ? `${k.group}/${k.version}` : k.version);

export const PAYLOAD_PROCESSOR: KindDef = { group: "tollgate.dev", version: "v1alpha1", kind: "PayloadProcessor", plural: "payloadprocessors" };
export const FILTER_MODULE: KindDef = { group: "tollgate.dev", version: "v1alpha1", kind: "FilterModule", plural: "filtermodules" };
export const GATEWAY: KindDef = { group: "gateway.networking.k8s.io", version: "v1", kind: "Gateway", plural: "gateways" };
export const HTTP_ROUTE: KindDef = { group: "gateway.networking.k8s.io", version: "v1", kind: "HTTPRoute", plural: "httproutes" };

/** What the controller renders, by gateway. */
export const OWNED: Record<"Istio" | "EnvoyGateway", KindDef[]> = {
  Istio: [
    { group: "extensions.istio.io", version: "v1alpha1", kind: "WasmPlugin", plural: "wasmplugins" },
    { group: "networking.istio.io", version: "v1alpha3", kind: "EnvoyFilter", plural: "envoyfilters" },
  ],
  EnvoyGateway: [
    { group: "gateway.envoyproxy.io", version: "v1alpha1", kind: "EnvoyExtensionPolicy", plural: "envoyextensionpolicies" },
    { group: "gateway.envoyproxy.io", version: "v1alpha1", kind: "EnvoyPatchPolicy", plural: "envoypatchpolicies" },
  ],
};

export function ownedKindOf(kind: string): KindDef | undefined {
  return [...OWNED.Istio, ...OWNED.EnvoyGateway].find((k) => k.kind === kind);
}
