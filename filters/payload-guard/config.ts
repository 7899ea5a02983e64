/**
 * @module filters/payload-guard/config
 * The guard's configuration, read with lib/config (an unknown field, a wrong type or an unknown
 * detector name refuses the whole configuration with one line naming the field). Each direction
 * has its own detectors (kind → action) and the text fields it scans; phrase lists are shared
 * and named, and a list is enabled like a built-in kind by naming it in `detectors`.
 * `config.schema.json` accepts exactly what this accepts (a test checks both agree).
 */
import { ConfigReader, ConfigObject } from "../lib/config/reader";
import { TextKind } from "../lib/llm/spans";
import { Action, BUILTIN_KINDS, Kind, builtinKind } from "./kinds";
import { Detectors, STOP_TABLE_SIZE } from "./detect/scanner";
import { INJECTION_PHRASES } from "./detect/injection-phrases";
import { foldPhrase } from "./detect/phrases";

export const enum StreamMode { Holdback = 0, Off = 1 }
export const enum FailureMode { FailClosed = 0, FailOpen = 1 }

const ACTIONS = ["flag", "redact", "block"];
const REQUEST_FIELDS = ["message", "system", "prompt", "input", "tool_result", "tool_call"];
const RESPONSE_FIELDS = ["output", "tool_call"];
/** TextKind of each request field name above, in order. */
const REQUEST_FIELD_KINDS: StaticArray<i32> = [TextKind.Message, TextKind.System, TextKind.Prompt, TextKind.Input, TextKind.ToolResult, TextKind.ToolCall];
const RESPONSE_FIELD_KINDS: StaticArray<i32> = [TextKind.Output, TextKind.ToolCall];

export class Direction {
  detectors: Detectors;
  /** Bit per TextKind scanned. */
  fields: u32 = 0;
  constructor(kindCount: i32) { this.detectors = new Detectors(kindCount); }
  scans(kind: TextKind): bool { return (this.fields & (<u32>1 << <u32>kind)) != 0; }
  get enabled(): bool { return this.detectors.any; }
}

export class Moderation {
  cluster: string = "";
  path: string = "/v1/moderations";
  authority: string = "moderation";
  model: string = "";
  timeoutMs: i64 = 2000;
  failureMode: FailureMode = FailureMode.FailClosed;
}

export class GuardConfig {
  holdHeaders: bool = false;
  maxBodyBytes: i64 = 2 << 20;
  tooLargeFailOpen: bool = false;
  rejectOnParseError: bool = true;
  blockStatus: i32 = 400;
  /** `{kind}` is replaced by the kind's name. */
  mask: string = "[REDACTED:{kind}]";
  maskChar: u8 = 0x2a;
  flagHeader: string = "x-tollgate-guard";
  apiPrefixes: string[] = [];
  /** Kind names: built-ins, then the phrase lists in order. */
  kindNames: string[] = [];
  request: Direction = new Direction(0);
  response: Direction = new Direction(0);
  streaming: StreamMode = StreamMode.Holdback;
  holdbackBytes: i32 = 8192;
  moderation: Moderation | null = null;

  kindName(k: i32): string { return <u32>k < <u32>this.kindNames.length ? unchecked(this.kindNames[k]) : "unknown"; }
}

export class ParsedConfig {
  config: GuardConfig | null = null;
  error: string = "";
}

function isListName(s: string): bool {
  if (s.length == 0 || s.length > 64) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x5f || c == 0x2d)) return false;
  }
  return true;
}

function isHeaderName(s: string): bool {
  if (s.length == 0 || s.length > 128) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x5f)) return false;
  }
  return true;
}

/**
 * A control character other than tab, LF or CR: raw JSON text never holds one, so such a phrase
 * could only match the bytes the stream guard blanks (found by the fuzzer).
 */
function hasControl(s: string): bool {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) || c == 0x7f) return true;
  }
  return false;
}

/** Lists named in `phraseLists`: names, phrases and the action in each direction (0 = off), in order. */
class Lists {
  names: string[] = [];
  phrases: Array<string[]> = [];
  request: i32[] = [];
  response: i32[] = [];
}

