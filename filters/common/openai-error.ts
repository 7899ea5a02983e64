/**
 * @module filters/common/openai-error
 * Answering a client locally with an OpenAI-style error body
 * `{"error":{"message":…,"type":…,"code":…}}`, the shape OpenAI SDKs (and most
 * OpenAI-compatible clients) parse, so a gateway refusal reads like an upstream one.
 *
 * @example
 *   sendOpenAIError(400, "invalid_request_error", "model_not_found", "you must provide a model parameter", "tollgate_router_no_model");
 *   return FilterHeadersStatus.StopIteration;
 */
import { HeaderPair, sendLocalResponse, Status } from "../sdk/index";
import { jsonStringLiteral } from "../lib/json/escape";

function literal(s: string): Uint8Array {
  return jsonStringLiteral(Uint8Array.wrap(String.UTF8.encode(s, false)));
}

/** The error body as UTF-8 JSON bytes; `code` empty gives `"code":null`. */
export function openAIErrorBody(type: string, code: string, message: string): ArrayBuffer {
  const m = literal(message), t = literal(type);
  const c = code.length > 0 ? literal(code) : Uint8Array.wrap(String.UTF8.encode("null", false));
  const head = Uint8Array.wrap(String.UTF8.encode('{"error":{"message":', false));
  const typeKey = Uint8Array.wrap(String.UTF8.encode(',"type":', false));
  const codeKey = Uint8Array.wrap(String.UTF8.encode(',"code":', false));
  const n = head.length + m.length + typeKey.length + t.length + codeKey.length + c.length + 2;
  const out = new Uint8Array(n);
  let o = 0;
  out.set(head, o); o += head.length;
  out.set(m, o); o += m.length;
  out.set(typeKey, o); o += typeKey.length;
  out.set(t, o); o += t.length;
  out.set(codeKey, o); o += codeKey.length;
  out.set(c, o); o += c.length;
  out[o++] = 0x7d;
  out[o++] = 0x7d;
  return out.buffer;
}

/**
 * Sends `status` with the error body and `content-type: application/json`. `details` shows in
 * Envoy's access log as the response code details. The reply is deferred by the host until the
 * callback returns; return a Stop status from it.
 */
export function sendOpenAIError(status: u32, type: string, code: string, message: string, details: string): Status {
  const headers: HeaderPair[] = [HeaderPair.of("content-type", "application/json")];
  return sendLocalResponse(status, details, openAIErrorBody(type, code, message), headers);
}
