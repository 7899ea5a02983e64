/**
 * @module filters/model-router/test-support
 * Loading the built router into the harness and sending LLM requests through it, for the
 * router's tests and its benchmark.
 */
import { fileURLToPath } from "node:url";
import { Host, type HostOptions, type HttpStream } from "../../harness/index.ts";

export const ROUTER_WASM = fileURLToPath(new URL("../../dist/filters/model-router.wasm", import.meta.url));

/** Loads the router; `holdHeaders` (default true) also sets the harness's `allowOnHeadersStopIteration`, as the controller renders both. */
export function loadRouter(config: Record<string, unknown> = {}, options: HostOptions = {}): Promise<Host> {
  const hold = (config.holdHeaders as boolean | undefined) ?? true;
  return Host.load(ROUTER_WASM, {
    rootId: "model-router",
    pluginConfig: { holdHeaders: hold, ...config },
    allowOnHeadersStopIteration: hold,
    ...options,
  });
}

export const CHAT = "/v1/chat/completions";

export function postHeaders(path: string, extra: Record<string, string> = {}, body?: string | Uint8Array): Record<string, string> {
  const h: Record<string, string> = { ":method": "POST", ":path": path, ":authority": "gateway.local", ":scheme": "http", "content-type": "application/json", ...extra };
  if (body !== undefined && !("content-length" in extra)) h["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.length);
  return h;
}

export function chatBody(model: string, text = "hello", extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model, messages: [{ role: "user", content: text }], ...extra });
}

/** Sends one request (headers with content-length, then the body in the given chunks) and the default 200 response. */
export async function send(host: Host, path: string, body: string | Uint8Array, opts: { headers?: Record<string, string>; chunks?: Array<string | Uint8Array>; chunked?: boolean } = {}): Promise<HttpStream> {
  const extra = { ...(opts.headers ?? {}) };
  const headers = postHeaders(path, extra, opts.chunked ? undefined : body);
  return host.run({ request: { headers, bodyChunks: opts.chunks ?? [body] } });
}
