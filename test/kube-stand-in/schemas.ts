/**
 * @module test/kube-stand-in/schemas
 * Structural validation of writes, as the API server does it for custom resources: each
 * kind with a CRD at hand (Tollgate's from `crds/`, the gateways' from `../shared/crds`) is
 * checked against its served version's openAPIV3Schema, and a failure is a 422 Invalid
 * naming the field. Kinds without a schema here (core kinds, Leases) are not checked.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import type { ValidateFunction } from "ajv";
import { crdValidator, formatAjvErrors } from "../../controller/api/openapi.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const DIRS = [join(ROOT, "crds"), process.env.TOLLGATE_SHARED_CRDS ?? join(ROOT, "..", "shared", "crds")];

/** `group/version/Kind` → the CRD serving it; validators are compiled on first use (some CRDs are large). */
let crds: Map<string, { crd: Record<string, any>; version: string }> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
const compiled = new Map<string, ValidateFunction>();

function index() {
  const out = new Map<string, { crd: Record<string, any>; version: string }>(); // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const dir of DIRS) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
      const crd = parse(readFileSync(join(dir, file), "utf8"));
      if (crd?.kind !== "CustomResourceDefinition") continue;
      for (const v of crd.spec.versions.filter((x: { served: boolean }) => x.served)) out.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, { crd, version: v.name });
    }
  }
  return out;
}

/** Problems with `obj` against its CRD; empty when valid or when no CRD is known. */
export function schemaProblems(obj: { apiVersion?: string; kind?: string }): string[] {
  crds ??= index();
  const key = `${obj.apiVersion}/${obj.kind}`;
  let validate = compiled.get(key);
  if (!validate) {
    const entry = crds.get(key);
    if (!entry) return [];
    validate = crdValidator(entry.crd, entry.version);
    compiled.set(key, validate);
  }
  if (validate(obj)) return [];
  return formatAjvErrors(validate.errors);
}
