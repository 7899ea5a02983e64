/**
 * @module controller/api/openapi.test
 * The structural-schema translation: Kubernetes extensions become JSON Schema that ajv
 * checks the way an API server would, and errors read as field paths.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { formatAjvErrors, newAjv, pointerToFieldPath, toJsonSchema } from "./openapi.ts";

const check = (schema: Record<string, unknown>, value: unknown) => {
  const v = newAjv().compile(toJsonSchema(schema));
  return v(value) ? [] : formatAjvErrors(v.errors);
};

test("x-kubernetes-int-or-string admits both, and nothing else", () => {
  const s = { type: "object", properties: { port: { "x-kubernetes-int-or-string": true } } };
  assert.equal(check(s, { port: 80 }), []);
  assert.equal(check(s, { port: "http" }), []);
  assert.equal(check(s, { port: true }), ["port: must be integer,string"]);
});

test("unknown fields are errors unless x-kubernetes-preserve-unknown-fields", () => {
  const s = { type: "object", properties: { spec: { type: "object", properties: { a: { type: "string" } } }, config: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } };
  assert.equal(check(s, { spec: { a: "x" }, config: { anything: [1, { deep: true }] } }), []);
  assert.equal(check(s, { spec: { a: "x", b: 1 } }), ["spec.b: unknown field"]);
});

test("nullable admits null; formats int32 and date-time are enforced", () => {
  const s = { type: "object", properties: { p: { type: "integer", format: "int32", nullable: true }, t: { type: "string", format: "date-time" } } };
  assert.equal(check(s, { p: null }), []);
  assert.equal(check(s, { p: 2 ** 31 }), ['p: must match format "int32"']);
  assert.equal(check(s, { t: "yesterday" }), ['t: must match format "date-time"']);
});

test("CEL rules, defaults and list-map markers are dropped, not misread as keywords", () => {
  const s = { type: "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"], "x-kubernetes-validations": [{ rule: "false" }], items: { type: "object", default: {}, properties: { name: { type: "string" } } } };
  assert.equal(check(s, [{ name: "a" }]), []);
});

test("JSON pointers become field paths", () => {
  assert.is(pointerToFieldPath("/spec/wasm/0/code"), "spec.wasm[0].code");
  assert.is(pointerToFieldPath("/metadata/labels/app.kubernetes.io~1name"), "metadata.labels.app.kubernetes.io/name");
  assert.is(pointerToFieldPath(""), "");
});

test.run();
