/**
 * @module controller/oci/credentials
 * Registry credentials from the files Docker and Podman write, in the order Podman
 * reads them: `REGISTRY_AUTH_FILE`, then `$XDG_RUNTIME_DIR/containers/auth.json`, then
 * Docker's `config.json` (in `DOCKER_CONFIG`, else `~/.docker`). The first file naming a
 * host wins. Credential helpers (`credsStore`, `credHelpers`) are not run.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { CredentialSet, RegistryCredentials } from "../api/module-resolver.ts";
import { OciError } from "./errors.ts";

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

/** `https://host:port/v1/` and `host:port` both name the host `host:port`. */
export function registryKey(key: string): string {
  return key.replace(/^[a-z]+:\/\//, "").split("/")[0];
}

function decodeEntry(entry: AuthEntry, file: string, host: string): RegistryCredentials {
  const creds: RegistryCredentials = {};
  if (entry.auth) {
    const plain = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = plain.indexOf(":");
    if (colon < 0) throw new OciError("bad-input", `credentials file ${file}: the 'auth' entry for ${host} is not base64 of user:password`);
    creds.username = plain.slice(0, colon);
    creds.password = plain.slice(colon + 1);
  } else {
    if (entry.username) creds.username = entry.username;
    if (entry.password) creds.password = entry.password;
  }
  if (entry.identitytoken) creds.identityToken = entry.identitytoken;
  return creds;
}

/** Reads one Docker/Podman auth file into a CredentialSet (empty when the file does not exist). */
export function readAuthFile(file: string): CredentialSet {
  if (!existsSync(file)) return {};
  let doc: { auths?: Record<string, AuthEntry> };
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw new OciError("bad-input", `credentials file ${file} is not valid JSON`);
  }
  const out: CredentialSet = {};
  for (const [key, entry] of Object.entries(doc.auths ?? {})) {
    const host = registryKey(key);
    if (!(host in out) && entry && typeof entry === "object") out[host] = decodeEntry(entry, file, host);
  }
  return out;
}

/** The auth files consulted, most specific first. */
export function authFilePaths(env: NodeJS.ProcessEnv = process.env, home = homedir()): string[] {
  const files: string[] = [];
  if (env.REGISTRY_AUTH_FILE) files.push(env.REGISTRY_AUTH_FILE);
  if (env.XDG_RUNTIME_DIR) files.push(join(env.XDG_RUNTIME_DIR, "containers", "auth.json"));
  files.push(join(env.DOCKER_CONFIG ?? join(home, ".docker"), "config.json"));
  return files;
}

/** Every host's credentials from the auth files; earlier files win. */
export function loadCredentialFiles(env: NodeJS.ProcessEnv = process.env, home = homedir()): CredentialSet {
  const merged: CredentialSet = {};
  for (const file of authFilePaths(env, home)) {
    for (const [host, creds] of Object.entries(readAuthFile(file))) {
      if (!(host in merged)) merged[host] = creds;
    }
  }
  return merged;
}
