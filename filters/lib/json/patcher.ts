/**
 * @module filters/lib/json/patcher
 * Produces a new body with one edit, leaving every other byte as it was: set, replace or
 * remove a top-level member (rewrite `model`, drop `user`), set a nested member creating the
 * objects on the way (`stream_options.include_usage = true`), or replace a byte span inside a
 * string with escaped text (redaction). The edited object is validated as it is walked, and a
 * key it contains twice is refused (`DuplicateKey`): which copy would the backend use?
 *
 * @example
 *   const r = setPath(body, [STREAM_OPTIONS, INCLUDE_USAGE], TRUE_BYTES);
 *   if (r.ok) body = r.body!; else log(errorMessage(r.error));
 */
import { CharCode } from "../charcode";
import { LibError } from "../errors";
import { isValidUtf8 } from "../utf8";
import { JsonScanner, JSON_END, DEFAULT_MAX_DEPTH } from "./scanner";
import { JsonKey } from "./key";
import { escapedLength, escapeInto } from "./escape";

/** The outcome of an edit: a new body, or an error with its byte offset. */
export class PatchResult {
  body: Uint8Array | null = null;
  error: LibError = LibError.None;
  errorAt: i32 = -1;
  get ok(): bool { return this.error == LibError.None; }
}

function failed(code: LibError, at: i32): PatchResult {
  const r = new PatchResult();
  r.error = code;
  r.errorAt = at;
  return r;
}

function fromScanner(sc: JsonScanner): PatchResult {
  return failed(sc.error != LibError.None ? sc.error : LibError.UnexpectedByte, sc.errorAt);
}

/** body[0, from) + insert + suffix + body[to, len): one allocation. */
function splice(body: Uint8Array, from: i32, to: i32, insert: usize, insertLen: i32): PatchResult {
  const tail = body.length - to;
  const out = new Uint8Array(from + insertLen + tail);
  memory.copy(out.dataStart, body.dataStart, <usize>from);
  memory.copy(out.dataStart + <usize>from, insert, <usize>insertLen);
  memory.copy(out.dataStart + <usize>(from + insertLen), body.dataStart + <usize>to, <usize>tail);
  const r = new PatchResult();
  r.body = out;
  return r;
}

/** Where a key sits in an object, and what is around it (for replacing or removing it). */
class MemberPlace {
  keyStart: i32 = -1;   // opening quote of the key
  valueStart: i32 = -1;
  valueEnd: i32 = -1;
  prevValueEnd: i32 = -1; // end of the member before it (-1 if first)
  nextKey: i32 = -1;    // opening quote of the member after it (-1 if last)
  lastValueEnd: i32 = -1; // end of the object's last member (-1 if empty)
  open: i32 = -1;       // the object's `{`
}

/** Walks the whole object at `obj`, locating `key`; returns false on malformed input or duplicates. */
function locate(sc: JsonScanner, obj: i32, key: JsonKey, place: MemberPlace): bool {
  place.open = obj;
  let prevEnd = -1;
  let k = sc.firstMember(obj);
  while (k >= 0) {
    const v = sc.memberValue(k);
    if (v < 0) return false;
    const e = sc.skipValue(v);
    if (e < 0) return false;
    if (sc.keyIs(key)) {
      if (place.keyStart >= 0) { sc.fail(LibError.DuplicateKey, k); return false; }
      place.keyStart = k;
      place.valueStart = v;
      place.valueEnd = e;
      place.prevValueEnd = prevEnd;
    }
    k = sc.memberAfter(e);
    if (place.keyStart >= 0 && place.nextKey < 0 && place.valueEnd == e && k >= 0) place.nextKey = k;
    prevEnd = e;
  }
  if (k != JSON_END) return false;
  place.lastValueEnd = prevEnd;
  return true;
}

