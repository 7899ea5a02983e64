/**
 * @module controller/oci/manifest
 * The JSON shapes of OCI / Docker v2 manifests and indexes, and a parser that checks
 * just enough structure for the rest of the client to rely on.
 */
import { OciError } from "./errors.ts";
import { isDigest } from "./digest.ts";
import { MediaType } from "./media-types.ts";

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture?: string; os?: string; variant?: string };
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export type ParsedManifest =
  | { kind: "image"; mediaType: string; manifest: ImageManifest }
  | { kind: "index"; mediaType: string; index: ImageIndex };

function checkDescriptor(d: unknown, where: string): Descriptor {
  const o = d as Descriptor;
  if (!o || typeof o !== "object" || typeof o.mediaType !== "string" || typeof o.digest !== "string" || !isDigest(o.digest) || typeof o.size !== "number" || o.size < 0) {
    throw new OciError("unsupported-media-type", `manifest ${where} is not a valid descriptor`);
  }
  return o;
}

/**
 * Parses manifest bytes. `contentType` is the registry's Content-Type; the document's
 * own `mediaType` wins when present (an OCI manifest may omit it, as the spec allows).
 */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new OciError("unsupported-media-type", "manifest is not JSON");
  }
  const declared = typeof doc.mediaType === "string" ? doc.mediaType : contentType?.split(";")[0].trim();
  if (doc.schemaVersion !== 2) {
    throw new OciError("unsupported-media-type", `unsupported manifest media type ${declared ?? "(none)"} (schemaVersion ${String(doc.schemaVersion)}); expected an OCI or Docker v2 image manifest`);
  }
  if (Array.isArray(doc.manifests)) {
    if (declared && declared !== MediaType.ociIndex && declared !== MediaType.dockerManifestList) {
      throw new OciError("unsupported-media-type", `unsupported manifest media type ${declared}`);
    }
    (doc.manifests as unknown[]).forEach((m, i) => checkDescriptor(m, `manifests[${i}]`));
    return { kind: "index", mediaType: declared ?? MediaType.ociIndex, index: doc as unknown as ImageIndex };
  }
  const mediaType = declared ?? MediaType.ociManifest;
  if (mediaType !== MediaType.ociManifest && mediaType !== MediaType.dockerManifest) {
    throw new OciError("unsupported-media-type", `unsupported manifest media type ${mediaType}; expected an OCI or Docker v2 image manifest`);
  }
  checkDescriptor(doc.config, "config");
  if (!Array.isArray(doc.layers)) throw new OciError("unsupported-media-type", "manifest has no layers");
  (doc.layers as unknown[]).forEach((l, i) => checkDescriptor(l, `layers[${i}]`));
  return { kind: "image", mediaType, manifest: doc as unknown as ImageManifest };
}

/** The index entry for linux/amd64, the platform both gateways' fetchers pick. */
export function pickLinuxAmd64(index: ImageIndex): Descriptor | undefined {
  return index.manifests.find((m) => m.platform?.os === "linux" && m.platform?.architecture === "amd64");
}
