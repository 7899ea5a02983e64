/**
 * @module filters/lib/config/reader
 * The plugin-configuration reader every filter uses in `proxy_on_configure`: the JSON is
 * validated once (grammar, UTF-8, depth), then typed getters read fields by name and record
 * problems with the full field path — `limits[2].window: expected a duration like "60s"`.
 * Each object declares its fields (`fields([...])`), so an unknown or duplicated field is
 * rejected by name. The reader keeps the FIRST error only: the configuration is refused
 * anyway, one precise line is what the operator needs, and the controller's JSON Schema check
 * reports all problems before a configuration ever reaches a gateway. After an error every
 * getter returns its default, so reading code needs no branches; check `ok` at the end.
 * Nothing traps. An empty configuration reads as `{}`; `null` is a wrong type, not "absent".
 *
 * @example
 *   const r = new ConfigReader(configBytes);
 *   const root = r.root();
 *   root.fields(["maxBodyBytes", "limits"]);
 *   const maxBody = root.int("maxBodyBytes", 2 << 20, 1, 64 << 20);
 *   const limits = root.objects("limits");
 *   for (let i = 0; i < limits.length; i++) {
 *     const l = limits[i];
 *     l.fields(["name", "window"]);
 *     const window = l.durationMs("window", 60_000, 1, 86_400_000);
 *   }
 *   if (!r.ok) { logError(r.error); return false; }
 */
import { CharCode } from "../charcode";
import { LibError, errorMessage } from "../errors";
import { ByteBuffer } from "../bytes";
import { JsonScanner } from "../json/scanner";
import { JsonKey } from "../json/key";
import { readString, readBool, readI64, readF64 } from "../json/values";
import { parseDuration } from "../duration";

const NANOS_PER_MS: i64 = 1_000_000;

export class ConfigReader {
  /** The first problem found, as `path: what was expected`; empty while none. */
  error: string = "";
  /** The configuration bytes (kept alive: the scanner points into them). */
  readonly bytes: Uint8Array;
  readonly sc: JsonScanner;
  private text: ByteBuffer = new ByteBuffer(64);
  private valid: bool = false;

  constructor(config: Uint8Array, maxDepth: i32 = 32) {
    this.bytes = config;
    this.sc = new JsonScanner(maxDepth);
    this.sc.resetBytes(config);
    this.valid = this.check();
  }

  private check(): bool {
    const root = this.sc.skipSpace(0);
    if (root >= this.bytes.length) return true; // empty: {}
    if (!this.sc.validate(true)) {
      this.error = "configuration is not valid JSON: " + errorMessage(this.sc.error) + " at byte " + this.sc.errorAt.toString();
      return false;
    }
    if (this.sc.byteAt(root) != CharCode.LBRACE) { this.error = "configuration: expected a JSON object"; return false; }
    return true;
  }

  static fromString(config: string): ConfigReader {
    return new ConfigReader(Uint8Array.wrap(String.UTF8.encode(config, false)));
  }

  get ok(): bool { return this.error.length == 0; }

  /** The root object (an empty object when the configuration is empty or invalid). */
  root(): ConfigObject {
    const at = this.sc.skipSpace(0);
    return new ConfigObject(this, this.valid && at < this.bytes.length ? at : -1, "");
  }

  /** Records `path: message` unless an error is already recorded. */
  fail(path: string, message: string): void {
    if (this.error.length == 0) this.error = oneLine((path.length > 0 ? path : "configuration") + ": " + message);
  }

  /** The string value at `pos` (the document is valid, so this only fails on bad input to it). */
  stringAt(pos: i32): string {
    const buf = this.text;
    buf.reset();
    if (readString(this.sc, pos, buf) < 0) return "";
    return buf.toString();
  }
}

/** One object of the configuration; `path` names it in errors (`limits[2]`). */
export class ConfigObject {
  constructor(readonly reader: ConfigReader, readonly pos: i32, readonly path: string) {}

  /** False for the stand-in of an absent or invalid object (every getter returns defaults). */
  get exists(): bool { return this.pos >= 0; }

  /** The path of member `name`. */
  pathOf(name: string): string { return this.path.length > 0 ? this.path + "." + name : name; }

  /**
   * Declares the object's fields: the first member not in `names`, or appearing twice, is an
   * error naming it. Returns false when one was found.
   */
  fields(names: string[]): bool {
    if (this.pos < 0) return true;
    const r = this.reader, sc = r.sc;
    const seen = new Set<string>();
    let k = sc.firstMember(this.pos);
    while (k >= 0) {
      const v = sc.memberValue(k);
      if (v < 0) return false;
      const key = r.stringAt(k);
      if (!names.includes(key)) {
        r.fail(this.pathOf(key), "unknown field (expected one of " + quoteList(names) + ")");
        return false;
      }
      if (seen.has(key)) { r.fail(this.pathOf(key), "duplicate field"); return false; }
      seen.add(key);
      k = sc.nextMember(v);
    }
    return true;
  }

