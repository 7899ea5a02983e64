/**
 * @module test/oci/publish.test
 * `tollgate publish` with a temporary module list: every listed filter is built, then
 * pushed as `<prefix>/<name>:<package version>` with its config.schema.json as the schema
 * annotation; the published digests are what the resolver pins.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { publish, type PublishEnvironment } from "../../controller/cli/commands/publish.ts";
import { RegistryModuleResolver } from "../../controller/oci/resolver.ts";
import { tempDir, tinyWasm, tollgate } from "./fixtures.ts";
import { assertOneLineFailure } from "./helpers.ts";
import { startRegistry, type RunningRegistry } from "./registry.ts";

let reg: RunningRegistry;
const root = tempDir("tollgate-publish-");
const built: string[][] = [];

function environment(filters: string[]): PublishEnvironment {
  return {
    root: root.path,
    filters: () => filters,
    async build(names) {
      built.push(names);
      mkdirSync(join(root.path, "dist/filters"), { recursive: true });
      for (const n of names) writeFileSync(join(root.path, "dist/filters", `${n}.wasm`), tinyWasm(`filter ${n}`));
    },
  };
}

test.before(async () => {
  reg = await startRegistry();
  writeFileSync(join(root.path, "package.json"), JSON.stringify({ name: "tollgate", version: "0.4.2", repository: { type: "git", url: "https://git.example/tollgate.git" } }));
  mkdirSync(join(root.path, "filters/alpha"), { recursive: true });
  writeFileSync(join(root.path, "filters/alpha/config.schema.json"), JSON.stringify({ type: "object", properties: { limit: { type: "integer" } } }));
});
test.after(async () => {
  await reg?.stop();
  root.remove();
});

test("builds and pushes every listed filter, tagged with the package version", async () => {
  const result = await publish(["--registry", `${reg.host}/tollgate/`, "--plain-http"], environment(["alpha", "beta"]));
  assert.ok(Array.isArray(result));
  assert.equal(built, [["alpha", "beta"]]);
  assert.equal(result.map((p) => p.image), [`${reg.host}/tollgate/alpha:0.4.2`, `${reg.host}/tollgate/beta:0.4.2`]);
  const resolver = new RegistryModuleResolver({ plainHttp: true });
  const alpha = await resolver.resolve(`${reg.host}/tollgate/alpha:0.4.2`);
  assert.is(alpha.digest, result[0].digest);
  assert.equal(alpha.configSchema, { type: "object", properties: { limit: { type: "integer" } } });
  assert.is(alpha.annotations["org.opencontainers.image.version"], "0.4.2");
  assert.is(alpha.annotations["org.opencontainers.image.source"], "https://git.example/tollgate.git");
  const beta = await resolver.resolve(`${reg.host}/tollgate/beta:0.4.2`);
  assert.is(beta.digest, result[1].digest);
  assert.not.ok(beta.configSchema, "beta has no config.schema.json");
});

test("--tag and --layout override the defaults", async () => {
  const result = await publish(["--registry", `${reg.host}/tollgate`, "--plain-http", "--tag", "nightly", "--layout", "artifact"], environment(["alpha"]));
  assert.ok(Array.isArray(result));
  const resolved = await new RegistryModuleResolver({ plainHttp: true }).resolve(`${reg.host}/tollgate/alpha:nightly`);
  assert.is(resolved.layout, "artifact");
  assert.is(resolved.digest, result[0].digest);
});

test("an empty filter list publishes nothing and builds nothing", async () => {
  const before = built.length;
  assert.equal(await publish(["--registry", `${reg.host}/tollgate`, "--plain-http"], environment([])), []);
  assert.is(built.length, before);
});

test("a bad --registry or a missing one is a usage error", async () => {
  assertOneLineFailure(await tollgate(["publish"]), /--registry <host\[:port\]\/prefix> is required/, 2);
  try {
    await publish(["--registry", "no-host-here", "--plain-http"], environment(["alpha"]));
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /must start with the registry host/);
  }
});

test("the real command publishes exactly the filters asconfig.json lists, tagged with package.json's version", async () => {
  const { readBuildConfig, ROOT } = await import("../../scripts/build.ts");
  const filters = readBuildConfig().filters;
  const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
  const r = await tollgate(["publish", "--registry", `${reg.host}/shipped`, "--plain-http"]);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim() ? r.stdout.trim().split("\n") : [];
  assert.equal(lines.map((l) => l.split("@")[0]), filters.map((n) => `${reg.host}/shipped/${n}:${version}`));
  for (const line of lines) assert.match(line, /@sha256:[a-f0-9]{64}$/);
  if (filters.length === 0) assert.match(r.stderr, /nothing to publish/);
});

test.run();
