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
