/**
 * @module controller/render/upstream-crds
 * Validators for rendered objects built from the upstream CRDs (Istio, Envoy Gateway,
 * Gateway API) kept beside the repository in `../shared/crds` (CI places a copy of shared/
 * next to the clone). Structural schema via ajv, plus the upstream CEL rules that rendered
 * objects could break, written out here because CEL cannot be evaluated offline.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import type { ValidateFunction } from "ajv";
import type { KubeObject } from "../api/types.ts";
import { crdValidator, formatAjvErrors } from "../api/openapi.ts";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const UPSTREAM_CRD_DIR = process.env.TOLLGATE_SHARED_CRDS ?? join(REPO, "..", "shared", "crds");

const FILES: Record<string, string> = {
  WasmPlugin: "wasmplugins.extensions.istio.io.yaml",
  EnvoyFilter: "envoyfilters.networking.istio.io.yaml",
  EnvoyExtensionPolicy: "envoyextensionpolicies.gateway.envoyproxy.io.yaml",
  EnvoyPatchPolicy: "envoypatchpolicies.gateway.envoyproxy.io.yaml",
  Gateway: "gateway.networking.k8s.io_gateways.yaml",
  HTTPRoute: "gateway.networking.k8s.io_httproutes.yaml",
};

const cache = new Map<string, ValidateFunction>();

function validatorFor(kind: string, apiVersion: string): ValidateFunction {
  const key = `${apiVersion}/${kind}`;
  let v = cache.get(key);
  if (v) return v;
  const file = FILES[kind];
  if (!file) throw new Error(`no upstream CRD known for kind ${kind}`);
  const path = join(UPSTREAM_CRD_DIR, file);
  if (!existsSync(path)) throw new Error(`upstream CRD ${file} not found in ${UPSTREAM_CRD_DIR}: shared/ must sit beside the repository (or set TOLLGATE_SHARED_CRDS)`);
  v = crdValidator(parse(readFileSync(path, "utf8")), apiVersion.split("/")[1]);
  cache.set(key, v);
  return v;
}

/** Upstream CEL rules that apply to what Tollgate renders, as predicates. */
function celProblems(obj: KubeObject): string[] {
  const spec = (obj.spec ?? {}) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const out: string[] = [];
  if (obj.kind === "WasmPlugin") {
    if (!/^(oci|https?|file):\/\//.test(spec.url) && /^[a-z]+:\/\//.test(spec.url)) out.push("spec.url: url must have schema one of [http, https, file, oci]");
    if (spec.sha256 && spec.url?.includes("@sha256:") && !spec.url.endsWith(spec.sha256)) out.push("spec.sha256: must agree with the digest in url");
    if ([spec.selector, spec.targetRef, spec.targetRefs].filter((x) => x !== undefined).length > 1) out.push("spec: only one of targetRefs or selector can be set");
    for (const t of spec.targetRefs ?? []) if (t.namespace) out.push("spec.targetRefs: cross namespace referencing is not currently supported");
  }
  if (obj.kind === "EnvoyFilter") {
    if (spec.workloadSelector && spec.targetRefs) out.push("spec: only one of targetRefs or workloadSelector can be set");
  }
  if (obj.kind === "EnvoyExtensionPolicy") {
    const refs = (spec.targetRef ? 1 : 0) + (spec.targetRefs ? 1 : 0);
    if (refs !== 1 && !spec.targetSelectors?.length) out.push("spec: either targetRef or targetRefs must be used");
    for (const t of spec.targetRefs ?? []) {
      if (t.group !== "gateway.networking.k8s.io") out.push("spec.targetRefs: this policy can only have a targetRefs[*].group of gateway.networking.k8s.io");
      if (!["Gateway", "ListenerSet", "HTTPRoute", "GRPCRoute", "UDPRoute", "TCPRoute", "TLSRoute"].includes(t.kind)) out.push(`spec.targetRefs: kind ${t.kind} not allowed`);
    }
    (spec.wasm ?? []).forEach((w: any, i: number) => { // eslint-disable-line @typescript-eslint/no-explicit-any
      if ((w.code.type === "Image") !== (w.code.image !== undefined)) out.push(`spec.wasm[${i}].code: If type is Image, image field needs to be set.`);
      if ((w.code.type === "HTTP") !== (w.code.http !== undefined)) out.push(`spec.wasm[${i}].code: If type is HTTP, http field needs to be set.`);
      const ps = w.code.image?.pullSecretRef;
      if (ps && (ps.kind ?? "Secret") !== "Secret") out.push(`spec.wasm[${i}].code.image.pullSecretRef: Kind must be Secret`);
      if (w.code.image?.sha256 && w.code.image?.pullPolicy) out.push(`spec.wasm[${i}].code.image: pullPolicy only without sha256`);
    });
  }
  if (obj.kind === "EnvoyPatchPolicy") {
    if (spec.targetRef?.kind !== "Gateway" && spec.targetRef?.kind !== "GatewayClass") out.push("spec.targetRef: must be a Gateway or GatewayClass");
  }
  return out;
}

/** Problems with a rendered object against its upstream CRD; empty when it would be accepted. */
export function upstreamProblems(obj: KubeObject): string[] {
  const validate = validatorFor(obj.kind, obj.apiVersion);
  const structural = validate(obj) ? [] : formatAjvErrors(validate.errors);
  const meta = obj.metadata;
  const metaProblems = !meta?.name || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(meta.name) || meta.name.length > 253 ? [`metadata.name: ${JSON.stringify(meta?.name)} is not a valid object name`] : [];
  return [...metaProblems, ...structural, ...celProblems(obj)];
}