/** Scans the body's root, which must be an object followed by nothing but whitespace. */
function rootObject(sc: JsonScanner): i32 {
  const root = sc.root();
  if (root < 0) return root;
  if (sc.byteAt(root) != CharCode.LBRACE) return sc.fail(LibError.TypeMismatch, root);
  const end = sc.skipValue(root);
  if (end < 0) return end;
  if (!sc.finish(end)) return -2;
  return root;
}

/** `"key":` followed by the keys of `path` from `from`, nested, ending with `value`. */
function memberText(path: StaticArray<JsonKey>, from: i32, value: Uint8Array, leadingComma: bool): Uint8Array {
  let n = leadingComma ? 1 : 0;
  for (let i = from; i < path.length; i++) {
    const k = unchecked(path[i]);
    n += escapedLength(k.ptr, k.len) + 3 + (i > from ? 2 : 0); // "k": and { } of nested levels
  }
  n += value.length;
  const out = new Uint8Array(n);
  let o = out.dataStart;
  if (leadingComma) store<u8>(o++, CharCode.COMMA);
  for (let i = from; i < path.length; i++) {
    const k = unchecked(path[i]);
    if (i > from) store<u8>(o++, CharCode.LBRACE);
    store<u8>(o++, CharCode.QUOTE);
    o += <usize>escapeInto(k.ptr, k.len, o);
    store<u8>(o++, CharCode.QUOTE);
    store<u8>(o++, CharCode.COLON);
  }
  memory.copy(o, value.dataStart, <usize>value.length);
  o += <usize>value.length;
  for (let i = from + 1; i < path.length; i++) store<u8>(o++, CharCode.RBRACE);
  return out;
}

/**
 * Sets `path` (keys from the root object down) to `value` (raw JSON, e.g. `true` or `"gpt-4o"`),
 * replacing an existing value or adding the member (and any missing objects on the way) at the
 * end of its object. A non-object in the middle of the path is `TypeMismatch`.
 */
export function setPath(body: Uint8Array, path: StaticArray<JsonKey>, value: Uint8Array, maxDepth: i32 = DEFAULT_MAX_DEPTH): PatchResult {
  if (path.length == 0) return failed(LibError.NotFound, 0);
  const check = new JsonScanner(maxDepth).resetBytes(value);
  if (!check.validate(true)) return failed(check.error, check.errorAt);
  const sc = new JsonScanner(maxDepth).resetBytes(body);
  sc.validateUtf8 = true;
  let obj = rootObject(sc);
  if (obj < 0) return fromScanner(sc);
  for (let depth = 0; depth < path.length; depth++) {
    const place = new MemberPlace();
    if (!locate(sc, obj, unchecked(path[depth]), place)) return fromScanner(sc);
    if (place.keyStart < 0) {
      // Absent: insert the rest of the path after the last member (or right after `{`).
      const at = place.lastValueEnd >= 0 ? place.lastValueEnd : obj + 1;
      const text = memberText(path, depth, value, place.lastValueEnd >= 0);
      return splice(body, at, at, text.dataStart, text.length);
    }
    if (depth == path.length - 1) {
      return splice(body, place.valueStart, place.valueEnd, value.dataStart, value.length);
    }
    if (sc.byteAt(place.valueStart) != CharCode.LBRACE) return failed(LibError.TypeMismatch, place.valueStart);
    obj = place.valueStart;
  }
  return failed(LibError.NotFound, 0);
}

/**
 * Adds `path` with `value` as a new member of the root object, for a caller that has just walked
 * the `len` bytes at `ptr` and knows the root has no member `path[0]`: `appendAt` is the end of
 * the root's last member, or just after its `{` when it has none. The body is not walked again
 * (what `setPath` would do: validate it, look for the key); the new member goes after the last
 * one, as `setPath` places it, and the bytes are read where they lie.
 */
