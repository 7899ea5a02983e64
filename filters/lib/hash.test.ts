/**
 * @module filters/lib/hash.test
 * XXH64 against published vectors and an independent BigInt implementation of the
 * specification, over every length from 0 to 100 (all tail paths) and several seeds.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadLib } from "./test/wasm.ts";

const lib = await loadLib();
const M = (1n << 64n) - 1n;
const P1 = 0x9e3779b185ebca87n, P2 = 0xc2b2ae3d27d4eb4fn, P3 = 0x165667b19e3779f9n, P4 = 0x85ebca77c2b2ae63n, P5 = 0x27d4eb2f165667c5n;
const rotl = (v: bigint, r: bigint) => ((v << r) | (v >> (64n - r))) & M;
const mul = (a: bigint, b: bigint) => (a * b) & M;
const add = (a: bigint, b: bigint) => (a + b) & M;
const rd = (b: Uint8Array, o: number, n: number) => { let v = 0n; for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[o + i]); return v; };
const round = (acc: bigint, lane: bigint) => mul(rotl(add(acc, mul(lane, P2)), 31n), P1);

function reference(b: Uint8Array, seed: bigint): bigint {
  let p = 0, h: bigint;
  if (b.length >= 32) {
    let v = [add(add(seed, P1), P2), add(seed, P2), seed, (seed - P1) & M];
    for (; p + 32 <= b.length; p += 32) v = v.map((x, i) => round(x, rd(b, p + 8 * i, 8)));
    h = add(add(add(rotl(v[0], 1n), rotl(v[1], 7n)), rotl(v[2], 12n)), rotl(v[3], 18n));
    for (const x of v) h = add(mul(h ^ round(0n, x), P1), P4);
  } else h = add(seed, P5);
  h = add(h, BigInt(b.length));
  for (; p + 8 <= b.length; p += 8) h = add(mul(rotl(h ^ round(0n, rd(b, p, 8)), 27n), P1), P4);
  if (p + 4 <= b.length) { h = add(mul(rotl(h ^ mul(rd(b, p, 4), P1), 23n), P2), P3); p += 4; }
  for (; p < b.length; p++) h = mul(rotl(h ^ mul(BigInt(b[p]), P5), 11n), P1);
  h ^= h >> 33n; h = mul(h, P2); h ^= h >> 29n; h = mul(h, P3); h ^= h >> 32n;
  return h;
}

const hash = (b: Uint8Array | string, seed = 0n) => { const p = lib.put(b); const r = BigInt.asUintN(64, lib.exports.hash64(p.ptr, p.len, seed)); lib.free(p); return r; };

test("published XXH64 vectors", () => {
  assert.is(hash(""), 0xef46db3751d8e999n);
  assert.is(hash("a"), 0xd24ec4f1a98c6e5bn);
  assert.is(hash("abc"), 0x44bc2cf5ad770999n);
});

test("matches the specification for every length 0–100 and several seeds", () => {
  const data = new Uint8Array(100).map((_, i) => (i * 131 + 7) & 255);
  for (const seed of [0n, 1n, 0x9e3779b97f4a7c15n, M]) {
    for (let n = 0; n <= 100; n++) assert.is(hash(data.subarray(0, n), seed), reference(data.subarray(0, n), seed), `len ${n} seed ${seed}`);
  }
});

test("different keys and seeds spread (no collisions among 5,000 keys)", () => {
  const seen = new Set<bigint>();
  for (let i = 0; i < 5000; i++) seen.add(hash(`tenant-${i}`));
  assert.is(seen.size, 5000);
  assert.is.not(hash("k", 1n), hash("k", 2n));
});

test.run();
