/**
 * @module test/oci/helpers
 * Registry-side helpers for the distribution tests: push hand-made manifests (indexes,
 * layouts the gateways reject) with the client's raw calls, read manifests and blobs
 * back over plain HTTP, and assert the CLI's one-line failures.
 */
import * as assert from "uvu/assert";
import { RegistryClient } from "../../controller/oci/client.ts";
import { sha256Digest } from "../../controller/oci/digest.ts";
import type { Descriptor } from "../../controller/oci/manifest.ts";
import type { CliRun } from "./fixtures.ts";

export async function pushRaw(host: string, repository: string, tag: string, manifest: object, blobs: Uint8Array[], mediaType: string): Promise<string> {
  const client = new RegistryClient({ registry: host, repository, plainHttp: true, actions: "pull,push" });
  for (const b of blobs) await client.putBlob({ mediaType: "application/octet-stream", digest: sha256Digest(b), size: b.length }, b);
  return client.putManifest(tag, new TextEncoder().encode(JSON.stringify(manifest)), mediaType);
}

export function descriptorOf(mediaType: string, bytes: Uint8Array, extra: Partial<Descriptor> = {}): Descriptor {
  return { mediaType, digest: sha256Digest(bytes), size: bytes.length, ...extra };
}

/** The manifest bytes and blobs as a gateway fetcher would read them (plain HTTP, no Tollgate code). */
export async function readBack(url: string, repository: string, reference: string) {
  const res = await fetch(`${url}/v2/${repository}/manifests/${reference}`, {
    headers: { accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json" },
  });
  assert.is(res.status, 200);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const manifest = JSON.parse(new TextDecoder().decode(bytes));
  const blobs = new Map<string, Uint8Array>();
  for (const d of [manifest.config, ...manifest.layers] as Descriptor[]) {
    const b = await fetch(`${url}/v2/${repository}/blobs/${d.digest}`);
    blobs.set(d.digest, new Uint8Array(await b.arrayBuffer()));
  }
  return { bytes, manifest, blob: (d: Descriptor) => blobs.get(d.digest)! };
}

/** A failure a user can act on: non-zero exit, nothing on stdout, exactly one line on stderr matching `pattern`. */
export function assertOneLineFailure(run: CliRun, pattern: RegExp, exitCode?: number): void {
  assert.is.not(run.code, 0, `expected failure, got: ${run.stdout}`);
  if (exitCode !== undefined) assert.is(run.code, exitCode);
  assert.is(run.stdout, "");
  const lines = run.stderr.trimEnd().split("\n");
  assert.is(lines.length, 1, `stderr should be one line:\n${run.stderr}`);
  assert.match(lines[0], pattern);
}
