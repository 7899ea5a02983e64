/**
 * @module filters/lib/test/generators
 * Seeded generators for the property test: random JSON values written with varied whitespace
 * and escape styles, byte-level mutations of them, random SSE streams, and reference oracles
 * (JSON validity as V8 + the scanner's documented extra rules; a WHATWG SSE parser in JS).
 */

import { Random as Rand } from "../../../test/support/random.ts";

export { Rand };

const CHARS = ["a", "b", "Z", " ", "\"", "\\", "/", "\n", "\t", "\u0001", "\u001f", "é", "中", "🙂", "\u2028", "model", ":", ",", "{", "]"];
const KEYS = ["model", "stream", "messages", "content", "a", "b", "é", "中文", "x y", "mod\"el", "tools", "user", ""];

function randomString(r: Rand): string {
  let s = "";
  const n = r.int(r.chance(0.05) ? 200 : 12);
  for (let i = 0; i < n; i++) s += r.pick(CHARS);
  if (r.chance(0.03)) s += r.pick(["\ud800", "\udc00"]); // lone surrogate (V8 accepts it, the scanner does not)
  return s;
}

function randomNumber(r: Rand): string {
  switch (r.int(8)) {
    case 0: return String(r.int(100));
    case 1: return String(-r.int(1e6));
    case 2: return String(r.next() * 10 ** r.int(30));
    case 3: return `${r.int(10)}e${r.chance(0.5) ? "-" : ""}${r.int(400)}`;
    case 4: return `-${r.int(10)}.${r.int(1000)}E+${r.int(20)}`;
    case 5: return (BigInt(r.int(2 ** 31)) * BigInt(r.int(2 ** 31)) * BigInt(r.chance(0.5) ? 1 : 9)).toString();
    case 6: return "-0";
    default: return String(r.next());
  }
}

export function randomValue(r: Rand, depth = 0): unknown {
  const k = r.int(depth > 6 ? 5 : 8);
  if (k === 0) return randomString(r);
  if (k === 1) return JSON.parse(randomNumber(r));
  if (k === 2) return r.chance(0.5);
  if (k === 3) return null;
  if (k === 4) return { __raw: randomNumber(r) };
  if (k === 5) return Array.from({ length: r.int(5) }, () => randomValue(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = 0, n = r.int(6); i < n; i++) o[r.pick(KEYS) + (r.chance(0.5) ? String(i) : "")] = randomValue(r, depth + 1);
  return o;
}

function ws(r: Rand): string {
  return r.chance(0.7) ? "" : r.pick([" ", "\n", "\t", "\r\n  ", "  "]);
}

export function writeString(r: Rand, s: string): string {
  let out = "\"";
  for (const ch of s) {
    for (let i = 0; i < ch.length; i++) {
      const cu = ch.charCodeAt(i);
      const c = ch[i];
      if (c === "\"") out += "\\\"";
      else if (c === "\\") out += "\\\\";
      else if (cu < 0x20) out += r.chance(0.5) && c === "\n" ? "\\n" : "\\u" + cu.toString(16).padStart(4, "0");
      else if (cu >= 0xd800 && cu <= 0xdfff) out += "\\u" + cu.toString(16).padStart(4, r.chance(0.5) ? "0" : "0").toUpperCase();
      else if (r.chance(0.08)) out += "\\u" + cu.toString(16).padStart(4, "0");
      else if (c === "/" && r.chance(0.5)) out += "\\/";
      else out += c;
    }
  }
  return out + "\"";
}

/** JSON text of `v` with random whitespace and escape styles (raw numbers kept verbatim). */
export function writeJson(r: Rand, v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return String(v);
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "string") return writeString(r, v);
  if (Array.isArray(v)) return "[" + ws(r) + v.map((x) => writeJson(r, x)).join(ws(r) + "," + ws(r)) + ws(r) + "]";
  const o = v as Record<string, unknown>;
  if ("__raw" in o) return o.__raw as string;
  return "{" + ws(r) + Object.entries(o).map(([k, x]) => writeString(r, k) + ws(r) + ":" + ws(r) + writeJson(r, x)).join(ws(r) + "," + ws(r)) + ws(r) + "}";
}

const INSERTS = [..."{}[]\",:\\ 0123456789eE.-+tfnul\n\u0000"].map((c) => c.charCodeAt(0)).concat([0x80, 0xbf, 0xc3, 0xe4, 0xed, 0xf0, 0xff]);

