/**
 * @module controller/api/openapi
 * Turns a Kubernetes structural schema (a CRD version's `openAPIV3Schema`) into a JSON
 * Schema that ajv can check offline, so that rendered objects are validated the way an
 * API server would see them. Kubernetes extensions are translated, not dropped:
 * `x-kubernetes-int-or-string` becomes integer-or-string, `x-kubernetes-preserve-unknown-fields`
 * keeps unknown fields, `nullable` admits null; everywhere else unknown fields are an error
 * (an API server would prune them silently, which for a renderer is a bug worth failing on).
 * CEL rules (`x-kubernetes-validations`) cannot be evaluated here; callers check them in code.
 */
import AjvModule from "ajv";
import type { ValidateFunction, ErrorObject } from "ajv";

type Schema = Record<string, unknown>;

// ajv ships as CommonJS with a default export; under NodeNext the class sits on `.default`.
const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule) as unknown as typeof AjvModule.default;

const DROPPED = new Set(["description", "default", "example", "x-kubernetes-validations", "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys", "x-kubernetes-map-type", "x-kubernetes-embedded-resource"]);

/** Translates one structural schema node (recursively) into plain JSON Schema. */
export function toJsonSchema(node: Schema): Schema {
  const out: Schema = {};
  const preserve = node["x-kubernetes-preserve-unknown-fields"] === true;
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key) || key === "x-kubernetes-preserve-unknown-fields" || key === "x-kubernetes-int-or-string" || key === "nullable") continue;
    if (key === "properties" && value && typeof value === "object") {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, Schema>).map(([k, v]) => [k, toJsonSchema(v)]));
    } else if ((key === "items" || key === "not") && value && typeof value === "object" && !Array.isArray(value)) {
      out[key] = toJsonSchema(value as Schema);
    } else if (key === "additionalProperties" && value && typeof value === "object") {
      out.additionalProperties = toJsonSchema(value as Schema);
    } else if ((key === "oneOf" || key === "anyOf" || key === "allOf") && Array.isArray(value)) {
      out[key] = value.map((v) => toJsonSchema(v as Schema));
    } else {
      out[key] = value;
    }
  }
  if (node["x-kubernetes-int-or-string"] === true) {
    delete out.type;
    out.type = ["integer", "string"];
  }
  if (node["x-kubernetes-embedded-resource"] === true) {
    out.properties = { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" }, ...(out.properties as Schema ?? {}) };
  }
  if (out.type === "object" && out.properties && !("additionalProperties" in out) && !preserve) out.additionalProperties = false;
  if (node.nullable === true && typeof out.type === "string") out.type = [out.type, "null"];
  return out;
}

const INT32 = { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 } as const;
const INT64 = { type: "number", validate: (n: number) => Number.isInteger(n) } as const;

/** An ajv instance that knows the formats Kubernetes CRDs use. */
export function newAjv() {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  ajv.addFormat("int32", INT32);
  ajv.addFormat("int64", INT64);
  ajv.addFormat("byte", /^[A-Za-z0-9+/]*={0,2}$/);
  ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  ajv.addFormat("ipv4", /^(\d{1,3}\.){3}\d{1,3}$/);
  ajv.addFormat("ipv6", /^[0-9a-fA-F:.]+$/);
  ajv.addFormat("hostname", /^[a-z0-9.-]+$/i);
  ajv.addFormat("uri", /^\S+$/);
  ajv.addFormat("duration", /^\S+$/);
  return ajv;
}

/** A validator for the served version `version` of a parsed CRD (first served version when omitted). */
export function crdValidator(crd: Schema, version?: string): ValidateFunction {
  const versions = ((crd.spec as Schema).versions as Schema[]).filter((v) => v.served !== false);
  const chosen = version ? versions.find((v) => v.name === version) : versions.find((v) => v.storage) ?? versions[0];
  if (!chosen) throw new Error(`CRD ${(crd.metadata as Schema).name} serves no version ${version}`);
  const schema = (chosen.schema as Schema).openAPIV3Schema as Schema;
  // Every object carries these; some upstream schemas leave them out of the root.
  const root = toJsonSchema(schema);
  root.properties = { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" }, ...(root.properties as Schema ?? {}) };
  return newAjv().compile(root);
}

/** `spec.wasm[0].code: must have required property 'type'` — one line per ajv error, paths as field paths. */
export function formatAjvErrors(errors: ErrorObject[] | null | undefined, root = ""): string[] {
  return (errors ?? []).map((e) => {
    const sub = pointerToFieldPath(e.instancePath);
    const path = !root ? sub : !sub ? root : sub.startsWith("[") ? root + sub : `${root}.${sub}`;
    if (e.keyword === "additionalProperties") return `${path ? path + "." : ""}${(e.params as { additionalProperty: string }).additionalProperty}: unknown field`;
    if (e.keyword === "required") return `${path ? path + "." : ""}${(e.params as { missingProperty: string }).missingProperty}: required`;
    if (e.keyword === "enum") return `${path || "(root)"}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    return `${path || "(root)"}: ${e.message}`;
  });
}

/** `/spec/wasm/0/code` → `spec.wasm[0].code` */
export function pointerToFieldPath(pointer: string): string {
  if (!pointer) return "";
  return pointer.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), "");
}
