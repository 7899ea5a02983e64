/**
 * @module controller/oci/cli-options
 * The registry flags every distribution command shares (`--plain-http`, `--username`,
 * `--password-stdin`) and how they combine with the Docker/Podman credential files.
 * A password is only ever read from stdin, never from the command line, where it would
 * land in shell history and process listings.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { CredentialSet, ResolveOptions } from "../api/module-resolver.ts";
import { loadCredentialFiles } from "./credentials.ts";
import { CliError } from "../cli/errors.ts";
import { OciError } from "./errors.ts";

export const REGISTRY_FLAGS = {
  "plain-http": { type: "boolean" },
  username: { type: "string" },
  "password-stdin": { type: "boolean" },
} as const;

export const REGISTRY_FLAGS_HELP = [
  "  --plain-http          talk HTTP, not HTTPS (local registries)",
  "  --username NAME       log in as NAME; the password is read from stdin",
  "  --password-stdin      read the password from stdin (with --username)",
  "Without --username, credentials come from $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json",
  "or $DOCKER_CONFIG/config.json (default ~/.docker/config.json).",
].join("\n");

export interface RegistryFlagValues {
  "plain-http"?: boolean;
  username?: string;
  "password-stdin"?: boolean;
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

/** Resolve options for `registry`: file credentials, overridden by --username/--password-stdin. */
export async function registryOptions(flags: RegistryFlagValues, registry: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<ResolveOptions> {
  if (flags["password-stdin"] && !flags.username) throw new OciError("bad-input", "--password-stdin needs --username");
  if (flags.username && !flags["password-stdin"]) throw new OciError("bad-input", "--username needs --password-stdin (the password is read from stdin)");
  const credentials: CredentialSet = loadCredentialFiles();
  if (flags.username) {
    const password = (await readAll(stdin)).replace(/\r?\n$/, "");
    if (!password) throw new OciError("bad-input", "--password-stdin read an empty password");
    credentials[registry] = { username: flags.username, password };
  }
  return { plainHttp: Boolean(flags["plain-http"]), credentials };
}

/** An OciError as the CLI reports it: exit 2 for bad input, 1 for everything the registry said. */
export function cliError(err: unknown): unknown {
  if (err instanceof OciError) return new CliError(err.message, err.kind === "bad-input" || err.kind === "bad-reference" ? 2 : 1);
  return err;
}

/** Parses a command's flags; a malformed command line is a usage error (exit 2). */
export function parseFlags<T extends ParseArgsConfig["options"]>(command: string, args: string[], options: T) {
  try {
    return parseArgs({ args, allowPositionals: true, options: { ...options, help: { type: "boolean", short: "h" } } as T & { help: { type: "boolean"; short: "h" } } });
  } catch (err) {
    throw new CliError(`${(err as Error).message.split("\n")[0]} (see tollgate ${command} --help)`, 2);
  }
}
