/**
 * @module test/conformance/snippets
 * Compiles small AssemblyScript programs (written without the SDK, to break one rule on
 * purpose) into wasm bytes in a temporary folder, for the loading and module-shape tests.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import asc from "assemblyscript/asc";

/** Wires AssemblyScript's abort to a `snippetAbort` the snippet defines, as the SDK does for real modules. */
export const OWN_ABORT = ["--use", "abort=main/snippetAbort"];
export const SNIPPET_ABORT = `
function snippetAbort(message: string | null, file: string | null, line: u32, column: u32): void { unreachable(); }`;

/** The ABI marker and one allocator: the least a module needs to load. */
export const MINIMAL = `${SNIPPET_ABORT}
export function proxy_abi_version_0_2_1(): void {}
export function proxy_on_memory_allocate(size: usize): usize { return heap.alloc(size); }`;

export const PROXY_LOG = `
@external("env", "proxy_log") declare function proxy_log(level: i32, ptr: usize, len: usize): i32;
function say(text: string): void { const b = String.UTF8.encode(text); proxy_log(2, changetype<usize>(b), b.byteLength); }`;

/** Compiles `source` as `main.ts` with `asc` and the given flags; throws with asc's output on failure. */
export async function compileSnippet(source: string, args: string[]): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), "tollgate-snippet-"));
  try {
    writeFileSync(join(dir, "main.ts"), source);
    const log: string[] = [];
    const sink = { write: (c: string | Uint8Array) => { log.push(String(c)); return true; } };
    const previous = process.cwd();
    process.chdir(dir);
    try {
      const { error } = await asc.main(["main.ts", "--outFile", "out.wasm", "--optimizeLevel", "1", ...args],
        { stdout: sink as never, stderr: sink as never });
      if (error) throw new Error(`snippet failed to compile:\n${log.join("")}`);
    } finally {
      process.chdir(previous);
    }
    return new Uint8Array(readFileSync(join(dir, "out.wasm")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
