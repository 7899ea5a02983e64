/**
 * @module controller/api/module-resolver
 * The contract between the controller and the OCI client: a FilterModule's image
 * reference (tag or digest) resolves to a pinned manifest digest, and to the config
 * JSON Schema the artifact carries in its annotations, if any. The reconciler and
 * `tollgate render` depend on this interface only; `controller/oci` implements it
 * against real registries, and tests may pass an in-memory one.
 */

/** Credentials for one registry, as found in a `kubernetes.io/dockerconfigjson` Secret or a CLI flag. */
export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** A bearer or identity token, when the credential source holds one instead of a password. */
  identityToken?: string;
}

/** Registry host (as written in image references, e.g. `ghcr.example:5000`) → credentials. */
export type CredentialSet = Record<string, RegistryCredentials>;

export interface ResolveOptions {
  credentials?: CredentialSet;
  /** Talk plain HTTP to the registry (local registries only). */
  plainHttp?: boolean;
  signal?: AbortSignal;
}

export interface ResolvedModule {
  /** The image reference as given. */
  image: string;
  /** Manifest digest, `sha256:<64 hex>`: what Istio's WasmPlugin `sha256` and EG's `image.sha256` pin (hex part). */
  digest: string;
  /** `compat` (one tar+gzip layer holding plugin.wasm), `artifact` (Wasm artifact layout) or `docker` (Docker v2 form). */
  layout: "compat" | "artifact" | "docker";
  /** Manifest annotations (OCI `annotations`, empty when none). */
  annotations: Record<string, string>;
  /** The module's config JSON Schema, when the artifact carries one. */
  configSchema?: Record<string, unknown>;
}

export interface ModuleResolver {
  resolve(image: string, options?: ResolveOptions): Promise<ResolvedModule>;
}