/** One to three random byte edits: replace, insert, delete, truncate, duplicate a slice. */
export function mutate(r: Rand, b: Uint8Array): Uint8Array {
  let a = [...b];
  for (let k = 0, n = 1 + r.int(3); k < n; k++) {
    const i = r.int(a.length + 1);
    switch (r.int(5)) {
      case 0: if (a.length) a[Math.min(i, a.length - 1)] = r.pick(INSERTS); break;
      case 1: a.splice(i, 0, r.pick(INSERTS)); break;
      case 2: a.splice(i, 1 + r.int(3)); break;
      case 3: a = a.slice(0, i); break;
      default: { const j = r.int(a.length + 1); a.splice(i, 0, ...a.slice(Math.min(i, j), Math.max(i, j)).slice(0, 40)); }
    }
  }
  return new Uint8Array(a);
}

const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function depthOf(v: unknown): number {
  if (v === null || typeof v !== "object") return 0;
  const kids = Array.isArray(v) ? v : Object.values(v as object);
  return 1 + kids.reduce((m: number, x) => Math.max(m, depthOf(x)), 0);
}

function hasLoneSurrogate(v: unknown): boolean {
  if (typeof v === "string") return LONE.test(v);
  if (v === null || typeof v !== "object") return false;
  if (Array.isArray(v)) return v.some(hasLoneSurrogate);
  return Object.entries(v as object).some(([k, x]) => LONE.test(k) || hasLoneSurrogate(x));
}

/** What the scanner must say: V8's verdict, plus strict UTF-8, depth ≤ limit, paired surrogates. */
export function oracle(b: Uint8Array, maxDepth = 64): { valid: boolean; value?: unknown; text?: string } {
  let text: string;
  try { text = fatal.decode(b); } catch { return { valid: false }; }
  let value: unknown;
  try { value = JSON.parse(text); } catch { return { valid: false }; }
  if (depthOf(value) > maxDepth || hasLoneSurrogate(value)) return { valid: false };
  return { valid: true, value, text };
}

// ---- SSE -----------------------------------------------------------------------------------

export interface SseEvent { type: string; id: string; retry: number; complete: boolean; data: string }

export function randomSse(r: Rand): string {
  const eol = () => r.pick(["\n", "\r\n", "\r"]);
  let s = r.chance(0.05) ? "\uFEFF" : "";
  for (let e = 0, n = r.int(6); e < n; e++) {
    if (r.chance(0.3)) s += ":" + r.pick([" ping", "", "x:y"]) + eol();
    if (r.chance(0.3)) s += "event:" + r.pick([" message_start", "delta", " error", "  sp"]) + eol();
    if (r.chance(0.2)) s += "id: " + r.int(100) + eol();
    if (r.chance(0.1)) s += "retry: " + r.pick(["100", "x", ""]) + eol();
    if (r.chance(0.1)) s += r.pick(["foo: bar", "data", "event", "dat: x"]) + eol();
    for (let d = 0, m = r.int(3); d < m; d++) s += r.pick(["data: ", "data:", "data:  "]) + r.pick(["{\"a\":1}", "日本🙂", "x:y", "", "[DONE]", " lead"]) + eol();
    if (!(e === n - 1 && r.chance(0.3))) s += eol();
  }
  return s;
}

/** The WHATWG event-stream algorithm over a whole stream, with end-of-body flushing. */
export function referenceSse(stream: string): SseEvent[] {
  if (stream.startsWith("\uFEFF")) stream = stream.slice(1);
  const events: SseEvent[] = [];
  let data: string[] = [], type = "", id: string | null = null, retry = -1;
  const reset = () => { data = []; type = ""; id = null; retry = -1; };
  const dispatch = (complete: boolean) => {
    if (data.length) events.push({ type: type || "message", id: id ?? "-", retry, complete, data: data.join("\n") });
    reset();
  };
  const line = (l: string) => {
    if (l === "") return dispatch(true);
    if (l[0] === ":") return;
    const c = l.indexOf(":");
    const field = c < 0 ? l : l.slice(0, c);
    let value = c < 0 ? "" : l.slice(c + 1);
    if (value[0] === " ") value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") type = value;
    else if (field === "id") { if (!value.includes("\0")) id = value; }
    else if (field === "retry") { if (/^\d+$/.test(value) && value.length <= 15) retry = Number(value); }
  };
  const re = /\r\n|\r|\n/g;
  let last = 0;
  for (let m = re.exec(stream); m; m = re.exec(stream)) { line(stream.slice(last, m.index)); last = m.index + m[0].length; }
  if (last < stream.length) line(stream.slice(last));
  dispatch(false);
  return events;
}
