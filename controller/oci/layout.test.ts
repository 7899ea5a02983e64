/**
 * @module controller/oci/layout.test
 * Packing and reading the layouts, held against the gateways' fetcher rules (test/oci/gateway-rules.ts).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { gatewaysLoad } from "../../test/oci/gateway-rules.ts";
import { tinyWasm } from "../../test/oci/fixtures.ts";
import { sha256Digest } from "./digest.ts";
import { extractModule, locateModule, packModule, type PackedArtifact } from "./layout.ts";
import type { Descriptor, ImageManifest } from "./manifest.ts";
import { parseManifest } from "./manifest.ts";
import { Annotation, MediaType } from "./media-types.ts";
import { gzip, writeTar } from "./tar.ts";

function manifestOf(p: PackedArtifact): ImageManifest {
  return JSON.parse(new TextDecoder().decode(p.manifest));
}

function blobsOf(p: PackedArtifact) {
  const byDigest = new Map(p.blobs.map((b) => [b.descriptor.digest, b.bytes]));
  return (d: Descriptor) => {
    const bytes = byDigest.get(d.digest);
    if (!bytes) throw new Error(`blob ${d.digest} not packed`);
    return bytes;
  };
}

test("compat: OCI manifest, one tar+gzip layer holding plugin.wasm, config with diff_ids", () => {
  const wasm = tinyWasm("compat");
  const packed = packModule(wasm, "compat", { a: "1" });
  const m = manifestOf(packed);
  assert.is(m.mediaType, MediaType.ociManifest);
  assert.is(m.config.mediaType, MediaType.ociConfig);
  assert.is(m.layers.length, 1);
  assert.is(m.layers[0].mediaType, MediaType.ociLayerTarGzip);
  assert.is(m.annotations?.[Annotation.variant], "compat");
  assert.is(m.annotations?.a, "1");
  const config = JSON.parse(new TextDecoder().decode(blobsOf(packed)(m.config)));
  assert.is(config.os, "linux");
  assert.is(config.architecture, "amd64");
  assert.is(config.rootfs.diff_ids[0], sha256Digest(writeTar([{ name: "plugin.wasm", data: wasm }])));
  assert.is(packed.digest, sha256Digest(packed.manifest));
  for (const b of packed.blobs) assert.is(b.descriptor.digest, sha256Digest(b.bytes));
});

test("artifact: exactly two layers, runtime config then raw wasm, config descriptor shared", () => {
  const wasm = tinyWasm("artifact");
  const packed = packModule(wasm, "artifact", {});
  const m = manifestOf(packed);
  assert.is(m.layers.length, 2);
  assert.is(m.config.mediaType, MediaType.wasmConfig);
  assert.is(m.layers[0].digest, m.config.digest);
  assert.is(m.layers[1].mediaType, MediaType.wasmLayer);
  assert.is(m.layers[1].digest, sha256Digest(wasm));
  assert.is(m.annotations?.[Annotation.runtimeType], "envoy_proxy");
  assert.is(m.annotations?.[Annotation.abiVersion], "proxy_abi_version_0_2_1");
  assert.is(packed.blobs.length, 2, "the shared config blob is uploaded once");
});

test("both written layouts pass the gateways' acceptance rules and yield the module", () => {
  const wasm = tinyWasm("gateways");
  for (const layout of ["compat", "artifact"] as const) {
    const packed = packModule(wasm, layout, {});
    assert.equal(Buffer.from(gatewaysLoad(manifestOf(packed), blobsOf(packed))), Buffer.from(wasm), layout);
  }
});

test("same module and annotations → same manifest digest; annotation order does not matter", () => {
  const a = packModule(tinyWasm(), "compat", { x: "1", y: "2" });
  const b = packModule(tinyWasm(), "compat", { y: "2", x: "1" });
  assert.is(a.digest, b.digest);
  assert.is.not(packModule(tinyWasm("other"), "compat", {}).digest, packModule(tinyWasm(), "compat", {}).digest);
});

test("refuses to pack bytes that are not a Wasm module", () => {
  assert.throws(() => packModule(new TextEncoder().encode("#!/bin/sh\necho hi"), "compat", {}), /not a Wasm module/);
  assert.throws(() => packModule(Uint8Array.from([0, 0x61, 0x73, 0x6d]), "compat", {}), /not a Wasm module/);
});

const desc = (mediaType: string, bytes = new Uint8Array([1])): Descriptor => ({ mediaType, digest: sha256Digest(bytes), size: bytes.length });
const image = (layers: Descriptor[], mediaType: string = MediaType.ociManifest): ImageManifest => ({ schemaVersion: 2, mediaType, config: desc(MediaType.ociConfig), layers });

test("reading: each accepted form is located as the gateways locate it", () => {
  assert.is(locateModule(image([desc(MediaType.ociLayerTarGzip)]), MediaType.ociManifest).layout, "compat");
  assert.is(locateModule(image([desc(MediaType.wasmConfig), desc(MediaType.wasmLayer)]), MediaType.ociManifest).layout, "artifact");
  const docker = image([desc(MediaType.dockerLayerTarGzip)], MediaType.dockerManifest);
  assert.is(locateModule(docker, MediaType.dockerManifest).layout, "docker");
  // extra layers before a final tar+gzip are what a container-built image looks like: still compat
  assert.is(locateModule(image([desc(MediaType.ociLayerTarGzip), desc(MediaType.ociLayerTarGzip)]), MediaType.ociManifest).layout, "compat");
});

test("reading: forms the gateways reject are refused with a wrong-media-type error", () => {
  const cases: [ImageManifest, string, RegExp][] = [
    [image([desc(MediaType.wasmLayer)]), MediaType.ociManifest, /exactly 2 layers/],
    [image([desc(MediaType.wasmConfig), desc(MediaType.wasmConfig), desc(MediaType.wasmLayer)]), MediaType.ociManifest, /exactly 2 layers/],
    [image([desc("application/vnd.oci.image.layer.v1.tar")]), MediaType.ociManifest, /last layer is application\/vnd.oci.image.layer.v1.tar,/],
    [image([desc("application/vnd.oci.image.layer.v1.tar+zstd")]), MediaType.ociManifest, /tar\+zstd/],
    [image([desc(MediaType.ociLayerTarGzip)], MediaType.dockerManifest), MediaType.dockerManifest, /Docker v2/],
  ];
  for (const [m, type, reason] of cases) {
    try {
      locateModule(m, type);
      assert.unreachable(JSON.stringify(m.layers));
    } catch (err) {
      assert.match((err as Error).message, /^wrong media type/);
      assert.match((err as Error).message, reason);
      // and the independent rule set agrees that the gateways would not load it
      assert.throws(() => gatewaysLoad(m as never, () => gzip(writeTar([{ name: "plugin.wasm", data: tinyWasm() }]))));
    }
  }
});

test("extracting: plugin.wasm may sit in a folder; a missing or non-wasm plugin.wasm is refused", () => {
  const layer = desc(MediaType.ociLayerTarGzip);
  const loc = { layout: "compat" as const, layer, encoding: "tar+gzip" as const };
  assert.equal(Buffer.from(extractModule(loc, gzip(writeTar([{ name: "README", data: new Uint8Array(3) }, { name: "dir/plugin.wasm", data: tinyWasm() }])))), Buffer.from(tinyWasm()));
  assert.throws(() => extractModule(loc, gzip(writeTar([{ name: "filter.wasm", data: tinyWasm() }]))), /holds no plugin.wasm/);
  assert.throws(() => extractModule(loc, gzip(writeTar([{ name: "plugin.wasm", data: new TextEncoder().encode("not wasm at all") }]))), /plugin.wasm is not a Wasm module/);
  assert.throws(() => extractModule({ layout: "artifact", layer, encoding: "raw" }, new TextEncoder().encode("{}{}{}{}")), /not a Wasm module/);
});

test("manifest parsing: schema 1, unknown media types and broken JSON are refused", () => {
  const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
  assert.throws(() => parseManifest(enc({ schemaVersion: 1, name: "x" }), "application/vnd.docker.distribution.manifest.v1+prettyjws"), /unsupported manifest media type/);
  assert.throws(() => parseManifest(enc({ schemaVersion: 2, mediaType: "application/vnd.example+json", config: desc("x"), layers: [] }), undefined), /unsupported manifest media type application\/vnd.example\+json/);
  assert.throws(() => parseManifest(new TextEncoder().encode("<html>"), "text/html"), /not JSON/);
  assert.is(parseManifest(enc({ schemaVersion: 2, manifests: [] }), MediaType.ociIndex).kind, "index");
  // an OCI manifest may omit mediaType
  assert.is(parseManifest(enc({ schemaVersion: 2, config: desc("x"), layers: [] }), MediaType.ociManifest).mediaType, MediaType.ociManifest);
});

test.run();
