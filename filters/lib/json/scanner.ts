/**
 * @module filters/lib/json/scanner
 * `JsonScanner`: reads JSON in place, without building a tree or UTF-16 strings. Positions are
 * byte offsets into the scanned buffer. Every function returns a position (≥ 0), `JSON_END` when
 * an iteration is over, or `JSON_FAIL` with `error` / `errorAt` telling what and where: nothing
 * traps on any input. Nesting is walked iteratively with a depth limit (default 64), strings are
 * skipped eight bytes per step (SWAR), and UTF-8 is validated inside strings unless disabled.
 *
 * @example
 *   const sc = new JsonScanner().reset(ptr, len);
 *   const fields = new JsonFields(["model", "stream"]);   // once, as a global
 *   if (sc.lookup(sc.root(), fields) < 0) log(errorMessage(sc.error));
 */
import { CharCode, hexValue } from "../charcode";
import { LibError } from "../errors";
import { utf8SequenceAt, UTF8_INCOMPLETE } from "../utf8";
import { ByteBuffer } from "../bytes";
import { JsonFields, JsonKey } from "./key";
import { decodeStringContent } from "./strings";

// Kept importable from here: filters use them through this module.
export { decodeStringContent, appendCodePoint } from "./strings";

/** Returned by iteration functions when the container has no more entries. */
export const JSON_END: i32 = -1;
/** Returned by every function on malformed input; see `JsonScanner.error`. */
export const JSON_FAIL: i32 = -2;

export const DEFAULT_MAX_DEPTH: i32 = 64;
/** The largest depth limit a scanner accepts (larger values are clamped to it). */
export const MAX_DEPTH_LIMIT: i32 = 1 << 16;

export const enum JsonType {
  Invalid = 0,
  Object = 1,
  Array = 2,
  String = 3,
  Number = 4,
  Bool = 5,
  Null = 6,
}

const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;
const QUOTES: u64 = 0x2222222222222222;
const BACKSLASHES: u64 = 0x5c5c5c5c5c5c5c5c;
const SPACES: u64 = 0x2020202020202020;

/**
 * High bit set in each byte of `v` that may end a run of plain string bytes: a quote, a
 * backslash, a control byte, or (when validating UTF-8) a non-ASCII byte. The lowest flagged
 * byte is exact; borrows can only flag bytes above a real hit.
 */
// @ts-ignore: decorator
@inline function stopMask(v: u64, utf8: bool): u64 {
  // XOR with 0x22 / 0x5C keeps each byte's high bit, so one `& ~v` serves all three tests.
  const t = ((v ^ QUOTES) - ONES) | ((v ^ BACKSLASHES) - ONES) | (v - SPACES);
  return (utf8 ? t | v : t & ~v) & HIGHS;
}

/** Little-endian words of the JSON literals, compared four bytes at a time. */
const WORD_TRUE: u32 = 0x65757274; // "true"
const WORD_NULL: u32 = 0x6c6c756e; // "null"
const WORD_ALSE: u32 = 0x65736c61; // "alse" of "false"

/** Bitmap (bits 0–127) of the bytes after a backslash that form a two-byte escape. */
const SIMPLE_ESCAPE_LO: u64 = (<u64>1 << 34) | (<u64>1 << 47); // '"' '/'
const SIMPLE_ESCAPE_HI: u64 = (<u64>1 << (92 - 64)) | (<u64>1 << (98 - 64)) | (<u64>1 << (102 - 64)) |
  (<u64>1 << (110 - 64)) | (<u64>1 << (114 - 64)) | (<u64>1 << (116 - 64)); // '\\' b f n r t

// @ts-ignore: decorator
@inline function isSimpleEscape(e: u32): bool {
  if (e < 64) return ((SIMPLE_ESCAPE_LO >> e) & 1) != 0;
  if (e < 128) return ((SIMPLE_ESCAPE_HI >> (e - 64)) & 1) != 0;
  return false;
}

/** Container kinds kept on the explicit nesting stack. */
const IN_OBJECT: u8 = 1;
const IN_ARRAY: u8 = 2;

