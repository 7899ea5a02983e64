/**
 * @module test/oci/fixtures
 * Small things the distribution tests share: a generated valid Wasm module (header plus
 * a custom section, so each test can make distinct bytes), temporary directories, and
 * running the real `tollgate` CLI as a child process with stdin and env.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function leb128(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

/** `\0asm` version 1 plus one custom section named `tollgate-test` holding `payload`. */
export function tinyWasm(payload = "hello"): Uint8Array {
  const name = Buffer.from("tollgate-test");
  const data = Buffer.from(payload);
  const body = [...leb128(name.length), ...name, ...data];
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x00, ...leb128(body.length), ...body]);
}

export function tempDir(prefix = "tollgate-oci-"): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const emptyHome = mkdtempSync(join(tmpdir(), "tollgate-home-"));
process.on("exit", () => rmSync(emptyHome, { recursive: true, force: true }));

/**
 * The environment minus every credential source (auth files, DOCKER_CONFIG, a HOME with
 * a ~/.docker), so that a test sees only the credentials it sets up itself.
 */
export function isolatedEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: emptyHome };
  delete env.DOCKER_CONFIG;
  delete env.REGISTRY_AUTH_FILE;
  delete env.XDG_RUNTIME_DIR;
  delete env.TOLLGATE_DEBUG;
  return { ...env, ...extra };
}

/** Runs `tollgate <args>` exactly as a user would (bin.mjs under node), in an isolated environment by default. */
export function tollgate(args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliRun> {
  return run(process.execPath, [join(ROOT, "controller/cli/bin.mjs"), ...args], { ...opts, env: opts.env ?? isolatedEnv() });
}

export function run(cmd: string, args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.stdin ?? "");
  });
}
