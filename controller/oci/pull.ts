/**
 * @module controller/oci/pull
 * Reading a module image: resolve the reference to the manifest that holds the module
 * (following an image index to linux/amd64, as both gateways do), locate the module
 * the way their fetchers do, then download and verify it.
 */
import type { ResolveOptions } from "../api/module-resolver.ts";
import { configSchemaOf } from "./annotations.ts";
import { RegistryClient } from "./client.ts";
import { OciError } from "./errors.ts";
import { extractModule, locateModule, type ModuleLocation } from "./layout.ts";
import { parseManifest, pickLinuxAmd64, type ImageManifest } from "./manifest.ts";
import { MAX_MODULE_BYTES } from "./media-types.ts";
import { formatReference, manifestRef, parseReference, type ImageReference } from "./reference.ts";

export interface ResolvedImage {
  image: string;
  ref: ImageReference;
  client: RegistryClient;
  /** Digest of the manifest that holds the module: what the gateways compare `sha256` with. */
  digest: string;
  /** Digest of the index the reference pointed at, when it pointed at one. */
  indexDigest?: string;
  mediaType: string;
  manifest: ImageManifest;
  location: ModuleLocation;
  annotations: Record<string, string>;
  configSchema?: Record<string, unknown>;
}

export function clientFor(ref: ImageReference, options: ResolveOptions, actions: "pull" | "pull,push" = "pull"): RegistryClient {
  return new RegistryClient({
    registry: ref.registry,
    repository: ref.repository,
    credentials: options.credentials?.[ref.registry],
    plainHttp: options.plainHttp,
    signal: options.signal,
    actions,
  });
}

export async function resolveImage(image: string, options: ResolveOptions = {}): Promise<ResolvedImage> {
  const ref = parseReference(image);
  const client = clientFor(ref, options);
  let fetched = await client.getManifest(manifestRef(ref));
  let parsed = parseManifest(fetched.bytes, fetched.mediaType);
  let indexDigest: string | undefined;
  if (parsed.kind === "index") {
    indexDigest = fetched.digest;
    const child = pickLinuxAmd64(parsed.index);
    if (!child) throw new OciError("unsupported-media-type", `image index ${formatReference(ref)} has no linux/amd64 manifest, the platform gateways pick`);
    fetched = await client.getManifest(child.digest);
    parsed = parseManifest(fetched.bytes, fetched.mediaType);
    if (parsed.kind === "index") throw new OciError("unsupported-media-type", `image index ${formatReference(ref)} points at another index; expected an image manifest`);
  }
  const location = locateModule(parsed.manifest, parsed.mediaType);
  const annotations = { ...(parsed.manifest.annotations ?? {}) };
  return {
    image,
    ref,
    client,
    digest: fetched.digest,
    indexDigest,
    mediaType: parsed.mediaType,
    manifest: parsed.manifest,
    location,
    annotations,
    configSchema: configSchemaOf(annotations, image),
  };
}

export interface PulledModule {
  resolved: ResolvedImage;
  wasm: Uint8Array;
}

/** Resolves, then downloads the config and module blobs, checking each digest, the layout and the `\0asm` magic. */
export async function pullModule(image: string, options: ResolveOptions = {}): Promise<PulledModule> {
  const resolved = await resolveImage(image, options);
  const { client, manifest, location } = resolved;
  await client.getBlob(manifest.config, 4 * 1024 * 1024);
  const layerBytes = await client.getBlob(location.layer, MAX_MODULE_BYTES);
  return { resolved, wasm: extractModule(location, layerBytes) };
}
