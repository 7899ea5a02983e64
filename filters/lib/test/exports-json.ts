/**
 * @module filters/lib/test/exports-json
 * Thin exports over the JSON scanner and readers for the uvu tests.
 */
import { JsonScanner, JsonType } from "../json/scanner";
import { JsonFields, JsonKey } from "../json/key";
import { readString, readI64, readF64, readBool, isNull, stringSpan, JsonStringSpan, stringEquals } from "../json/values";
import { LibError } from "../errors";
import { SpanList } from "../json/spans";
import { collectMessageTexts } from "../json/chat";
import { output, setError, setResult } from "./common";

let scanner = new JsonScanner();
let checkUtf8 = true;

function scan(ptr: usize, len: i32): JsonScanner {
  return scanner.reset(ptr, len);
}

function report(r: i32): i32 {
  setError(scanner.error, scanner.errorAt);
  return r;
}

export function jsonSetOptions(maxDepth: i32, validateUtf8: bool): void {
  scanner = new JsonScanner(maxDepth);
  checkUtf8 = validateUtf8;
}

export function jsonValidate(ptr: usize, len: i32): i32 {
  const ok = scan(ptr, len).validate(checkUtf8);
  return report(ok ? 1 : 0);
}

export function jsonRoot(ptr: usize, len: i32): i32 { return report(scan(ptr, len).root()); }
export function jsonSkip(ptr: usize, len: i32, pos: i32): i32 { return report(scan(ptr, len).skipValue(pos)); }
export function jsonType(ptr: usize, len: i32, pos: i32): i32 { return <i32>scan(ptr, len).typeAt(pos); }

/** Looks up newline-separated `names` in the root object; spans go to results[2i], [2i+1]. */
export function jsonLookup(ptr: usize, len: i32, namesPtr: usize, namesLen: i32, stopEarly: bool): i32 {
  const names = String.UTF8.decodeUnsafe(namesPtr, <usize>namesLen, false).split("\n");
  const fields = new JsonFields(names);
  const sc = scan(ptr, len);
  const root = sc.root();
  if (root < 0) return report(root);
  const r = sc.lookup(root, fields, stopEarly);
  for (let i = 0; i < fields.count; i++) {
    setResult(2 * i, fields.start(i));
    setResult(2 * i + 1, fields.end(i));
  }
  return report(r);
}

export function jsonFind(ptr: usize, len: i32, pos: i32, keyPtr: usize, keyLen: i32): i32 {
  const key = new JsonKey(String.UTF8.decodeUnsafe(keyPtr, <usize>keyLen, false));
  return report(scan(ptr, len).find(pos, key));
}

/** Element offsets of the array at `pos` into results; returns the count or a negative error. */
export function jsonElements(ptr: usize, len: i32, pos: i32): i32 {
  const sc = scan(ptr, len);
  let n = 0;
  let e = sc.firstElement(pos);
  while (e >= 0) {
    setResult(n++, e);
    e = sc.nextElement(e);
  }
  if (e < -1) return report(e);
  setResult(n, sc.containerEnd);
  return report(n);
}

/** Key offsets and value offsets of the object at `pos`: results[2i] = key, [2i+1] = value. */
export function jsonMembers(ptr: usize, len: i32, pos: i32): i32 {
  const sc = scan(ptr, len);
  let n = 0;
  let k = sc.firstMember(pos);
  while (k >= 0) {
    const v = sc.memberValue(k);
    if (v < 0) return report(v);
    setResult(2 * n, k);
    setResult(2 * n + 1, v);
    n++;
    k = sc.nextMember(v);
  }
  if (k < -1) return report(k);
  setResult(2 * n, sc.containerEnd);
  return report(n);
}

export function jsonReadString(ptr: usize, len: i32, pos: i32): i32 {
  output.reset();
  return report(readString(scan(ptr, len), pos, output));
}

const span = new JsonStringSpan();
export function jsonStringSpan(ptr: usize, len: i32, pos: i32): i32 {
  const r = stringSpan(scan(ptr, len), pos, span);
  setResult(0, span.start);
  setResult(1, span.end);
  setResult(2, span.escaped ? 1 : 0);
  return report(r);
}

export function jsonStringEquals(ptr: usize, len: i32, pos: i32, keyPtr: usize, keyLen: i32): i32 {
  const key = new JsonKey(String.UTF8.decodeUnsafe(keyPtr, <usize>keyLen, false));
  return stringEquals(scan(ptr, len), pos, key) ? 1 : 0;
}

export function jsonReadI64(ptr: usize, len: i32, pos: i32): i64 {
  const v = readI64(scan(ptr, len), pos);
  setError(scanner.error, scanner.errorAt);
  return v;
}

export function jsonReadF64(ptr: usize, len: i32, pos: i32): f64 {
  const v = readF64(scan(ptr, len), pos);
  setError(scanner.error, scanner.errorAt);
  return v;
}

export function jsonReadBool(ptr: usize, len: i32, pos: i32): i32 { return report(readBool(scan(ptr, len), pos)); }
export function jsonIsNull(ptr: usize, len: i32, pos: i32): i32 { return isNull(scan(ptr, len), pos) ? 1 : 0; }

/** For the memory-flatness test: the lookup the router does, with no allocation per call. */
const modelStream = new JsonFields(["model", "stream"]);
export function jsonModelStream(ptr: usize, len: i32): i32 {
  const sc = scan(ptr, len);
  const root = sc.root();
  if (root < 0) return report(root);
  const r = sc.lookup(root, modelStream);
  setResult(0, modelStream.start(0));
  setResult(1, modelStream.end(0));
  setResult(2, modelStream.start(1));
  setResult(3, modelStream.end(1));
  return report(r);
}

export function jsonErrorNone(): i32 { return <i32>LibError.None; }
export function jsonTypeString(): i32 { return <i32>JsonType.String; }

const texts = new SpanList(4);
/** Text spans of the root object's `messages`: results[3i..3i+2] = start, end, escaped. */
export function jsonMessageTexts(ptr: usize, len: i32): i32 {
  const sc = scan(ptr, len);
  const root = sc.root();
  if (root < 0) return report(root);
  const at = sc.find(root, MESSAGES);
  if (at < 0) return report(at);
  texts.reset();
  const r = collectMessageTexts(sc, at, texts);
  if (r < 0) return report(r);
  for (let i = 0; i < texts.length; i++) {
    setResult(3 * i, texts.start(i));
    setResult(3 * i + 1, texts.end(i));
    setResult(3 * i + 2, texts.escaped(i) ? 1 : 0);
  }
  setError(LibError.None, -1);
  return texts.length;
}
const MESSAGES = new JsonKey("messages");

/** `memberAfter` on an arbitrary offset (a failure passed along must stay a failure). */
export function jsonMemberAfter(ptr: usize, len: i32, e: i32): i32 { return report(scan(ptr, len).memberAfter(e)); }
