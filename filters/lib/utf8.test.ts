/**
 * @module filters/lib/utf8.test
 * UTF-8 validation against the WHATWG decoder (fatal mode) on every 1- and 2-byte input and on
 * random sequences; incomplete tails and safe cut points.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadLib } from "./test/wasm.ts";

const lib = await loadLib();
const x = lib.exports;
const fatal = new TextDecoder("utf-8", { fatal: true });
const valid = (b: Uint8Array) => { try { fatal.decode(b); return true; } catch { return false; } };
const invalidAt = (b: Uint8Array) => { const p = lib.put(b); const r = x.utf8Invalid(p.ptr, p.len); lib.free(p); return r; };

test("agrees with the WHATWG decoder on every 1- and 2-byte input", () => {
  for (let a = 0; a < 256; a++) {
    assert.is(invalidAt(new Uint8Array([a])) < 0, valid(new Uint8Array([a])), `byte ${a}`);
    for (let b = 0; b < 256; b += 1) {
      const s = new Uint8Array([a, b]);
      assert.is(invalidAt(s) < 0, valid(s), `bytes ${a} ${b}`);
    }
  }
});

test("agrees on random multi-byte sequences, and reports the first bad offset", () => {
  let seed = 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 255;
  const pieces = ["a", "é", "中", "🙂", "\u{10FFFF}"].map((s) => new TextEncoder().encode(s));
  for (let i = 0; i < 3000; i++) {
    const parts: number[] = [];
    for (let k = 0; k < 1 + (rand() % 30); k++) {
      if (rand() < 20) parts.push(rand() | 0x80);
      else parts.push(...pieces[rand() % pieces.length]);
    }
    const b = new Uint8Array(parts);
    const at = invalidAt(b);
    assert.is(at < 0, valid(b));
    if (at >= 0) {
      assert.ok(valid(b.subarray(0, at)), "everything before the reported offset is valid");
    }
  }
});

test("incomplete tail: how many bytes to carry to the next chunk", () => {
  const tail = (b: number[]) => { const p = lib.put(new Uint8Array(b)); return x.utf8Tail(p.ptr, p.len); };
  assert.is(tail([0x61]), 0);
  assert.is(tail([0x61, 0xe4]), 1);
  assert.is(tail([0x61, 0xe4, 0xb8]), 2);
  assert.is(tail([0x61, 0xe4, 0xb8, 0xad]), 0);
  assert.is(tail([0xf0, 0x9f, 0x99]), 3);
  assert.is(tail([0x61, 0xff]), 0, "an invalid byte is not worth waiting for");
  assert.is(tail([0xe4, 0x41]), 0);
  assert.is(tail([]), 0);
});

test("boundary at or before a position never splits a character", () => {
  const b = new TextEncoder().encode("a中🙂b");
  const p = lib.put(b);
  const cuts = Array.from({ length: b.length + 2 }, (_, i) => x.utf8Boundary(p.ptr, p.len, i));
  assert.equal(cuts, [0, 1, 1, 1, 4, 4, 4, 4, 8, 9, 9]);
});

test.run();
