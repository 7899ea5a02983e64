/**
 * @module controller/oci/annotations.test
 * The standard annotations push writes and the config schema read back.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { configSchemaOf, creationTime, parseAnnotationFlag, parseConfigSchema, standardAnnotations } from "./annotations.ts";
import { Annotation } from "./media-types.ts";

test("standard annotations: version, source, created (seconds, UTC), ABI, compact schema", () => {
  const a = standardAnnotations({ version: "1.2.3", source: "https://git.example/tollgate", created: new Date("2026-01-02T03:04:05.678Z"), configSchema: { type: "object" } });
  assert.equal(a, {
    [Annotation.created]: "2026-01-02T03:04:05Z",
    [Annotation.abiVersion]: "proxy_abi_version_0_2_1",
    [Annotation.version]: "1.2.3",
    [Annotation.source]: "https://git.example/tollgate",
    [Annotation.configSchema]: '{"type":"object"}',
  });
  assert.not.ok(Annotation.source in standardAnnotations({}), "no source unless one is known");
});

test("SOURCE_DATE_EPOCH fixes the creation time; junk in it is an error", () => {
  assert.is(creationTime({ SOURCE_DATE_EPOCH: "86400" }).toISOString(), "1970-01-02T00:00:00.000Z");
  assert.throws(() => creationTime({ SOURCE_DATE_EPOCH: "yesterday" }), /SOURCE_DATE_EPOCH/);
  const now = Date.now();
  assert.ok(Math.abs(creationTime({}).getTime() - now) < 5000);
});

test("--annotation key=value keeps '=' in values", () => {
  assert.equal(parseAnnotationFlag("a=b=c"), ["a", "b=c"]);
  assert.throws(() => parseAnnotationFlag("novalue"), /key=value/);
  assert.throws(() => parseAnnotationFlag("=v"), /key=value/);
});

test("config schemas are checked by compiling them (draft-07 and 2020-12)", () => {
  assert.equal(parseConfigSchema('{"type":"object","properties":{"n":{"type":"integer"}}}', "s.json"), { type: "object", properties: { n: { type: "integer" } } });
  assert.ok(parseConfigSchema('{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","prefixItems":[{"type":"string"}]}', "s.json"));
  assert.throws(() => parseConfigSchema("{", "s.json"), /s.json is not valid JSON/);
  assert.throws(() => parseConfigSchema("[1]", "s.json"), /must be a JSON object/);
  assert.throws(() => parseConfigSchema('{"type":"objekt"}', "s.json"), /not a valid JSON Schema/);
});

test("reading the schema back from annotations", () => {
  assert.equal(configSchemaOf({ [Annotation.configSchema]: '{"type":"object"}' }, "i"), { type: "object" });
  assert.is(configSchemaOf({}, "i"), undefined);
  assert.throws(() => configSchemaOf({ [Annotation.configSchema]: "not json" }, "reg/x:1"), /reg\/x:1 carries a tollgate.dev\/config-schema annotation that is not a JSON object/);
});

test.run();
