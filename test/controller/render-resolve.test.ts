/**
 * @module test/controller/render-resolve.test
 * `tollgate render --resolve` against a real registry (Debian's docker-registry): a
 * FilterModule given by tag renders pinned to the digest the registry holds, and the
 * processor config is checked against the schema the artifact carries in its annotations.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { standardAnnotations } from "../../controller/oci/annotations.ts";
import { pushModule } from "../../controller/oci/push.ts";
import { tinyWasm } from "../oci/fixtures.ts";
import { startRegistry, type RunningRegistry } from "../oci/registry.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
let reg: RunningRegistry;
let dir: string;
let digest: string;
const schema = { type: "object", additionalProperties: false, properties: { tokensPerMinute: { type: "integer", minimum: 1 } } };

function manifests(config: Record<string, unknown>): string {
  return `apiVersion: tollgate.dev/v1alpha1
kind: FilterModule
metadata: {name: limit, namespace: ai}
spec: {image: "${reg.host}/tollgate/token-limit:0.1.0", rootID: token-limit}
---
apiVersion: tollgate.dev/v1alpha1
kind: PayloadProcessor
metadata: {name: pipeline, namespace: ai}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: ai-gateway}]
  phase: PreRouting
  processors: [{name: limit, type: Wasm, wasm: {module: limit, config: ${JSON.stringify(config)}}}]
`;
}

function render(file: string, ...extra: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, "controller/cli/bin.mjs"), "render", "-f", file, "--gateway", "istio", ...extra], { encoding: "utf8", env: { ...process.env, HOME: dir, DOCKER_CONFIG: join(dir, "docker") } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test.before(async () => {
  reg = await startRegistry();
  dir = mkdtempSync(join(tmpdir(), "tollgate-resolve-"));
  const pushed = await pushModule(tinyWasm("limit"), `${reg.host}/tollgate/token-limit:0.1.0`, { plainHttp: true, annotations: standardAnnotations({ version: "0.1.0", configSchema: schema }) });
  digest = pushed.digest;
});
test.after(async () => {
  await reg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("without --resolve a tag cannot be pinned offline", () => {
  const file = join(dir, "ok.yaml");
  writeFileSync(file, manifests({ tokensPerMinute: 100 }));
  const r = render(file);
  assert.is(r.code, 1);
  assert.match(r.stderr, "has no pinned digest yet");
});

test("--resolve pins the registry's manifest digest", () => {
  const r = render(join(dir, "ok.yaml"), "--resolve", "--plain-http");
  assert.is(r.code, 0, r.stderr);
  const [plugin] = parseAllDocuments(r.stdout).map((d) => d.toJS());
  assert.is(plugin.kind, "WasmPlugin");
  assert.is(plugin.spec.sha256, digest.replace("sha256:", ""));
  assert.is(plugin.spec.url, `oci://${reg.host}/tollgate/token-limit:0.1.0`);
});

test("--resolve validates the config against the schema in the artifact's annotations", () => {
  const file = join(dir, "bad.yaml");
  writeFileSync(file, manifests({ tokensPerMinute: 0, burst: 5 }));
  const r = render(file, "--resolve", "--plain-http");
  assert.is(r.code, 1);
  assert.match(r.stderr, "spec.processors[0].wasm.config.burst: unknown field");
  assert.match(r.stderr, "spec.processors[0].wasm.config.tokensPerMinute: must be >= 1");
});

test("--resolve with an unknown tag fails on one line", () => {
  const file = join(dir, "missing.yaml");
  writeFileSync(file, manifests({}).replace("token-limit:0.1.0", "token-limit:9.9.9"));
  const r = render(file, "--resolve", "--plain-http");
  assert.is(r.code, 1);
  assert.is(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, `cannot resolve ${reg.host}/tollgate/token-limit:9.9.9`);
});

test.run();
