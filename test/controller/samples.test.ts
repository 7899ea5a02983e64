/**
 * @module test/controller/samples.test
 * The samples render on both gateways: router -> guard -> token-limit in that order, every
 * object valid against the upstream CRDs, and each config accepted by the shipped filter's
 * `filters/<name>/config.schema.json` once that filter exists (until then by no schema).
 * Tags are resolved by an in-memory ModuleResolver, as the controller would with a registry.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ResolvedModule } from "../../controller/api/module-resolver.ts";
import { inputsFromDocuments, render } from "../../controller/render/index.ts";
import { loadDocuments } from "../../controller/render/load.ts";
import { upstreamProblems } from "../../controller/render/upstream-crds.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const NOW = "2026-01-01T00:00:00Z";

function resolutions(images: string[]): Record<string, ResolvedModule> {
  const out: Record<string, ResolvedModule> = {};
  for (const image of images) {
    const name = image.split("/").pop()!.split(":")[0];
    const schemaFile = join(ROOT, "filters", name, "config.schema.json");
    out[image] = {
      image,
      digest: `sha256:${createHash("sha256").update(image).digest("hex")}`,
      layout: "compat",
      annotations: {},
      ...(existsSync(schemaFile) ? { configSchema: JSON.parse(readFileSync(schemaFile, "utf8")) } : {}),
    };
  }
  return out;
}

function renderSample(file: string) {
  const docs = loadDocuments([join(ROOT, "samples/filtermodules.yaml"), join(ROOT, "samples", file)]);
  const input = inputsFromDocuments(docs);
  return render(input, { resolved: resolutions(input.filterModules.map((m) => m.spec.image)), now: NOW });
}

test("samples/pipeline-istio.yaml: EnvoyFilter for the router, then guard and token-limit WasmPlugins by priority", () => {
  const result = renderSample("pipeline-istio.yaml");
  assert.equal(result.errors, []);
  assert.equal(result.objects.map((o) => `${o.kind}/${o.metadata.name}`), ["EnvoyFilter/ai-pipeline-ecds", "WasmPlugin/ai-pipeline-guard", "WasmPlugin/ai-pipeline-token-limit"]);
  const [filter, guard, limit] = result.objects as any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  const ecds = filter.spec.configPatches[0].patch.value.typed_config.config;
  assert.is(ecds.allow_on_headers_stop_iteration, true);
  assert.is(JSON.parse(ecds.configuration.value).holdHeaders, true);
  assert.ok(guard.spec.priority > limit.spec.priority);
  assert.is(limit.spec.failStrategy, "FAIL_OPEN");
  assert.is(guard.spec.pluginConfig.holdHeaders, undefined);
  for (const o of result.objects) assert.equal(upstreamProblems(o), [], `${o.kind}/${o.metadata.name}`);
  const status = result.statuses.get("ai-gateway/ai-pipeline")!;
  assert.equal(status.processors!.map((p) => `${p.name}:${p.mode}`), ["router:BodyBeforeRouting", "guard:Standard", "token-limit:Standard"]);
});

test("samples/pipeline-envoy-gateway.yaml: one EnvoyExtensionPolicy in order plus the EnvoyPatchPolicy", () => {
  const result = renderSample("pipeline-envoy-gateway.yaml");
  assert.equal(result.errors, []);
  assert.equal(result.objects.map((o) => `${o.kind}/${o.metadata.name}`), ["EnvoyExtensionPolicy/ai-pipeline", "EnvoyPatchPolicy/ai-pipeline-body-ai-gateway"]);
  const [policy, patch] = result.objects as any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(policy.spec.wasm.map((w: { name: string }) => w.name), ["router", "guard", "token-limit"]);
  assert.equal(policy.spec.wasm.map((w: { failOpen: boolean }) => w.failOpen), [false, false, true]);
  assert.is(policy.spec.wasm[0].config.holdHeaders, true);
  assert.is(patch.spec.jsonPatches[0].name, "ai-gateway/ai-gateway/http");
  assert.match(patch.spec.jsonPatches[0].operation.jsonPath, "envoyextensionpolicy/ai-gateway/ai-pipeline/wasm/0'");
  for (const o of result.objects) assert.equal(upstreamProblems(o), [], `${o.kind}/${o.metadata.name}`);
});

test("where a shipped filter's config.schema.json exists, it is in force for the samples", () => {
  const docs = loadDocuments([join(ROOT, "samples/filtermodules.yaml"), join(ROOT, "samples/pipeline-istio.yaml")]) as any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  const input = inputsFromDocuments(docs);
  const resolved = resolutions(input.filterModules.map((m) => m.spec.image));
  const withSchema = input.payloadProcessors[0].spec.processors.filter((p) => resolved[input.filterModules.find((m) => m.metadata.name === p.wasm!.module)!.spec.image].configSchema);
  for (const p of withSchema) p.wasm!.config = { ...(p.wasm!.config ?? {}), notAField: true };
  const result = render(input, { resolved, now: NOW });
  if (!withSchema.length) return; // no shipped schema yet: nothing to enforce
  for (const p of withSchema) assert.match(result.errors[0]?.message ?? "", new RegExp(`processor "${p.name}"`, "i"));
  assert.match(result.errors[0].message, "notAField: unknown field");
});

test("the sample Gateway and HTTPRoute are valid Gateway API objects", () => {
  const docs = loadDocuments([join(ROOT, "samples/pipeline-envoy-gateway.yaml")]) as any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const d of docs.filter((d) => d.kind === "Gateway" || d.kind === "HTTPRoute")) assert.equal(upstreamProblems(d), [], d.kind);
});

test.run();
