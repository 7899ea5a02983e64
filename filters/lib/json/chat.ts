/**
 * @module filters/lib/json/chat
 * Walks the prompt text of a chat request in one pass: `messages[*].content` when it is a
 * string, and the `text` of its parts when it is an array of parts whose `type` is `text`
 * (OpenAI Chat, Anthropic) or `input_text` (OpenAI Responses). Image, audio and file parts are
 * skipped without decoding. The spans are raw (see `SpanList.escaped`) and point into the body.
 */
import { CharCode } from "../charcode";
import { LibError } from "../errors";
import { JsonScanner, JSON_FAIL, JSON_END } from "./scanner";
import { JsonKey } from "./key";
import { SpanList } from "./spans";

const CONTENT = new JsonKey("content");
const TYPE = new JsonKey("type");
const TEXT = new JsonKey("text");
const KIND_TEXT = new JsonKey("text");
const KIND_INPUT_TEXT = new JsonKey("input_text");

/**
 * Appends to `out` the text spans of the messages array at `pos`. Returns the offset after the
 * array, or `JSON_FAIL` (error in `sc`). Messages that are not objects, and content of other
 * types (null, numbers), contribute nothing.
 */
export function collectMessageTexts(sc: JsonScanner, pos: i32, out: SpanList): i32 {
  let m = sc.firstElement(pos);
  while (m >= 0) {
    let end: i32;
    if (sc.byteAt(m) == CharCode.LBRACE) {
      end = messageTexts(sc, m, out);
    } else {
      end = sc.skipValue(m);
    }
    if (end < 0) return end;
    m = sc.elementAfter(end);
  }
  return m == JSON_END ? sc.containerEnd : m;
}

/** One message object: its `content` texts. Returns the offset after the object. */
function messageTexts(sc: JsonScanner, obj: i32, out: SpanList): i32 {
  let k = sc.firstMember(obj);
  while (k >= 0) {
    const v = sc.memberValue(k);
    if (v < 0) return v;
    let e: i32;
    if (sc.keyIs(CONTENT)) e = contentTexts(sc, v, out);
    else e = sc.skipValue(v);
    if (e < 0) return e;
    k = sc.memberAfter(e);
  }
  return k == JSON_END ? sc.containerEnd : k;
}

/** A `content` value: a string, or an array of parts. Returns the offset after it. */
export function contentTexts(sc: JsonScanner, v: i32, out: SpanList): i32 {
  if (v < 0 || v >= sc.len) return sc.fail(LibError.UnexpectedEnd, v);
  const c = sc.byteAt(v);
  if (c == CharCode.QUOTE) {
    const e = sc.skipString(v);
    if (e < 0) return e;
    out.add(v + 1, e - 1, sc.sawEscape);
    return e;
  }
  if (c != CharCode.LBRACKET) return sc.skipValue(v);
  let p = sc.firstElement(v);
  while (p >= 0) {
    const e = sc.byteAt(p) == CharCode.LBRACE ? partText(sc, p, out) : sc.skipValue(p);
    if (e < 0) return e;
    p = sc.elementAfter(e);
  }
  return p == JSON_END ? sc.containerEnd : JSON_FAIL;
}

/** One content part: adds its `text` when its `type` is a text kind. */
function partText(sc: JsonScanner, obj: i32, out: SpanList): i32 {
  let textStart = -1, textEnd = -1;
  let textEscaped = false;
  let isText = false;
  let k = sc.firstMember(obj);
  while (k >= 0) {
    const v = sc.memberValue(k);
    if (v < 0) return v;
    const isTypeKey = sc.keyIs(TYPE);
    const isTextKey = !isTypeKey && sc.keyIs(TEXT);
    const e = sc.skipValue(v);
    if (e < 0) return e;
    if (isTypeKey && sc.byteAt(v) == CharCode.QUOTE) {
      isText = sc.rawStringEquals(v + 1, e - 1, sc.sawEscape, KIND_TEXT.ptr, KIND_TEXT.len) ||
        sc.rawStringEquals(v + 1, e - 1, sc.sawEscape, KIND_INPUT_TEXT.ptr, KIND_INPUT_TEXT.len);
    } else if (isTextKey && sc.byteAt(v) == CharCode.QUOTE) {
      textStart = v + 1;
      textEnd = e - 1;
      textEscaped = sc.sawEscape;
    }
    k = sc.memberAfter(e);
  }
  if (k != JSON_END) return k;
  if (isText && textStart >= 0) out.add(textStart, textEnd, textEscaped);
  return sc.containerEnd;
}