export class JsonScanner {
  /** Address of the scanned bytes. */
  base: usize = 0;
  /** Number of scanned bytes. */
  len: i32 = 0;
  /**
   * Validate UTF-8 inside the strings this scanner skips. Off by default: routing on `model`
   * need not pay for checking every message; `validate()` and the string readers check what
   * they are asked about. Bytes outside strings must be ASCII in any case.
   */
  validateUtf8: bool = false;
  /** Why the last call returned `JSON_FAIL`. */
  error: LibError = LibError.None;
  /** Byte offset of that error. */
  errorAt: i32 = -1;
  /** Set by `skipString`: whether the string just skipped contained a backslash escape. */
  sawEscape: bool = false;
  /** Set when an iteration returns `JSON_END`: the offset just after the closing bracket. */
  containerEnd: i32 = -1;
  /** Raw span (without quotes) of the key read by the last `memberValue`. */
  keyStart: i32 = 0;
  keyEnd: i32 = 0;
  keyEscaped: bool = false;

  private depthLimit: i32;
  private stack: StaticArray<u8>;
  private scratch: ByteBuffer = new ByteBuffer(64);

  constructor(maxDepth: i32 = DEFAULT_MAX_DEPTH) {
    // Clamped, so a configured limit can never ask for an allocation that fails (and traps).
    const limit = maxDepth < 1 ? 1 : maxDepth > MAX_DEPTH_LIMIT ? MAX_DEPTH_LIMIT : maxDepth;
    this.depthLimit = limit;
    this.stack = new StaticArray<u8>(limit);
  }

  get maxDepth(): i32 { return this.depthLimit; }

  /** Points the scanner at `len` bytes at `ptr` and clears the error. */
  reset(ptr: usize, len: i32): JsonScanner {
    this.base = ptr;
    this.len = len > 0 ? len : 0;
    this.error = LibError.None;
    this.errorAt = -1;
    this.containerEnd = -1;
    return this;
  }

  /** Safe wrapper of `reset` for a byte array (which must stay alive while scanning). */
  resetBytes(bytes: Uint8Array): JsonScanner {
    return this.reset(bytes.dataStart, bytes.length);
  }

  /** Records an error and returns `JSON_FAIL`. */
  fail(code: LibError, at: i32): i32 {
    this.error = code;
    this.errorAt = at;
    return JSON_FAIL;
  }

  /** The byte at `pos`, unchecked: `pos` must be in [0, len). */
  // @ts-ignore: decorator
  @inline byteAt(pos: i32): u32 { return <u32>load<u8>(this.base + <usize>pos); }

  /** First offset ≥ `pos` that is not JSON whitespace (may be `len`). */
  skipSpace(pos: i32): i32 {
    if (pos < 0) return pos; // a failure passed along stays a failure
    const base = this.base, len = this.len;
    while (pos < len) {
      const c = <u32>load<u8>(base + <usize>pos);
      if (c > <u32>CharCode.SPACE || (c != CharCode.SPACE && c != CharCode.LF && c != CharCode.CR && c != CharCode.TAB)) break;
      pos++;
    }
    return pos;
  }

  /** Offset of the document's value, or `JSON_FAIL` for an empty document. */
  root(): i32 {
    const p = this.skipSpace(0);
    if (p >= this.len) return this.fail(LibError.UnexpectedEnd, p);
    return p;
  }

  /** Checks that only whitespace follows `end` (the end of the root value). */
  finish(end: i32): bool {
    if (end < 0) return false;
    const p = this.skipSpace(end);
    if (p < this.len) { this.fail(LibError.TrailingData, p); return false; }
    return true;
  }

  /** Validates the whole document: grammar, escapes, depth and (unless disabled) UTF-8. */
  validate(checkUtf8: bool = true): bool {
    const saved = this.validateUtf8;
    this.validateUtf8 = checkUtf8;
    const r = this.root();
    let ok = false;
    if (r >= 0) {
      const e = this.skipValue(r);
      ok = e >= 0 && this.finish(e);
    }
    this.validateUtf8 = saved;
    return ok;
  }

