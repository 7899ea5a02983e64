/**
 * @module filters/lib/api
 * Recognising the LLM API a request speaks from its method and path, and reading the model
 * where it sits in the path (Gemini, Vertex AI, Claude on Vertex, Azure OpenAI deployments).
 * Paths are matched by suffix because OpenAI-compatible services mount the same API under
 * other prefixes (`/openai/v1/…`, `/v1beta/openai/…`). Query strings are ignored.
 */

export const enum ApiKind {
  Unknown = 0,
  ChatCompletions = 1,
  Completions = 2,
  Embeddings = 3,
  Responses = 4,
  ResponsesInputTokens = 5,
  Messages = 6,
  MessagesCountTokens = 7,
  GeminiGenerate = 8,
  GeminiStreamGenerate = 9,
  GeminiCountTokens = 10,
  VertexClaudeRawPredict = 11,
  VertexClaudeStreamRawPredict = 12,
}

/** The path without query string or fragment. */
function pathOnly(path: string): string {
  let end = path.length;
  const q = path.indexOf("?");
  if (q >= 0) end = q;
  const h = path.indexOf("#");
  if (h >= 0 && h < end) end = h;
  return end == path.length ? path : path.substring(0, end);
}

/** Which API a request targets; `Unknown` for anything but POST to a known endpoint. */
export function apiKind(method: string, path: string): ApiKind {
  if (method != "POST") return ApiKind.Unknown;
  const p = pathOnly(path);
  if (p.endsWith("/chat/completions")) return ApiKind.ChatCompletions;
  if (p.endsWith("/completions")) return ApiKind.Completions;
  if (p.endsWith("/embeddings")) return ApiKind.Embeddings;
  if (p.endsWith("/responses/input_tokens")) return ApiKind.ResponsesInputTokens;
  if (p.endsWith("/responses")) return ApiKind.Responses;
  if (p.endsWith("/messages/count_tokens")) return ApiKind.MessagesCountTokens;
  if (p.endsWith("/messages")) return ApiKind.Messages;
  if (p.includes("/models/")) {
    if (p.endsWith(":streamGenerateContent")) return ApiKind.GeminiStreamGenerate;
    if (p.endsWith(":generateContent")) return ApiKind.GeminiGenerate;
    if (p.endsWith(":countTokens")) return ApiKind.GeminiCountTokens;
    if (p.includes("/publishers/anthropic/models/")) {
      if (p.endsWith("/count-tokens:rawPredict")) return ApiKind.MessagesCountTokens;
      if (p.endsWith(":streamRawPredict")) return ApiKind.VertexClaudeStreamRawPredict;
      if (p.endsWith(":rawPredict")) return ApiKind.VertexClaudeRawPredict;
    }
  }
  return ApiKind.Unknown;
}

/** True for kinds whose model is in the path rather than the body. */
export function modelInPath(kind: ApiKind): bool {
  return kind >= ApiKind.GeminiGenerate && kind <= ApiKind.VertexClaudeStreamRawPredict;
}

/** True when the request asks for a stream by its endpoint (Gemini); others say so in the body. */
export function streamsByEndpoint(kind: ApiKind): bool {
  return kind == ApiKind.GeminiStreamGenerate || kind == ApiKind.VertexClaudeStreamRawPredict;
}

/**
 * The model named in the path: the segment after the last `/models/` up to `:` (Gemini,
 * Vertex), or after `/deployments/` (Azure OpenAI dated API); percent-decoded. Null when there
 * is none, when it is empty, or when its percent-encoding is invalid.
 */
export function modelFromPath(path: string): string | null {
  const p = pathOnly(path);
  let start = p.lastIndexOf("/models/");
  let stop = -1;
  if (start >= 0) {
    start += 8;
    stop = p.indexOf(":", start);
    const slash = p.indexOf("/", start);
    if (stop < 0 || (slash >= 0 && slash < stop)) stop = slash;
    if (stop < 0) stop = p.length;
  } else {
    start = p.indexOf("/deployments/");
    if (start < 0) return null;
    start += 13;
    stop = p.indexOf("/", start);
    if (stop < 0) stop = p.length;
  }
  if (stop <= start) return null;
  const model = percentDecode(p.substring(start, stop));
  if (model === null || model!.length == 0) return null;
  return model;
}

function hex(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/** `%XX` decoding to UTF-8 bytes then text; null for a malformed escape or invalid UTF-8. */
export function percentDecode(s: string): string | null {
  if (!s.includes("%")) return s;
  const bytes = String.UTF8.encode(s, false);
  const src = changetype<usize>(bytes);
  const n = bytes.byteLength;
  const out = new Uint8Array(n);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u8>(src + <usize>i);
    if (c != 0x25) { out[o++] = <u8>c; continue; }
    if (i + 2 >= n) return null;
    const hi = hex(<i32>load<u8>(src + <usize>i + 1)), lo = hex(<i32>load<u8>(src + <usize>i + 2));
    if (hi < 0 || lo < 0) return null;
    out[o++] = <u8>((hi << 4) | lo);
    i += 2;
  }
  if (!isValidUtf8(out.dataStart, <usize>o)) return null;
  return String.UTF8.decodeUnsafe(out.dataStart, <usize>o, false);
}

import { isValidUtf8 } from "./utf8";
