/**
 * @module controller/oci/errors
 * Every failure the OCI client reports is an OciError: a one-line message a user can act
 * on, and a kind that tests and callers can branch on. Messages never carry credentials,
 * tokens or Authorization headers; they name hosts, repositories and digests only.
 */

export type OciErrorKind =
  | "bad-reference"
  | "bad-input"
  | "unknown-repository"
  | "unknown-manifest"
  | "unauthorized"
  | "digest-mismatch"
  | "unsupported-media-type"
  | "not-wasm"
  | "unreachable"
  | "registry-error";

export class OciError extends Error {
  constructor(readonly kind: OciErrorKind, message: string) {
    super(message);
    this.name = "OciError";
  }
}
