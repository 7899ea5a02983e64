/**
 * @module controller/oci/push
 * Publishing a module: pack it in the chosen layout, upload the blobs the repository
 * lacks, then the manifest, and return the manifest digest the registry confirmed.
 */
import type { ResolveOptions } from "../api/module-resolver.ts";
import { OciError } from "./errors.ts";
import { packModule, type WritableLayout } from "./layout.ts";
import { clientFor } from "./pull.ts";
import { parseReference, type ImageReference } from "./reference.ts";

export interface PushOptions extends ResolveOptions {
  layout?: WritableLayout;
  annotations?: Record<string, string>;
}

export interface PushResult {
  ref: ImageReference;
  digest: string;
  layout: WritableLayout;
  /** Blobs sent now; the others were already in the repository. */
  uploaded: number;
}

export async function pushModule(wasm: Uint8Array, image: string, options: PushOptions = {}): Promise<PushResult> {
  const ref = parseReference(image);
  if (ref.digest) throw new OciError("bad-reference", `push needs a tag, not a digest: ${image}`);
  const layout = options.layout ?? "compat";
  const packed = packModule(wasm, layout, options.annotations ?? {});
  const client = clientFor(ref, options, "pull,push");
  let uploaded = 0;
  for (const blob of packed.blobs) {
    if ((await client.putBlob(blob.descriptor, blob.bytes)) === "uploaded") uploaded++;
  }
  const digest = await client.putManifest(ref.tag!, packed.manifest, packed.mediaType);
  return { ref, digest, layout, uploaded };
}
