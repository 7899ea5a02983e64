/**
 * @module controller/oci/client
 * A small client for one repository of an OCI distribution registry, on Node's fetch:
 * manifests (get, put), blobs (exists, get with digest check, two-step upload) and
 * tags. It authenticates on demand (see ./auth.ts) and turns every registry answer a
 * user can act on into a one-line OciError.
 */
import type { RegistryCredentials } from "../api/module-resolver.ts";
import { Authenticator } from "./auth.ts";
import { isDigest, sha256Digest, verifyDigest } from "./digest.ts";
import { OciError } from "./errors.ts";
import type { Descriptor } from "./manifest.ts";
import { MANIFEST_ACCEPT } from "./media-types.ts";

export interface ClientOptions {
  registry: string;
  repository: string;
  credentials?: RegistryCredentials;
  plainHttp?: boolean;
  /** `pull` for reads, `pull,push` when the client will write. */
  actions?: "pull" | "pull,push";
  signal?: AbortSignal;
  /** Per-request timeout; registries on loopback answer in milliseconds. */
  timeoutMs?: number;
}

export interface FetchedManifest {
  bytes: Uint8Array;
  mediaType: string | undefined;
  digest: string;
}

/** Registry 2.8's own limit on manifest size; anything larger is not a module image. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

interface RegistryErrorBody {
  errors?: { code?: string; message?: string }[];
}

export class RegistryClient {
  readonly registry: string;
  readonly repository: string;
  private readonly base: string;
  private readonly auth: Authenticator;
  private readonly scope: string;

  constructor(private readonly options: ClientOptions) {
    this.registry = options.registry;
    this.repository = options.repository;
    this.base = `${options.plainHttp ? "http" : "https"}://${options.registry}`;
    this.auth = new Authenticator(options.registry, options.credentials);
    this.scope = `repository:${options.repository}:${options.actions ?? "pull"}`;
  }

  private where(): string {
    return `${this.registry}/${this.repository}`;
  }

  private signal(): AbortSignal {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 60_000);
    return this.options.signal ? AbortSignal.any([this.options.signal, timeout]) : timeout;
  }

  /** One request, retried once per new credential the registry's 401 challenge calls for. */
  private async request(method: string, pathOrUrl: string, init: { headers?: Record<string, string>; body?: Uint8Array } = {}): Promise<Response> {
    const url = pathOrUrl.startsWith("/") ? `${this.base}${pathOrUrl}` : pathOrUrl;
    for (let attempt = 0; attempt < 3; attempt++) {
      const headers: Record<string, string> = { ...init.headers };
      const authorization = this.auth.authorization(this.scope);
      if (authorization) headers.authorization = authorization;
      let res: Response;
      try {
        res = await fetch(url, { method, headers, body: init.body as BodyInit | undefined, signal: this.signal(), redirect: "follow" });
      } catch (err) {
        throw this.unreachable(err);
      }
      if (res.status !== 401) return res;
      const challenge = res.headers.get("www-authenticate");
      await res.body?.cancel();
      if (!(await this.auth.answer(challenge, this.scope, this.signal()))) {
        const hasCreds = Boolean(this.options.credentials?.username || this.options.credentials?.identityToken);
        throw new OciError("unauthorized", hasCreds
          ? `registry ${this.registry} refused the credentials for ${this.repository} (wrong username or password, or no ${this.options.actions ?? "pull"} permission)`
          : `registry ${this.registry} requires authentication for ${this.repository}: use --username with --password-stdin, or a credentials file`);
      }
    }
    throw new OciError("unauthorized", `registry ${this.registry} kept refusing access to ${this.repository}`);
  }

  private unreachable(err: unknown): OciError {
    const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
    const name = (err as Error)?.name;
    if (name === "TimeoutError") return new OciError("unreachable", `registry ${this.registry} did not answer in time`);
    if (name === "AbortError") return new OciError("unreachable", `request to registry ${this.registry} was aborted`);
    const code = cause?.code ?? cause?.message ?? "";
    const detail = `${code} ${cause?.message ?? ""}`;
    let hint = "";
    if (!this.options.plainHttp && /EPROTO|ERR_SSL|wrong version/i.test(detail)) hint = " (it may be a plain-HTTP registry: try --plain-http)";
    else if (/CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)/.test(code)) hint = " (its TLS certificate is not trusted: add the CA with NODE_EXTRA_CA_CERTS)";
    return new OciError("unreachable", `cannot reach registry ${this.registry}${code ? ` (${code})` : ""}${hint}`);
  }

  /** Maps an unsuccessful answer to the error a user can act on. */
  private async failure(res: Response, what: string): Promise<OciError> {
    let body: RegistryErrorBody = {};
    try {
      body = (await res.json()) as RegistryErrorBody;
    } catch { /* not every error has a JSON body (HEAD never does) */ }
    const code = body.errors?.[0]?.code ?? "";
    if (code === "NAME_UNKNOWN") return new OciError("unknown-repository", `repository ${this.repository} not found on registry ${this.registry}`);
    if (code === "MANIFEST_UNKNOWN" || (res.status === 404 && what.startsWith("manifest"))) {
      return new OciError("unknown-manifest", `${what} not found in ${this.where()}`);
    }
    if (code === "DENIED" || res.status === 403) return new OciError("unauthorized", `registry ${this.registry} denied access to ${this.repository}`);
    if (code === "DIGEST_INVALID") return new OciError("digest-mismatch", `registry ${this.registry} rejected ${what}: digest mismatch`);
    if (code === "MANIFEST_INVALID" || code === "UNSUPPORTED") return new OciError("unsupported-media-type", `registry ${this.registry} rejected ${what}: ${body.errors?.[0]?.message ?? code}`);
    if (res.status === 400 && this.options.plainHttp && !code) {
      return new OciError("unreachable", `registry ${this.registry} refused plain HTTP: it speaks HTTPS, drop --plain-http`);
    }
    const detail = body.errors?.[0]?.message ? `: ${body.errors[0].message}` : "";
    return new OciError("registry-error", `registry ${this.registry} answered HTTP ${res.status} for ${what}${code ? ` (${code}${detail})` : ""}`);
  }

  /** `GET /v2/`: reachable and, if it asks, authenticated. */
  async ping(): Promise<void> {
    const res = await this.request("GET", "/v2/");
    if (!res.ok) throw await this.failure(res, "the API version check");
    await res.body?.cancel();
  }

  /** Fetches a manifest by tag or digest; checks it against a requested digest and the registry's Docker-Content-Digest. */
  async getManifest(reference: string): Promise<FetchedManifest> {
    const what = `manifest ${reference}`;
    const res = await this.request("GET", `/v2/${this.repository}/manifests/${reference}`, { headers: { accept: MANIFEST_ACCEPT } });
    if (!res.ok) {
      const err = await this.failure(res, isDigest(reference) ? `manifest ${reference}` : `manifest for tag ${reference}`);
      // Registry 2.8 answers MANIFEST_UNKNOWN for a repository that does not exist: ask the tag list to tell them apart.
      if (err.kind === "unknown-manifest" && !(await this.repositoryExists())) {
        throw new OciError("unknown-repository", `repository ${this.repository} not found on registry ${this.registry}`);
      }
      throw err;
    }
    const declared = Number(res.headers.get("content-length") ?? 0);
    if (declared > MAX_MANIFEST_BYTES) throw new OciError("unsupported-media-type", `${what} is ${declared} bytes, over the ${MAX_MANIFEST_BYTES}-byte manifest limit`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length > MAX_MANIFEST_BYTES) throw new OciError("unsupported-media-type", `${what} is over the ${MAX_MANIFEST_BYTES}-byte manifest limit`);
    const digest = sha256Digest(bytes);
    if (isDigest(reference)) verifyDigest(what, reference, bytes);
    const echoed = res.headers.get("docker-content-digest");
    if (echoed && echoed.startsWith("sha256:") && echoed !== digest) {
      throw new OciError("digest-mismatch", `digest mismatch for ${what}: registry says ${echoed}, content is ${digest}`);
    }
    return { bytes, mediaType: res.headers.get("content-type") ?? undefined, digest };
  }

  private async repositoryExists(): Promise<boolean> {
    try {
      await this.listTags();
      return true;
    } catch (err) {
      return !(err instanceof OciError && err.kind === "unknown-repository");
    }
  }

  async listTags(): Promise<string[]> {
    const res = await this.request("GET", `/v2/${this.repository}/tags/list`);
    if (!res.ok) throw await this.failure(res, "the tag list");
    const body = (await res.json()) as { tags?: string[] | null };
    return body.tags ?? [];
  }

  async hasBlob(digest: string): Promise<boolean> {
    const res = await this.request("HEAD", `/v2/${this.repository}/blobs/${digest}`);
    await res.body?.cancel();
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw await this.failure(res, `blob ${digest}`);
  }

  /** Downloads a blob and checks its size and digest before handing it out. */
  async getBlob(descriptor: Descriptor, maxBytes: number): Promise<Uint8Array> {
    const what = `blob ${descriptor.digest}`;
    if (descriptor.size > maxBytes) throw new OciError("bad-input", `${what} is ${descriptor.size} bytes, over the ${maxBytes}-byte limit`);
    const res = await this.request("GET", `/v2/${this.repository}/blobs/${descriptor.digest}`);
    if (!res.ok) throw await this.failure(res, what);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length !== descriptor.size) {
      throw new OciError("digest-mismatch", `size mismatch for ${what}: manifest says ${descriptor.size} bytes, registry sent ${bytes.length}`);
    }
    verifyDigest(what, descriptor.digest, bytes);
    return bytes;
  }

  /** Uploads a blob unless the repository has it: POST for an upload session, then one PUT with the digest. */
  async putBlob(descriptor: Descriptor, bytes: Uint8Array): Promise<"uploaded" | "present"> {
    if (await this.hasBlob(descriptor.digest)) return "present";
    const what = `blob ${descriptor.digest}`;
    const start = await this.request("POST", `/v2/${this.repository}/blobs/uploads/`);
    if (start.status !== 202) throw await this.failure(start, `the upload of ${what}`);
    await start.body?.cancel();
    const location = start.headers.get("location");
    if (!location) throw new OciError("registry-error", `registry ${this.registry} started an upload without a Location`);
    const url = new URL(location, this.base);
    url.searchParams.set("digest", descriptor.digest);
    const done = await this.request("PUT", url.toString(), {
      headers: { "content-type": "application/octet-stream", "content-length": String(bytes.length) },
      body: bytes,
    });
    if (done.status !== 201) throw await this.failure(done, `the upload of ${what}`);
    await done.body?.cancel();
    return "uploaded";
  }

  /** Pushes manifest bytes as they are; returns their digest after checking the registry's echo. */
  async putManifest(reference: string, bytes: Uint8Array, mediaType: string): Promise<string> {
    const digest = sha256Digest(bytes);
    const res = await this.request("PUT", `/v2/${this.repository}/manifests/${reference}`, {
      headers: { "content-type": mediaType },
      body: bytes,
    });
    if (res.status !== 201) throw await this.failure(res, `manifest ${reference}`);
    await res.body?.cancel();
    const echoed = res.headers.get("docker-content-digest");
    if (echoed && echoed !== digest) {
      throw new OciError("digest-mismatch", `digest mismatch for manifest ${reference}: registry stored ${echoed}, sent ${digest}`);
    }
    return digest;
  }
}