  /** Type of the value starting at `pos` (judged from its first byte only). */
  typeAt(pos: i32): JsonType {
    if (pos < 0 || pos >= this.len) return JsonType.Invalid;
    const c = this.byteAt(pos);
    if (c == CharCode.QUOTE) return JsonType.String;
    if (c == CharCode.LBRACE) return JsonType.Object;
    if (c == CharCode.LBRACKET) return JsonType.Array;
    if (c == CharCode.t || c == CharCode.f) return JsonType.Bool;
    if (c == CharCode.n) return JsonType.Null;
    if (c == CharCode.MINUS || c - CharCode._0 < 10) return JsonType.Number;
    return JsonType.Invalid;
  }

  /**
   * Skips the string whose opening quote is at `pos`; returns the offset after its closing
   * quote. Checks escapes (including surrogate pairing), control bytes and, if enabled, UTF-8.
   */
  skipString(pos: i32): i32 {
    if (pos < 0 || pos >= this.len) return this.fail(LibError.UnexpectedEnd, pos);
    const base = this.base;
    const end = <usize>this.len;
    const utf8 = this.validateUtf8;
    let i = <usize>pos + 1;
    let escaped = false;
    while (true) {
      // Words of eight bytes until a quote, a backslash, a control byte or (when validating) a
      // non-ASCII byte; the lowest flagged byte is exact (borrows only flag bytes above a hit).
      // Most keys and many values are short, so one word is tried before the wide loop.
      let hit = false;
      if (i + 8 <= end) {
        const m = stopMask(load<u64>(base + i), utf8);
        if (m != 0) { i += <usize>(ctz(m) >> 3); hit = true; }
        else i += 8;
      }
      if (!hit) {
        // Thirty-two bytes per iteration while far from the end (one branch for four words),
        // then eight.
        while (i + 32 <= end) {
          const m0 = stopMask(load<u64>(base + i), utf8);
          const m1 = stopMask(load<u64>(base + i, 8), utf8);
          const m2 = stopMask(load<u64>(base + i, 16), utf8);
          const m3 = stopMask(load<u64>(base + i, 24), utf8);
          if ((m0 | m1 | m2 | m3) != 0) {
            if (m0 != 0) i += <usize>(ctz(m0) >> 3);
            else if (m1 != 0) i += 8 + <usize>(ctz(m1) >> 3);
            else if (m2 != 0) i += 16 + <usize>(ctz(m2) >> 3);
            else i += 24 + <usize>(ctz(m3) >> 3);
            hit = true;
            break;
          }
          i += 32;
        }
        while (!hit && i + 8 <= end) {
          const m = stopMask(load<u64>(base + i), utf8);
          if (m != 0) { i += <usize>(ctz(m) >> 3); break; }
          i += 8;
        }
      }
      if (i >= end) return this.fail(LibError.UnexpectedEnd, <i32>i);
      const c = <u32>load<u8>(base + i);
      if (c == CharCode.QUOTE) {
        this.sawEscape = escaped;
        return <i32>i + 1;
      }
      if (c == CharCode.BACKSLASH) {
        escaped = true;
        // Two-byte escapes (\n, \", …) are the common case in code and chat text: inline them.
        if (i + 1 < end && isSimpleEscape(<u32>load<u8>(base + i + 1))) { i += 2; continue; }
        const n = this.skipEscape(<i32>i);
        if (n < 0) return n;
        i = <usize>n;
      } else if (c < <u32>CharCode.SPACE) {
        return this.fail(LibError.ControlCharacter, <i32>i);
      } else if (c >= 0x80 && utf8) {
        // A run of non-ASCII text (CJK, accents): check common 2- and 3-byte forms with one
        // load; leads E0/ED and 4-byte forms take the exact path. CJK text is mostly 3-byte
        // characters with leads E1–EC/EE–EF: two of them are checked per 8-byte load first.
        while (i + 8 <= end) {
          const w = load<u64>(base + i);
          if ((w & 0xc0c0f0c0c0f0) != 0x8080e08080e0) break;
          const l0 = <u32>w & 0xff, l1 = <u32>(w >> 24) & 0xff;
          if (l0 == 0xe0 || l0 == 0xed || l1 == 0xe0 || l1 == 0xed) break;
          i += 6;
        }
        while (i + 4 <= end) {
          const w = load<u32>(base + i);
          const lead = w & 0xff;
          if (lead < 0x80) break;
          if ((w & 0xc0c0f0) == 0x8080e0 && lead != 0xe0 && lead != 0xed) { i += 3; continue; }
          if ((w & 0xc0e0) == 0x80c0 && lead >= 0xc2) { i += 2; continue; }
          const n = utf8SequenceAt(base + i, end - i);
          if (n <= 0) return this.fail(LibError.InvalidUtf8, <i32>i);
          i += <usize>n;
        }
        if (i < end && <u32>load<u8>(base + i) >= 0x80) {
          const n = utf8SequenceAt(base + i, end - i);
          if (n <= 0) return this.fail(n == UTF8_INCOMPLETE ? LibError.UnexpectedEnd : LibError.InvalidUtf8, <i32>i);
          i += <usize>n;
        }
      } else {
        i++;
      }
    }
    return JSON_FAIL; // not reached: the loop only exits by returning
  }

