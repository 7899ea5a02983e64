/**
 * @module controller/api/crds.test
 * The API has one source of truth: the committed CRDs equal what crd-schema.ts generates,
 * the TypeScript interfaces match the schemas field by field (read with the TypeScript
 * compiler), and the CEL rules' TypeScript twins reject what the rules reject.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { CRD_DIR, DEPLOY_CRD_DIR, generatedCrds } from "./generate-crds.ts";
import { CEL_RULES, filterModuleSchema, payloadProcessorSchema } from "./crd-schema.ts";
import { validateResource } from "./validate.ts";

type Schema = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

test("committed crds/ and controller/deploy/crds/ equal the generated CRDs (run controller/api/generate-crds.ts)", () => {
  const generated = generatedCrds();
  for (const dir of [CRD_DIR, DEPLOY_CRD_DIR]) {
    const committed = readdirSync(dir).filter((f) => f.startsWith("tollgate.dev_"));
    assert.equal(committed.sort(), [...generated.keys()].sort());
    for (const [file, text] of generated) assert.fixture(readFileSync(join(dir, file), "utf8"), text, file);
  }
});

const fm = filterModuleSchema as Schema;
const pp = payloadProcessorSchema as Schema;
const SCHEMA_OF: Record<string, Schema> = {
  FilterModuleSpec: fm.properties.spec,
  FilterModuleStatus: fm.properties.status,
  LocalSecretReference: fm.properties.spec.properties.pullSecretRef,
  Condition: fm.properties.status.properties.conditions.items,
  PayloadProcessorSpec: pp.properties.spec,
  TargetRef: pp.properties.spec.properties.targetRefs.items,
  Processor: pp.properties.spec.properties.processors.items,
  WasmProcessor: pp.properties.spec.properties.processors.items.properties.wasm,
  PayloadProcessorStatus: pp.properties.status,
  ProcessorStatus: pp.properties.status.properties.processors.items,
};

test("TypeScript interfaces in types.ts match the CRD schemas", () => {
  const file = join(CRD_DIR, "..", "controller", "api", "types.ts");
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const seen = new Set<string>();
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || !(node.name.text in SCHEMA_OF)) return;
    const name = node.name.text;
    seen.add(name);
    const schema = SCHEMA_OF[name];
    const fields = node.members.filter(ts.isPropertySignature).map((m) => ({ name: (m.name as ts.Identifier).text, optional: !!m.questionToken }));
    assert.equal(fields.map((f) => f.name).sort(), Object.keys(schema.properties).sort(), `${name}: fields`);
    const required = new Set<string>(schema.required ?? []);
    for (const f of fields) assert.is(!f.optional, required.has(f.name), `${name}.${f.name}: optional in TypeScript iff not required in the schema`);
  });
  assert.equal([...seen].sort(), Object.keys(SCHEMA_OF).sort());
});

const base = () => ({
  apiVersion: "tollgate.dev/v1alpha1",
  kind: "PayloadProcessor",
  metadata: { name: "p", namespace: "ai" },
  spec: {
    targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "gw" }] as Schema[],
    phase: "PreRouting",
    processors: [{ name: "a", type: "Wasm", wasm: { module: "m" } }] as Schema[],
  } as Schema,
});

test("a well-formed PayloadProcessor passes", () => {
  assert.equal(validateResource(base()), []);
});

test("CEL twins: unique names, PostRouting needs HTTPRoute, module xor image+sha256, reserved types", () => {
  const dup = base(); dup.spec.processors.push({ name: "a", type: "Wasm", wasm: { module: "m" } });
  assert.equal(validateResource(dup), ["spec.processors: processor names must be unique"]);

  const post = base(); post.spec.phase = "PostRouting";
  assert.match(validateResource(post)[0], /^spec\.phase: phase PostRouting needs HTTPRoute targets/);
  post.spec.targetRefs = [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "r" }];
  assert.equal(validateResource(post), []);

  const both = base(); both.spec.processors[0].wasm = { module: "m", image: "r/x:1" };
  assert.ok(validateResource(both).includes("spec.processors[0].wasm: set exactly one of module (a FilterModule name) or image (with sha256)"));
  const neither = base(); neither.spec.processors[0].wasm = { config: {} };
  assert.equal(validateResource(neither), ["spec.processors[0].wasm: set exactly one of module (a FilterModule name) or image (with sha256)"]);
  const unpinned = base(); unpinned.spec.processors[0].wasm = { image: "r/x:1" };
  assert.equal(validateResource(unpinned), ["spec.processors[0].wasm.sha256: an inline image must be pinned with sha256 (the manifest digest)"]);
  const pinned = base(); pinned.spec.processors[0].wasm = { image: "r/x:1", sha256: "sha256:" + "a".repeat(64) };
  assert.equal(validateResource(pinned), []);

  for (const type of ["InProcess", "ExtProcess"]) {
    const reserved = base(); reserved.spec.processors[0] = { name: "a", type };
    assert.equal(validateResource(reserved), ["spec.processors[0].type: processor type InProcess and ExtProcess are reserved for a later version of tollgate.dev; only Wasm is supported in v1alpha1"]);
  }
  const noWasm = base(); noWasm.spec.processors[0] = { name: "a", type: "Wasm" };
  assert.equal(validateResource(noWasm), ["spec.processors[0]: a Wasm processor needs the wasm field"]);
});

test("structural limits: 1 to 16 processors, enum values, unknown fields, name pattern", () => {
  const many = base(); many.spec.processors = Array.from({ length: 17 }, (_, i) => ({ name: `p${i}`, type: "Wasm", wasm: { module: "m" } }));
  assert.equal(validateResource(many), ["spec.processors: must NOT have more than 16 items"]);
  const sixteen = base(); sixteen.spec.processors = many.spec.processors.slice(0, 16);
  assert.equal(validateResource(sixteen), []);
  const none = base(); none.spec.processors = [];
  assert.equal(validateResource(none), ["spec.processors: must NOT have fewer than 1 items"]);
  const odd = base(); odd.spec.processors[0].failureMode = "Sometimes"; odd.spec.processors[0].colour = "red"; odd.spec.processors[0].name = "Bad_Name";
  assert.equal(validateResource(odd).sort(), [
    "spec.processors[0].colour: unknown field",
    'spec.processors[0].failureMode: must be one of "FailClosed", "FailOpen"',
    'spec.processors[0].name: must match pattern "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"',
  ]);
  const group = base(); group.spec.targetRefs[0].group = "example.com";
  assert.equal(validateResource(group), ["spec.targetRefs[0].group: targetRefs must be in group gateway.networking.k8s.io"]);
});

test("FilterModule: image and rootID required, sha256 is a digest", () => {
  const module = { apiVersion: "tollgate.dev/v1alpha1", kind: "FilterModule", metadata: { name: "m" }, spec: { image: "r/x:1", rootID: "x" } as Schema };
  assert.equal(validateResource(module), []);
  module.spec.sha256 = "abc";
  assert.equal(validateResource(module), ['spec.sha256: must match pattern "^(sha256:)?[a-f0-9]{64}$"']);
  delete module.spec.sha256; delete module.spec.rootID;
  assert.equal(validateResource(module), ["spec.rootID: required"]);
});

test("every CEL rule in the CRDs is paired with its TypeScript twin", () => {
  const ruleCount = Object.values(CEL_RULES).flatMap((byPath) => Object.values(byPath)).flat().length;
  const inYaml = [...generatedCrds().values()].flatMap((text) => [...text.matchAll(/^\s*- rule: /gm)]).length;
  assert.is(inYaml, ruleCount);
  for (const rule of Object.values(CEL_RULES).flatMap((byPath) => Object.values(byPath)).flat()) assert.type(rule.check, "function");
});

test.run();
