/**
 * @module test/fuzz/mutate
 * Byte-level and structural mutations of a request body: the hostile shapes a gateway meets
 * (truncation, splices, flipped bytes, invalid UTF-8, deep nesting, huge strings, duplicate keys,
 * numbers at the limits). Sizes stay bounded so a case stays fast.
 */

import type { Prng } from "./prng.ts";

const enc = new TextEncoder();

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

const INVALID_UTF8 = [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe6, 0x97], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xf0, 0x9f, 0x98]];
const LIMIT_NUMBERS = ["-0", "1e999", "-1e999", "9223372036854775808", "18446744073709551616", "4294967296", "2147483648",
  "-2147483649", "1.7976931348623157e308", "5e-324", "0.000000000000000000000000001", "00", "1.", ".5", "NaN", "Infinity"];

type Mutation = (b: Uint8Array, r: Prng) => Uint8Array;

const MUTATIONS: Record<string, Mutation> = {
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
    if (out.length > 0) out[r.int(out.length)] = r.pick([0x00, 0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c, 0xff, r.int(256)]);
    return out;
  },
  invalidUtf8: (b, r) => {
    // Inside a string when possible: right after an opening quote.
    const quotes: number[] = [];
    b.forEach((c, i) => { if (c === 0x22) quotes.push(i + 1); });
    const at = quotes.length > 0 ? r.pick(quotes) : r.int(b.length + 1);
    return concat(b.subarray(0, at), Uint8Array.from(r.pick(INVALID_UTF8)), b.subarray(at));
  },
  deepNesting: (b, r) => {
    const depth = r.range(50, 5000);
    const open = r.chance(0.5) ? "[" : '{"a":';
    const close = open === "[" ? "]" : "}";
    const inner = open.repeat(depth) + "1" + (r.chance(0.8) ? close.repeat(depth) : "");
    const s = new TextDecoder().decode(b);
    const key = s.indexOf('"messages":');
    return key >= 0 ? enc.encode(s.slice(0, key) + `"deep":${inner},` + s.slice(key)) : enc.encode(inner);
  },
  hugeString: (b, r) => {
    const s = new TextDecoder().decode(b);
    const filler = r.pick(["a", "\\\"", "\\u0000", "é", "😀", "\\n", " "]).repeat(r.range(10_000, 200_000));
    const at = s.indexOf('"', s.indexOf(":") + 1);
    return at > 0 ? enc.encode(s.slice(0, at + 1) + filler + s.slice(at + 1)) : enc.encode(`{"model":"${filler}"}`);
  },
  duplicateKeys: (b, r) => {
    const s = new TextDecoder().decode(b);
    if (!s.startsWith("{")) return b;
    const dup = r.pick(['"model":"smart",', '"model":1,', '"messages":null,', '"stream":true,', '"max_tokens":"x",', '"model":"gpt-4o","model":"smart",']);
    return enc.encode(r.chance(0.5) ? "{" + dup + s.slice(1) : s.replace(/}\s*$/, "," + dup.replace(/,$/, "") + "}"));
  },
  limitNumber: (b, r) => {
    const s = new TextDecoder().decode(b);
    const nums = [...s.matchAll(/-?\d+(\.\d+)?([eE][+-]?\d+)?/g)];
    if (nums.length === 0) return enc.encode(s.replace(/}\s*$/, `,"max_tokens":${r.pick(LIMIT_NUMBERS)}}`));
    const m = r.pick(nums);
    return enc.encode(s.slice(0, m.index) + r.pick(LIMIT_NUMBERS) + s.slice(m.index! + m[0].length));
  },
  wrongShape: (b, r) => enc.encode(r.pick(["", "null", "[]", "{}", '"str"', "1", '{"messages":{}}', '{"messages":[1,2]}',
    '{"contents":"x"}', '{"model":null,"messages":[{"role":7,"content":{}}]}', "data: {}\n\n", "\ufeff{}", "{} {}"])),
};

export const MUTATION_NAMES = Object.keys(MUTATIONS);

/** Applies 0–3 random mutations; returns the bytes and the names applied (for the corpus file). */
export function mutate(body: Uint8Array, r: Prng): { bytes: Uint8Array; applied: string[] } {
  const applied: string[] = [];
  let bytes = body;
  for (let i = r.pick([0, 0, 1, 1, 1, 2, 3]); i > 0; i--) {
    const name = r.pick(MUTATION_NAMES);
    bytes = MUTATIONS[name](bytes, r);
    applied.push(name);
  }
  return { bytes, applied };
}

/** Random split points (sorted, distinct, inside the body) for delivery in several chunks. */
export function randomSplits(length: number, r: Prng): number[] {
  if (length < 2) return [];
  const n = r.pick([1, 1, 2, 3, 5, 10, Math.min(length - 1, 64)]);
  const points = new Set<number>();
  for (let i = 0; i < n; i++) points.add(r.range(1, length - 1));
  return [...points].sort((a, b) => a - b);
}
