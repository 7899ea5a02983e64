/**
 * @module test/oci/registry
 * Starts Debian's `docker-registry` (the CNCF distribution registry) on a free
 * 127.0.0.1 port with a temporary configuration and storage, anonymous, with htpasswd
 * basic auth, or behind a bearer token service, over plain HTTP or TLS; `stop()` kills it
 * by its pid and removes the directory.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync, mkdirSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { run, tempDir } from "./fixtures.ts";

export type RegistryAuth =
  | { kind: "none" }
  | { kind: "htpasswd"; users: Record<string, string> }
  | { kind: "token"; realm: string; service: string; issuer: string; certFile: string };

export interface RunningRegistry {
  /** `127.0.0.1:<port>`, as written in image references. */
  host: string;
  url: string;
  dir: string;
  log(): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolvePromise(port));
    });
  });
}

/**
 * A bcrypt htpasswd line. Node has no bcrypt; perl (essential on Debian) calls the
 * system crypt(3), whose libxcrypt implements `$2b$`, which the registry accepts.
 */
export async function htpasswdLine(user: string, password: string): Promise<string> {
  const alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const salt = Array.from({ length: 22 }, () => alphabet[Math.floor(Math.random() * 64)]).join("");
  const out = await run("perl", ["-e", "print crypt($ARGV[0], $ARGV[1])", password, `$2b$05$${salt}`]);
  if (out.code !== 0 || !out.stdout.startsWith("$2b$05$")) throw new Error(`crypt(3) produced no bcrypt hash: ${out.stderr}`);
  return `${user}:${out.stdout}`;
}

function authBlock(auth: RegistryAuth, dir: string, lines: string[]): string {
  if (auth.kind === "none") return "";
  if (auth.kind === "htpasswd") {
    const file = join(dir, "htpasswd");
    writeFileSync(file, lines.join("\n") + "\n");
    return `auth:\n  htpasswd:\n    realm: tollgate-test\n    path: ${file}\n`;
  }
  return `auth:\n  token:\n    realm: ${auth.realm}\n    service: ${auth.service}\n    issuer: ${auth.issuer}\n    rootcertbundle: ${auth.certFile}\n`;
}

/** A self-signed certificate for 127.0.0.1 (openssl CLI), for a registry that speaks HTTPS. */
export async function selfSignedCertificate(dir: string): Promise<{ certFile: string; keyFile: string }> {
  const certFile = join(dir, "tls.crt");
  const keyFile = join(dir, "tls.key");
  const out = await run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]);
  if (out.code !== 0) throw new Error(`openssl failed: ${out.stderr}`);
  return { certFile, keyFile };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => { socket.destroy(); resolvePromise(true); });
    socket.once("error", () => resolvePromise(false));
  });
}

export async function startRegistry(auth: RegistryAuth = { kind: "none" }, tls?: { certFile: string; keyFile: string }): Promise<RunningRegistry> {
  const dir = tempDir("tollgate-registry-");
  mkdirSync(join(dir.path, "data"));
  const lines = auth.kind === "htpasswd" ? await Promise.all(Object.entries(auth.users).map(([u, p]) => htpasswdLine(u, p))) : [];
  const port = await freePort();
  const config = join(dir.path, "config.yml");
  writeFileSync(config, [
    "version: 0.1",
    "log:",
    "  level: warn",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${join(dir.path, "data")}`,
    "  delete:",
    "    enabled: true",
    "http:",
    `  addr: 127.0.0.1:${port}`,
    ...(tls ? ["  tls:", `    certificate: ${tls.certFile}`, `    key: ${tls.keyFile}`] : []),
    authBlock(auth, dir.path, lines),
  ].join("\n"));
  const child: ChildProcess = spawn("docker-registry", ["serve", config], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  const host = `127.0.0.1:${port}`;
  const url = `${tls ? "https" : "http"}://${host}`;
  const stop = async () => {
    if (child.exitCode === null && child.pid) process.kill(child.pid, "SIGTERM");
    await exited;
    dir.remove();
  };
  const deadline = Date.now() + 30_000; // generous: CI machines may be loaded
  for (;;) {
    if (child.exitCode !== null) {
      dir.remove();
      throw new Error(`docker-registry exited: ${log}`);
    }
    if (await listening(port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not start on ${host}: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { host, url, dir: dir.path, log: () => log, stop };
}

