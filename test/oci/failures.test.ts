/**
 * @module test/oci/failures.test
 * The failures a user can act on, each a one-line message and a non-zero exit from the
 * real CLI against a real registry: unknown repository or tag, digest mismatch (a blob
 * corrupted in the registry's storage), wrong media type, not a Wasm module, registry
 * unreachable, HTTPS to a plain-HTTP registry; and image indexes, followed to linux/amd64.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256Digest } from "../../controller/oci/digest.ts";
import { MediaType } from "../../controller/oci/media-types.ts";
import { resolveImage } from "../../controller/oci/pull.ts";
import { gzip, writeTar } from "../../controller/oci/tar.ts";
import { tempDir, tinyWasm, tollgate } from "./fixtures.ts";
import { assertOneLineFailure, descriptorOf, pushRaw } from "./helpers.ts";
import { freePort, startRegistry, type RunningRegistry } from "./registry.ts";

let reg: RunningRegistry;
const work = tempDir();
const enc = new TextEncoder();

test.before(async () => {
  reg = await startRegistry();
  writeFileSync(join(work.path, "ok.wasm"), tinyWasm("ok"));
  const pushed = await tollgate(["push", join(work.path, "ok.wasm"), `${reg.host}/tollgate/ok:1`, "--plain-http"]);
  assert.is(pushed.code, 0, pushed.stderr);
});
test.after(async () => {
  await reg?.stop();
  work.remove();
});

const out = () => join(work.path, "out.wasm");

test("unknown repository", async () => {
  assertOneLineFailure(await tollgate(["pull", `${reg.host}/no/such-repo:1`, "--plain-http", "-o", out()]), /repository no\/such-repo not found on registry 127\.0\.0\.1:\d+$/, 1);
  assertOneLineFailure(await tollgate(["inspect", `${reg.host}/no/such-repo:1`, "--plain-http"]), /repository no\/such-repo not found/, 1);
});

test("unknown tag and unknown digest", async () => {
  assertOneLineFailure(await tollgate(["pull", `${reg.host}/tollgate/ok:9.9.9`, "--plain-http", "-o", out()]), /manifest for tag 9\.9\.9 not found in 127\.0\.0\.1:\d+\/tollgate\/ok$/);
  assertOneLineFailure(await tollgate(["inspect", `${reg.host}/tollgate/ok@sha256:${"0".repeat(64)}`, "--plain-http"]), /manifest sha256:0{64} not found/);
});

test("digest mismatch: a blob corrupted in the registry's storage is caught on pull", async () => {
  const wasm = tinyWasm("to be corrupted");
  writeFileSync(join(work.path, "c.wasm"), wasm);
  const pushed = await tollgate(["push", join(work.path, "c.wasm"), `${reg.host}/tollgate/corrupt:1`, "--plain-http", "--layout", "artifact"]);
  assert.is(pushed.code, 0, pushed.stderr);
  const hex = sha256Digest(wasm).slice(7);
  const file = join(reg.dir, "data/docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data");
  const bytes = readFileSync(file);
  bytes[bytes.length - 1] ^= 0xff; // same size, different content
  writeFileSync(file, bytes);
  const pulled = await tollgate(["pull", `${reg.host}/tollgate/corrupt:1`, "--plain-http", "-o", out()]);
  assertOneLineFailure(pulled, new RegExp(`digest mismatch for blob ${sha256Digest(wasm)}: expected ${sha256Digest(wasm)}, got sha256:[a-f0-9]{64}$`));
});

test("wrong media type: the one-layer artifact the gateways reject is refused on pull and inspect", async () => {
  const wasm = tinyWasm("one layer");
  const empty = enc.encode("{}");
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    artifactType: "application/vnd.module.wasm.content.layer.v1+wasm",
    config: descriptorOf("application/vnd.oci.empty.v1+json", empty),
    layers: [descriptorOf(MediaType.wasmLayer, wasm)],
  };
  await pushRaw(reg.host, "tollgate/one-layer", "1", manifest, [empty, wasm], MediaType.ociManifest);
  assertOneLineFailure(await tollgate(["pull", `${reg.host}/tollgate/one-layer:1`, "--plain-http", "-o", out()]), /wrong media type: .*exactly 2 layers but this one has 1/);
  assertOneLineFailure(await tollgate(["inspect", `${reg.host}/tollgate/one-layer:1`, "--plain-http"]), /wrong media type/);
});

test("wrong media type: an uncompressed tar layer and a helm chart are refused", async () => {
  const tar = writeTar([{ name: "plugin.wasm", data: tinyWasm() }]);
  const config = enc.encode("{}");
  await pushRaw(reg.host, "tollgate/plain-tar", "1", { schemaVersion: 2, mediaType: MediaType.ociManifest, config: descriptorOf(MediaType.ociConfig, config), layers: [descriptorOf("application/vnd.oci.image.layer.v1.tar", tar)] }, [config, tar], MediaType.ociManifest);
  assertOneLineFailure(await tollgate(["pull", `${reg.host}/tollgate/plain-tar:1`, "--plain-http", "-o", out()]), /wrong media type: .*last layer is application\/vnd\.oci\.image\.layer\.v1\.tar,/);
  const chart = gzip(enc.encode("chart"));
  await pushRaw(reg.host, "tollgate/chart", "1", { schemaVersion: 2, config: descriptorOf("application/vnd.cncf.helm.config.v1+json", config), layers: [descriptorOf("application/vnd.cncf.helm.chart.content.v1.tar+gzip", chart)] }, [config, chart], MediaType.ociManifest);
  assertOneLineFailure(await tollgate(["pull", `${reg.host}/tollgate/chart:1`, "--plain-http", "-o", out()]), /wrong media type/);
});

test("not a Wasm module: push refuses before uploading; pull refuses an image whose plugin.wasm is not Wasm", async () => {
  writeFileSync(join(work.path, "script.wasm"), "#!/bin/sh\necho not wasm\n");
  assertOneLineFailure(await tollgate(["push", join(work.path, "script.wasm"), `${reg.host}/tollgate/never:1`, "--plain-http"]), /the module is not a Wasm module \(it does not start with \\0asm\)$/);
  const tags = await fetch(`${reg.url}/v2/tollgate/never/tags/list`);
  assert.is(tags.status, 404, "nothing was uploaded");
  await tags.body?.cancel();

  const layer = gzip(writeTar([{ name: "plugin.wasm", data: enc.encode("<html>not wasm</html>") }]));
  const config = enc.encode("{}");
  await pushRaw(reg.host, "tollgate/fake", "1", { schemaVersion: 2, mediaType: MediaType.ociManifest, config: descriptorOf(MediaType.ociConfig, config), layers: [descriptorOf(MediaType.ociLayerTarGzip, layer)] }, [config, layer], MediaType.ociManifest);
  assertOneLineFailure(await tollgate(["pull", `${reg.host}/tollgate/fake:1`, "--plain-http", "-o", out()]), /plugin\.wasm is not a Wasm module/);
});

test("registry unreachable, and HTTPS spoken to a plain-HTTP registry", async () => {
  const port = await freePort();
  assertOneLineFailure(await tollgate(["pull", `127.0.0.1:${port}/tollgate/ok:1`, "--plain-http", "-o", out()]), new RegExp(`cannot reach registry 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)$`));
  assertOneLineFailure(await tollgate(["push", join(work.path, "ok.wasm"), `127.0.0.1:${port}/tollgate/ok:1`, "--plain-http"]), /cannot reach registry/);
  assertOneLineFailure(await tollgate(["pull", `${reg.host}/tollgate/ok:1`, "-o", out()]), /cannot reach registry .*try --plain-http\)$/);
});

test("bad command lines exit 2 with a one-line message", async () => {
  assertOneLineFailure(await tollgate(["push", join(work.path, "ok.wasm")]), /expected <module\.wasm> <registry\/repo:tag>/, 2);
  assertOneLineFailure(await tollgate(["push", join(work.path, "ok.wasm"), "tollgate/ok:1"]), /must start with the registry host/, 2);
  assertOneLineFailure(await tollgate(["push", join(work.path, "ok.wasm"), `${reg.host}/t/x:1`, "--layout", "single"]), /--layout must be compat or artifact/, 2);
  assertOneLineFailure(await tollgate(["push", join(work.path, "missing.wasm"), `${reg.host}/t/x:1`, "--plain-http"]), /cannot read module .*missing\.wasm: ENOENT/, 2);
  assertOneLineFailure(await tollgate(["pull", `${reg.host}/t/x:1`]), /-o <file\.wasm> is required/, 2);
  assertOneLineFailure(await tollgate(["push", join(work.path, "ok.wasm"), `${reg.host}/t/x:1`, "--username", "u"]), /--username needs --password-stdin/, 2);
});

test("an image index is followed to linux/amd64, the pinned digest is the child's", async () => {
  const amd = tinyWasm("amd64"), arm = tinyWasm("arm64");
  writeFileSync(join(work.path, "amd.wasm"), amd);
  writeFileSync(join(work.path, "arm.wasm"), arm);
  const dAmd = (await tollgate(["push", join(work.path, "amd.wasm"), `${reg.host}/tollgate/multi:amd64`, "--plain-http"])).stdout.trim();
  const dArm = (await tollgate(["push", join(work.path, "arm.wasm"), `${reg.host}/tollgate/multi:arm64`, "--plain-http"])).stdout.trim();
  const size = async (tag: string) => Number((await fetch(`${reg.url}/v2/tollgate/multi/manifests/${tag}`, { method: "HEAD", headers: { accept: MediaType.ociManifest } })).headers.get("content-length"));
  const index = {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: [
      { mediaType: MediaType.ociManifest, digest: dArm, size: await size("arm64"), platform: { os: "linux", architecture: "arm64" } },
      { mediaType: MediaType.ociManifest, digest: dAmd, size: await size("amd64"), platform: { os: "linux", architecture: "amd64" } },
    ],
  };
  const indexDigest = await pushRaw(reg.host, "tollgate/multi", "1", index, [], MediaType.ociIndex);
  const resolved = await resolveImage(`${reg.host}/tollgate/multi:1`, { plainHttp: true });
  assert.is(resolved.digest, dAmd, "what Istio and Envoy Gateway compare sha256 with: the manifest they load");
  assert.is(resolved.indexDigest, indexDigest);
  const pulled = await tollgate(["pull", `${reg.host}/tollgate/multi:1`, "--plain-http", "-o", out()]);
  assert.is(pulled.code, 0, pulled.stderr);
  assert.is(pulled.stdout.trim(), dAmd);
  assert.equal(readFileSync(out()), Buffer.from(amd));
  const inspected = await tollgate(["inspect", `${reg.host}/tollgate/multi:1`, "--plain-http"]);
  assert.match(inspected.stdout, new RegExp(`^Digest:\\s+${dAmd}$`, "m"));
  assert.match(inspected.stdout, new RegExp(`^Index:\\s+${indexDigest} \\(linux/amd64 entry\\)$`, "m"));

  await pushRaw(reg.host, "tollgate/multi", "arm-only", { ...index, manifests: [index.manifests[0]] }, [], MediaType.ociIndex);
  assertOneLineFailure(await tollgate(["pull", `${reg.host}/tollgate/multi:arm-only`, "--plain-http", "-o", out()]), /image index .* has no linux\/amd64 manifest/);
});

test.run();