export function appendToRoot(ptr: usize, len: i32, appendAt: i32, path: StaticArray<JsonKey>, value: Uint8Array): PatchResult {
  if (path.length == 0) return failed(LibError.NotFound, 0);
  if (appendAt < 1 || appendAt > len) return failed(LibError.UnexpectedEnd, appendAt);
  // After `{` comes the first member; after a value, a comma first.
  const first = <u32>load<u8>(ptr + <usize>(appendAt - 1)) == CharCode.LBRACE;
  const text = memberText(path, 0, value, !first);
  const out = new Uint8Array(len + text.length);
  memory.copy(out.dataStart, ptr, <usize>appendAt);
  memory.copy(out.dataStart + <usize>appendAt, text.dataStart, <usize>text.length);
  memory.copy(out.dataStart + <usize>(appendAt + text.length), ptr + <usize>appendAt, <usize>(len - appendAt));
  const r = new PatchResult();
  r.body = out;
  return r;
}

/** Sets the top-level member `key` to the raw JSON `value`. */
export function setField(body: Uint8Array, key: JsonKey, value: Uint8Array): PatchResult {
  const path = new StaticArray<JsonKey>(1);
  unchecked(path[0] = key);
  return setPath(body, path, value);
}

/**
 * Removes the top-level member `key` with one adjacent comma and the whitespace that separated
 * it. Absent keys are `NotFound` (the caller decides whether that matters).
 */
export function removeField(body: Uint8Array, key: JsonKey, maxDepth: i32 = DEFAULT_MAX_DEPTH): PatchResult {
  const sc = new JsonScanner(maxDepth).resetBytes(body);
  sc.validateUtf8 = true;
  const obj = rootObject(sc);
  if (obj < 0) return fromScanner(sc);
  const place = new MemberPlace();
  if (!locate(sc, obj, key, place)) return fromScanner(sc);
  if (place.keyStart < 0) return failed(LibError.NotFound, obj);
  let from = place.keyStart, to = place.valueEnd;
  if (place.nextKey >= 0) to = place.nextKey;              // `"k":v, ` + next
  else if (place.prevValueEnd >= 0) from = place.prevValueEnd; // prev + `, "k":v`
  return splice(body, from, to, 0, 0);
}

/**
 * Replaces the raw bytes [`from`, `to`) inside the string whose opening quote is at `stringPos`
 * with `text` (UTF-8, escaped here). The span must lie inside the string's content and must not
 * cut an escape sequence or a UTF-8 character (`InvalidSpan`).
 */
export function replaceInString(body: Uint8Array, stringPos: i32, from: i32, to: i32, text: Uint8Array): PatchResult {
  const sc = new JsonScanner().resetBytes(body);
  if (stringPos < 0 || stringPos >= body.length || sc.byteAt(stringPos) != CharCode.QUOTE) {
    return failed(LibError.TypeMismatch, stringPos);
  }
  sc.validateUtf8 = true;
  const end = sc.skipString(stringPos);
  if (end < 0) return fromScanner(sc);
  const start = stringPos + 1, close = end - 1;
  if (from < start || to > close || from > to) return failed(LibError.InvalidSpan, from);
  if (!isValidUtf8(text.dataStart, <usize>text.length)) return failed(LibError.InvalidUtf8, 0);
  // Walk escapes and characters so a cut inside either is refused.
  let i = start;
  while (i < close) {
    const c = sc.byteAt(i);
    let n = 1;
    if (c == CharCode.BACKSLASH) {
      n = 2;
      if (sc.byteAt(i + 1) == CharCode.u) {
        const cu = sc.hex4(i + 2);
        n = cu >= 0xd800 && cu <= 0xdbff ? 12 : 6; // a surrogate pair is one character
      }
    }
    else if (c >= 0xf0) n = 4;
    else if (c >= 0xe0) n = 3;
    else if (c >= 0xc0) n = 2;
    if ((from > i && from < i + n) || (to > i && to < i + n)) return failed(LibError.InvalidSpan, from > i && from < i + n ? from : to);
    if (i >= to) break;
    i += n;
  }
  const n = escapedLength(text.dataStart, text.length);
  const scratch = new Uint8Array(n);
  escapeInto(text.dataStart, text.length, scratch.dataStart);
  return splice(body, from, to, scratch.dataStart, n);
}
