/**
 * @module filters/model-router/rewrite
 * Changing where the model is named: the body's top-level `model` string (only those bytes; the
 * rest of the body is copied as it was) or the model segment of a Gemini / Vertex AI / Azure
 * deployment path.
 */
import { jsonStringLiteral } from "../lib/json/escape";

/**
 * The body with the string whose content spans [`start`, `end`) (between its quotes) replaced by
 * `model` as a JSON string literal.
 */
export function replaceModelString(body: Uint8Array, start: i32, end: i32, model: string): Uint8Array {
  const lit = jsonStringLiteral(Uint8Array.wrap(String.UTF8.encode(model, false)));
  const from = start - 1, to = end + 1; // the quotes
  const tail = body.length - to;
  const out = new Uint8Array(from + lit.length + tail);
  memory.copy(out.dataStart, body.dataStart, <usize>from);
  memory.copy(out.dataStart + <usize>from, lit.dataStart, <usize>lit.length);
  memory.copy(out.dataStart + <usize>(from + lit.length), body.dataStart + <usize>to, <usize>tail);
  return out;
}

/** Length the body has after `replaceModelString`, computed without building it. */
export function replacedLength(bodyLength: i32, start: i32, end: i32, model: string): i32 {
  const lit = jsonStringLiteral(Uint8Array.wrap(String.UTF8.encode(model, false)));
  return bodyLength - (end - start + 2) + lit.length;
}

/**
 * `path` with its model segment (after the last `/models/` up to `:`, or after
 * `/openai/deployments/` up to `/`) replaced by `model`, percent-encoded; null when the path has
 * no such segment.
 */
export function replacePathModel(path: string, model: string): string | null {
  let q = path.indexOf("?");
  if (q < 0) q = path.length;
  const p = path.substring(0, q);
  let start = p.lastIndexOf("/models/");
  let stop: i32;
  if (start >= 0) {
    start += 8;
    stop = p.indexOf(":", start);
  } else {
    start = p.indexOf("/openai/deployments/");
    if (start < 0) return null;
    start += 20;
    stop = p.indexOf("/", start);
  }
  if (stop < start) return null;
  return p.substring(0, start) + percentEncode(model) + p.substring(stop) + path.substring(q);
}

const HEX = "0123456789ABCDEF";

/** Percent-encodes everything but RFC 3986 unreserved characters. */
export function percentEncode(s: string): string {
  const b = Uint8Array.wrap(String.UTF8.encode(s, false));
  let out = "";
  for (let i = 0; i < b.length; i++) {
    const c = <i32>unchecked(b[i]);
    const plain = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
      c == 0x2d || c == 0x2e || c == 0x5f || c == 0x7e;
    if (plain) out += String.fromCharCode(c);
    else out += "%" + HEX.charAt(c >> 4) + HEX.charAt(c & 15);
  }
  return out;
}
