/**
 * @module controller/oci/resolver
 * The controller's ModuleResolver backed by real registries: tag → pinned manifest
 * digest, layout, annotations and config schema. It reads manifests only (never the
 * module itself), so re-resolving on a schedule stays cheap. Credentials come from the
 * options (the controller reads pull Secrets), else from the Docker/Podman files.
 */
import type { ModuleResolver, ResolvedModule, ResolveOptions } from "../api/module-resolver.ts";
import { loadCredentialFiles } from "./credentials.ts";
import { resolveImage } from "./pull.ts";

export class RegistryModuleResolver implements ModuleResolver {
  constructor(private readonly defaults: ResolveOptions = {}) {}

  async resolve(image: string, options: ResolveOptions = {}): Promise<ResolvedModule> {
    const merged: ResolveOptions = {
      plainHttp: options.plainHttp ?? this.defaults.plainHttp,
      signal: options.signal ?? this.defaults.signal,
      credentials: { ...(this.defaults.credentials ?? {}), ...(options.credentials ?? {}) },
    };
    const resolved = await resolveImage(image, merged);
    const module: ResolvedModule = {
      image,
      digest: resolved.digest,
      layout: resolved.location.layout,
      annotations: resolved.annotations,
    };
    if (resolved.configSchema) module.configSchema = resolved.configSchema;
    return module;
  }
}

/** A resolver for command-line use: credentials from the Docker/Podman files. */
export function resolverFromEnvironment(plainHttp = false): ModuleResolver {
  return new RegistryModuleResolver({ plainHttp, credentials: loadCredentialFiles() });
}
