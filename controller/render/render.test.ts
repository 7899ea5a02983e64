/**
 * @module controller/render/render.test
 * Golden tests for the renderer: every `testdata/<feature>-<case>.in.yaml` (with base.yaml)
 * against `.out-istio.yaml` and `.out-eg.yaml`, and every rendered object against the upstream
 * CRD schemas. `UPDATE_GOLDEN=1 npm test -- controller/render` rewrites the goldens and
 * deletes stale ones.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { payloadProcessorSchema } from "../api/crd-schema.ts";
import { formatAjvErrors, newAjv, toJsonSchema } from "../api/openapi.ts";
import { goldenText, readDocuments, renderCase } from "./golden.ts";
import { upstreamProblems } from "./upstream-crds.ts";

const DIR = join(dirname(fileURLToPath(import.meta.url)), "testdata");
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const base = readDocuments(join(DIR, "base.yaml"));
const cases = readdirSync(DIR).filter((f) => f.endsWith(".in.yaml")).map((f) => f.slice(0, -".in.yaml".length)).sort();
const statusValidator = newAjv().compile(toJsonSchema((payloadProcessorSchema.properties as Record<string, Record<string, unknown>>).status));

test("every case is named <feature>-<case>", () => {
  assert.ok(cases.length >= 15, `only ${cases.length} cases`);
  for (const c of cases) assert.match(c, /^[a-z]+-[a-z0-9-]+$/);
});

for (const name of cases) {
  for (const [gateway, suffix] of [["Istio", "istio"], ["EnvoyGateway", "eg"]] as const) {
    test(`${name} (${suffix})`, () => {
      const docs = [...base, ...readDocuments(join(DIR, `${name}.in.yaml`))];
      const result = renderCase(docs, gateway);
      for (const obj of result.objects) {
        assert.equal(upstreamProblems(obj), [], `${obj.kind}/${obj.metadata.name} against the upstream CRD`);
        assert.equal(obj.metadata.labels?.["app.kubernetes.io/managed-by"], "tollgate");
        assert.equal(obj.metadata.ownerReferences?.[0]?.kind, "PayloadProcessor", `${obj.kind}/${obj.metadata.name} has an owner reference`);
      }
      for (const [key, status] of result.statuses) {
        assert.ok(statusValidator(status), `${key} status: ${formatAjvErrors(statusValidator.errors).join("; ")}`);
        assert.equal(status.conditions?.map((c) => c.type), ["Accepted", "ResolvedRefs", "Programmed"].filter((t) => status.conditions!.some((c) => c.type === t)));
      }
      const text = goldenText(result);
      const file = join(DIR, `${name}.out-${suffix}.yaml`);
      if (UPDATE) writeFileSync(file, text);
      assert.ok(existsSync(file), `${file} missing: run with UPDATE_GOLDEN=1`);
      assert.fixture(text, readFileSync(file, "utf8"));
    });
  }
}

test("no stale goldens", () => {
  const outputs = readdirSync(DIR).filter((f) => /\.out-(istio|eg)\.yaml$/.test(f));
  for (const out of outputs) {
    const stem = out.replace(/\.out-(istio|eg)\.yaml$/, "");
    if (cases.includes(stem)) continue;
    if (UPDATE) unlinkSync(join(DIR, out));
    else assert.unreachable(`${out} has no ${stem}.in.yaml (UPDATE_GOLDEN=1 deletes it)`);
  }
});

test.run();
