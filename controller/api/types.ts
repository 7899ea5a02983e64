/**
 * @module controller/api/types
 * The `tollgate.dev/v1alpha1` API as TypeScript: `FilterModule` (a versioned Wasm module
 * in an OCI registry) and `PayloadProcessor` (an ordered pipeline attached to a Gateway or
 * HTTPRoute, after the Kubernetes AI Gateway WG draft). The CRD schemas in `crd-schema.ts`
 * are the source of truth; `crds.test.ts` checks these interfaces against them field by field.
 */

export const GROUP = "tollgate.dev";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;
export const GATEWAY_API_GROUP = "gateway.networking.k8s.io";
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY = "tollgate";
/** Label on every rendered object naming the PayloadProcessor it came from, for listing owned objects. */
export const OWNER_LABEL = "tollgate.dev/payload-processor";
export const FIELD_MANAGER = "tollgate";

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  deletionTimestamp?: string;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** metav1.Condition */
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

export interface LocalSecretReference {
  /** Name of a `kubernetes.io/dockerconfigjson` Secret in the same namespace. */
  name: string;
}

// ---- FilterModule -------------------------------------------------------------------

export interface FilterModuleSpec {
  /** OCI reference, `registry/repo:tag` or `registry/repo@sha256:<hex>`. */
  image: string;
  /** Manifest digest (`sha256:<hex>` or bare hex); when absent the controller resolves the tag and pins what it found in status. */
  sha256?: string;
  /** Root id the module registers: Istio `pluginName`, Envoy Gateway `rootID`. */
  rootID: string;
  pullSecretRef?: LocalSecretReference;
  /** JSON Schema for processor configs; when absent, read from the artifact's metadata if it carries one. */
  configSchema?: Record<string, unknown>;
  /** The module reads the request body before the route is chosen (needs Envoy's `allow_on_headers_stop_iteration`). */
  bodyBeforeRouting?: boolean;
}

export interface FilterModuleStatus {
  observedGeneration?: number;
  /** The pinned manifest digest in use, `sha256:<hex>`. */
  digest?: string;
  /** The digest pinned before the tag last moved. */
  previousDigest?: string;
  /** When the digest in use was resolved (RFC 3339); confirmations of an unchanged digest are not written. */
  resolvedAt?: string;
  /** The config schema the artifact carries, when spec.configSchema is absent. */
  configSchema?: Record<string, unknown>;
  conditions?: Condition[];
}

export interface FilterModule {
  apiVersion: typeof API_VERSION;
  kind: "FilterModule";
  metadata: ObjectMeta;
  spec: FilterModuleSpec;
  status?: FilterModuleStatus;
}

// ---- PayloadProcessor -----------------------------------------------------------------

export type Phase = "PreRouting" | "PostRouting";
export type GatewayChoice = "Auto" | "Istio" | "EnvoyGateway";
/** The gateway a PayloadProcessor is rendered for, once `Auto` is decided. */
export type GatewayKind = "Istio" | "EnvoyGateway";
export type ProcessorType = "Wasm" | "InProcess" | "ExtProcess";
export type FailureMode = "FailClosed" | "FailOpen";

export interface TargetRef {
  group: string;
  kind: "Gateway" | "HTTPRoute";
  name: string;
  sectionName?: string;
}

export interface WasmProcessor {
  /** Name of a FilterModule in the same namespace (xor image + sha256). */
  module?: string;
  image?: string;
  sha256?: string;
  rootID?: string;
  pullSecretRef?: LocalSecretReference;
  /** Overrides the module's `bodyBeforeRouting`. */
  bodyBeforeRouting?: boolean;
  config?: Record<string, unknown>;
}

export interface Processor {
  name: string;
  type: ProcessorType;
  failureMode?: FailureMode;
  timeout?: string;
  wasm?: WasmProcessor;
  /** Reserved (WG draft); rejected in v1alpha1 with a clear message. */
  inProcess?: Record<string, unknown>;
  /** Reserved (WG draft); rejected in v1alpha1 with a clear message. */
  extProcess?: Record<string, unknown>;
}

export interface PayloadProcessorSpec {
  targetRefs: TargetRef[];
  phase: Phase;
  gateway?: GatewayChoice;
  processors: Processor[];
}

export type ProcessorMode = "Standard" | "BodyBeforeRouting";

export interface ProcessorStatus {
  name: string;
  /** `BodyBeforeRouting` when rendered with Envoy's `allow_on_headers_stop_iteration`. */
  mode: ProcessorMode;
  /** The rendered objects carrying this processor, `Kind/name`. */
  renderedAs: string[];
  /** The pinned manifest digest, `sha256:<hex>`. */
  digest?: string;
  /** Minimum gateway versions this processor's mode needs, e.g. `Istio 1.28`. */
  minimumVersions?: string[];
}

export interface PayloadProcessorStatus {
  observedGeneration?: number;
  /** The gateway rendered for (`Auto` decided). */
  gateway?: GatewayKind;
  processors?: ProcessorStatus[];
  conditions?: Condition[];
}

export interface PayloadProcessor {
  apiVersion: typeof API_VERSION;
  kind: "PayloadProcessor";
  metadata: ObjectMeta;
  spec: PayloadProcessorSpec;
  status?: PayloadProcessorStatus;
}

/** Any Kubernetes object, as rendered or read. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}