  /** Names of the members, in order (for maps). */
  memberNames(): string[] {
    const out = new Array<string>();
    if (this.pos < 0) return out;
    const r = this.reader, sc = r.sc;
    let k = sc.firstMember(this.pos);
    while (k >= 0) {
      const v = sc.memberValue(k);
      if (v < 0) break;
      out.push(r.stringAt(k));
      k = sc.nextMember(v);
    }
    return out;
  }

  /** Value offset of member `name`, or -1 when absent (or after an error). */
  find(name: string): i32 {
    if (this.pos < 0 || !this.reader.ok) return -1;
    const v = this.reader.sc.find(this.pos, new JsonKey(name));
    return v >= 0 ? v : -1;
  }

  has(name: string): bool { return this.find(name) >= 0; }

  /** Records that a required member is missing (returns false) or true when present. */
  require(name: string): bool {
    if (this.pos < 0 || !this.reader.ok) return false;
    if (this.has(name)) return true;
    this.reader.fail(this.pathOf(name), "required");
    return false;
  }

  private typeError(name: string, expected: string): void {
    this.reader.fail(this.pathOf(name), "expected " + expected);
  }

  private isString(v: i32): bool { return this.reader.sc.byteAt(v) == CharCode.QUOTE; }

  string(name: string, def: string = ""): string {
    const v = this.find(name);
    if (v < 0) return def;
    if (!this.isString(v)) { this.typeError(name, "a string"); return def; }
    return this.reader.stringAt(v);
  }

  /** A string of 1 to `maxBytes` UTF-8 bytes. */
  nonEmptyString(name: string, def: string = "", maxBytes: i32 = 1024): string {
    const v = this.find(name);
    if (v < 0) return def;
    const s = this.string(name, def);
    const n = String.UTF8.byteLength(s, false);
    if (this.reader.ok && (n == 0 || n > maxBytes)) {
      this.typeError(name, "a non-empty string of at most " + maxBytes.toString() + " bytes");
      return def;
    }
    return s;
  }

  bool(name: string, def: bool = false): bool {
    const v = this.find(name);
    if (v < 0) return def;
    const b = readBool(this.reader.sc, v);
    if (b < 0) { this.typeError(name, "true or false"); return def; }
    return b == 1;
  }

  /** An integer in [min, max]. */
  int(name: string, def: i64, min: i64 = i64.MIN_VALUE, max: i64 = i64.MAX_VALUE): i64 {
    const v = this.find(name);
    if (v < 0) return def;
    const sc = this.reader.sc;
    const c = sc.byteAt(v);
    let n: i64 = 0;
    let good = c == CharCode.MINUS || c - CharCode._0 < 10;
    if (good) {
      n = readI64(sc, v);
      if (sc.error == LibError.NotAnInteger) {
        // JSON Schema's `integer` (which the controller validates against) accepts 2.0 and 1e3.
        const f = readF64(sc, v);
        good = sc.error == LibError.None && f == Math.floor(f) && Math.abs(f) <= 9007199254740991.0;
        n = good ? <i64>f : 0;
      } else good = sc.error == LibError.None;
    }
    if (!good || n < min || n > max) { this.typeError(name, rangeText("an integer", min, max)); return def; }
    return n;
  }

  /** A number in [min, max] (weights such as 0.1). */
  number(name: string, def: f64, min: f64 = -f64.MAX_VALUE, max: f64 = f64.MAX_VALUE): f64 {
    const v = this.find(name);
    if (v < 0) return def;
    const sc = this.reader.sc;
    const c = sc.byteAt(v);
    let n: f64 = 0;
    let good = c == CharCode.MINUS || c - CharCode._0 < 10;
    if (good) { n = readF64(sc, v); good = sc.error == LibError.None; }
    if (!good || n < min || n > max) {
      this.typeError(name, "a number" + (min > -f64.MAX_VALUE ? " from " + min.toString() : "") + (max < f64.MAX_VALUE ? " to " + max.toString() : ""));
      return def;
    }
    return n;
  }

  /** A duration string ("500ms", "1m", "24h", "1h30m") in [minMs, maxMs], as milliseconds. */
  durationMs(name: string, defMs: i64, minMs: i64 = 0, maxMs: i64 = i64.MAX_VALUE / NANOS_PER_MS): i64 {
    const v = this.find(name);
    if (v < 0) return defMs;
    const expected = "a duration like \"60s\"";
    if (!this.isString(v)) { this.typeError(name, expected); return defMs; }
    const sc = this.reader.sc;
    const e = sc.skipString(v);
    if (e < 0 || sc.sawEscape) { this.typeError(name, expected); return defMs; }
    const d = parseDuration(sc.base + <usize>(v + 1), e - v - 2);
    if (!d.ok) { this.typeError(name, expected); return defMs; }
    if (d.nanos % NANOS_PER_MS != 0) { this.typeError(name, "a whole number of milliseconds"); return defMs; }
    const ms = d.millis;
    if (ms < minMs || ms > maxMs) {
      this.typeError(name, "a duration from " + formatMs(minMs) + (maxMs < i64.MAX_VALUE / NANOS_PER_MS ? " to " + formatMs(maxMs) : ""));
      return defMs;
    }
    return ms;
  }

