/**
 * @module filters/payload-guard/detect/phrases.equivalence.test
 * Phrase matching against a plain JavaScript reference over thousands of generated texts: the
 * reference folds the raw JSON string content byte by byte (every run of spaces, tabs, CR, LF and
 * `\n`/`\r`/`\t` escapes to one space, another escape as two ordinary bytes), finds every
 * case-insensitive occurrence of every phrase and maps it back to raw offsets. The scanner, which
 * folds from the whitespace runs its detector pass noted, must report exactly the same findings.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { build } from "../../../scripts/build.ts";
import { loadLib } from "../../lib/test/wasm.ts";
import { prng } from "../../../test/support/chunkings.ts";

await build(["guard-bench"]);
const lib = await loadLib("guard-bench");
const x = lib.exports;

const PHRASES = ["ignore previous instructions", "Jailbreak Mode", "a b", "project falcon 12", "new instructions:", "x\ty", "é mode", "sk-"];
/** Folded like the filter folds a configured phrase: trimmed, lower-case ASCII, one space per run. */
const foldPhrase = (p: string) => [...new TextEncoder().encode(p.trim().replace(/[ \t\r\n]+/g, " "))].map((b) => (b >= 0x41 && b <= 0x5a ? b | 0x20 : b));

const config = JSON.stringify({ phraseLists: { list: { phrases: PHRASES, request: "flag" } } });
const c = lib.put(config);
if (x.configure(c.ptr, c.len) !== 1) throw new Error("guard-bench refused the configuration");

/** Folded bytes of raw JSON string content, each with the raw offset it came from. */
function fold(raw: Uint8Array): { bytes: number[]; rawOf: number[] } {
  const bytes: number[] = [], rawOf: number[] = [];
  const unit = (i: number) => {
    const b = raw[i];
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) return 1;
    return b === 0x5c && i + 1 < raw.length && (raw[i + 1] === 0x6e || raw[i + 1] === 0x72 || raw[i + 1] === 0x74) ? 2 : 0;
  };
  let i = 0;
  while (i < raw.length) {
    const u = unit(i);
    if (u > 0) {
      bytes.push(0x20); rawOf.push(i);
      while (i < raw.length && unit(i) > 0) i += unit(i);
      continue;
    }
    const w = raw[i] === 0x5c ? 2 : 1; // any other escape: two ordinary bytes
    for (let k = 0; k < w && i < raw.length; k++, i++) { bytes.push(raw[i] >= 0x41 && raw[i] <= 0x5a ? raw[i] | 0x20 : raw[i]); rawOf.push(i); }
  }
  return { bytes, rawOf };
}

function reference(raw: Uint8Array): string[] {
  const { bytes, rawOf } = fold(raw);
  const out: string[] = [];
  for (const phrase of PHRASES.map(foldPhrase)) {
    for (let s = 0; s + phrase.length <= bytes.length; s++) {
      if (phrase.every((b, k) => bytes[s + k] === b)) out.push(`${rawOf[s]}-${rawOf[s + phrase.length - 1] + 1}`);
    }
  }
  return out.sort();
}

function scanner(raw: Uint8Array): string[] {
  const p = lib.put(raw);
  const n = x.scanText(p.ptr, p.len);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`${x.finding(i, 1)}-${x.finding(i, 2)}`);
  lib.free(p);
  return out.sort();
}

const SPACES = [" ", "  ", "\t", "\n", "\r\n", "\\n", "\\t", "\\r\\n", " \\n ", "\\\\n", "\\\\", "\\\"", " \\\"", "\\u00e9", "   \t  ", "        "];
const WORDS = ["ignore", "IGNORE", "previous", "instructions", "jailbreak", "MODE", "a", "b", "project", "falcon", "12", "new", "instructions:", "x", "y", "é", "sk-", "word", "(1)", "-"];

test("phrase findings equal the byte-by-byte reference over 4,000 generated texts", () => {
  const rnd = prng(17);
  const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)];
  for (let t = 0; t < 4000; t++) {
    let s = "";
    for (let w = 0, n = 1 + Math.floor(rnd() * 24); w < n; w++) s += pick(WORDS) + (rnd() < 0.85 ? pick(SPACES) : "");
    const raw = new TextEncoder().encode(s);
    assert.equal(scanner(raw), reference(raw), JSON.stringify(s));
  }
});

test("the reference finds what it should (the comparison is not vacuous)", () => {
  const raw = new TextEncoder().encode("IGNORE \\n previous\\t\\tinstructions and a\\\\nb, a  b");
  // "IGNORE \\n previous\\t\\tinstructions" (0-34) and "a  b" (46-50); "a\\\\nb" is an escaped backslash, not a break.
  assert.equal(reference(raw), ["0-34", "46-50"]);
  assert.equal(scanner(raw), reference(raw));
});

test.run();
