/**
 * @module filters/payload-guard/stream-errors
 * The last event of a stream the guard blocks, in the provider's own in-stream error format, so
 * the client's SDK raises a normal API error: OpenAI Chat/Completions `data: {"error":{…}}`,
 * Responses `event: error` with `{"type":"error","code","message","param","sequence_number"}`,
 * Anthropic `event: error` with `{"type":"error","error":{"type","message"}}`, Gemini
 * `data: {"error":{"code","message","status"}}`; Gemini's JSON-array stream (no `alt=sse`) ends
 * with that error object as its last element and the closing `]`.
 */
import { jsonStringLiteral } from "../lib/json/escape";
import { ApiKind } from "../lib/llm/api";
import { UsageDialect, usageDialect } from "../lib/llm/usage-counts";

function lit(s: string): string {
  return String.UTF8.decode(jsonStringLiteral(Uint8Array.wrap(String.UTF8.encode(s, false))).buffer);
}

export function blockedStreamEvent(kind: ApiKind, status: i32, message: string, code: string = "content_blocked"): Uint8Array {
  const m = lit(message);
  let s: string;
  switch (usageDialect(kind)) {
    case UsageDialect.Anthropic:
      s = 'event: error\ndata: {"type":"error","error":{"type":"invalid_request_error","message":' + m + "}}\n\n";
      break;
    case UsageDialect.Responses:
      s = 'event: error\ndata: {"type":"error","code":"' + code + '","message":' + m + ',"param":null,"sequence_number":0}\n\n';
      break;
    case UsageDialect.Gemini:
      s = 'data: {"error":{"code":' + status.toString() + ',"message":' + m + ',"status":"INVALID_ARGUMENT"}}\n\n';
      break;
    default:
      s = 'data: {"error":{"message":' + m + ',"type":"invalid_request_error","code":"' + code + '"}}\n\n';
  }
  return Uint8Array.wrap(String.UTF8.encode(s, false));
}

/** The end of a blocked Gemini JSON-array stream: the error as a last element, then `]` (`started`: the `[` went out). */
export function blockedArrayEnd(started: bool, status: i32, message: string): Uint8Array {
  const s = (started ? ",\r\n" : "[") + '{"error":{"code":' + status.toString() + ',"message":' + lit(message) + ',"status":"INVALID_ARGUMENT"}}\r\n]';
  return Uint8Array.wrap(String.UTF8.encode(s, false));
}
