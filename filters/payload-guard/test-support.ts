/**
 * @module filters/payload-guard/test-support
 * Loading the built guard into the harness and sending LLM exchanges through it, for the
 * guard's tests and its benchmark.
 */
import { fileURLToPath } from "node:url";
import { Host, type HostOptions, type HttpStream } from "../../harness/index.ts";

export const GUARD_WASM = fileURLToPath(new URL("../../dist/filters/payload-guard.wasm", import.meta.url));

/** Loads the guard; `holdHeaders` (default true) also sets the harness's `allowOnHeadersStopIteration`, as the controller renders both. */
export function loadGuard(config: Record<string, unknown> = {}, options: HostOptions = {}): Promise<Host> {
  const hold = (config.holdHeaders as boolean | undefined) ?? true;
  return Host.load(GUARD_WASM, {
    rootId: "payload-guard",
    pluginConfig: { holdHeaders: hold, ...config },
    allowOnHeadersStopIteration: hold,
    ...options,
  });
}

export const CHAT = "/v1/chat/completions";
export const MESSAGES = "/v1/messages";
export const RESPONSES = "/v1/responses";
export const COMPLETIONS = "/v1/completions";
export const GEMINI = "/v1beta/models/gemini-2.0-flash:generateContent";
export const GEMINI_SSE = "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse";

export function postHeaders(path: string, body?: string | Uint8Array, extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { ":method": "POST", ":path": path, ":authority": "gateway.local", ":scheme": "http", "content-type": "application/json", ...extra };
  if (body !== undefined) h["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.length);
  return h;
}

export function chat(text: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: text }], ...extra });
}

/** Sends a request (with content-length unless `chunked`) and, when it reaches upstream, the given response. */
export async function send(host: Host, path: string, body: string | Uint8Array, opts: {
  chunks?: Array<string | Uint8Array>; chunked?: boolean; response?: { headers?: Record<string, string>; body?: string; bodyChunks?: string[] };
} = {}): Promise<HttpStream> {
  const headers = postHeaders(path, opts.chunked ? undefined : body);
  const response = opts.response ?? { headers: { ":status": "200", "content-type": "application/json" }, body: "{}" };
  return host.run({ request: { headers, bodyChunks: opts.chunks ?? [body] }, response: { headers: response.headers ?? { ":status": "200" }, ...(response.bodyChunks ? { bodyChunks: response.bodyChunks } : { body: response.body ?? "" }) } });
}

/** The user text that reached the upstream (chat shape). */
export function upstreamText(s: HttpStream): string {
  return JSON.parse(s.upstream.bodyText).messages[0].content;
}

export const ALL_BUILTINS = ["email", "phone", "card", "ssn", "ipv4", "iban", "openai_key", "aws_access_key", "github_token", "slack_token", "private_key", "jwt", "prompt_injection"];

/** `{kind: action}` for every built-in kind. */
export function allDetectors(action: "flag" | "redact" | "block"): Record<string, string> {
  return Object.fromEntries(ALL_BUILTINS.map((k) => [k, action]));
}

/** One OpenAI chat-completion stream event carrying `text` as its delta. */
export const chatEvent = (text: string) => `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: text } }] })}\n\n`;
export const DONE = "data: [DONE]\n\n";
export const SSE = { ":status": "200", "content-type": "text/event-stream" };

/** The generated text the client has received so far (OpenAI chat stream). */
export function clientText(s: HttpStream): string {
  let out = "";
  for (const block of s.client.bodyText.split("\n\n")) {
    const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
    if (!data || data === "[DONE]") continue;
    const j = JSON.parse(data);
    out += j.choices?.[0]?.delta?.content ?? "";
  }
  return out;
}
