/**
 * @module filters/lib/test/wasm
 * Loads the `lib-tests` module with plain `WebAssembly.instantiate`, giving it tiny recording
 * stand-ins for the host imports it declares (`env.proxy_log`, WASI), and copies bytes in and
 * out of its memory. A trap surfaces as a thrown `WebAssembly.RuntimeError`, so a test that
 * completes has also shown that nothing trapped.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export interface LibModule {
  exports: Record<string, any>;
  memory: WebAssembly.Memory;
  /** Messages the module logged through `proxy_log` (an abort logs before trapping). */
  logs: string[];
  /** Names of host imports the module called. */
  calls: string[];
  /** Copies bytes (or a string's UTF-8) into freshly allocated wasm memory. */
  put(data: Uint8Array | string): { ptr: number; len: number };
  /** Releases memory obtained from `put`. */
  free(p: { ptr: number }): void;
  /** Copies `len` bytes at `ptr` out of wasm memory. */
  read(ptr: number, len: number): Uint8Array;
  /** The test module's output buffer, as bytes and as text. */
  output(): Uint8Array;
  outputText(): string;
  result(i: number): number;
}

export async function loadLib(name = "lib-tests"): Promise<LibModule> {
  const bytes = readFileSync(join(ROOT, "dist/test", `${name}.wasm`));
  const module = await WebAssembly.compile(bytes);
  const logs: string[] = [];
  const calls: string[] = [];
  let memory!: WebAssembly.Memory;
  const imports: Record<string, Record<string, Function>> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== "function") continue;
    imports[imp.module] ??= {};
    imports[imp.module][imp.name] = (...args: number[]) => {
      calls.push(`${imp.module}.${imp.name}`);
      if (imp.name === "proxy_log") {
        logs.push(new TextDecoder().decode(new Uint8Array(memory.buffer, args[1], args[2])));
      } else if (imp.name === "random_get") {
        new Uint8Array(memory.buffer, args[0], args[1]).fill(7);
      }
      return 0;
    };
  }
  const instance = await WebAssembly.instantiate(module, imports as WebAssembly.Imports);
  const exports = instance.exports as Record<string, any>;
  memory = exports.memory as WebAssembly.Memory;
  exports._initialize?.();
  const lib: LibModule = {
    exports,
    memory,
    logs,
    calls,
    put(data) {
      const b = typeof data === "string" ? new TextEncoder().encode(data) : data;
      const ptr = exports.alloc(b.length) as number;
      new Uint8Array(memory.buffer, ptr, b.length).set(b);
      return { ptr, len: b.length };
    },
    free(p) { exports.free(p.ptr); },
    read(ptr, len) { return new Uint8Array(memory.buffer, ptr, len).slice(); },
    output() { return lib.read(exports.outputPtr(), exports.outputLen()); },
    outputText() { return new TextDecoder().decode(lib.output()); },
    result(i) { return exports.result(i); },
  };
  return lib;
}

/** JS mirror of `LibError` (filters/lib/errors.ts), for readable assertions. */
export const LibError = {
  None: 0, UnexpectedEnd: 1, UnexpectedByte: 2, InvalidUtf8: 3, InvalidEscape: 4, UnpairedSurrogate: 5,
  ControlCharacter: 6, NumberSyntax: 7, NumberOutOfRange: 8, TooDeep: 9, DuplicateKey: 10, NotFound: 11,
  TypeMismatch: 12, TrailingData: 13, TooLarge: 14, InvalidDuration: 15, InvalidSpan: 16, InvalidPattern: 17,
  NotAnInteger: 18,
} as const;

export const JSON_END = -1;
export const JSON_FAIL = -2;
