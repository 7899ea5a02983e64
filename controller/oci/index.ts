/**
 * @module controller/oci
 * Tollgate's OCI client: publish filter modules in layouts Istio and Envoy Gateway load,
 * pull and verify them, and resolve tags to pinned digests for the controller.
 */
export { RegistryModuleResolver, resolverFromEnvironment } from "./resolver.ts";
export { pushModule, type PushOptions, type PushResult } from "./push.ts";
export { pullModule, resolveImage, type PulledModule, type ResolvedImage } from "./pull.ts";
export { parseReference, formatReference, type ImageReference } from "./reference.ts";
export { loadCredentialFiles } from "./credentials.ts";
export { standardAnnotations, parseConfigSchema } from "./annotations.ts";
export { OciError, type OciErrorKind } from "./errors.ts";
export { Annotation, MediaType } from "./media-types.ts";
export type { Layout, WritableLayout } from "./layout.ts";
