/**
 * @module test/fuzz/mutate
 * Byte-level and structural mutations of a body: the hostile shapes a gateway meets (truncation,
 * splices, flipped bytes, invalid UTF-8, deep nesting, huge strings, duplicate keys, numbers at
 * the limits, wrong shapes) and, for event streams, broken SSE framing (missing blank lines,
 * CR/LF mixes, comment lines, `data:` without its space, split data lines, huge events, raw
 * error objects). Each mutation draws from its own generator, so dropping one while shrinking
 * leaves the others as they were. Sizes stay bounded; the huge ones are rare.
 */

import type { Prng } from "./prng.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

const INVALID_UTF8 = [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe6, 0x97], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xf0, 0x9f, 0x98]];
const LIMIT_NUMBERS = ["-0", "1e999", "-1e999", "9223372036854775808", "18446744073709551616", "4294967296", "2147483648",
  "-2147483649", "1.7976931348623157e308", "5e-324", "0.000000000000000000000000001", "00", "1.", ".5", "NaN", "Infinity", "-", "1e", "0x10"];

type Mutation = (b: Uint8Array, r: Prng) => Uint8Array;

/** Positions just after each line break of an SSE body (where a line can be inserted). */
function lineStarts(b: Uint8Array): number[] {
  const out = [0];
  for (let i = 0; i < b.length; i++) if (b[i] === 0x0a) out.push(i + 1);
  return out;
}

function insertAt(b: Uint8Array, at: number, s: string | Uint8Array): Uint8Array {
  return concat(b.subarray(0, at), typeof s === "string" ? enc.encode(s) : s, b.subarray(at));
}

/** A huge filler: mostly tens of kilobytes, rarely a few megabytes (past the default 2 MiB body limit). */
function hugeLength(r: Prng): number { return r.chance(0.02) ? r.range(2_000_000, 3_000_000) : r.range(10_000, 100_000); }

const GENERIC: Record<string, Mutation> = {
  truncate: (b, r) => b.subarray(0, r.int(b.length + 1)),
  splice: (b, r) => {
    const from = r.int(b.length + 1), len = r.int(Math.min(64, b.length) + 1), to = r.int(b.length + 1);
    return concat(b.subarray(0, to), b.slice(from, from + len), b.subarray(to));
  },
  flipBytes: (b, r) => {
    const out = b.slice();
    for (let i = r.range(1, 8); i > 0 && out.length > 0; i--) out[r.int(out.length)] ^= 1 << r.int(8);
    return out;
  },
  randomByte: (b, r) => {
    const out = b.slice();
    if (out.length > 0) out[r.int(out.length)] = r.pick([0x00, 0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c, 0x0a, 0x0d, 0xff, r.int(256)]);
    return out;
  },
  invalidUtf8: (b, r) => {
    // Inside a string when possible: right after an opening quote.
    const quotes: number[] = [];
    for (let i = 0; i < b.length; i++) if (b[i] === 0x22) quotes.push(i + 1);
    const at = quotes.length > 0 ? r.pick(quotes) : r.int(b.length + 1);
    return insertAt(b, at, Uint8Array.from(r.pick(INVALID_UTF8)));
  },
  deepNesting: (b, r) => {
    const depth = r.chance(0.1) ? r.range(1000, 20000) : r.range(20, 300);
    const open = r.chance(0.5) ? "[" : '{"a":';
    const close = open === "[" ? "]" : "}";
    const inner = open.repeat(depth) + "1" + (r.chance(0.8) ? close.repeat(depth) : "");
    const s = dec.decode(b);
    const key = s.search(/"(messages|contents|input|choices|candidates|content|delta)":/);
    return key >= 0 ? enc.encode(s.slice(0, key) + `"deep":${inner},` + s.slice(key)) : enc.encode(inner);
  },
  hugeString: (b, r) => {
    const s = dec.decode(b);
    const unit = r.pick(["a", "\\\"", "\\u0000", "é", "😀", "\\n", " ", "alice@example.com "]);
    const filler = unit.repeat(Math.ceil(hugeLength(r) / unit.length));
    const at = s.indexOf('"', s.indexOf(":") + 1);
    return at > 0 ? enc.encode(s.slice(0, at + 1) + filler + s.slice(at + 1)) : enc.encode(`{"model":"${filler}"}`);
  },
  duplicateKeys: (b, r) => {
    const s = dec.decode(b);
    const start = s.indexOf("{");
    if (start < 0) return b;
    const dup = r.pick(['"model":"smart",', '"model":1,', '"messages":null,', '"stream":true,', '"max_tokens":"x",', '"model":"gpt-4o","model":"smart",',
      '"usage":{"prompt_tokens":1},', '"usage":null,', '"choices":[],', '"type":"message_delta",', '"stream_options":{"include_usage":false},']);
    if (r.chance(0.5)) return enc.encode(s.slice(0, start + 1) + dup + s.slice(start + 1));
    const end = s.lastIndexOf("}");
    return enc.encode(s.slice(0, end) + "," + dup.replace(/,$/, "") + s.slice(end));
  },
  limitNumber: (b, r) => {
    const s = dec.decode(b);
    const nums = [...s.matchAll(/-?\d+(\.\d+)?([eE][+-]?\d+)?/g)];
    if (nums.length === 0) return enc.encode(s.replace(/}\s*$/, `,"max_tokens":${r.pick(LIMIT_NUMBERS)}}`));
    const m = r.pick(nums);
    return enc.encode(s.slice(0, m.index) + r.pick(LIMIT_NUMBERS) + s.slice(m.index! + m[0].length));
  },
  wrongShape: (_b, r) => enc.encode(r.pick(["", "null", "[]", "{}", '"str"', "1", '{"messages":{}}', '{"messages":[1,2]}',
    '{"contents":"x"}', '{"model":null,"messages":[{"role":7,"content":{}}]}', "data: {}\n\n", "\ufeff{}", "{} {}",
    '{"usage":{"prompt_tokens":-5,"completion_tokens":1e400}}', '{"choices":null,"usage":"x"}', "[DONE]", "data: [DONE]\n\n"])),
};

