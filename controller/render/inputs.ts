/**
 * @module controller/render/inputs
 * What the renderer reads and returns. Inputs are the Tollgate resources plus the Gateway
 * API objects body-before-routing on Envoy Gateway needs (listener names); the output is
 * the desired objects, one status per PayloadProcessor and the errors, nothing applied.
 */
import type { ResolvedModule } from "../api/module-resolver.ts";
import type { FilterModule, GatewayKind, KubeObject, PayloadProcessor, PayloadProcessorStatus } from "../api/types.ts";

export interface RenderInput {
  payloadProcessors: PayloadProcessor[];
  filterModules: FilterModule[];
  /** Gateway API `Gateway` objects (their listeners name Envoy Gateway's xDS listeners). */
  gateways?: KubeObject[];
  /** Gateway API `HTTPRoute` objects (their parentRefs lead to Gateways). */
  httpRoutes?: KubeObject[];
}

export interface RenderOptions {
  /** The gateway `gateway: Auto` means: from discovery in a cluster, from `--gateway` offline. */
  autoGateway?: GatewayKind;
  /** Where `autoGateway` came from, for status (`the cluster's API groups`, `--gateway`). */
  autoGatewaySource?: string;
  /** Why `gateway: Auto` cannot be decided, when it cannot (replaces the default message). */
  autoGatewayUnavailable?: string;
  /** Fresh resolutions by image reference, from the ModuleResolver. */
  resolved?: Record<string, ResolvedModule>;
  /** RFC 3339 time stamped on conditions (passed in so rendering stays pure). */
  now: string;
}

export interface RenderError {
  /** `PayloadProcessor <namespace>/<name>` or `FilterModule <namespace>/<name>`. */
  resource: string;
  message: string;
}

export interface RenderResult {
  /** Desired objects, in a stable order. */
  objects: KubeObject[];
  /** `<namespace>/<name>` of each PayloadProcessor → its status. */
  statuses: Map<string, PayloadProcessorStatus>;
  errors: RenderError[];
}

export function keyOf(obj: { metadata: { namespace?: string; name: string } }): string {
  return `${obj.metadata.namespace ?? "default"}/${obj.metadata.name}`;
}

/** Sorts parsed YAML documents into render inputs; other kinds are ignored. */
export function inputsFromDocuments(docs: unknown[]): RenderInput {
  const input: Required<RenderInput> = { payloadProcessors: [], filterModules: [], gateways: [], httpRoutes: [] };
  for (const doc of docs) {
    if (!doc || typeof doc !== "object") continue;
    const obj = doc as KubeObject;
    if (obj.kind === "List" && Array.isArray((doc as { items?: unknown[] }).items)) {
      const inner = inputsFromDocuments((doc as { items: unknown[] }).items);
      for (const k of Object.keys(input) as (keyof RenderInput)[]) (input[k] as unknown[]).push(...(inner[k] ?? []));
      continue;
    }
    const group = String(obj.apiVersion ?? "").split("/")[0];
    if (group === "tollgate.dev" && obj.kind === "PayloadProcessor") input.payloadProcessors.push(obj as unknown as PayloadProcessor);
    else if (group === "tollgate.dev" && obj.kind === "FilterModule") input.filterModules.push(obj as unknown as FilterModule);
    else if (group === "gateway.networking.k8s.io" && obj.kind === "Gateway") input.gateways.push(obj);
    else if (group === "gateway.networking.k8s.io" && obj.kind === "HTTPRoute") input.httpRoutes.push(obj);
  }
  return input;
}
