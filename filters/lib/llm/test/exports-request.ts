/**
 * @module filters/lib/llm/test/exports-request
 * Thin exports over `RequestReader`: `requestRead` writes the facts as JSON (spans as
 * `[start, end, escaped, kind, role, message]`) to the output buffer.
 */
import { RequestReader, isHeaderSafeModel } from "../request";
import { ApiKind } from "../api";
import { SpanList } from "../../json/spans";
import { out } from "./json-out";

const reader = new RequestReader();
const lastUser = new SpanList(8);

/** `pathModelLen` < 0: no path model. */
export function requestRead(kind: i32, ptr: usize, len: i32, pathModelPtr: usize, pathModelLen: i32): i32 {
  let pathModel: Uint8Array | null = null;
  if (pathModelLen >= 0) {
    pathModel = new Uint8Array(pathModelLen);
    memory.copy(pathModel.dataStart, pathModelPtr, <usize>pathModelLen);
  }
  const f = reader.read(<ApiKind>kind, ptr, len, pathModel);
  let spans = "[";
  const t = f.texts;
  for (let i = 0; i < t.length; i++) {
    if (i > 0) spans += ",";
    spans += "[" + t.start(i).toString() + "," + t.end(i).toString() + "," + (t.escaped(i) ? "1" : "0") + "," +
      (<i32>t.kind(i)).toString() + "," + (<i32>t.role(i)).toString() + "," + t.message(i).toString() + "]";
  }
  spans += "]";
  lastUser.reset();
  f.lastUserTexts(lastUser);
  let lu = "[";
  for (let i = 0; i < lastUser.length; i++) {
    if (i > 0) lu += ",";
    lu += "[" + lastUser.start(i).toString() + "," + lastUser.end(i).toString() + "]";
  }
  lu += "]";
  return out.begin()
    .int("error", <i32>f.error).int("errorAt", f.errorAt).str("errorField", f.errorField).int("detail", <i32>f.detail)
    .str("message", f.ok ? "" : f.describe())
    .bytes("model", f.model).bool("modelFromPath", f.modelFromPath).int("modelStart", f.modelStart).int("modelEnd", f.modelEnd)
    .bool("modelEscaped", f.modelEscaped).bool("stream", f.stream).bool("streamInBody", f.streamInBody)
    .int("maxOutputTokens", f.maxOutputTokens).str("maxOutputField", f.maxOutputField).int("choices", f.choices)
    .int("includeUsage", f.includeUsage).bool("hasStreamOptions", f.hasStreamOptions)
    .bool("hasImages", f.hasImages).bool("hasTools", f.hasTools).bool("hasServerContext", f.hasServerContext).int("messageCount", f.messageCount)
    .int("lastUserMessage", f.lastUserMessage).raw("lastUser", lu).raw("texts", spans)
    .int("promptTokens", f.promptTokens).int("tokenIdCount", f.tokenIdCount).int("toolTokens", f.toolTokens)
    .end();
}

/** Error code only: for the no-trap property test, which calls it many times. */
export function requestCheck(kind: i32, ptr: usize, len: i32): i32 {
  return <i32>reader.read(<ApiKind>kind, ptr, len, null).error;
}

export function modelHeaderSafe(ptr: usize, len: i32): i32 {
  const b = new Uint8Array(len);
  memory.copy(b.dataStart, ptr, <usize>len);
  return isHeaderSafeModel(b) ? 1 : 0;
}


/** Turns the estimate during `read` on or off. */
export function requestSetEstimate(on: bool): void { reader.estimateTokens = on; }
/** Estimates the last read's prompt tokens afterwards (the body must still be in place). */
export function requestEstimateLast(): i64 { return reader.estimatePromptTokens(); }
