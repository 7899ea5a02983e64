/**
 * @module controller/dev/pipeline.test
 * From PayloadProcessor YAML to a chain: shipped modules found by name, image or FilterModule;
 * another image pulled from a real registry (docker-registry) and run; body-before-routing set
 * up as the controller sets it up; one-line errors for what cannot run.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pushModule } from "../oci/push.ts";
import { startRegistry, type RunningRegistry } from "../../test/oci/registry.ts";
import { parseExchanges } from "./exchanges.ts";
import { loadChain, PipelineError, shippedWasmPath, stagesFromFiles } from "./pipeline.ts";
import { replay } from "./replay.ts";

const dir = mkdtempSync(join(tmpdir(), "tollgate-pipeline-"));
let reg: RunningRegistry | undefined;
test.after(async () => { await reg?.stop(); rmSync(dir, { recursive: true, force: true }); });

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const processor = (name: string, wasm: string) => `  - name: ${name}\n    type: Wasm\n    wasm:\n${wasm}`;
const pp = (...processors: string[]) => `apiVersion: tollgate.dev/v1alpha1
kind: PayloadProcessor
metadata: {name: p, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: g}]
  phase: PreRouting
  processors:
${processors.join("\n")}
`;

test("shipped filters resolve to dist/filters by bare name, by image and through a FilterModule", async () => {
  const path = file("shipped.yaml", pp(
    processor("router", "      module: router-module\n      config: {aliases: {fast: gpt-4o-mini}}"),
    processor("guard", "      image: registry.example:5000/tollgate/payload-guard:0.1.0\n      sha256: sha256:" + "a".repeat(64)),
    processor("limit", "      module: token-limit"),
  ) + `---
apiVersion: tollgate.dev/v1alpha1
kind: FilterModule
metadata: {name: router-module, namespace: default}
spec: {image: "registry.example:5000/tollgate/model-router:0.1.0", rootID: model-router, bodyBeforeRouting: true}
`);
  const { stages } = await stagesFromFiles([path]);
  assert.equal(stages.map((s) => s.source), ["model-router", "payload-guard", "token-limit"].map(shippedWasmPath));
  assert.equal(stages.map((s) => s.rootId), ["model-router", "payload-guard", "token-limit"]);
  // Body before routing: holdHeaders injected, as the controller does; the others keep their config.
  assert.equal(stages[0].config, { aliases: { fast: "gpt-4o-mini" }, holdHeaders: true });
  assert.ok(stages[0].bodyBeforeRouting);
  assert.equal(stages[1].config, {});
  assert.not.ok(stages[1].bodyBeforeRouting);
});

test("another image is pulled from its registry and runs in the chain", async () => {
  reg = await startRegistry();
  const pushed = await pushModule(new Uint8Array(readFileSync("dist/test/harness-example.wasm")), `${reg.host}/acme/key-check:1.0.0`, { plainHttp: true });
  const path = file("pulled.yaml", pp(
    processor("router", "      module: model-router\n      config: {aliases: {fast: gpt-4o-mini}}"),
    processor("key-check", `      image: ${reg.host}/acme/key-check:1.0.0\n      sha256: ${pushed.digest}\n      config: {}`),
  ));
  const { stages } = await stagesFromFiles([path], { plainHttp: true });
  assert.is(stages[1].source, `${reg.host}/acme/key-check:1.0.0`);
  stages[1].config = "x-api-key" as unknown as Record<string, unknown>; // the example module's config is the header name
  const chain = await loadChain(stages);
  const exchanges = parseExchanges(`exchanges:
- request: {headers: {":method": POST, ":path": /v1/chat/completions, ":authority": a, x-api-key: acme}, body: '{"model":"fast","messages":[]}'}
- request: {headers: {":method": POST, ":path": /v1/chat/completions, ":authority": a}, body: '{"model":"fast","messages":[]}'}
`, "two.yaml");
  const report = await replay(chain, exchanges);
  const [keyed, anonymous] = report.exchanges;
  assert.ok(keyed.upstreamRequest!.headers.some(([k, v]) => k === "x-tenant" && v === "acme"), "the pulled module stamped the tenant");
  assert.ok(keyed.upstreamRequest!.headers.some(([k, v]) => k === "x-gateway-model-name" && v === "gpt-4o-mini"), "the router ran first");
  assert.is(anonymous.localResponse?.status, 401);
  assert.is(anonymous.localResponse?.plugin, "key-check");
});

test("what cannot run is one line: no PayloadProcessor, a missing image, a config the module refuses", async () => {
  const none = file("none.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
  await stagesFromFiles([none]).then(() => assert.unreachable(), (e) => {
    assert.instance(e, PipelineError);
    assert.match(e.message, "expected one PayloadProcessor");
  });
  const missing = file("missing.yaml", pp(processor("x", "      image: 127.0.0.1:1/nobody/nothing:1.0\n      sha256: sha256:" + "b".repeat(64))));
  await stagesFromFiles([missing], { plainHttp: true }).then(() => assert.unreachable(), (e) => {
    assert.instance(e, PipelineError);
    assert.match(e.message, "cannot pull 127.0.0.1:1/nobody/nothing:1.0");
    assert.not.match(e.message, "\n");
  });
  const bad = file("bad.yaml", pp(processor("router", "      module: model-router\n      config: {rules: [{name: 'bad name!'}]}")));
  const { stages } = await stagesFromFiles([bad]);
  await loadChain(stages).then(() => assert.unreachable(), (e) => {
    assert.instance(e, PipelineError);
    assert.match(e.message, "router");
    assert.not.match(e.message, "\n");
  });
});

test.run();
