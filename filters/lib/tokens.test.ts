/**
 * @module filters/lib/tokens.test
 * The token estimator: feature classification on known strings, JSON-escaped input read as the
 * text it encodes, no trap on invalid bytes, and accuracy against o200k_base on a small fresh
 * sample of each kind of text (the full report is `npm run bench -- tokens`).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadLib } from "./test/wasm.ts";
import { tokenSamples, median } from "../../bench/corpus/token-samples.ts";

const lib = await loadLib();
const x = lib.exports;
const NAMES = ["words", "longLetters", "digitGroups", "punct", "spaceRuns", "newlineRuns", "latin", "other2", "cjk", "other3", "four", "invalid"];

function features(text: string | Uint8Array, escaped = false): Record<string, number> {
  const p = lib.put(text);
  x.tokenFeatures(p.ptr, p.len, escaped ? 1 : 0);
  lib.free(p);
  return Object.fromEntries(NAMES.map((n, i) => [n, lib.result(i)]).filter(([, v]) => v !== 0));
}

function estimate(text: string | Uint8Array, escaped = false): number {
  const p = lib.put(text);
  const n = Number(x.tokenEstimate(p.ptr, p.len, escaped ? 1 : 0));
  lib.free(p);
  return n;
}

test("classifies words, camelCase, digits, punctuation and whitespace runs", () => {
  assert.equal(features("Hello world"), { words: 2 });
  assert.equal(features("fetchUserData()"), { words: 3, punct: 2 });
  assert.equal(features("internationalization"), { words: 1, longLetters: 15 });
  assert.equal(features("1234567"), { digitGroups: 3 });
  assert.equal(features("a  b\n\n\nc"), { words: 3, spaceRuns: 1, newlineRuns: 1 });
  assert.equal(features("    return x;"), { words: 2, longLetters: 1, spaceRuns: 1, punct: 1 });
});

test("classifies scripts: Latin accents, Cyrillic, CJK, Hangul, Devanagari, emoji", () => {
  assert.equal(features("é"), { latin: 1 });
  assert.equal(features("привет"), { other2: 6 });
  assert.equal(features("日本語のテキスト。"), { cjk: 9 });
  assert.equal(features("한국어"), { cjk: 3 });
  assert.equal(features("नमस्ते"), { other3: 6 });
  assert.equal(features("🙂🚀"), { four: 2 });
});

test("JSON-escaped spans count the characters the escapes encode", () => {
  assert.equal(features(`line\\nnext \\"q\\" \\u00e9 \\ud83d\\ude00`, true), features(`line\nnext "q" é 😀`));
  assert.is(estimate(`a\\tb`, true), estimate("a\tb"));
});

test("empty text is 0 tokens; any text at least 1; invalid bytes and truncated sequences never trap", () => {
  assert.is(estimate(""), 0);
  assert.is(estimate("a"), 1);
  assert.is(estimate(new Uint8Array([0xff, 0xfe, 0x80])) >= 1, true);
  assert.equal(features(new Uint8Array([0xe6, 0x97])), { invalid: 2 });
  assert.is(estimate(`\\u12`, true) >= 1, true, "a truncated escape");
  assert.is(estimate(`\\`, true), 1);
  assert.equal(lib.logs, []);
});

test("median error against o200k_base is under 10% for each kind of text (fresh samples)", () => {
  const samples = tokenSamples(3, 12);
  const byKind = new Map<string, number[]>();
  for (const s of samples) {
    const err = Math.abs(estimate(s.bytes) - s.tokens) / s.tokens;
    (byKind.get(s.kind) ?? byKind.set(s.kind, []).get(s.kind)!).push(err);
  }
  assert.is(byKind.size, 5);
  for (const [kind, errs] of byKind) assert.ok(median(errs) < 0.1, `${kind}: median error ${(median(errs) * 100).toFixed(1)}%`);
});

test.run();
