/**
 * @module controller/api/validate
 * Validates FilterModule and PayloadProcessor objects as the API server would: the
 * structural schema (ajv) and then the CEL rules, through their TypeScript twins from
 * `crd-schema.ts`. Used by `tollgate render` and the renderer, which see files that never
 * went through an API server. Messages name the field: `spec.processors[1].type: ...`.
 */
import type { ValidateFunction } from "ajv";
import { CEL_RULES, filterModuleSchema, payloadProcessorSchema } from "./crd-schema.ts";
import { formatAjvErrors, newAjv, toJsonSchema } from "./openapi.ts";

let validators: Record<string, ValidateFunction> | undefined;

function structural(kind: string): ValidateFunction {
  validators ??= {
    FilterModule: newAjv().compile(toJsonSchema(filterModuleSchema)),
    PayloadProcessor: newAjv().compile(toJsonSchema(payloadProcessorSchema)),
  };
  return validators[kind];
}

/** Every node matching a rule path such as `spec.processors[].wasm`, with its concrete field path. */
function nodesAt(obj: unknown, path: string): { node: unknown; at: string }[] {
  let current: { node: unknown; at: string }[] = [{ node: obj, at: "" }];
  for (const segment of path.split(".")) {
    const isList = segment.endsWith("[]");
    const key = isList ? segment.slice(0, -2) : segment;
    const next: { node: unknown; at: string }[] = [];
    for (const { node, at } of current) {
      const child = node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
      if (child === undefined) continue;
      const childAt = at ? `${at}.${key}` : key;
      if (isList) {
        if (Array.isArray(child)) child.forEach((item, i) => next.push({ node: item, at: `${childAt}[${i}]` }));
      } else next.push({ node: child, at: childAt });
    }
    current = next;
  }
  return current;
}

/** Problems with `obj` as the API server would report them; empty when valid. */
export function validateResource(obj: { kind?: string }): string[] {
  const kind = obj.kind ?? "";
  if (kind !== "FilterModule" && kind !== "PayloadProcessor") return [`kind ${JSON.stringify(kind)} is not a tollgate.dev resource`];
  const validate = structural(kind);
  if (!validate(obj)) return formatAjvErrors(validate.errors);
  const problems: string[] = [];
  for (const [path, rules] of Object.entries(CEL_RULES[kind] ?? {})) {
    for (const { node, at } of nodesAt(obj, path)) {
      for (const rule of rules) {
        if (!rule.check(node)) problems.push(`${at}${rule.fieldPath ?? ""}: ${rule.message}`);
      }
    }
  }
  return problems;
}
