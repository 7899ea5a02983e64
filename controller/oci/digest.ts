/**
 * @module controller/oci/digest
 * Content digests: only sha256 is written; sha256 and sha512 are verified, because a
 * registry may serve either and a digest that cannot be checked is not trusted.
 */
import { createHash } from "node:crypto";
import { OciError } from "./errors.ts";

const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** The digest of `bytes` under the algorithm `expected` names. */
export function digestLike(expected: string, bytes: Uint8Array): string {
  const algorithm = expected.split(":")[0];
  if (algorithm !== "sha256" && algorithm !== "sha512") {
    throw new OciError("digest-mismatch", `cannot verify digest ${expected}: unsupported algorithm '${algorithm}'`);
  }
  return `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`;
}

/** Throws a digest-mismatch error naming `what` unless `bytes` hash to `expected`. */
export function verifyDigest(what: string, expected: string, bytes: Uint8Array): void {
  const actual = digestLike(expected, bytes);
  if (actual !== expected) {
    throw new OciError("digest-mismatch", `digest mismatch for ${what}: expected ${expected}, got ${actual}`);
  }
}
