/**
 * @module filters/lib/llm/test/exports-shape
 * Thin exports over `EventShape`, checked against the full readers: every event goes to the
 * shape first and then, always, to `UsageAccumulator` and `OutputTextReader` (the reference).
 * A match must agree with them: no usage flags, the same number of texts at the same offsets,
 * none escaped. An event the shape did not match is learned when the readers found text and
 * nothing else, as token-limit's meter does.
 */
import { ApiKind } from "../api";
import { EventFlag, UsageAccumulator } from "../usage";
import { OutputTextReader } from "../stream-text";
import { EventShape } from "../event-shape";
import { SseParser } from "../../sse";
import { CharCode } from "../../charcode";

const shape = new EventShape();
const acc = new UsageAccumulator();
const reader = new OutputTextReader();

export function shapeBegin(kind: i32): void {
  shape.reset();
  acc.reset(<ApiKind>kind);
  reader.reset(<ApiKind>kind);
}

/** 1: matched and the readers agree; 0: not matched (learned if eligible); -1: matched but the readers disagree. */
export function shapeEvent(typePtr: usize, typeLen: i32, dataPtr: usize, dataLen: i32): i32 {
  const matched = shape.match(typePtr, typeLen, dataPtr, dataLen);
  const flags = acc.event(typePtr, typeLen, dataPtr, dataLen);
  const n = reader.event(typePtr, typeLen, dataPtr, dataLen);
  if (!matched) {
    if (n > 0 && flags == EventFlag.None) shape.learn(typePtr, typeLen, dataPtr, dataLen, reader.spans);
    return 0;
  }
  if (flags != EventFlag.None || reader.malformed || n != shape.textCount) return -1;
  const s = reader.spans;
  for (let i = 0; i < n; i++) {
    if (s.escaped(i) || s.start(i) != shape.textStart(i) || s.end(i) - s.start(i) != shape.textLength(i)) return -1;
  }
  return 1;
}

const parser = new SseParser();

/** `shapeBegin`, and a parser past the stream's start (a comment line), between events. */
export function chunkBegin(kind: i32): void {
  shapeBegin(kind);
  parser.reset();
  const comment = String.UTF8.encode(":\n");
  parser.push(changetype<usize>(comment), comment.byteLength);
  while (parser.nextView()) {}
}

/**
 * A raw chunk through `matchChunk` and through the two steps it stands for (`simpleEvent`, then
 * `match`): 1 both accepted it with the same text; 2 only the two steps did (allowed: another value
 * in another slot); 0 neither did (a single `data:` event is then fed to `shapeEvent`, so a
 * shape is learned as the meter learns it); -1 `matchChunk` accepted what the two steps refuse or
 * read differently.
 */
export function shapeChunk(ptr: usize, len: i32): i32 {
  const one = shape.matchChunk(ptr, len);
  const start = shape.chunkTextStart, length = shape.chunkTextLength;
  const v = parser.view;
  const simple = len >= 2 && load<u8>(ptr + <usize>(len - 1)) == CharCode.LF && parser.simpleEvent(ptr, len);
  const two = simple && shape.match(0, 0, v.dataPtr, v.dataLen);
  if (one) {
    if (!two || shape.textCount != 1) return -1;
    const offset = <i32>(v.dataPtr - ptr);
    return offset + shape.textStart(0) == start && shape.textLength(0) == length ? 1 : -1;
  }
  if (two) return 2;
  if (simple) shapeEvent(0, 0, v.dataPtr, v.dataLen);
  return 0;
}