function readLists(r: ConfigReader, root: ConfigObject): Lists {
  const out = new Lists();
  const obj = root.object("phraseLists");
  const names = obj.memberNames();
  for (let i = 0; i < names.length && r.ok; i++) {
    const name = unchecked(names[i]);
    if (!isListName(name) || builtinKind(name) >= 0 || out.names.includes(name)) {
      r.fail(obj.pathOf(name), "expected a list name of 1-64 [a-z0-9_-] that is not a built-in detector and not repeated");
      break;
    }
    const list = obj.object(name);
    if (!r.ok) break;
    if (!list.exists) { r.fail(obj.pathOf(name), "expected an object"); break; }
    list.fields(["phrases", "request", "response"]);
    if (!list.require("phrases")) break;
    const phrases = list.stringArray("phrases", 256);
    if (r.ok && phrases.length == 0) { r.fail(list.pathOf("phrases"), "expected at least one phrase"); break; }
    for (let k = 0; k < phrases.length && r.ok; k++) {
      const phrase = unchecked(phrases[k]);
      if (foldPhrase(phrase).length == 0) r.fail(list.pathOf("phrases") + "[" + k.toString() + "]", "expected a phrase that is not only whitespace");
      else if (hasControl(phrase)) r.fail(list.pathOf("phrases") + "[" + k.toString() + "]", "expected a phrase without control characters (tab, LF and CR aside)");
    }
    out.names.push(name);
    out.phrases.push(phrases);
    out.request.push(list.enumOf("request", ACTIONS, -1) + 1);
    out.response.push(list.enumOf("response", ACTIONS, -1) + 1);
  }
  return out;
}

function readDirection(r: ConfigReader, o: ConfigObject, kindNames: string[], lists: Lists, fieldNames: string[], fieldKinds: StaticArray<i32>, response: bool, stops: StaticArray<u8>): Direction {
  const d = new Direction(kindNames.length);
  const det = o.object("detectors");
  const builtins = new Array<string>();
  for (let i = 0; i < BUILTIN_KINDS.length; i++) builtins.push(unchecked(BUILTIN_KINDS[i]));
  det.fields(builtins);
  const names = det.memberNames();
  for (let i = 0; i < names.length && r.ok; i++) {
    const name = unchecked(names[i]);
    const a = det.enumOf(name, ACTIONS, 0);
    unchecked(d.detectors.actions[builtinKind(name)] = <u8>(a + 1));
  }
  const listActions = response ? lists.response : lists.request;
  for (let l = 0; l < listActions.length; l++) unchecked(d.detectors.actions[<i32>Kind.FirstList + l] = <u8>unchecked(listActions[l]));
  if (o.has("fields")) {
    const f = o.stringArray("fields", 64);
    for (let i = 0; i < f.length && r.ok; i++) {
      const j = fieldNames.indexOf(unchecked(f[i]));
      if (j < 0) { r.fail(o.pathOf("fields") + "[" + i.toString() + "]", "expected one of " + fieldNames.join(", ")); break; }
      d.fields |= <u32>1 << <u32>unchecked(fieldKinds[j]);
    }
  } else {
    for (let j = 0; j < fieldKinds.length; j++) d.fields |= <u32>1 << <u32>unchecked(fieldKinds[j]);
  }
  if (!r.ok) return d;
  const ds = d.detectors;
  if (ds.on(Kind.PromptInjection)) for (let i = 0; i < INJECTION_PHRASES.length; i++) ds.phrases.add(unchecked(INJECTION_PHRASES[i]), Kind.PromptInjection);
  for (let l = 0; l < lists.names.length; l++) {
    const kind = <i32>Kind.FirstList + l;
    if (!ds.on(kind)) continue;
    const ph = unchecked(lists.phrases[l]);
    for (let i = 0; i < ph.length; i++) {
      ds.phrases.add(unchecked(ph[i]), kind);
    }
  }
  if (!ds.phrases.build()) r.fail(o.pathOf("detectors"), "the phrase lists are too large to compile");
  ds.prepare(stops, response ? 2 : 1);
  return d;
}

