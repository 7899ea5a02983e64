/**
 * @module controller/api/crd-schema
 * The single source of truth for the `tollgate.dev/v1alpha1` CRDs: structural schemas with
 * CEL rules. Each CEL rule sits beside a TypeScript predicate saying the same thing, so that
 * `tollgate render` (which has no API server) applies the very rules and messages the API
 * server would. `crds/*.yaml` are generated from here (`npx tsx controller/api/generate-crds.ts`)
 * and a test fails when the committed files drift.
 */
import { GROUP, VERSION } from "./types.ts";

type Schema = Record<string, unknown>;

/** A CEL rule for the CRD plus the same rule as a predicate on the node it is attached to. */
export interface CelRule {
  rule: string;
  message: string;
  /** Field path (relative to the node) the API server reports the failure on. */
  fieldPath?: string;
  check: (self: any) => boolean; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Rules by the field path of the node they sit on (`spec`, `spec.processors[]`, ...). */
export const CEL_RULES: Record<string, Record<string, CelRule[]>> = {
  PayloadProcessor: {
    spec: [
      {
        rule: "self.processors.all(p, self.processors.exists_one(q, q.name == p.name))",
        message: "processor names must be unique",
        fieldPath: ".processors",
        check: (s) => new Set(s.processors.map((p: { name: string }) => p.name)).size === s.processors.length,
      },
      {
        rule: "self.phase != 'PostRouting' || self.targetRefs.all(t, t.kind == 'HTTPRoute')",
        message: "phase PostRouting needs HTTPRoute targets: the route is chosen by then, so a Gateway target has nothing to run after",
        fieldPath: ".phase",
        check: (s) => s.phase !== "PostRouting" || s.targetRefs.every((t: { kind: string }) => t.kind === "HTTPRoute"),
      },
    ],
    "spec.processors[]": [
      {
        rule: "self.type == 'Wasm'",
        message: "processor type InProcess and ExtProcess are reserved for a later version of tollgate.dev; only Wasm is supported in v1alpha1",
        fieldPath: ".type",
        check: (p) => p.type === "Wasm",
      },
      {
        rule: "self.type != 'Wasm' || has(self.wasm)",
        message: "a Wasm processor needs the wasm field",
        check: (p) => p.type !== "Wasm" || p.wasm !== undefined,
      },
    ],
    "spec.processors[].wasm": [
      {
        rule: "has(self.module) != has(self.image)",
        message: "set exactly one of module (a FilterModule name) or image (with sha256)",
        check: (w) => (w.module !== undefined) !== (w.image !== undefined),
      },
      {
        rule: "!has(self.image) || has(self.sha256)",
        message: "an inline image must be pinned with sha256 (the manifest digest)",
        fieldPath: ".sha256",
        check: (w) => w.image === undefined || w.sha256 !== undefined,
      },
      {
        rule: "!has(self.module) || (!has(self.sha256) && !has(self.rootID) && !has(self.pullSecretRef))",
        message: "sha256, rootID and pullSecretRef belong to the FilterModule when module is set",
        check: (w) => w.module === undefined || (w.sha256 === undefined && w.rootID === undefined && w.pullSecretRef === undefined),
      },
    ],
    "spec.targetRefs[]": [
      {
        rule: "self.group == 'gateway.networking.k8s.io'",
        message: "targetRefs must be in group gateway.networking.k8s.io",
        fieldPath: ".group",
        check: (t) => t.group === "gateway.networking.k8s.io",
      },
    ],
  },
  FilterModule: {
    spec: [],
  },
};

const NAME_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
const DIGEST_PATTERN = "^(sha256:)?[a-f0-9]{64}$";

function withRules(kind: string, path: string, schema: Schema): Schema {
  const rules = CEL_RULES[kind]?.[path];
  if (!rules?.length) return schema;
  return {
    ...schema,
    "x-kubernetes-validations": rules.map((r) => ({ rule: r.rule, message: r.message, ...(r.fieldPath ? { fieldPath: r.fieldPath } : {}) })),
  };
}

const localSecretRef: Schema = {
  type: "object",
  description: "A kubernetes.io/dockerconfigjson Secret in the same namespace.",
  required: ["name"],
  properties: { name: { type: "string", minLength: 1, maxLength: 253 } },
};

const conditions: Schema = {
  type: "array",
  maxItems: 8,
  "x-kubernetes-list-type": "map",
  "x-kubernetes-list-map-keys": ["type"],
  items: {
    type: "object",
    required: ["type", "status", "reason", "message", "lastTransitionTime"],
    properties: {
      type: { type: "string", maxLength: 316 },
      status: { type: "string", enum: ["True", "False", "Unknown"] },
      reason: { type: "string", minLength: 1, maxLength: 1024 },
      message: { type: "string", maxLength: 32768 },
      observedGeneration: { type: "integer", format: "int64", minimum: 0 },
      lastTransitionTime: { type: "string", format: "date-time" },
    },
  },
};

const freeObject: Schema = { type: "object", "x-kubernetes-preserve-unknown-fields": true };

export const filterModuleSchema: Schema = {
  type: "object",
  required: ["spec"],
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object" },
    spec: withRules("FilterModule", "spec", {
      type: "object",
      required: ["image", "rootID"],
      properties: {
        image: { type: "string", minLength: 1, maxLength: 512, description: "OCI reference: registry/repo:tag or registry/repo@sha256:<hex>." },
        sha256: { type: "string", pattern: DIGEST_PATTERN, description: "Manifest digest; when absent the controller resolves the tag and pins it in status." },
        rootID: { type: "string", minLength: 1, maxLength: 256, description: "Root id the module registers (Istio pluginName, Envoy Gateway rootID)." },
        pullSecretRef: localSecretRef,
        configSchema: { ...freeObject, description: "JSON Schema for processor configs." },
        bodyBeforeRouting: { type: "boolean", description: "The module reads the request body before the route is chosen." },
      },
    }),
    status: {
      type: "object",
      properties: {
        observedGeneration: { type: "integer", format: "int64", minimum: 0 },
        digest: { type: "string", pattern: "^sha256:[a-f0-9]{64}$" },
        previousDigest: { type: "string", pattern: "^sha256:[a-f0-9]{64}$" },
        resolvedAt: { type: "string", format: "date-time" },
        configSchema: freeObject,
        conditions,
      },
    },
  },
};

