/**
 * @module controller/render/upstream-crds.test
 * The upstream CRD check fails loudly when `../shared/crds` is missing, and catches what a
 * renderer could get wrong (unknown fields, wrong enums, upstream CEL rules).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { upstreamProblems } from "./upstream-crds.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const meta = { name: "x", namespace: "ai" };

test("a missing shared/crds folder is a clear error, not a pass", () => {
  const script = `import { upstreamProblems } from ${JSON.stringify(join(HERE, "upstream-crds.ts"))};
try { upstreamProblems({ apiVersion: "extensions.istio.io/v1alpha1", kind: "WasmPlugin", metadata: { name: "x" }, spec: { url: "oci://r/x:1" } }); console.log("passed"); }
catch (e) { console.log(e.message); }`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, TOLLGATE_SHARED_CRDS: join(HERE, "no-such-folder") } });
  assert.match(r.stdout, "upstream CRD wasmplugins.extensions.istio.io.yaml not found");
  assert.match(r.stdout, "shared/ must sit beside the repository");
});

test("WasmPlugin: unknown field, bad enum, bad sha256, bad url scheme are caught", () => {
  const problems = upstreamProblems({ apiVersion: "extensions.istio.io/v1alpha1", kind: "WasmPlugin", metadata: meta,
    spec: { url: "ftp://r/x", sha256: "sha256:abc", failStrategy: "FAIL_SOMETIMES", priorty: 1 } });
  assert.ok(problems.includes("spec.priorty: unknown field"), problems.join("\n"));
  assert.ok(problems.some((p) => p.startsWith("spec.failStrategy: must be one of")));
  assert.ok(problems.some((p) => p.startsWith("spec.sha256: must match pattern")));
  assert.ok(problems.includes("spec.url: url must have schema one of [http, https, file, oci]"));
});

test("EnvoyExtensionPolicy: code.image required for type Image, pullSecretRef kind Secret, targets in Gateway API", () => {
  const problems = upstreamProblems({ apiVersion: "gateway.envoyproxy.io/v1alpha1", kind: "EnvoyExtensionPolicy", metadata: meta,
    spec: { targetRefs: [{ group: "apps", kind: "Deployment", name: "d" }], wasm: [{ code: { type: "Image", http: { url: "https://x" } } }, { code: { type: "Image", image: { url: "r/x:1", pullSecretRef: { kind: "ConfigMap", name: "c" } } } }] } });
  assert.ok(problems.includes("spec.wasm[0].code: If type is Image, image field needs to be set."), problems.join("\n"));
  assert.ok(problems.includes("spec.wasm[1].code.image.pullSecretRef: Kind must be Secret"), problems.join("\n"));
  assert.ok(problems.some((p) => p.includes("targetRefs[*].group of gateway.networking.k8s.io")));
});

test("EnvoyPatchPolicy and EnvoyFilter: the shapes Tollgate renders pass, a broken one does not", () => {
  assert.equal(upstreamProblems({ apiVersion: "gateway.envoyproxy.io/v1alpha1", kind: "EnvoyPatchPolicy", metadata: meta,
    spec: { targetRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name: "g" }, type: "JSONPatch", jsonPatches: [{ type: "type.googleapis.com/envoy.config.listener.v3.Listener", name: "ai/g/http", operation: { op: "add", path: "/x", value: true } }] } }), []);
  const broken = upstreamProblems({ apiVersion: "networking.istio.io/v1alpha3", kind: "EnvoyFilter", metadata: meta,
    spec: { configPatches: [{ applyTo: "HTTP_FILTERS", patch: { operation: "INSERT_FIRST" } }] } });
  assert.ok(broken.some((p) => p.startsWith("spec.configPatches[0].applyTo: must be one of")), broken.join("\n"));
});

test.run();