  /** One of `options`; returns its index, or `def` when absent or wrong. */
  enumOf(name: string, options: string[], def: i32): i32 {
    const v = this.find(name);
    if (v < 0) return def;
    if (this.isString(v)) {
      const i = options.indexOf(this.reader.stringAt(v));
      if (i >= 0) return i;
    }
    this.typeError(name, "one of " + quoteList(options));
    return def;
  }

  /** An array of strings (each 1 to `maxBytes` bytes); empty when absent. */
  stringArray(name: string, maxBytes: i32 = 4096): string[] {
    const out = new Array<string>();
    const v = this.find(name);
    if (v < 0) return out;
    const r = this.reader, sc = r.sc;
    const expected = "an array of non-empty strings";
    if (sc.byteAt(v) != CharCode.LBRACKET) { this.typeError(name, expected); return out; }
    let i = 0;
    let p = sc.firstElement(v);
    while (p >= 0) {
      const s = sc.byteAt(p) == CharCode.QUOTE ? r.stringAt(p) : "";
      const n = String.UTF8.byteLength(s, false);
      if (n == 0 || n > maxBytes) {
        r.fail(this.pathOf(name) + "[" + i.toString() + "]", "expected a non-empty string of at most " + maxBytes.toString() + " bytes");
        return new Array<string>();
      }
      out.push(s);
      i++;
      p = sc.nextElement(p);
    }
    return out;
  }

  /** An object whose values are all strings; empty when absent. Keys keep their order. */
  stringMap(name: string): Map<string, string> {
    const out = new Map<string, string>();
    const obj = this.object(name);
    if (!obj.exists) return out;
    const r = this.reader, sc = r.sc;
    let k = sc.firstMember(obj.pos);
    while (k >= 0) {
      const v = sc.memberValue(k);
      if (v < 0) break;
      const key = r.stringAt(k);
      if (out.has(key)) { r.fail(obj.pathOf(key), "duplicate field"); return new Map<string, string>(); }
      if (sc.byteAt(v) != CharCode.QUOTE) { r.fail(obj.pathOf(key), "expected a string"); return new Map<string, string>(); }
      out.set(key, r.stringAt(v));
      k = sc.nextMember(v);
    }
    return out;
  }

  /** The object member `name`; a stand-in whose getters return defaults when absent or wrong. */
  object(name: string): ConfigObject {
    const v = this.find(name);
    const path = this.pathOf(name);
    if (v < 0) return new ConfigObject(this.reader, -1, path);
    if (this.reader.sc.byteAt(v) != CharCode.LBRACE) { this.typeError(name, "an object"); return new ConfigObject(this.reader, -1, path); }
    return new ConfigObject(this.reader, v, path);
  }

  /** The array of objects `name` (`limits[0]`, `limits[1]`, …); empty when absent or wrong. */
  objects(name: string): ConfigObject[] {
    const out = new Array<ConfigObject>();
    const v = this.find(name);
    if (v < 0) return out;
    const r = this.reader, sc = r.sc;
    if (sc.byteAt(v) != CharCode.LBRACKET) { this.typeError(name, "an array of objects"); return out; }
    let i = 0;
    let p = sc.firstElement(v);
    while (p >= 0) {
      const path = this.pathOf(name) + "[" + i.toString() + "]";
      if (sc.byteAt(p) != CharCode.LBRACE) { r.fail(path, "expected an object"); return new Array<ConfigObject>(); }
      out.push(new ConfigObject(r, p, path));
      i++;
      p = sc.nextElement(p);
    }
    return out;
  }
}

const MAX_ERROR_CHARS = 400;

/** Control characters (from keys the configuration spelled with escapes) shown as `\uXXXX`; long text cut. */
function oneLine(s: string): string {
  let out = "";
  const n = s.length < MAX_ERROR_CHARS ? s.length : MAX_ERROR_CHARS;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c == 0x7f) {
      const hex = c.toString(16);
      out += "\\u" + "0000".substring(hex.length) + hex;
    } else out += String.fromCharCode(c);
  }
  return n < s.length ? out + "…" : out;
}

function quoteList(names: string[]): string {
  let s = "";
  for (let i = 0; i < names.length; i++) {
    if (i > 0) s += ", ";
    s += "\"" + unchecked(names[i]) + "\"";
  }
  return s;
}

function rangeText(what: string, min: i64, max: i64): string {
  if (min == i64.MIN_VALUE && max == i64.MAX_VALUE) return what;
  if (max == i64.MAX_VALUE) return what + " of at least " + min.toString();
  if (min == i64.MIN_VALUE) return what + " of at most " + max.toString();
  return what + " from " + min.toString() + " to " + max.toString();
}

function formatMs(ms: i64): string {
  if (ms % 3_600_000 == 0 && ms > 0) return (ms / 3_600_000).toString() + "h";
  if (ms % 60_000 == 0 && ms > 0) return (ms / 60_000).toString() + "m";
  if (ms % 1000 == 0 && ms > 0) return (ms / 1000).toString() + "s";
  return ms.toString() + "ms";
}
