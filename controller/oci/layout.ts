/**
 * @module controller/oci/layout
 * The two layouts Tollgate writes and the three it reads, following what Istio's and
 * Envoy Gateway's fetchers accept (they share code):
 * - `compat`: OCI manifest, last layer tar+gzip holding `plugin.wasm` (the default);
 * - `artifact`: the two-layer Wasm artifact (runtime config + raw wasm layer);
 * - `docker`: Docker v2 manifest, last layer Docker tar+gzip holding `plugin.wasm` (read only).
 * The one-layer OCI 1.1 artifact, which both gateways reject, is never written and is
 * refused on read.
 */
import { OciError } from "./errors.ts";
import { sha256Digest } from "./digest.ts";
import type { Descriptor, ImageManifest } from "./manifest.ts";
import { Annotation, MAX_MODULE_BYTES, MediaType, PLUGIN_FILE, PROXY_ABI_VERSION } from "./media-types.ts";
import { gunzip, gzip, readTar, writeTar } from "./tar.ts";

export type Layout = "compat" | "artifact" | "docker";
export const WRITABLE_LAYOUTS = ["compat", "artifact"] as const;
export type WritableLayout = (typeof WRITABLE_LAYOUTS)[number];

export interface Blob {
  descriptor: Descriptor;
  bytes: Uint8Array;
}

/** An artifact ready to push: blobs first, then the manifest bytes exactly as they will be sent. */
export interface PackedArtifact {
  layout: WritableLayout;
  blobs: Blob[];
  manifest: Uint8Array;
  mediaType: string;
  digest: string;
}

const encoder = new TextEncoder();

function blob(mediaType: string, bytes: Uint8Array, annotations?: Record<string, string>): Blob {
  const descriptor: Descriptor = { mediaType, digest: sha256Digest(bytes), size: bytes.length };
  if (annotations) descriptor.annotations = annotations;
  return { descriptor, bytes };
}

/** Throws not-wasm unless `bytes` look like a Wasm binary module both gateways would load. */
export function checkWasm(bytes: Uint8Array, what: string): void {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new OciError("not-wasm", `${what} is not a Wasm module (it does not start with \\0asm)`);
  }
  if (bytes.length > MAX_MODULE_BYTES) {
    throw new OciError("not-wasm", `${what} is ${bytes.length} bytes, over the 256 MiB limit gateways apply`);
  }
}

function pack(layout: WritableLayout, config: Blob, layers: Blob[], annotations: Record<string, string>): PackedArtifact {
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: config.descriptor,
    layers: layers.map((l) => l.descriptor),
    annotations,
  };
  const bytes = encoder.encode(JSON.stringify(manifest));
  const blobs = [config, ...layers.filter((l) => l.descriptor.digest !== config.descriptor.digest)];
  return { layout, blobs, manifest: bytes, mediaType: MediaType.ociManifest, digest: sha256Digest(bytes) };
}

/** Sorted keys, so that the same annotations always serialize to the same manifest bytes. */
function sortedAnnotations(a: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(a).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
}

export function packModule(wasm: Uint8Array, layout: WritableLayout, annotations: Record<string, string>): PackedArtifact {
  checkWasm(wasm, "the module");
  if (layout === "compat") {
    const tar = writeTar([{ name: PLUGIN_FILE, data: wasm }]);
    const layer = blob(MediaType.ociLayerTarGzip, gzip(tar));
    const config = blob(MediaType.ociConfig, encoder.encode(JSON.stringify({
      architecture: "amd64",
      os: "linux",
      config: {},
      rootfs: { type: "layers", diff_ids: [sha256Digest(tar)] },
    })));
    return pack(layout, config, [layer], sortedAnnotations({ ...annotations, [Annotation.variant]: "compat" }));
  }
  // The runtime config is both the manifest config and the first layer, as `wasme push`
  // wrote it: the fetchers require exactly two layers, one of them the wasm.
  const runtimeConfig = encoder.encode(JSON.stringify({ type: "envoy_proxy", abiVersions: [PROXY_ABI_VERSION], config: {} }));
  const config = blob(MediaType.wasmConfig, runtimeConfig);
  const configLayer = blob(MediaType.wasmConfig, runtimeConfig, { [Annotation.title]: "runtime-config.json" });
  const wasmLayer = blob(MediaType.wasmLayer, wasm, { [Annotation.title]: PLUGIN_FILE });
  return pack(layout, config, [configLayer, wasmLayer], sortedAnnotations({
    ...annotations,
    [Annotation.runtimeType]: "envoy_proxy",
    [Annotation.abiVersion]: annotations[Annotation.abiVersion] ?? PROXY_ABI_VERSION,
  }));
}

/** Where the module sits in a manifest, decided the way the gateways' fetchers decide it. */
export interface ModuleLocation {
  layout: Layout;
  layer: Descriptor;
  /** `tar+gzip`: gunzip, untar, take plugin.wasm; `raw`: the blob is the module. */
  encoding: "tar+gzip" | "raw";
}

export function locateModule(manifest: ImageManifest, mediaType: string): ModuleLocation {
  const last = manifest.layers[manifest.layers.length - 1];
  if (mediaType === MediaType.dockerManifest) {
    if (last?.mediaType === MediaType.dockerLayerTarGzip) return { layout: "docker", layer: last, encoding: "tar+gzip" };
    throw new OciError("unsupported-media-type", `wrong media type: a Docker v2 module image needs its last layer to be ${MediaType.dockerLayerTarGzip}, got ${last?.mediaType ?? "no layers"}`);
  }
  if (last?.mediaType === MediaType.ociLayerTarGzip) return { layout: "compat", layer: last, encoding: "tar+gzip" };
  const wasmLayer = manifest.layers.find((l) => l.mediaType === MediaType.wasmLayer);
  if (manifest.layers.length === 2 && wasmLayer) return { layout: "artifact", layer: wasmLayer, encoding: "raw" };
  const why = wasmLayer
    ? `a Wasm artifact needs exactly 2 layers but this one has ${manifest.layers.length} (Istio and Envoy Gateway reject it)`
    : `last layer is ${last?.mediaType ?? "missing"}, not ${MediaType.ociLayerTarGzip} or a ${MediaType.wasmLayer} layer`;
  throw new OciError("unsupported-media-type", `wrong media type: not a Wasm module image: ${why}`);
}

/** The module bytes from the (already digest-checked) layer blob. */
export function extractModule(location: ModuleLocation, layerBytes: Uint8Array): Uint8Array {
  if (location.encoding === "raw") {
    checkWasm(layerBytes, "the module layer");
    return layerBytes;
  }
  const entries = readTar(gunzip(layerBytes));
  const plugin = entries.find((e) => e.name.split("/").pop() === PLUGIN_FILE);
  if (!plugin) throw new OciError("not-wasm", `not a Wasm module image: the layer holds no ${PLUGIN_FILE}`);
  checkWasm(plugin.data, PLUGIN_FILE);
  return plugin.data;
}
