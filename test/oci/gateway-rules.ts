/**
 * @module test/oci/gateway-rules
 * The acceptance rules of Istio's and Envoy Gateway's image fetchers, written from the
 * reference (shared/reference/wasm-oci.md §1) independently of controller/oci, so that
 * a test can hold what Tollgate pushes against what the gateways would load:
 * Docker manifest → last layer Docker tar+gzip with plugin.wasm; otherwise OCI compat
 * (last layer OCI tar+gzip with plugin.wasm), else exactly two layers one of which is
 * the raw wasm layer; bytes start with `\0asm`, at least 8 bytes, at most 256 MiB.
 */
import { gunzipSync } from "node:zlib";

interface Desc { mediaType: string; digest: string; size: number }
interface Manifest { mediaType?: string; config: Desc; layers: Desc[] }

const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";
const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
const WASM_LAYER = "application/vnd.module.wasm.content.layer.v1+wasm";

/** First tar entry whose base name is plugin.wasm (plain ustar reading, enough for the rule). */
function pluginFromTarGzip(gz: Uint8Array): Uint8Array {
  const tar = gunzipSync(gz);
  for (let off = 0; off + 512 <= tar.length; ) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const name = h.subarray(0, 100).toString().replace(/\0.*$/s, "");
    const size = parseInt(h.subarray(124, 136).toString().replace(/\0.*$/s, "").trim() || "0", 8);
    if (name.split("/").pop() === "plugin.wasm") return tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error("plugin.wasm not found in the layer");
}

function checkWasmBytes(b: Uint8Array): Uint8Array {
  if (b.length < 8 || b[0] !== 0 || b[1] !== 0x61 || b[2] !== 0x73 || b[3] !== 0x6d) throw new Error("not a wasm binary");
  if (b.length > 256 * 1024 * 1024) throw new Error("over 256 MiB");
  return b;
}

/** Returns the module the gateways would load, or throws their reason for refusing. */
export function gatewaysLoad(manifest: Manifest, blob: (d: Desc) => Uint8Array): Uint8Array {
  const last = manifest.layers[manifest.layers.length - 1];
  if (manifest.mediaType === DOCKER_MANIFEST) {
    if (last?.mediaType !== DOCKER_LAYER) throw new Error("docker: last layer is not tar.gzip");
    return checkWasmBytes(pluginFromTarGzip(blob(last)));
  }
  const reasons: string[] = [];
  try {
    if (last?.mediaType !== OCI_LAYER) throw new Error(`last layer is ${last?.mediaType}`);
    return checkWasmBytes(pluginFromTarGzip(blob(last)));
  } catch (err) {
    reasons.push(`could not parse as compat variant: ${(err as Error).message}`);
  }
  try {
    if (manifest.layers.length !== 2) throw new Error(`number of layers must be 2 but got ${manifest.layers.length}`);
    const wasm = manifest.layers.find((l) => l.mediaType === WASM_LAYER);
    if (!wasm) throw new Error("no wasm layer");
    return checkWasmBytes(blob(wasm));
  } catch (err) {
    reasons.push(`could not parse as oci variant: ${(err as Error).message}`);
  }
  throw new Error(`the given image is in invalid format as an OCI image: ${reasons.join("; ")}`);
}
