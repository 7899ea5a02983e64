/**
 * @module filters/payload-guard/moderation
 * The optional external check: the prompt text goes to an OpenAI-moderation-compatible service
 * (`POST {"input": "…", "model": …}`), whose answer `{"results":[{"flagged":bool,…}]}` blocks the
 * request when any result is flagged. Texts are joined from their raw JSON string content, which
 * is already valid JSON string content, so no decoding or re-escaping is needed.
 */
import { JsonScanner } from "../lib/json/scanner";
import { JsonKey } from "../lib/json/key";
import { readBool } from "../lib/json/values";
import { ByteBuffer } from "../lib/bytes";
import { jsonStringLiteral } from "../lib/json/escape";
import { CharCode } from "../lib/charcode";
import { TextSpans } from "../lib/llm/spans";
import { Direction } from "./config";

const K_RESULTS = new JsonKey("results");
const K_FLAGGED = new JsonKey("flagged");

/** The moderation request body for the scanned prompt texts of `body`. */
export function moderationBody(body: Uint8Array, spans: TextSpans, dir: Direction, model: string): Uint8Array {
  const b = new ByteBuffer(256);
  b.appendString('{"input":"');
  let first = true;
  for (let i = 0; i < spans.length; i++) {
    if (!dir.scans(spans.kind(i))) continue;
    if (!first) b.appendString("\\n");
    first = false;
    b.append(body.dataStart + <usize>spans.start(i), spans.end(i) - spans.start(i));
  }
  b.push(0x22);
  if (model.length > 0) { b.appendString(',"model":'); b.appendBytes(jsonStringLiteral(Uint8Array.wrap(String.UTF8.encode(model, false)))); }
  b.push(0x7d);
  return b.toBytes();
}

/** 1 flagged, 0 not flagged, -1 not a moderation answer. */
export function moderationVerdict(answer: Uint8Array): i32 {
  const sc = new JsonScanner().resetBytes(answer);
  const root = sc.root();
  if (root < 0 || sc.byteAt(root) != CharCode.LBRACE || !sc.validate(false)) return -1;
  const results = sc.find(root, K_RESULTS);
  if (results < 0 || sc.byteAt(results) != CharCode.LBRACKET) return -1;
  let el = sc.firstElement(results);
  let seen = 0;
  while (el >= 0) {
    if (sc.byteAt(el) != CharCode.LBRACE) return -1;
    const f = sc.find(el, K_FLAGGED);
    const v = f >= 0 ? readBool(sc, f) : -1;
    if (v < 0) return -1;
    if (v == 1) return 1;
    seen++;
    el = sc.nextElement(el);
  }
  return seen > 0 ? 0 : -1;
}
