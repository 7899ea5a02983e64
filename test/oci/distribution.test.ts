/**
 * @module test/oci/distribution.test
 * Push, pull and inspect against a real anonymous registry (Debian's docker-registry),
 * cross-checked with skopeo in both directions and with the gateways' acceptance rules.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { pushModule } from "../../controller/oci/push.ts";
import { MediaType } from "../../controller/oci/media-types.ts";
import { gatewaysLoad } from "./gateway-rules.ts";
import { isolatedEnv, run, tempDir, tinyWasm, tollgate } from "./fixtures.ts";
import { readBack } from "./helpers.ts";
import { startRegistry, type RunningRegistry } from "./registry.ts";

let reg: RunningRegistry;
const work = tempDir();
const fixed = isolatedEnv({ SOURCE_DATE_EPOCH: "1767225600" });
const sha256 = (b: Uint8Array | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

test.before(async () => {
  reg = await startRegistry();
});
test.after(async () => {
  await reg?.stop();
  work.remove();
});

function moduleFile(name: string, payload: string): string {
  const file = join(work.path, name);
  writeFileSync(file, tinyWasm(payload));
  return file;
}

for (const layout of ["compat", "artifact"] as const) {
  test(`${layout}: push prints the digest skopeo reads; pull returns the same bytes; the gateways would load it`, async () => {
    const file = moduleFile(`${layout}.wasm`, `module for ${layout}`);
    const image = `${reg.host}/tollgate/${layout}:1.0.0`;
    const pushed = await tollgate(["push", file, image, "--plain-http", "--layout", layout], { env: fixed });
    assert.is(pushed.code, 0, pushed.stderr);
    const digest = pushed.stdout.trim();
    assert.match(digest, /^sha256:[a-f0-9]{64}$/);
    assert.is(pushed.stdout, `${digest}\n`, "push prints the digest and nothing else");

    const raw = await run("skopeo", ["inspect", "--tls-verify=false", "--raw", `docker://${image}`]);
    assert.is(raw.code, 0, raw.stderr);
    assert.is(sha256(raw.stdout), digest, "skopeo reads exactly the manifest whose digest push printed");

    const back = await readBack(reg.url, `tollgate/${layout}`, "1.0.0");
    assert.equal(Buffer.from(gatewaysLoad(back.manifest, back.blob)), readFileSync(file));

    const out = join(work.path, `${layout}-pulled.wasm`);
    const pulled = await tollgate(["pull", image, "--plain-http", "-o", out]);
    assert.is(pulled.code, 0, pulled.stderr);
    assert.is(pulled.stdout.trim(), digest);
    assert.match(pulled.stderr, new RegExp(`from the ${layout} layout`));
    assert.equal(readFileSync(out), readFileSync(file));

    const byDigest = await tollgate(["pull", `${reg.host}/tollgate/${layout}@${digest}`, "--plain-http", "-o", out]);
    assert.is(byDigest.code, 0, byDigest.stderr);
  });
}

test("skopeo inspect reads the compat image as a linux/amd64 image with our annotations", async () => {
  const image = `${reg.host}/tollgate/compat:1.0.0`;
  const res = await run("skopeo", ["inspect", "--tls-verify=false", `docker://${image}`]);
  assert.is(res.code, 0, res.stderr);
  const info = JSON.parse(res.stdout);
  assert.is(info.Architecture, "amd64");
  assert.is(info.Os, "linux");
  assert.is(info.Layers.length, 1);
  assert.is(info.Labels, null);
});

test("skopeo copy reads both layouts out of the registry and keeps the manifest digest", async () => {
  for (const layout of ["compat", "artifact"]) {
    const dir = join(work.path, `oci-${layout}`);
    const image = `${reg.host}/tollgate/${layout}:1.0.0`;
    const copy = await run("skopeo", ["copy", "--src-tls-verify=false", `docker://${image}`, `oci:${dir}:v1`]);
    assert.is(copy.code, 0, copy.stderr);
    const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8"));
    const inspected = await tollgate(["inspect", image, "--plain-http", "--json"]);
    assert.is(index.manifests[0].digest, JSON.parse(inspected.stdout).digest, layout);
  }
});

test("same module, same SOURCE_DATE_EPOCH → same digest; the second push uploads no blob", async () => {
  const file = moduleFile("repeat.wasm", "repeatable");
  const a = await tollgate(["push", file, `${reg.host}/tollgate/repeat:a`, "--plain-http", "--annotation", "org.opencontainers.image.version=1"], { env: fixed });
  const b = await tollgate(["push", file, `${reg.host}/tollgate/repeat:b`, "--plain-http", "--annotation", "org.opencontainers.image.version=1"], { env: fixed });
  assert.is(a.code, 0, a.stderr);
  assert.is(a.stdout, b.stdout);
  const again = await pushModule(readFileSync(file), `${reg.host}/tollgate/repeat:c`, { plainHttp: true, annotations: { "org.opencontainers.image.version": "1", "org.opencontainers.image.created": "2026-01-01T00:00:00Z", "module.wasm.runtime/abi_version": "proxy_abi_version_0_2_1" } });
  assert.is(again.uploaded, 0);
  assert.is(`${again.digest}\n`, a.stdout, "the CLI's annotations are exactly version, created and ABI");
});

test("what skopeo converts to the Docker v2 form, tollgate pull reads (layout docker)", async () => {
  const copy = await run("skopeo", ["copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--format", "v2s2",
    `docker://${reg.host}/tollgate/compat:1.0.0`, `docker://${reg.host}/tollgate/docker-form:1.0.0`]);
  assert.is(copy.code, 0, copy.stderr);
  const inspected = JSON.parse((await tollgate(["inspect", `${reg.host}/tollgate/docker-form:1.0.0`, "--plain-http", "--json"])).stdout);
  assert.is(inspected.layout, "docker");
  assert.is(inspected.mediaType, MediaType.dockerManifest);
  const out = join(work.path, "docker.wasm");
  const pulled = await tollgate(["pull", `${reg.host}/tollgate/docker-form:1.0.0`, "--plain-http", "-o", out]);
  assert.is(pulled.code, 0, pulled.stderr);
  assert.equal(readFileSync(out), readFileSync(join(work.path, "compat.wasm")));
  const back = await readBack(reg.url, "tollgate/docker-form", "1.0.0");
  assert.equal(Buffer.from(gatewaysLoad(back.manifest, back.blob)), readFileSync(out), "the Docker form is one the gateways load too");
});

test("what skopeo copies in from an OCI layout directory, tollgate pull reads", async () => {
  const copy = await run("skopeo", ["copy", "--dest-tls-verify=false", `oci:${join(work.path, "oci-artifact")}:v1`, `docker://${reg.host}/mirror/artifact:v1`]);
  assert.is(copy.code, 0, copy.stderr);
  const out = join(work.path, "mirror.wasm");
  const pulled = await tollgate(["pull", `${reg.host}/mirror/artifact:v1`, "--plain-http", "-o", out]);
  assert.is(pulled.code, 0, pulled.stderr);
  assert.match(pulled.stderr, /artifact layout/);
  assert.equal(readFileSync(out), readFileSync(join(work.path, "artifact.wasm")));
});

test("inspect shows digest, layout, annotations and the config schema given at push", async () => {
  const schemaFile = join(work.path, "schema.json");
  writeFileSync(schemaFile, JSON.stringify({ type: "object", properties: { maxTokens: { type: "integer", minimum: 1 } }, required: ["maxTokens"] }));
  const image = `${reg.host}/tollgate/with-schema:2.0.0`;
  const pushed = await tollgate(["push", moduleFile("schema.wasm", "schema"), image, "--plain-http", "--config-schema", schemaFile,
    "--annotation", "org.opencontainers.image.source=https://git.example/tollgate"], { env: fixed });
  assert.is(pushed.code, 0, pushed.stderr);
  const text = await tollgate(["inspect", image, "--plain-http"]);
  assert.is(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^Digest:\\s+${pushed.stdout.trim()}$`, "m"));
  assert.match(text.stdout, /^Layout:\s+compat$/m);
  assert.match(text.stdout, /^ {2}org.opencontainers.image.version: 2.0.0$/m);
  assert.match(text.stdout, /^ {2}org.opencontainers.image.created: 2026-01-01T00:00:00Z$/m);
  assert.match(text.stdout, /^ {2}org.opencontainers.image.source: https:\/\/git.example\/tollgate$/m);
  assert.match(text.stdout, /^ {2}module.wasm.runtime\/abi_version: proxy_abi_version_0_2_1$/m);
  assert.match(text.stdout, /^Config schema:\n {2}\{\n {4}"type": "object"/m);
  const json = JSON.parse((await tollgate(["inspect", image, "--plain-http", "--json"])).stdout);
  assert.equal(json.configSchema.required, ["maxTokens"]);
  assert.is(json.digest, pushed.stdout.trim());
});

test.run();
