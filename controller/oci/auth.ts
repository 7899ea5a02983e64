/**
 * @module controller/oci/auth
 * Answers a registry's 401 challenge: `Basic` (send the credentials) or `Bearer` (fetch a
 * token from the realm for the service and scope, with the credentials if any, and send
 * the token). Tokens are cached per scope until they expire. Nothing here logs or puts a
 * credential or token into an error message.
 */
import type { RegistryCredentials } from "../api/module-resolver.ts";
import { OciError } from "./errors.ts";

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (quoted or token values). */
export function parseChallenge(header: string): Challenge {
  const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(header);
  if (!m) return { scheme: "", params: {} };
  const params: Record<string, string> = {};
  const re = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?\s*/g;
  let p: RegExpExecArray | null;
  while ((p = re.exec(m[2])) !== null) {
    if (p[0] === "") break;
    params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, "$1") : p[3];
  }
  return { scheme: m[1].toLowerCase(), params };
}

function basic(creds: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${creds.username ?? ""}:${creds.password ?? ""}`).toString("base64")}`;
}

interface CachedToken {
  header: string;
  expiresAt: number;
}

export class Authenticator {
  private header: string | undefined;
  private readonly tokens = new Map<string, CachedToken>();

  constructor(
    private readonly registry: string,
    private readonly credentials: RegistryCredentials | undefined,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** The Authorization header to send for `scope`, if one is known. */
  authorization(scope: string): string | undefined {
    const token = this.tokens.get(scope);
    if (token && token.expiresAt > Date.now()) return token.header;
    return this.header;
  }

  private hasCredentials(): boolean {
    return Boolean(this.credentials?.username || this.credentials?.identityToken);
  }

  /**
   * Prepares credentials for a retry after a 401 carrying `wwwAuthenticate`. Returns
   * false when there is nothing new to try (the caller then reports the 401).
   */
  async answer(wwwAuthenticate: string | null, scope: string, signal?: AbortSignal): Promise<boolean> {
    const challenge = parseChallenge(wwwAuthenticate ?? "");
    if (challenge.scheme === "basic") {
      if (!this.credentials?.username || this.header) return false;
      this.header = basic(this.credentials!);
      return true;
    }
    if (challenge.scheme === "bearer") {
      const cached = this.tokens.get(scope);
      if (cached && cached.expiresAt > Date.now()) return false;
      const realm = challenge.params.realm;
      if (!realm) throw new OciError("registry-error", `registry ${this.registry} sent a Bearer challenge without a realm`);
      this.tokens.set(scope, await this.fetchToken(realm, challenge.params.service, scope, signal));
      return true;
    }
    return false;
  }

  private async fetchToken(realm: string, service: string | undefined, scope: string, signal?: AbortSignal): Promise<CachedToken> {
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new OciError("registry-error", `registry ${this.registry} named an invalid token realm`);
    }
    const init: RequestInit = { signal, headers: {} };
    if (this.credentials?.identityToken) {
      // Docker's refresh-token grant: the identity token stands in for a password.
      const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: this.credentials.identityToken, client_id: "tollgate" });
      if (service) form.set("service", service);
      form.set("scope", scope);
      init.method = "POST";
      init.body = form;
    } else {
      if (service) url.searchParams.set("service", service);
      url.searchParams.set("scope", scope);
      if (this.credentials?.username) (init.headers as Record<string, string>).authorization = basic(this.credentials);
    }
    let res: Response;
    try {
      res = await this.fetchImpl(url, init);
    } catch {
      throw new OciError("unreachable", `cannot reach the token service ${url.origin} of registry ${this.registry}`);
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new OciError("unauthorized", `registry ${this.registry} refused the credentials${this.hasCredentials() ? "" : " (none given: use --username with --password-stdin, or a credentials file)"}`);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new OciError("registry-error", `token service ${url.origin} of registry ${this.registry} answered HTTP ${res.status}`);
    }
    const body = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string; expires_in?: number };
    const token = body.token ?? body.access_token;
    if (!token) throw new OciError("registry-error", `token service ${url.origin} of registry ${this.registry} returned no token`);
    // Renew a little early; the spec's default lifetime is 60 s.
    const lifetime = Math.max(10, (body.expires_in ?? 60) - 5);
    return { header: `Bearer ${token}`, expiresAt: Date.now() + lifetime * 1000 };
  }
}
