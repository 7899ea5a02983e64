/**
 * @module filters/token-limit/test-support
 * Loading the built token limiter into the harness and sending LLM exchanges through it, for the
 * limiter's tests and its benchmark.
 */
import { fileURLToPath } from "node:url";
import { Host, type HostOptions, type HttpStream } from "../../harness/index.ts";
import type { LibModule } from "../lib/test/wasm.ts";

export const TOKEN_LIMIT_WASM = fileURLToPath(new URL("../../dist/filters/token-limit.wasm", import.meta.url));

/** The benchmarks' configuration: two limits (per key; per team with weights) whose budgets never refuse, so every exchange does the full accounting. */
export const BENCH_CONFIG = {
  holdHeaders: true,
  models: ["gpt-4o-mini"],
  limits: [
    { name: "per-key", key: { headers: ["x-api-key"] }, tokens: 1_000_000_000, window: "60s" },
    { name: "per-team", key: { headers: ["x-team"] }, tokens: 1_000_000_000, window: "1h", cost: { input: 1, output: 4 } },
  ],
};

/** Loads the limiter; `holdHeaders` (default true) also sets `allowOnHeadersStopIteration`, as the controller renders both. */
export function loadLimiter(config: Record<string, unknown> = {}, options: HostOptions = {}): Promise<Host> {
  const hold = (config.holdHeaders as boolean | undefined) ?? true;
  return Host.load(TOKEN_LIMIT_WASM, {
    rootId: "token-limit",
    pluginConfig: { holdHeaders: hold, ...config },
    allowOnHeadersStopIteration: hold,
    ...options,
  });
}

export const PATHS: Record<string, string> = {
  "openai.chat_completions": "/v1/chat/completions",
  "openai.completions": "/v1/completions",
  "openai.embeddings": "/v1/embeddings",
  "openai.responses": "/v1/responses",
  "anthropic.messages": "/v1/messages",
  "gemini.generate_content": "/v1beta/models/gemini-2.5-flash:generateContent",
  "gemini.stream_generate_content": "/v1beta/models/gemini-2.5-flash:streamGenerateContent",
};

export function requestHeaders(path: string, extra: Record<string, string> = {}, body?: string): Record<string, string> {
  const h: Record<string, string> = { ":method": "POST", ":path": path, ":authority": "gateway.local", ":scheme": "http", "content-type": "application/json", ...extra };
  if (body !== undefined) h["content-length"] = String(Buffer.byteLength(body));
  return h;
}

export function chatBody(text = "hello", extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: text }], ...extra });
}

/** A request body for an API, for the response fixtures of lib/llm. */
export function bodyFor(api: string, stream: boolean): string {
  if (api.startsWith("gemini")) return JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hello" }] }] });
  if (api === "openai.embeddings") return JSON.stringify({ model: "text-embedding-3-small", input: "hello" });
  if (api === "openai.responses") return JSON.stringify({ model: "gpt-4.1-mini", input: "hello", stream });
  // Streams ask for usage themselves here; the injection and stripping have their own tests.
  const opts = stream ? { stream_options: { include_usage: true } } : {};
  if (api === "openai.completions") return JSON.stringify({ model: "gpt-3.5-turbo-instruct", prompt: "hello", stream, ...opts });
  if (api === "anthropic.messages") return JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 100, messages: [{ role: "user", content: "hello" }], stream });
  return JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }], stream, ...opts });
}

export interface Exchange {
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  status?: string;
  contentType?: string;
  responseChunks?: Array<string | Uint8Array>;
  worker?: number;
}

/** One whole exchange through `host`: request (content-length, one chunk), then the response in the given chunks. */
export async function exchange(host: Host, x: Exchange = {}): Promise<HttpStream> {
  const body = x.body ?? chatBody();
  const s = host.stream(x.worker !== undefined ? { worker: x.worker } : undefined);
  s.sendRequestHeaders(requestHeaders(x.path ?? PATHS["openai.chat_completions"], x.headers ?? {}, body), false);
  s.sendRequestBody(body, true);
  await host.settle();
  if (s.localResponse) return s;
  s.sendResponseHeaders({ ":status": x.status ?? "200", "content-type": x.contentType ?? "application/json" }, false);
  const chunks = x.responseChunks ?? ["{}"];
  chunks.forEach((c, i) => s.sendResponseBody(c, i === chunks.length - 1));
  return s;
}

/** An OpenAI chat body with reported usage. */
export function chatResponse(input: number, output: number): string {
  return JSON.stringify({ id: "chatcmpl-1", object: "chat.completion", model: "gpt-4o-mini",
    choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
    usage: { prompt_tokens: input, completion_tokens: output, total_tokens: input + output } });
}

/**
 * `token-limit-bench`'s `meterStreams` over `chunks` (copied into the module once, with the pointer
 * and length tables it reads): meters `streams` streams of them in one call and returns the output
 * tokens the last one reported (-1n when none).
 */
export function chunkMeter(lib: LibModule, chunks: string[]): (streams: number) => bigint {
  const put = chunks.map((c) => lib.put(c));
  const table = (xs: number[]) => lib.put(new Uint8Array(new Uint32Array(xs).buffer));
  const ptrs = table(put.map((c) => c.ptr)), lens = table(put.map((c) => c.len));
  return (streams) => lib.exports.meterStreams(ptrs.ptr, lens.ptr, chunks.length, streams);
}
