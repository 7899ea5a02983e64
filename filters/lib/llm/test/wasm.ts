/**
 * @module filters/lib/llm/test/wasm
 * Loads the `lib-llm-tests` module (through the lib's loader) and wraps its exports in typed
 * helpers that put bytes in, call, and parse the JSON the module writes back. A trap surfaces
 * as a thrown `WebAssembly.RuntimeError`, so a helper that returns has not trapped.
 */
import { loadLib, type LibModule } from "../../test/wasm.ts";

export const ApiKind = {
  Unknown: 0, OpenAIChat: 1, OpenAICompletions: 2, OpenAIEmbeddings: 3, OpenAIResponses: 4,
  OpenAIResponsesInputTokens: 5, AnthropicMessages: 6, AnthropicCountTokens: 7, GeminiGenerate: 8,
  GeminiStream: 9, GeminiCountTokens: 10,
} as const;

export const LlmError = {
  None: 0, NotJson: 1, NotObject: 2, MissingModel: 3, EmptyModel: 4, WrongType: 5, DuplicateField: 6,
  BadPathModel: 7, OutOfRange: 8,
} as const;

export interface ApiMatchJson {
  kind: number; name: string; provider: number; pathModel: string | null; altSse: boolean;
  prefix: number; error: number; streamFormat: number;
}

export interface FactsJson {
  error: number; errorAt: number; errorField: string; detail: number; message: string;
  model: string | null; modelFromPath: boolean; modelStart: number; modelEnd: number; modelEscaped: boolean;
  stream: boolean; streamInBody: boolean; maxOutputTokens: number; maxOutputField: string; choices: number;
  includeUsage: number; hasStreamOptions: boolean; hasImages: boolean; hasTools: boolean; hasServerContext: boolean; messageCount: number;
  lastUserMessage: number; lastUser: [number, number][]; texts: [number, number, number, number, number, number][];
  promptTokens: number; tokenIdCount: number; toolTokens: number;
}

export interface LlmModule {
  lib: LibModule;
  x: Record<string, any>;
  setPrefixes(prefixes: string[]): void;
  recognize(method: string, path: string): ApiMatchJson;
  apiName(kind: number): string;
  read(kind: number, body: string | Uint8Array, pathModel?: string | null): FactsJson & { bytes: Uint8Array };
  check(kind: number, body: Uint8Array): number;
  headerSafe(model: string | Uint8Array): boolean;
  /** Decodes a raw JSON string span of `bytes` (escapes included) to its text. */
  spanText(bytes: Uint8Array, start: number, end: number): string;
  outputJson(): any;
}

export async function loadLlm(): Promise<LlmModule> {
  const lib = await loadLib("lib-llm-tests");
  const x = lib.exports;
  const withBytes = <T>(data: string | Uint8Array, f: (p: { ptr: number; len: number }) => T): T => {
    const p = lib.put(data);
    try { return f(p); } finally { lib.free(p); }
  };
  const m: LlmModule = {
    lib, x,
    setPrefixes(prefixes) { withBytes(prefixes.join("\0"), (p) => x.apiSetPrefixes(p.ptr, p.len)); },
    recognize(method, path) {
      return withBytes(method, (mp) => withBytes(path, (pp) => { x.apiRecognize(mp.ptr, mp.len, pp.ptr, pp.len); return m.outputJson(); }));
    },
    apiName(kind) { x.apiNameOf(kind); return m.outputJson().name; },
    read(kind, body, pathModel = null) {
      const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
      const pm = pathModel === null ? null : lib.put(pathModel);
      try {
        return withBytes(bytes, (p) => {
          x.requestRead(kind, p.ptr, p.len, pm ? pm.ptr : 0, pm ? pm.len : -1);
          return { ...m.outputJson(), bytes };
        });
      } finally { if (pm) lib.free(pm); }
    },
    check(kind, body) { return withBytes(body, (p) => x.requestCheck(kind, p.ptr, p.len)); },
    headerSafe(model) { return withBytes(model, (p) => x.modelHeaderSafe(p.ptr, p.len)) === 1; },
    spanText(bytes, start, end) { return JSON.parse(`"${new TextDecoder().decode(bytes.subarray(start, end))}"`); },
    outputJson() { return JSON.parse(lib.outputText()); },
  };
  return m;
}