export const payloadProcessorSchema: Schema = {
  type: "object",
  required: ["spec"],
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object" },
    spec: withRules("PayloadProcessor", "spec", {
      type: "object",
      required: ["targetRefs", "phase", "processors"],
      properties: {
        targetRefs: {
          type: "array",
          minItems: 1,
          maxItems: 16,
          items: withRules("PayloadProcessor", "spec.targetRefs[]", {
            type: "object",
            required: ["group", "kind", "name"],
            properties: {
              group: { type: "string", maxLength: 253 },
              kind: { type: "string", enum: ["Gateway", "HTTPRoute"] },
              name: { type: "string", minLength: 1, maxLength: 253 },
              sectionName: { type: "string", minLength: 1, maxLength: 253 },
            },
          }),
        },
        phase: { type: "string", enum: ["PreRouting", "PostRouting"] },
        gateway: { type: "string", enum: ["Auto", "Istio", "EnvoyGateway"], default: "Auto" },
        processors: {
          type: "array",
          minItems: 1,
          maxItems: 16,
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["name"],
          items: withRules("PayloadProcessor", "spec.processors[]", {
            type: "object",
            required: ["name", "type"],
            properties: {
              name: { type: "string", minLength: 1, maxLength: 63, pattern: NAME_PATTERN },
              type: { type: "string", enum: ["Wasm", "InProcess", "ExtProcess"] },
              failureMode: { type: "string", enum: ["FailClosed", "FailOpen"], default: "FailClosed" },
              timeout: { type: "string", pattern: "^([0-9]{1,5}(h|m|s|ms)){1,4}$" },
              wasm: withRules("PayloadProcessor", "spec.processors[].wasm", {
                type: "object",
                properties: {
                  module: { type: "string", minLength: 1, maxLength: 253, pattern: NAME_PATTERN },
                  image: { type: "string", minLength: 1, maxLength: 512 },
                  sha256: { type: "string", pattern: DIGEST_PATTERN },
                  rootID: { type: "string", minLength: 1, maxLength: 256 },
                  pullSecretRef: localSecretRef,
                  bodyBeforeRouting: { type: "boolean" },
                  config: freeObject,
                },
              }),
              inProcess: freeObject,
              extProcess: freeObject,
            },
          }),
        },
      },
    }),
    status: {
      type: "object",
      properties: {
        observedGeneration: { type: "integer", format: "int64", minimum: 0 },
        gateway: { type: "string", enum: ["Istio", "EnvoyGateway"] },
        processors: {
          type: "array",
          maxItems: 16,
          items: {
            type: "object",
            required: ["name", "mode", "renderedAs"],
            properties: {
              name: { type: "string" },
              mode: { type: "string", enum: ["Standard", "BodyBeforeRouting"] },
              renderedAs: { type: "array", items: { type: "string" } },
              digest: { type: "string" },
              minimumVersions: { type: "array", items: { type: "string" } },
            },
          },
        },
        conditions,
      },
    },
  },
};

interface CrdDef { plural: string; singular: string; kind: string; shortNames: string[]; schema: Schema; printerColumns: Schema[] }

const DEFS: CrdDef[] = [
  {
    plural: "filtermodules", singular: "filtermodule", kind: "FilterModule", shortNames: ["fm"], schema: filterModuleSchema,
    printerColumns: [
      { name: "Image", type: "string", jsonPath: ".spec.image" },
      { name: "Digest", type: "string", jsonPath: ".status.digest", priority: 1 },
      { name: "Resolved", type: "string", jsonPath: ".status.conditions[?(@.type==\"Resolved\")].status" },
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
    ],
  },
  {
    plural: "payloadprocessors", singular: "payloadprocessor", kind: "PayloadProcessor", shortNames: ["pp"], schema: payloadProcessorSchema,
    printerColumns: [
      { name: "Phase", type: "string", jsonPath: ".spec.phase" },
      { name: "Gateway", type: "string", jsonPath: ".status.gateway" },
      { name: "Accepted", type: "string", jsonPath: ".status.conditions[?(@.type==\"Accepted\")].status" },
      { name: "Programmed", type: "string", jsonPath: ".status.conditions[?(@.type==\"Programmed\")].status" },
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
    ],
  },
];

/** The CustomResourceDefinition objects, in file order. */
export function crdObjects(): { file: string; crd: Schema }[] {
  return DEFS.map((d) => ({
    file: `${GROUP}_${d.plural}.yaml`,
    crd: {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: `${d.plural}.${GROUP}`, labels: { "app.kubernetes.io/part-of": "tollgate" } },
      spec: {
        group: GROUP,
        names: { plural: d.plural, singular: d.singular, kind: d.kind, listKind: `${d.kind}List`, shortNames: d.shortNames, categories: ["tollgate"] },
        scope: "Namespaced",
        versions: [{
          name: VERSION, served: true, storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: d.printerColumns,
          schema: { openAPIV3Schema: d.schema },
        }],
      },
    },
  }));
}
