/**
 * @module filters/lib/test/exports-patch
 * Thin exports over the JSON patcher and escaper for the uvu tests. Each writes the new body
 * to the output buffer and returns the error code (0 on success); `errorAt` has the offset.
 */
import { setPath, removeField, replaceInString, appendToRoot, PatchResult } from "../json/patcher";
import { RequestReader } from "../llm/request";
import { ApiKind } from "../llm/api";
import { jsonStringLiteral } from "../json/escape";
import { JsonKey } from "../json/key";
import { output, setError } from "./common";

function bytes(ptr: usize, len: i32): Uint8Array {
  const b = new Uint8Array(len);
  memory.copy(b.dataStart, ptr, <usize>len);
  return b;
}

function keys(ptr: usize, len: i32): StaticArray<JsonKey> {
  const names = String.UTF8.decodeUnsafe(ptr, <usize>len, false).split(".");
  const out = new StaticArray<JsonKey>(names.length);
  for (let i = 0; i < names.length; i++) out[i] = new JsonKey(names[i]);
  return out;
}

function deliver(r: PatchResult): i32 {
  output.reset();
  setError(r.error, r.errorAt);
  if (r.ok) output.appendBytes(r.body!);
  return <i32>r.error;
}

/** `path` is dot-separated (test keys contain no dots). */
export function patchSetPath(ptr: usize, len: i32, pathPtr: usize, pathLen: i32, valuePtr: usize, valueLen: i32): i32 {
  return deliver(setPath(bytes(ptr, len), keys(pathPtr, pathLen), bytes(valuePtr, valueLen)));
}

let reader: RequestReader | null = null;

/**
 * Reads the body as an OpenAI chat request, then adds `path` with `appendToRoot` at the reader's
 * `appendAt`. -1 when the reader did not find the body whole or found `stream_options` in it.
 */
export function patchAppendAfterRead(ptr: usize, len: i32, pathPtr: usize, pathLen: i32, valuePtr: usize, valueLen: i32): i32 {
  if (reader === null) reader = new RequestReader();
  const f = reader!.read(ApiKind.OpenAIChat, ptr, len);
  if (!f.ok || !f.streamOptionsAbsent) return -1;
  return deliver(appendToRoot(ptr, len, f.appendAt, keys(pathPtr, pathLen), bytes(valuePtr, valueLen)));
}

export function patchAppendToRoot(ptr: usize, len: i32, appendAt: i32, pathPtr: usize, pathLen: i32, valuePtr: usize, valueLen: i32): i32 {
  return deliver(appendToRoot(ptr, len, appendAt, keys(pathPtr, pathLen), bytes(valuePtr, valueLen)));
}

export function patchRemove(ptr: usize, len: i32, keyPtr: usize, keyLen: i32): i32 {
  return deliver(removeField(bytes(ptr, len), new JsonKey(String.UTF8.decodeUnsafe(keyPtr, <usize>keyLen, false))));
}

export function patchReplaceInString(ptr: usize, len: i32, pos: i32, from: i32, to: i32, textPtr: usize, textLen: i32): i32 {
  return deliver(replaceInString(bytes(ptr, len), pos, from, to, bytes(textPtr, textLen)));
}

export function escapeLiteral(ptr: usize, len: i32): i32 {
  output.reset();
  output.appendBytes(jsonStringLiteral(bytes(ptr, len)));
  return output.length;
}
