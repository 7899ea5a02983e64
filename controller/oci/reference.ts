/**
 * @module controller/oci/reference
 * Image references as users and gateway resources write them:
 * `[oci://]host[:port]/repo/path[:tag][@sha256:<hex>]`. Tollgate requires the registry
 * host to be written out (no implicit default registry), so a reference always says
 * where the module lives.
 */
import { OciError } from "./errors.ts";
import { isDigest } from "./digest.ts";

export interface ImageReference {
  /** `host[:port]` exactly as written, e.g. `127.0.0.1:5000`. */
  registry: string;
  /** Repository path inside the registry, e.g. `tollgate/token-limit`. */
  repository: string;
  /** Tag; `latest` when neither tag nor digest was written. */
  tag?: string;
  /** `sha256:<hex>` when the reference pins one. */
  digest?: string;
}

const REPOSITORY = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const HOST = /^(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?)(:[0-9]{1,5})?$/;

function looksLikeHost(component: string): boolean {
  return component.includes(".") || component.includes(":") || component === "localhost" || component.startsWith("[");
}

export function parseReference(input: string): ImageReference {
  const bad = (why: string) => new OciError("bad-reference", `invalid image reference '${input}': ${why}`);
  let rest = input.trim().replace(/^oci:\/\//, "");
  if (rest.includes("://")) throw bad("only oci:// or a bare host/repository is accepted");

  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) throw bad(`'${digest}' is not a sha256:<64 hex> digest`);
  }

  const slash = rest.indexOf("/");
  if (slash < 0 || !looksLikeHost(rest.slice(0, slash))) {
    throw bad("it must start with the registry host, e.g. 127.0.0.1:5000/tollgate/filter:1.0.0");
  }
  const registry = rest.slice(0, slash);
  if (!HOST.test(registry)) throw bad(`'${registry}' is not a host[:port]`);
  let path = rest.slice(slash + 1);

  let tag: string | undefined;
  const colon = path.lastIndexOf(":");
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!TAG.test(tag)) throw bad(`'${tag}' is not a valid tag`);
  }
  if (!REPOSITORY.test(path)) throw bad(`'${path}' is not a valid repository name (lower case, digits, . _ - and /)`);
  if (!tag && !digest) tag = "latest";
  return { registry, repository: path, tag, digest };
}

/** The manifest reference to request: the digest when pinned, else the tag. */
export function manifestRef(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? "latest";
}

export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}
