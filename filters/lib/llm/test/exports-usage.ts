/**
 * @module filters/lib/llm/test/exports-usage
 * Thin exports over `UsageAccumulator` and `OutputTextReader`, driven the way the token-limit
 * and guard filters will drive them: a stream is pushed in arbitrary chunks through the lib's
 * `SseParser`, each complete event goes to both; a whole body goes to `body()`. Results are
 * written as JSON to the output buffer (text decoded from the spans).
 */
import { SseParser, SseEvent } from "../../sse";
import { ByteBuffer } from "../../bytes";
import { JsonScanner, decodeStringContent } from "../../json/scanner";
import { ApiKind } from "../api";
import { UsageAccumulator, EventFlag } from "../usage";
import { OutputTextReader } from "../stream-text";
import { TextKind } from "../spans";
import { out } from "./json-out";

const parser = new SseParser();
const acc = new UsageAccumulator();
const reader = new OutputTextReader();
const sc = new JsonScanner();
const text = new ByteBuffer(256);
const toolText = new ByteBuffer(64);
const reasoningText = new ByteBuffer(64);
let usageOnlyChunks = 0;
let events = 0;
let estimated: i64 = 0;
/** Decode and estimate the text spans of each event (off: usage and spans only, as a filter that only counts). */
let collecting = true;

export function streamSetCollect(on: bool): void { collecting = on; }

function collect(base: usize, len: i32): void {
  if (!collecting) return;
  sc.reset(base, len);
  const s = reader.spans;
  for (let i = 0; i < s.length; i++) {
    const k = s.kind(i);
    decodeStringContent(sc, s.start(i), s.end(i), k == TextKind.ToolCall ? toolText : (k == TextKind.Reasoning ? reasoningText : text));
  }
  estimated += reader.estimateTokens(base);
}

function onEvent(ev: SseEvent): void {
  events++;
  const flags = acc.eventBytes(ev.type, ev.data);
  if ((flags & EventFlag.UsageOnlyChunk) != 0) usageOnlyChunks++;
  reader.eventBytes(ev.type, ev.data);
  collect(ev.data.dataStart, ev.data.length);
}

function drain(): void {
  for (let ev = parser.next(); ev !== null; ev = parser.next()) onEvent(ev!);
}

export function streamBegin(kind: i32): void {
  parser.reset();
  acc.reset(<ApiKind>kind);
  reader.reset(<ApiKind>kind);
  text.reset();
  toolText.reset();
  reasoningText.reset();
  usageOnlyChunks = 0;
  events = 0;
  estimated = 0;
}

export function streamPush(ptr: usize, len: i32): i32 {
  const r = parser.push(ptr, len);
  drain();
  return r;
}

function result(): i32 {
  return out.begin()
    .bool("reported", acc.reported).int("input", acc.inputTokens).int("output", acc.outputTokens).int("total", acc.totalTokens)
    .int("cacheRead", acc.cacheReadTokens).int("cacheWrite", acc.cacheWriteTokens).int("reasoning", acc.reasoningTokens)
    .bool("outputFinal", acc.outputFinal).bool("done", acc.done).bool("error", acc.sawError).bool("invalid", acc.invalid)
    .int("usageOnlyChunks", usageOnlyChunks).int("events", events).int("malformed", acc.malformedEvents)
    .bytes("text", text.toBytes()).bytes("toolText", toolText.toBytes()).bytes("reasoningText", reasoningText.toBytes()).int("estimatedOutput", estimated).end();
}

export function streamEnd(): i32 {
  parser.end();
  drain();
  return result();
}

export function usageBody(kind: i32, ptr: usize, len: i32): i32 {
  streamBegin(kind);
  acc.body(ptr, len);
  reader.body(ptr, len);
  collect(ptr, len);
  return result();
}

/** One event straight to the accumulator (for targeted tests): returns its flags. */
export function usageEvent(typePtr: usize, typeLen: i32, dataPtr: usize, dataLen: i32): i32 {
  return acc.event(typePtr, typeLen, dataPtr, dataLen);
}
export function usageResult(): i32 { return result(); }

// ---- Gemini JSON-array streams ------------------------------------------------------------
import { JsonArrayStream } from "../json-array-stream";

const arr = new JsonArrayStream();

export function arrayStreamBegin(kind: i32, maxElementBytes: i32): void {
  streamBegin(kind);
  arr.maxElementBytes = maxElementBytes;
  arr.reset();
}

export function arrayStreamPush(ptr: usize, len: i32): i32 {
  const r = arr.push(ptr, len);
  for (let el = arr.next(); el !== null; el = arr.next()) {
    events++;
    acc.eventBytes(null, el!);
    reader.eventBytes(null, el!);
    collect(el!.dataStart, el!.length);
  }
  return r;
}

export function arrayStreamClosed(): i32 { return arr.closed ? 1 : 0; }
export function arrayStreamError(): i32 { return <i32>arr.error; }
export function arrayStreamEnd(): i32 { return result(); }
