/**
 * @module controller/render/golden
 * Runs one golden case: `testdata/<case>.in.yaml` merged with `testdata/base.yaml`, rendered
 * for Istio and for Envoy Gateway (`gateway: Auto` decided each way), printed as the rendered
 * objects followed by each PayloadProcessor with its status. Shared by the golden test and
 * the sample check.
 */
import { readFileSync } from "node:fs";
import { parseAllDocuments, stringify } from "yaml";
import type { ResolvedModule } from "../api/module-resolver.ts";
import type { GatewayKind, KubeObject } from "../api/types.ts";
import { inputsFromDocuments, render, type RenderResult } from "./index.ts";

export const GOLDEN_NOW = "2026-01-01T00:00:00Z";

export function readDocuments(path: string): unknown[] {
  return parseAllDocuments(readFileSync(path, "utf8")).map((d) => {
    if (d.errors.length) throw new Error(`${path}: ${d.errors[0].message}`);
    return d.toJS();
  }).filter((d) => d != null);
}

export function renderCase(docs: unknown[], gateway: GatewayKind): RenderResult {
  const resolved: Record<string, ResolvedModule> = {};
  for (const d of docs as { kind?: string; resolved?: Record<string, ResolvedModule> }[]) {
    if (d.kind === "TestResolutions") Object.assign(resolved, d.resolved);
  }
  return render(inputsFromDocuments(docs), { autoGateway: gateway, resolved, now: GOLDEN_NOW });
}

/** The golden text: rendered objects, then every PayloadProcessor's status. */
export function goldenText(result: RenderResult): string {
  const docs: unknown[] = [...result.objects];
  for (const [key, status] of result.statuses) {
    const [namespace, name] = key.split("/");
    docs.push({ apiVersion: "tollgate.dev/v1alpha1", kind: "PayloadProcessor", metadata: { name, namespace }, status });
  }
  return docs.map((d) => stringify(d, { lineWidth: 0 })).join("---\n");
}

export function renderedObjects(result: RenderResult): KubeObject[] {
  return result.objects;
}
