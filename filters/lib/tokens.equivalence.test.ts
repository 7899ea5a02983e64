/**
 * @module filters/lib/tokens.equivalence.test
 * The fast token-feature pass (filters/lib/tokens.ts) against the per-byte reference it replaced
 * (filters/lib/test/tokens-reference.ts): every one of the twelve counts must be identical, raw
 * and JSON-escaped, on the bench corpus, on its JSON-escaped form, on random byte strings built
 * from the classes the estimator tells apart (letters of both cases, digits, blanks, line breaks,
 * escapes, every UTF-8 length, invalid and truncated sequences), on byte-level mutations, and on
 * generated prose that exercises the eight-byte prose step (filters/lib/tokens-swar.ts): every
 * prefix and suffix of each text, so its blocks start at every alignment and meet the end of the
 * text at every offset.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadLib } from "./test/wasm.ts";
import { Rand } from "./test/generators.ts";
import { TEXT_KINDS, textOfKind } from "../../bench/corpus/text.ts";
import { Rng } from "../../bench/corpus/random.ts";

const lib = await loadLib();
const x = lib.exports;

function counts(fn: string, bytes: Uint8Array, escaped: boolean): number[] {
  const p = lib.put(bytes);
  x[fn](p.ptr, p.len, escaped ? 1 : 0);
  lib.free(p);
  return Array.from({ length: 12 }, (_, i) => lib.result(i));
}

let compared = 0;
function same(bytes: Uint8Array, label: string): void {
  for (const escaped of [false, true]) {
    const fast = counts("tokenFeatures", bytes, escaped), ref = counts("tokenFeaturesReference", bytes, escaped);
    if (fast.join() !== ref.join()) {
      assert.equal(fast, ref, `${label} (escaped: ${escaped}): ${JSON.stringify(Buffer.from(bytes).toString("latin1").slice(0, 200))}`);
    }
    compared++;
  }
}

const enc = new TextEncoder();

test("bench corpus, raw and as JSON string content", () => {
  for (const kind of TEXT_KINDS) {
    const rng = new Rng(kind.length * 31 + kind.charCodeAt(0));
    for (let i = 0; i < 40; i++) {
      const text = textOfKind(kind, rng, Math.round(40 * Math.pow(100, rng.next())));
      same(enc.encode(text), kind);
      same(enc.encode(JSON.stringify(text).slice(1, -1)), `${kind} escaped`);
    }
  }
});

// Pieces chosen to hit every branch: runs of each class, camelCase, escapes of every form
// (including a \u cut short and a backslash before non-ASCII), and bad UTF-8.
const PIECES: (string | number[])[] = [
  "a", "z", "A", "Z", "abcdefghijk", "ABC", "aB", "Ab", "0", "12345", " ", "  ", "\t", "\n", "\r\n", "\n\n",
  ".", "(", "_", "\\", "\\n", "\\r", "\\t", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\u0041", "\\u00e9", "\\u4e2d",
  "\\ud83d\\ude00", "\\ud83d", "\\udc00", "\\u12", "\\uZZZZ", "\\é", "é", "ж", "中", "한", "न", "🙂", "\u2028",
  [0xff], [0x80], [0xc0, 0x80], [0xc3], [0xe4, 0xb8], [0xf0, 0x9f], [0xe0, 0x80, 0x80], [0xf4, 0x90, 0x80, 0x80],
];

function randomBytes(r: Rand): Uint8Array {
  const parts: number[] = [];
  const n = r.int(r.chance(0.1) ? 200 : 24);
  for (let i = 0; i < n; i++) {
    const piece = r.pick(PIECES);
    if (typeof piece === "string") parts.push(...enc.encode(piece.repeat(r.chance(0.1) ? 1 + r.int(20) : 1)));
    else parts.push(...piece);
  }
  return new Uint8Array(parts);
}

function mutate(r: Rand, b: Uint8Array): Uint8Array {
  const out = Array.from(b);
  const edits = 1 + r.int(4);
  for (let i = 0; i < edits && out.length > 0; i++) {
    const at = r.int(out.length);
    switch (r.int(4)) {
      case 0: out[at] = r.int(256); break;
      case 1: out.splice(at, 1); break;
      case 2: out.splice(at, 0, r.pick([0x5c, 0x75, 0x20, 0x0a, 0x41, 0x61, 0x30, 0xe4, 0xf0, 0x80])); break;
      case 3: out.length = at; break;
    }
  }
  return new Uint8Array(out);
}

test("random and mutated byte strings (fixed seed)", () => {
  const r = new Rand(20261127);
  for (let i = 0; i < 3000; i++) {
    const b = randomBytes(r);
    same(b, `random #${i}`);
    same(mutate(r, b), `mutated #${i}`);
  }
  for (let i = 0; i < 500; i++) same(Uint8Array.from({ length: r.int(64) }, () => r.int(256)), `noise #${i}`);
  assert.ok(compared > 12_000, `${compared} comparisons`);
});

// Prose for the eight-byte step: lowercase words of 1–20 letters (a word's sixth letter and its
// run length fall on every side of a block boundary) mostly joined by single spaces, and now and
// then whatever makes the step hand over to the per-byte loop or changes the counts: capitals,
// camelCase, all-caps, punctuation, double spaces, tabs, line breaks, digits, control bytes,
// UTF-8 of every length, and JSON escapes (which count as characters only when escaped).
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const BREAKS = [", ", ". ", "; ", "!", "(", ")", "\"", "'", "-", "_", "  ", "   ", "\t", " \t", "\n", "\r\n", "\n\n", " \n",
  "0", "42", "1234567", " 99 ", "\u0001", "\u007f", "é", "ж", "中", "🙂", "\\n", "\\\"", "\\u00e9", "\\u4e2d", "\\ud83d\\ude00",
  "\\t", "\\b", "\\", "\\u12", " \\n "];

function word(r: Rand): string {
  const n = 1 + r.int(r.chance(0.2) ? 20 : 8);
  let w = "";
  for (let i = 0; i < n; i++) w += LOWER[r.int(26)];
  if (r.chance(0.1)) w = w[0].toUpperCase() + w.slice(1);
  else if (r.chance(0.04)) w += "Xy" + w; // camelCase
  else if (r.chance(0.03)) w = w.toUpperCase();
  return w;
}

function prose(r: Rand): string {
  let s = r.chance(0.2) ? r.pick(BREAKS) : "";
  const n = 1 + r.int(30);
  for (let i = 0; i < n; i++) s += word(r) + (r.chance(0.85) ? " " : r.pick(BREAKS));
  return r.chance(0.5) ? s.trimEnd() : s;
}

test("generated prose: every prefix and suffix (fixed seed)", () => {
  const r = new Rand(20261205);
  let texts = 0, fast = 0;
  for (let i = 0; i < 300; i++) {
    const b = enc.encode(prose(r));
    for (let k = 0; k <= b.length; k++) same(b.subarray(0, k), `prose #${i} prefix ${k}`);
    for (let k = 1; k < b.length; k++) same(b.subarray(k), `prose #${i} suffix ${k}`);
    texts++;
    if (b.length >= 16) fast++;
  }
  assert.ok(texts === 300 && fast > 200, `${fast} texts long enough for the eight-byte step`);
  // Long runs of prose, where the step takes many blocks in a row before the text ends.
  for (let i = 0; i < 40; i++) {
    let s = "";
    while (s.length < 400) s += word(r).toLowerCase() + " ";
    const b = enc.encode(s + prose(r));
    for (let k = b.length - 24; k <= b.length; k++) same(b.subarray(0, k), `long prose #${i} prefix ${k}`);
  }
});

test.run();
