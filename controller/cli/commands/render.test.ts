/**
 * @module controller/cli/commands/render.test
 * `tollgate render` as a user runs it: a child process, YAML on stdout, one line per failing
 * PayloadProcessor on stderr and a non-zero exit on bad input.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const TESTDATA = join(ROOT, "controller/render/testdata");
const tmp = mkdtempSync(join(tmpdir(), "tollgate-render-"));

function tollgate(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, "controller/cli/bin.mjs"), ...args], { cwd: tmp, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("renders pinned FilterModules for Istio: YAML documents on stdout, exit 0", () => {
  const r = tollgate("render", "-f", join(TESTDATA, "base.yaml"), "-f", join(TESTDATA, "body-router-first.in.yaml"), "--gateway", "istio");
  assert.is(r.code, 0, r.stderr);
  const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
  assert.equal(docs.map((d) => `${d.kind}/${d.metadata.name}`), ["EnvoyFilter/chain-ecds", "WasmPlugin/chain-guard", "WasmPlugin/chain-limit"]);
});

test("--gateway envoy-gateway renders the EnvoyExtensionPolicy and EnvoyPatchPolicy; --status adds status comments", () => {
  const r = tollgate("render", "-f", join(TESTDATA, "base.yaml"), "-f", join(TESTDATA, "body-router-first.in.yaml"), "--gateway", "envoy-gateway", "--status");
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^# ai\/chain:\n#   observedGeneration: 2\n#   gateway: EnvoyGateway/);
  const docs = parseAllDocuments(r.stdout).map((d) => d.toJS()).filter(Boolean);
  assert.equal(docs.map((d) => d.kind), ["EnvoyExtensionPolicy", "EnvoyPatchPolicy"]);
});

test("a folder is read recursively", () => {
  const dir = join(tmp, "manifests");
  spawnSync("mkdir", ["-p", join(dir, "nested")]);
  writeFileSync(join(dir, "base.yaml"), spawnSync("cat", [join(TESTDATA, "base.yaml")], { encoding: "utf8" }).stdout);
  writeFileSync(join(dir, "nested", "pp.yml"), spawnSync("cat", [join(TESTDATA, "pipeline-gateway.in.yaml")], { encoding: "utf8" }).stdout);
  writeFileSync(join(dir, "notes.txt"), "not yaml: [");
  const r = tollgate("render", "-f", dir, "--gateway", "istio");
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, "name: pipeline-guard");
});

test("an invalid config: exit 1, one line naming the PayloadProcessor, processor and field", () => {
  const r = tollgate("render", "-f", join(TESTDATA, "base.yaml"), "-f", join(TESTDATA, "config-invalid.in.yaml"), "--gateway", "istio");
  assert.is(r.code, 1);
  assert.is(r.stdout, "");
  const lines = r.stderr.trim().split("\n");
  assert.is(lines.length, 1);
  assert.match(lines[0], /^tollgate render: PayloadProcessor ai\/bad-config: .*spec\.processors\[0\]\.wasm\.config\.routes\[0\]\.model: must be string/);
});

test("an unpinned tag offline says how to pin it", () => {
  const r = tollgate("render", "-f", join(TESTDATA, "base.yaml"), "-f", join(TESTDATA, "module-unresolved.in.yaml"), "--gateway", "envoy-gateway");
  assert.is(r.code, 1);
  assert.match(r.stderr, "has no pinned digest yet");
  assert.match(r.stderr, "--resolve");
});

test("gateway: Auto offline without --gateway is an error that names the flag", () => {
  const r = tollgate("render", "-f", join(TESTDATA, "base.yaml"), "-f", join(TESTDATA, "pipeline-gateway.in.yaml"));
  assert.is(r.code, 1);
  assert.match(r.stderr, "--gateway");
});

test("bad usage: exit 2 with one line", () => {
  for (const args of [["render"], ["render", "-f", "x", "--gateway", "nginx"], ["render", "--bogus"]]) {
    const r = tollgate(...args);
    assert.is(r.code, 2, args.join(" "));
    assert.is(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});

test("unreadable input: missing file, broken YAML, no PayloadProcessor", () => {
  let r = tollgate("render", "-f", "missing.yaml");
  assert.is(r.code, 1);
  assert.match(r.stderr, "missing.yaml: no such file or folder");
  writeFileSync(join(tmp, "broken.yaml"), "kind: PayloadProcessor\nspec: [unclosed\n");
  r = tollgate("render", "-f", join(tmp, "broken.yaml"));
  assert.is(r.code, 1);
  assert.match(r.stderr, /broken\.yaml(:\d+)?: /);
  assert.is(r.stderr.trim().split("\n").length, 1);
  r = tollgate("render", "-f", join(TESTDATA, "base.yaml"));
  assert.is(r.code, 1);
  assert.match(r.stderr, "no PayloadProcessor");
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