export function parseConfig(bytes: Uint8Array): ParsedConfig {
  const out = new ParsedConfig();
  const r = new ConfigReader(bytes);
  const root = r.root();
  const c = new GuardConfig();
  root.fields(["holdHeaders", "maxBodyBytes", "bodyTooLarge", "onParseError", "blockStatus", "mask", "maskChar", "flagHeader",
    "apiPrefixes", "phraseLists", "request", "response", "moderation"]);
  c.holdHeaders = root.bool("holdHeaders", false);
  c.maxBodyBytes = root.int("maxBodyBytes", 2 << 20, 1, 64 << 20);
  c.tooLargeFailOpen = root.enumOf("bodyTooLarge", ["FailClosed", "FailOpen"], 0) == 1;
  c.rejectOnParseError = root.enumOf("onParseError", ["reject", "continue"], 0) == 0;
  c.blockStatus = <i32>root.int("blockStatus", 400, 400, 599);
  c.mask = root.nonEmptyString("mask", c.mask, 256);
  const mc = root.nonEmptyString("maskChar", "*", 1);
  if (r.ok) {
    const b = mc.charCodeAt(0);
    if (b < 0x21 || b > 0x7e || b == 0x22 || b == 0x5c) r.fail("maskChar", "expected one printable ASCII character other than a quote or backslash");
    else c.maskChar = <u8>b;
  }
  c.flagHeader = root.nonEmptyString("flagHeader", c.flagHeader, 128);
  if (r.ok && !isHeaderName(c.flagHeader)) r.fail("flagHeader", "expected a header name ([A-Za-z0-9_-])");
  c.apiPrefixes = root.stringArray("apiPrefixes", 256);

  const lists = readLists(r, root);
  const names = new Array<string>();
  for (let i = 0; i < BUILTIN_KINDS.length; i++) names.push(unchecked(BUILTIN_KINDS[i]));
  for (let i = 0; i < lists.names.length; i++) names.push(unchecked(lists.names[i]));
  c.kindNames = names;

  const req = root.object("request");
  req.fields(["detectors", "fields"]);
  // Both directions share one byte-pair table for their scans (a bit each).
  const stops = new StaticArray<u8>(STOP_TABLE_SIZE);
  if (r.ok) c.request = readDirection(r, req, names, lists, REQUEST_FIELDS, REQUEST_FIELD_KINDS, false, stops);
  const res = root.object("response");
  res.fields(["detectors", "fields", "streaming", "holdbackBytes"]);
  if (r.ok) c.response = readDirection(r, res, names, lists, RESPONSE_FIELDS, RESPONSE_FIELD_KINDS, true, stops);
  c.streaming = <StreamMode>res.enumOf("streaming", ["holdback", "off"], 0);
  c.holdbackBytes = <i32>res.int("holdbackBytes", 8192, 64, 1 << 20);

  const mod = root.object("moderation");
  if (mod.exists) {
    mod.fields(["cluster", "path", "authority", "model", "timeout", "failureMode"]);
    const m = new Moderation();
    if (mod.require("cluster")) m.cluster = mod.nonEmptyString("cluster", "", 512);
    m.path = mod.nonEmptyString("path", m.path, 1024);
    if (r.ok && m.path.charCodeAt(0) != 0x2f) r.fail("moderation.path", "expected a path starting with /");
    m.authority = mod.nonEmptyString("authority", m.authority, 256);
    m.model = mod.string("model", "");
    // 0 is "no timeout", as for Envoy's http_call; the call takes a signed 32-bit millisecond count.
    m.timeoutMs = min(mod.durationMs("timeout", 2000, 0), <i64>i32.MAX_VALUE);
    m.failureMode = <FailureMode>mod.enumOf("failureMode", ["FailClosed", "FailOpen"], 0);
    c.moderation = m;
  }
  if (!r.ok) { out.error = r.error; return out; }
  out.config = c;
  return out;
}
