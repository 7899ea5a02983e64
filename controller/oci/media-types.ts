/**
 * @module controller/oci/media-types
 * The media types and annotation keys Tollgate writes and reads. Istio's and Envoy
 * Gateway's fetchers decide what a manifest holds from these strings alone, so they are
 * spelled once, here.
 */

export const MediaType = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  ociLayerTarGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  dockerLayerTarGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  wasmConfig: "application/vnd.module.wasm.config.v1+json",
  wasmLayer: "application/vnd.module.wasm.content.layer.v1+wasm",
} as const;

/** What a manifest GET asks for: both single-image forms and both index forms. */
export const MANIFEST_ACCEPT = [
  MediaType.ociManifest,
  MediaType.dockerManifest,
  MediaType.ociIndex,
  MediaType.dockerManifestList,
].join(", ");

export const Annotation = {
  /** Labels the compat variant (solo-io spec-compat); consumers ignore it. */
  variant: "module.wasm.image/variant",
  runtimeType: "module.wasm.runtime/type",
  abiVersion: "module.wasm.runtime/abi_version",
  title: "org.opencontainers.image.title",
  version: "org.opencontainers.image.version",
  source: "org.opencontainers.image.source",
  created: "org.opencontainers.image.created",
  /** The module's config JSON Schema, compact JSON: what the controller validates configs against. */
  configSchema: "tollgate.dev/config-schema",
} as const;

/** The proxy-wasm ABI every Tollgate module is built against. */
export const PROXY_ABI_VERSION = "proxy_abi_version_0_2_1";

/** The file name both gateways look for inside a compat layer. */
export const PLUGIN_FILE = "plugin.wasm";

/** Istio's default ISTIO_WASM_MAX_BINARY_SIZE_BYTES; Envoy Gateway applies a similar bound. */
export const MAX_MODULE_BYTES = 256 * 1024 * 1024;