  /** Reads four hex digits at `pos`: the code unit, or -1 (error recorded). */
  hex4(pos: i32): i32 {
    if (pos < 0 || pos > this.len - 4) { this.fail(LibError.UnexpectedEnd, this.len); return -1; }
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const h = hexValue(this.byteAt(pos + k));
      if (h < 0) { this.fail(LibError.InvalidEscape, pos + k); return -1; }
      v = (v << 4) | h;
    }
    return v;
  }

  /** Skips the escape whose backslash is at `pos`; returns the offset after it. */
  private skipEscape(pos: i32): i32 {
    if (pos + 1 >= this.len) return this.fail(LibError.UnexpectedEnd, this.len);
    const e = this.byteAt(pos + 1);
    if (e == CharCode.u) {
      const cu = this.hex4(pos + 2);
      if (cu < 0) return JSON_FAIL;
      if (cu >= 0xdc00 && cu <= 0xdfff) return this.fail(LibError.UnpairedSurrogate, pos);
      if (cu < 0xd800 || cu > 0xdbff) return pos + 6;
      // A high surrogate must be followed by an escaped low surrogate.
      // (Bytes that are there and cannot start "\u" make it unpaired, not truncated.)
      if (pos + 6 < this.len && this.byteAt(pos + 6) != CharCode.BACKSLASH) return this.fail(LibError.UnpairedSurrogate, pos);
      if (pos + 7 < this.len && this.byteAt(pos + 7) != CharCode.u) return this.fail(LibError.UnpairedSurrogate, pos);
      if (pos > this.len - 8) return this.fail(LibError.UnexpectedEnd, this.len);
      const lo = this.hex4(pos + 8);
      if (lo < 0) return JSON_FAIL;
      if (lo < 0xdc00 || lo > 0xdfff) return this.fail(LibError.UnpairedSurrogate, pos);
      return pos + 12;
    }
    if (e == CharCode.QUOTE || e == CharCode.BACKSLASH || e == CharCode.SLASH || e == CharCode.b ||
        e == CharCode.f || e == CharCode.n || e == CharCode.r || e == CharCode.t) return pos + 2;
    return this.fail(LibError.InvalidEscape, pos);
  }

  /** Skips the number starting at `pos` (JSON grammar; range is not checked here). */
  skipNumber(pos: i32): i32 {
    if (pos < 0) return this.fail(LibError.UnexpectedEnd, pos);
    const len = this.len;
    let i = pos;
    if (i < len && this.byteAt(i) == CharCode.MINUS) i++;
    if (i >= len) return this.fail(LibError.UnexpectedEnd, i);
    let c = this.byteAt(i);
    if (c == CharCode._0) {
      i++;
    } else if (c - 0x31 < 9) {
      i++;
      while (i < len && this.byteAt(i) - CharCode._0 < 10) i++;
    } else {
      return this.fail(LibError.NumberSyntax, i);
    }
    if (i < len && this.byteAt(i) == CharCode.DOT) {
      i++;
      if (i >= len) return this.fail(LibError.UnexpectedEnd, i);
      if (this.byteAt(i) - CharCode._0 >= 10) return this.fail(LibError.NumberSyntax, i);
      while (i < len && this.byteAt(i) - CharCode._0 < 10) i++;
    }
    if (i < len && (this.byteAt(i) | 0x20) == CharCode.e) {
      i++;
      if (i < len && (this.byteAt(i) == CharCode.PLUS || this.byteAt(i) == CharCode.MINUS)) i++;
      if (i >= len) return this.fail(LibError.UnexpectedEnd, i);
      if (this.byteAt(i) - CharCode._0 >= 10) return this.fail(LibError.NumberSyntax, i);
      while (i < len && this.byteAt(i) - CharCode._0 < 10) i++;
    }
    return i;
  }

  /** Skips a `true`, `false` or `null` literal at `pos`. */
  private skipLiteral(pos: i32, c: u32): i32 {
    const avail = this.len - pos;
    const p = this.base + <usize>pos;
    if (c == CharCode.f) {
      if (avail >= 5 && load<u32>(p, 1) == WORD_ALSE) return pos + 5;
      return this.literalFailure(pos, avail, 5, "false");
    }
    const word: u32 = c == CharCode.t ? WORD_TRUE : WORD_NULL;
    if (avail >= 4 && load<u32>(p) == word) return pos + 4;
    return this.literalFailure(pos, avail, 4, c == CharCode.t ? "true" : "null");
  }

  /** A literal that did not match: truncated if what is there is a prefix, else a bad byte. */
  private literalFailure(pos: i32, avail: i32, need: i32, literal: string): i32 {
    const n = avail < need ? avail : need;
    for (let k = 0; k < n; k++) {
      if (this.byteAt(pos + k) != <u32>literal.charCodeAt(k)) return this.fail(LibError.UnexpectedByte, pos + k);
    }
    return this.fail(LibError.UnexpectedEnd, this.len);
  }

  /**
   * Skips the value starting at `pos` (after any whitespace) and returns the offset just after
   * it. Containers are walked with an explicit stack, never recursion.
   */
  skipValue(pos: i32): i32 {
    if (pos < 0) return this.fail(LibError.UnexpectedEnd, pos);
    const len = this.len;
    const stack = this.stack;
    const limit = this.depthLimit;
    let depth = 0;
    let i = this.skipSpace(pos);
    while (true) {
      // Expecting a value at i.
      if (i >= len) return this.fail(LibError.UnexpectedEnd, i);
      let c = this.byteAt(i);
      if (c == CharCode.QUOTE) {
        i = this.skipString(i);
        if (i < 0) return i;
      } else if (c == CharCode.LBRACE || c == CharCode.LBRACKET) {
        if (depth >= limit) return this.fail(LibError.TooDeep, i);
        const isObject = c == CharCode.LBRACE;
        unchecked(stack[depth] = isObject ? IN_OBJECT : IN_ARRAY);
        depth++;
        i = this.skipSpace(i + 1);
        if (i >= len) return this.fail(LibError.UnexpectedEnd, i);
        c = this.byteAt(i);
        if (c == (isObject ? CharCode.RBRACE : CharCode.RBRACKET)) {
          i++;
          depth--;
        } else if (isObject) {
          i = this.skipKeyAndColon(i);
          if (i < 0) return i;
          continue;
        } else {
          continue;
        }
      } else if (c == CharCode.MINUS || c - CharCode._0 < 10) {
        i = this.skipNumber(i);
        if (i < 0) return i;
      } else if (c == CharCode.t || c == CharCode.f || c == CharCode.n) {
        i = this.skipLiteral(i, c);
        if (i < 0) return i;
      } else {
        return this.fail(LibError.UnexpectedByte, i);
      }
      // After a value: close containers until a comma asks for the next value.
      while (true) {
        if (depth == 0) return i;
        i = this.skipSpace(i);
        if (i >= len) return this.fail(LibError.UnexpectedEnd, i);
        c = this.byteAt(i);
        const inObject = unchecked(stack[depth - 1]) == IN_OBJECT;
        if (c == CharCode.COMMA) {
          i = this.skipSpace(i + 1);
          if (inObject) {
            i = this.skipKeyAndColon(i);
            if (i < 0) return i;
          }
          break;
        }
        if (c == (inObject ? CharCode.RBRACE : CharCode.RBRACKET)) {
          i++;
          depth--;
          continue;
        }
        return this.fail(LibError.UnexpectedByte, i);
      }
    }
  }

  /** At `pos` expects `"key"` then `:`; returns the offset of the value after them. */
  private skipKeyAndColon(pos: i32): i32 {
    if (pos >= this.len) return this.fail(LibError.UnexpectedEnd, pos);
    if (this.byteAt(pos) != CharCode.QUOTE) return this.fail(LibError.UnexpectedByte, pos);
    let i = this.skipString(pos);
    if (i < 0) return i;
    i = this.skipSpace(i);
    if (i >= this.len) return this.fail(LibError.UnexpectedEnd, i);
    if (this.byteAt(i) != CharCode.COLON) return this.fail(LibError.UnexpectedByte, i);
    return this.skipSpace(i + 1);
  }

  // ---- iteration -------------------------------------------------------------------------

  /** `pos` at `[`: offset of the first element, or `JSON_END` for `[]`. */
  firstElement(pos: i32): i32 {
    if (pos < 0 || pos >= this.len) return this.fail(LibError.UnexpectedEnd, pos);
    if (this.byteAt(pos) != CharCode.LBRACKET) return this.fail(LibError.TypeMismatch, pos);
    const i = this.skipSpace(pos + 1);
    if (i >= this.len) return this.fail(LibError.UnexpectedEnd, i);
    if (this.byteAt(i) == CharCode.RBRACKET) { this.containerEnd = i + 1; return JSON_END; }
    return i;
  }

  /** `pos` at an element: skips it; offset of the next element, or `JSON_END` after the last. */
  nextElement(pos: i32): i32 {
    const e = this.skipValue(pos);
    if (e < 0) return e;
    return this.elementAfter(e);
  }

  /** `e` just after an element: the next element's offset, or `JSON_END` after the last. */
  elementAfter(e: i32): i32 {
    return this.afterEntry(e, CharCode.RBRACKET);
  }

  /** `pos` at `{`: offset of the first key's opening quote, or `JSON_END` for `{}`. */
  firstMember(pos: i32): i32 {
    if (pos < 0 || pos >= this.len) return this.fail(LibError.UnexpectedEnd, pos);
    if (this.byteAt(pos) != CharCode.LBRACE) return this.fail(LibError.TypeMismatch, pos);
    const i = this.skipSpace(pos + 1);
    if (i >= this.len) return this.fail(LibError.UnexpectedEnd, i);
    const c = this.byteAt(i);
    if (c == CharCode.RBRACE) { this.containerEnd = i + 1; return JSON_END; }
    if (c != CharCode.QUOTE) return this.fail(LibError.UnexpectedByte, i);
    return i;
  }

  /** `keyPos` at a key: records the key span (`keyStart`…) and returns its value's offset. */
  memberValue(keyPos: i32): i32 {
    if (keyPos < 0) return JSON_FAIL;
    const k = this.skipString(keyPos);
    if (k < 0) return k;
    this.keyStart = keyPos + 1;
    this.keyEnd = k - 1;
    this.keyEscaped = this.sawEscape;
    let i = this.skipSpace(k);
    if (i >= this.len) return this.fail(LibError.UnexpectedEnd, i);
    if (this.byteAt(i) != CharCode.COLON) return this.fail(LibError.UnexpectedByte, i);
    i = this.skipSpace(i + 1);
    if (i >= this.len) return this.fail(LibError.UnexpectedEnd, i);
    return i;
  }

  /** `valuePos` at a member's value: skips it; the next key's offset, or `JSON_END`. */
  nextMember(valuePos: i32): i32 {
    const e = this.skipValue(valuePos);
    if (e < 0) return e;
    return this.memberAfter(e);
  }

  /** `e` just after a member's value: the next key's offset, or `JSON_END`. */
  memberAfter(e: i32): i32 {
    const i = this.afterEntry(e, CharCode.RBRACE);
    if (i >= 0 && this.byteAt(i) != CharCode.QUOTE) return this.fail(LibError.UnexpectedByte, i);
    return i;
  }

  private afterEntry(e: i32, close: u32): i32 {
    if (e < 0) return this.fail(LibError.UnexpectedEnd, e);
    let i = this.skipSpace(e);
    if (i >= this.len) return this.fail(LibError.UnexpectedEnd, i);
    const c = this.byteAt(i);
    if (c == close) { this.containerEnd = i + 1; return JSON_END; }
    if (c != CharCode.COMMA) return this.fail(LibError.UnexpectedByte, i);
    i = this.skipSpace(i + 1);
    if (i >= this.len) return this.fail(LibError.UnexpectedEnd, i);
    return i;
  }

  /** True when the key read by the last `memberValue` equals `key` (escapes decoded). */
  keyIs(key: JsonKey): bool {
    return this.rawStringEquals(this.keyStart, this.keyEnd, this.keyEscaped, key.ptr, key.len);
  }

  /** Compares a raw string span (between quotes) with `len` UTF-8 bytes at `ptr`. */
  rawStringEquals(start: i32, end: i32, escaped: bool, ptr: usize, len: i32): bool {
    if (start < 0 || end > this.len || start > end) return false;
    if (!escaped) {
      return end - start == len && memory.compare(this.base + <usize>start, ptr, <usize>len) == 0;
    }
    // Rare path (a key written with escapes, e.g. "mod\u0065l"): decode, then compare, so an
    // escaped spelling cannot smuggle a second "model" past the gateway.
    if (end - start < len) return false;
    const out = this.scratch;
    out.reset();
    if (decodeStringContent(this, start, end, out) < 0) return false;
    return out.equals(ptr, len);
  }

  /**
   * One pass over the object at `pos` filling `fields` with the value span of each key.
   * Returns the offset after the object. Strict by default: the whole object is validated and
   * a looked-up key that appears twice is a `DuplicateKey` error (a backend reading the last
   * copy must not see another value than the gateway). With `stopEarly`, scanning stops once
   * every key is found and returns the offset where it stopped; nothing after it is checked.
   */
  lookup(pos: i32, fields: JsonFields, stopEarly: bool = false): i32 {
    fields.clear();
    let k = this.firstMember(pos);
    const keys = fields.keys;
    const n = keys.length;
    let remaining = n;
    while (k >= 0) {
      const v = this.memberValue(k);
      if (v < 0) return v;
      const ks = this.keyStart, kl = this.keyEnd - ks;
      const e = this.skipValue(v);
      if (e < 0) return e;
      for (let f = 0; f < n; f++) {
        const key = unchecked(keys[f]);
        if ((this.keyEscaped || kl == key.len) && this.keyIs(key)) {
          if (fields.start(f) >= 0) return this.fail(LibError.DuplicateKey, ks - 1);
          fields.set(f, v, e);
          remaining--;
          if (stopEarly && remaining == 0) return e;
          break;
        }
      }
      k = this.memberAfter(e);
    }
    if (k == JSON_FAIL) return k;
    return this.containerEnd;
  }

  /** Value offset of `key` in the object at `pos` (first occurrence), `JSON_END` if absent. */
  find(pos: i32, key: JsonKey): i32 {
    let k = this.firstMember(pos);
    while (k >= 0) {
      const v = this.memberValue(k);
      if (v < 0) return v;
      if (this.keyIs(key)) return v;
      k = this.nextMember(v);
    }
    return k;
  }
}
