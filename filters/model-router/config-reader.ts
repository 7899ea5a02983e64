/**
 * @module filters/model-router/config-reader
 * A small strict reader for the plugin configuration (JSON): walks objects and arrays with a
 * `JsonScanner`, decodes keys and scalar values, and records the first problem as one message
 * naming the field by its path (`rules[1].when.minPromptTokens: expected an integer`). Unknown
 * fields, wrong types and duplicate keys are errors; nothing traps. (filters/lib has no shared
 * config reader yet; this one is the router's own.)
 */
import { ByteBuffer } from "../lib/bytes";
import { LibError, errorMessage } from "../lib/errors";
import { JsonScanner, JSON_END, decodeStringContent } from "../lib/json/scanner";
import { readBool, readF64, readI64, readString, isNull } from "../lib/json/values";
import { CharCode } from "../lib/charcode";

export class ConfigReader {
  readonly sc: JsonScanner = new JsonScanner(32);
  /** The first problem, `path: what`; empty while all is well. */
  error: string = "";
  private buf: ByteBuffer = new ByteBuffer(64);
  private bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.sc.resetBytes(bytes);
    this.sc.validateUtf8 = true;
  }

  get ok(): bool { return this.error.length == 0; }

  /** Records `path: message` (the first one wins); returns -2 for use as an offset. */
  fail(path: string, message: string): i32 {
    if (this.error.length == 0) this.error = (path.length > 0 ? path + ": " : "") + message;
    return -2;
  }

  /** Records a JSON syntax error at the scanner's position. */
  syntax(): i32 {
    const sc = this.sc;
    const code = sc.error != LibError.None ? sc.error : LibError.UnexpectedByte;
    return this.fail("", "not valid JSON: " + errorMessage(code) + " at byte " + sc.errorAt.toString());
  }

  /** The root value's offset, checked to be an object followed by nothing; -2 on error. */
  root(): i32 {
    const sc = this.sc;
    const r = sc.root();
    if (r < 0) return this.syntax();
    const e = sc.skipValue(r);
    if (e < 0 || !sc.finish(e)) return this.syntax();
    if (sc.byteAt(r) != CharCode.LBRACE) return this.fail("", "expected a JSON object");
    return r;
  }

  /** The key read by the last `memberValue`, decoded. */
  key(): string {
    const sc = this.sc;
    if (!sc.keyEscaped) return String.UTF8.decodeUnsafe(sc.base + <usize>sc.keyStart, <usize>(sc.keyEnd - sc.keyStart), false);
    const b = this.buf;
    b.reset();
    if (decodeStringContent(sc, sc.keyStart, sc.keyEnd, b) < 0) return "";
    return b.toString();
  }

  /** True when the value at `pos` is a JSON object (else records "expected an object"). */
  isObject(pos: i32, path: string): bool {
    if (this.sc.byteAt(pos) == CharCode.LBRACE) return true;
    this.fail(path, "expected an object");
    return false;
  }

  isArray(pos: i32, path: string): bool {
    if (this.sc.byteAt(pos) == CharCode.LBRACKET) return true;
    this.fail(path, "expected an array");
    return false;
  }

  /** The string at `pos`, decoded; null (error recorded) for another type. */
  string(pos: i32, path: string): string | null {
    const sc = this.sc;
    if (sc.byteAt(pos) != CharCode.QUOTE) { this.fail(path, "expected a string"); return null; }
    const b = this.buf;
    b.reset();
    if (readString(sc, pos, b) < 0) { this.syntax(); return null; }
    return b.toString();
  }

  /** 1 / 0 for a boolean; -1 (error recorded) for anything else. */
  bool(pos: i32, path: string): i32 {
    const b = readBool(this.sc, pos);
    if (b < 0) this.fail(path, "expected a boolean");
    return b;
  }

  /** An integer in [min, max]; -1 (error recorded) otherwise. Callers use min ≥ 0. */
  int(pos: i32, path: string, min: i64, max: i64): i64 {
    const sc = this.sc;
    const c = sc.byteAt(pos);
    if (c != CharCode.MINUS && c - CharCode._0 >= 10) { this.fail(path, "expected an integer"); return -1; }
    const n = readI64(sc, pos);
    if (sc.error == LibError.NotAnInteger) {
      // JSON Schema's "integer" is any number with a zero fraction: 2.0 and 1e3 count.
      const f = readF64(sc, pos);
      if (sc.error != LibError.None || f != Math.floor(f)) { this.fail(path, "expected an integer"); return -1; }
      if (f < <f64>min || f > <f64>max) { this.fail(path, "must be an integer from " + min.toString() + " to " + max.toString()); return -1; }
      return <i64>f;
    }
    if (sc.error != LibError.None || n < min || n > max) {
      this.fail(path, "must be an integer from " + min.toString() + " to " + max.toString());
      return -1;
    }
    return n;
  }

  isNull(pos: i32): bool { return isNull(this.sc, pos); }

  /** Offset just after the value at `pos` (it was checked by `root`). */
  end(pos: i32): i32 { return this.sc.skipValue(pos); }
}

/**
 * Iterates an object's members: `next()` moves to the next member (false at the end or on
 * error), then `key` and `value` describe it. Duplicate keys are refused.
 */
export class Members {
  key: string = "";
  value: i32 = -1;
  private at: i32;
  private seen: string[] = [];

  constructor(private r: ConfigReader, obj: i32, private path: string) {
    this.at = r.sc.firstMember(obj);
  }

  next(): bool {
    const r = this.r, sc = r.sc;
    if (this.value >= 0) {
      this.at = sc.nextMember(this.value);
      this.value = -1;
    }
    if (this.at == JSON_END) return false;
    if (this.at < 0 || !r.ok) { if (r.ok) r.syntax(); return false; }
    const v = sc.memberValue(this.at);
    if (v < 0) { r.syntax(); return false; }
    this.key = r.key();
    if (this.seen.includes(this.key)) { r.fail(this.path, "duplicate field \"" + this.key + "\""); return false; }
    this.seen.push(this.key);
    this.value = v;
    return true;
  }

  /** Records "unknown field" for the current member. */
  unknown(): void {
    this.r.fail(this.path, "unknown field \"" + this.key + "\"");
  }
}

/** Iterates an array's elements: `next()`, then `value` and `index`. */
export class Elements {
  value: i32 = -1;
  index: i32 = -1;
  private at: i32;

  constructor(private r: ConfigReader, arr: i32) {
    this.at = r.sc.firstElement(arr);
  }

  next(): bool {
    const r = this.r, sc = r.sc;
    if (this.value >= 0) {
      this.at = sc.nextElement(this.value);
      this.value = -1;
    }
    if (this.at == JSON_END) return false;
    if (this.at < 0 || !r.ok) { if (r.ok) r.syntax(); return false; }
    this.value = this.at;
    this.index++;
    return true;
  }
}
