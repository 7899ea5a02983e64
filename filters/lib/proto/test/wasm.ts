/**
 * @module filters/lib/proto/test/wasm
 * Loads the `lib-proto-tests` module with plain `WebAssembly.instantiate`, standing in for the
 * only imports it declares (`env.proxy_log` for aborts, WASI for the clock and randomness), and
 * wraps its exports in typed helpers: build and encode a request, decode a response. A trap
 * surfaces as a thrown `WebAssembly.RuntimeError`, so a call that returns has not trapped.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { RateLimitRequest } from "../../../../test/rls/proto/rls.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

/** JS mirror of the `LibError` codes the proto reader reports (filters/lib/errors.ts). */
export const ProtoError = { None: 0, UnexpectedEnd: 1, UnexpectedByte: 2, InvalidUtf8: 3, NumberOutOfRange: 8, TooLarge: 14 } as const;

export interface DecodeOutcome {
  ok: boolean;
  /** The decoded response rendered by the module (see test/entry.ts `respJson`). */
  json?: any;
  error: number;
  errorAt: number;
}

export interface ProtoModule {
  exports: Record<string, any>;
  memory: WebAssembly.Memory;
  logs: string[];
  put(data: Uint8Array | string): { ptr: number; len: number };
  free(p: { ptr: number }): void;
  output(): Uint8Array;
  outputText(): string;
  /** Builds `req` through the module's builder calls and returns the encoded bytes. */
  encode(req: RateLimitRequest): Uint8Array;
  /** Same, without encoding (for repeated-encode checks). */
  build(req: RateLimitRequest): void;
  decode(bytes: Uint8Array): DecodeOutcome;
}

export async function loadProto(): Promise<ProtoModule> {
  const module = await WebAssembly.compile(readFileSync(join(ROOT, "dist/test/lib-proto-tests.wasm")));
  const logs: string[] = [];
  let memory!: WebAssembly.Memory;
  const imports: Record<string, Record<string, Function>> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== "function") continue;
    imports[imp.module] ??= {};
    imports[imp.module][imp.name] = (...args: number[]) => {
      if (imp.name === "proxy_log") logs.push(new TextDecoder().decode(new Uint8Array(memory.buffer, args[1], args[2])));
      else if (imp.name === "random_get") new Uint8Array(memory.buffer, args[0], args[1]).fill(7);
      return 0;
    };
  }
  const instance = await WebAssembly.instantiate(module, imports as WebAssembly.Imports);
  const x = instance.exports as Record<string, any>;
  memory = x.memory as WebAssembly.Memory;
  x._initialize?.();

  const put = (data: Uint8Array | string) => {
    const b = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const ptr = x.alloc(b.length) as number;
    new Uint8Array(memory.buffer, ptr, b.length).set(b);
    return { ptr, len: b.length };
  };
  const free = (p: { ptr: number }) => x.free(p.ptr);
  const output = () => new Uint8Array(memory.buffer, x.outputPtr(), x.outputLen()).slice();
  const withStrings = (strings: string[], fn: (...ps: { ptr: number; len: number }[]) => void) => {
    const ps = strings.map(put);
    try { fn(...ps); } finally { ps.forEach(free); }
  };
  const build = (req: RateLimitRequest) => {
    withStrings([req.domain], (d) => x.reqNew(d.ptr, d.len));
    x.reqHits(req.hitsAddend >>> 0);
    for (const desc of req.descriptors) {
      x.descNew();
      for (const e of desc.entries) withStrings([e.key, e.value], (k, v) => x.descEntry(k.ptr, k.len, v.ptr, v.len));
      if (desc.limit) x.descLimit(desc.limit.requestsPerUnit >>> 0, desc.limit.unit);
      if (desc.hitsAddend !== undefined) x.descHits(BigInt(desc.hitsAddend));
    }
  };
  return {
    exports: x,
    memory,
    logs,
    put,
    free,
    output,
    outputText: () => new TextDecoder().decode(output()),
    build,
    encode(req) {
      build(req);
      const n = x.reqEncode();
      if (n < 0) throw new Error("encoder reported a size mismatch");
      return output();
    },
    decode(bytes) {
      const p = put(bytes);
      try {
        const ok = x.respDecode(p.ptr, p.len) === 1;
        const outcome: DecodeOutcome = { ok, error: x.error(), errorAt: x.errorAt() };
        if (ok) {
          x.respJson();
          outcome.json = JSON.parse(new TextDecoder().decode(output()));
        }
        return outcome;
      } finally {
        free(p);
      }
    },
  };
}
