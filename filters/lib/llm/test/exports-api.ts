/**
 * @module filters/lib/llm/test/exports-api
 * Thin exports over API recognition: `apiRecognize` takes NUL-separated prefixes and writes
 * the match as JSON to the output buffer.
 */
import { ApiRecognizer, apiName } from "../api";
import { out } from "./json-out";

function text(ptr: usize, len: i32): string { return String.UTF8.decodeUnsafe(ptr, <usize>len, false); }

let recognizer = new ApiRecognizer([]);

/** Sets the configured prefixes (NUL-separated; empty for none). */
export function apiSetPrefixes(ptr: usize, len: i32): void {
  const s = text(ptr, len);
  recognizer = new ApiRecognizer(s.length == 0 ? [] : s.split("\0"));
}

export function apiRecognize(methodPtr: usize, methodLen: i32, pathPtr: usize, pathLen: i32): i32 {
  const m = recognizer.recognize(text(methodPtr, methodLen), text(pathPtr, pathLen));
  return out.begin()
    .int("kind", <i32>m.kind).str("name", m.name).int("provider", <i32>m.provider)
    .bytes("pathModel", m.pathModel).bool("altSse", m.altSse).int("prefix", m.prefix)
    .int("error", <i32>m.error).int("streamFormat", <i32>m.streamFormat).end();
}

export function apiNameOf(kind: i32): i32 {
  return out.begin().str("name", apiName(kind)).end();
}
