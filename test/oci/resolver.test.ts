/**
 * @module test/oci/resolver.test
 * The controller's ModuleResolver against a real registry: tag → pinned manifest digest,
 * layout, annotations and the config schema annotation; a tag that moves resolves to
 * the new digest while the old digest stays resolvable (what a rollout needs).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ModuleResolver } from "../../controller/api/module-resolver.ts";
import { standardAnnotations } from "../../controller/oci/annotations.ts";
import { pushModule } from "../../controller/oci/push.ts";
import { RegistryModuleResolver } from "../../controller/oci/resolver.ts";
import { tinyWasm } from "./fixtures.ts";
import { startRegistry, type RunningRegistry } from "./registry.ts";

let reg: RunningRegistry;
const resolver: ModuleResolver = new RegistryModuleResolver({ plainHttp: true });
const schema = { type: "object", properties: { model: { type: "string" } }, additionalProperties: false };

test.before(async () => {
  reg = await startRegistry();
});
test.after(async () => {
  await reg?.stop();
});

test("resolves a tag to the pushed digest, layout, annotations and config schema", async () => {
  const annotations = standardAnnotations({ version: "1.0.0", configSchema: schema, created: new Date("2026-03-01T00:00:00Z") });
  const pushed = await pushModule(tinyWasm("v1"), `${reg.host}/filters/router:1.0.0`, { plainHttp: true, annotations });
  const resolved = await resolver.resolve(`${reg.host}/filters/router:1.0.0`);
  assert.is(resolved.image, `${reg.host}/filters/router:1.0.0`);
  assert.is(resolved.digest, pushed.digest);
  assert.match(resolved.digest, /^sha256:[a-f0-9]{64}$/);
  assert.is(resolved.layout, "compat");
  assert.is(resolved.annotations["org.opencontainers.image.version"], "1.0.0");
  assert.is(resolved.annotations["module.wasm.image/variant"], "compat");
  assert.equal(resolved.configSchema, schema);
});

test("artifact layout, no schema: configSchema is absent", async () => {
  const pushed = await pushModule(tinyWasm("artifact"), `${reg.host}/filters/guard:1`, { plainHttp: true, layout: "artifact" });
  const resolved = await resolver.resolve(`${reg.host}/filters/guard:1`);
  assert.is(resolved.layout, "artifact");
  assert.is(resolved.digest, pushed.digest);
  assert.not.ok("configSchema" in resolved);
});

test("a tag that moves resolves to the new digest; the old digest still resolves when pinned", async () => {
  const image = `${reg.host}/filters/limit:stable`;
  const first = await pushModule(tinyWasm("release 1"), image, { plainHttp: true });
  assert.is((await resolver.resolve(image)).digest, first.digest);
  const second = await pushModule(tinyWasm("release 2"), image, { plainHttp: true, annotations: { "org.opencontainers.image.version": "2" } });
  assert.is.not(second.digest, first.digest);
  const again = await resolver.resolve(image);
  assert.is(again.digest, second.digest);
  assert.is(again.annotations["org.opencontainers.image.version"], "2");
  const pinned = await resolver.resolve(`${reg.host}/filters/limit@${first.digest}`);
  assert.is(pinned.digest, first.digest);
});

test("resolution failures carry the OCI error kind the controller can report", async () => {
  for (const [image, kind] of [
    [`${reg.host}/filters/none:1`, "unknown-repository"],
    [`${reg.host}/filters/limit:missing`, "unknown-manifest"],
    ["filters/limit:1", "bad-reference"],
  ]) {
    try {
      await resolver.resolve(image);
      assert.unreachable(image);
    } catch (err) {
      assert.is((err as { kind?: string }).kind, kind, `${image}: ${(err as Error).message}`);
    }
  }
});

test("a schema annotation that is not JSON is an error, not silently ignored", async () => {
  await pushModule(tinyWasm("bad schema"), `${reg.host}/filters/bad:1`, { plainHttp: true, annotations: { "tollgate.dev/config-schema": "{not json" } });
  try {
    await resolver.resolve(`${reg.host}/filters/bad:1`);
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /tollgate\.dev\/config-schema annotation that is not a JSON object/);
  }
});

test.run();