const SSE: Record<string, Mutation> = {
  dropBlankLine: (b, r) => {
    const s = dec.decode(b);
    const blanks = [...s.matchAll(/\r?\n\r?\n/g)];
    if (blanks.length === 0) return b;
    const m = r.pick(blanks);
    return enc.encode(s.slice(0, m.index) + "\n" + s.slice(m.index! + m[0].length));
  },
  lineEndings: (b, r) => {
    const eol = r.pick(["\r\n", "\r", "\n", "\n\r"]);
    const all = r.chance(0.5);
    return enc.encode(dec.decode(b).replace(/\r\n|\r|\n/g, (m) => (all || r.chance(0.3) ? eol : m)));
  },
  commentLine: (b, r) => insertAt(b, r.pick(lineStarts(b)), r.pick([": keep-alive\n", ":\n", ": " + "x".repeat(r.range(1, 5000)) + "\n", ":ping\r\n\r\n"])),
  dataNoSpace: (b) => enc.encode(dec.decode(b).replace(/data: /g, "data:")),
  splitDataLine: (b, r) => {
    const s = dec.decode(b);
    const lines = [...s.matchAll(/data: ?([^\r\n]{2,})/g)];
    if (lines.length === 0) return b;
    const m = r.pick(lines);
    const cut = m.index! + m[0].length - r.range(1, m[1].length - 1);
    return enc.encode(s.slice(0, cut) + "\ndata: " + s.slice(cut));
  },
  hugeEvent: (b, r) => insertAt(b, r.pick(lineStarts(b)),
    `data: {"choices":[{"index":0,"delta":{"content":"${"sk-proj-abcdefghijklmnopqrstuvwxyz012345 ".repeat(Math.ceil(hugeLength(r) / 41))}"}}]}\n\n`),
  strayEvent: (b, r) => insertAt(b, r.pick(lineStarts(b)), r.pick([
    'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"x"}}\n\n',
    'data: {"error":{"message":"boom","type":"server_error"}}\n\n',
    '{\n  "error": {\n    "code": 500,\n    "status": "INTERNAL"\n  }\n}\n',
    "id: 7\nretry: 10\n\n", "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":-3}}\n\n",
    "data: data: data:\n\n", "data\n\n", "event:\n\n"])),
};

/** Huge mutations are weighted down so most bodies stay realistic sizes. */
const WEIGHTS: Record<string, number> = { hugeString: 1, hugeEvent: 1, deepNesting: 2 };

function weighted(names: string[]): string[] { return names.flatMap((n) => Array(WEIGHTS[n] ?? 6).fill(n)); }
const GENERIC_DRAW = weighted(Object.keys(GENERIC));
const SSE_DRAW = weighted([...Object.keys(GENERIC), ...Object.keys(SSE), ...Object.keys(SSE)]);

/** One planned mutation: where it applies, which, and the seed it draws from. */
export interface PlannedMutation { target: "request" | "response"; name: string; seed: number }

/** Draws 0–3 mutations, on the request or the response body (SSE ones only for event streams). */
export function planMutations(r: Prng, responseIsSse: boolean): PlannedMutation[] {
  const plan: PlannedMutation[] = [];
  for (let i = r.pick([0, 0, 1, 1, 1, 2, 3]); i > 0; i--) {
    const target = r.chance(0.55) ? "request" : "response";
    const name = r.pick(target === "response" && responseIsSse ? SSE_DRAW : GENERIC_DRAW);
    plan.push({ target, name, seed: r.u32() });
  }
  return plan;
}

export function applyMutation(b: Uint8Array, m: PlannedMutation, prng: new (seed: number) => Prng): Uint8Array {
  return (GENERIC[m.name] ?? SSE[m.name])(b, new prng(m.seed));
}

/** Random split points (sorted, distinct, inside the body) for delivery in several chunks. */
export function randomSplits(length: number, r: Prng): number[] {
  if (length < 2) return [];
  const n = r.pick([1, 1, 2, 3, 5, 10, Math.min(length - 1, 64)]);
  const points = new Set<number>();
  for (let i = 0; i < n; i++) points.add(r.chance(0.2) ? r.range(1, Math.min(length - 1, 8)) : r.range(1, length - 1));
  return [...points].sort((a, b) => a - b);
}
