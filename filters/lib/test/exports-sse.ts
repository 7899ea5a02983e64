/**
 * @module filters/lib/test/exports-sse
 * Thin exports over the SSE parser. `sseNext` serialises an event into the output buffer as
 * `type NUL id NUL retry NUL complete NUL data` (data last: it may contain NUL).
 */
import { SseParser } from "../sse";
import { output } from "./common";

let parser = new SseParser();

export function sseNew(maxEventBytes: i32): void { parser = new SseParser(maxEventBytes); }
export function ssePush(ptr: usize, len: i32): i32 { return parser.push(ptr, len); }
export function sseEnd(): i32 { return parser.end(); }
export function sseError(): i32 { return <i32>parser.error; }
export function sseComments(): i32 { return parser.comments; }
export function sseReset(): void { parser.reset(); }

export function sseNext(): i32 {
  const ev = parser.next();
  if (ev === null) return 0;
  output.reset();
  if (ev.type !== null) output.appendBytes(ev.type!); else output.appendString("message");
  output.push(0);
  if (ev.id !== null) output.appendBytes(ev.id!); else output.appendString("-");
  output.push(0);
  output.appendString(ev.retry.toString());
  output.push(0);
  output.push(ev.complete ? 0x31 : 0x30);
  output.push(0);
  output.appendBytes(ev.data);
  return 1;
}

/**
 * `simpleEvent` on one raw event: its data (into the output buffer) and 1 when the fast path took
 * it, else 0 after pushing it the usual way (read the event with `sseNext`).
 */
export function sseSimple(ptr: usize, len: i32): i32 {
  if (parser.simpleEvent(ptr, len)) {
    output.reset();
    output.append(parser.view.dataPtr, parser.view.dataLen);
    return 1;
  }
  parser.push(ptr, len);
  return 0;
}
