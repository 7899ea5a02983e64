/**
 * @module filters/lib/property.test
 * Property test with a fixed seed: thousands of random and mutated JSON documents and random
 * SSE streams in random chunkings. Checks that nothing traps (a trap throws), that the scanner
 * accepts exactly what V8 accepts (plus its documented rules: strict UTF-8, depth limit,
 * paired surrogates), that lookups and readers agree with JSON.parse on valid input, that
 * patches parse to the expected objects, and that SSE events do not depend on the chunking
 * and match a reference implementation of the WHATWG algorithm.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadLib, LibError } from "./test/wasm.ts";
import { Rand, randomValue, writeJson, mutate, oracle, randomSse, referenceSse } from "./test/generators.ts";
import { parseChunks, randomCuts } from "./test/sse-driver.ts";

const lib = await loadLib();
const x = lib.exports;
const SEED = Number(process.env.PROPERTY_SEED ?? 20261127);
const enc = new TextEncoder();
const dec = new TextDecoder();

function checkDocument(bytes: Uint8Array, label: string): boolean {
  const p = lib.put(bytes);
  try {
    const ok = x.jsonValidate(p.ptr, p.len) === 1;
    const expected = oracle(bytes);
    assert.is(ok, expected.valid, `${label}: validate says ${ok} (error ${x.error()} at ${x.errorAt()}) for ${JSON.stringify(dec.decode(bytes)).slice(0, 300)}`);
    // Exercise every reader at every structural position of malformed input too: no trap allowed.
    if (!ok) {
      for (let pos = 0; pos < Math.min(bytes.length, 64); pos++) {
        x.jsonSkip(p.ptr, p.len, pos); x.jsonReadString(p.ptr, p.len, pos); x.jsonReadF64(p.ptr, p.len, pos);
        x.jsonReadI64(p.ptr, p.len, pos); x.jsonElements(p.ptr, p.len, pos); x.jsonMembers(p.ptr, p.len, pos);
      }
      return false;
    }
    const v = expected.value;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) checkObject(bytes, p, v as Record<string, unknown>, label);
    if (Array.isArray(v)) assert.is(x.jsonElements(p.ptr, p.len, x.jsonRoot(p.ptr, p.len)), v.length, `${label}: element count`);
    return true;
  } finally {
    lib.free(p);
  }
}

function checkObject(bytes: Uint8Array, p: { ptr: number; len: number }, obj: Record<string, unknown>, label: string) {
  const root = x.jsonRoot(p.ptr, p.len);
  const keys = Object.keys(obj).filter((k) => !k.includes("\n"));
  const names = lib.put(keys.join("\n"));
  const end = x.jsonLookup(p.ptr, p.len, names.ptr, names.len, 0);
  lib.free(names);
  if (end < 0) {
    // Only legitimate failure on a valid document: a looked-up key written twice.
    assert.is(x.error(), LibError.DuplicateKey, `${label}: lookup error`);
    return;
  }
  const spans = keys.map((_, i) => [lib.result(2 * i), lib.result(2 * i + 1)]);
  keys.forEach((k, i) => {
    const [s, e] = spans[i];
    if (keys.length === 1 && k === "") return; // the empty name cannot be told from "no names"
    assert.ok(s >= 0, `${label}: key ${JSON.stringify(k)} found`);
    const raw = bytes.subarray(s, e);
    assert.equal(JSON.parse(dec.decode(raw)), obj[k], `${label}: value of ${JSON.stringify(k)}`);
    const val = obj[k];
    if (typeof val === "string") {
      assert.is(x.jsonReadString(p.ptr, p.len, s), e);
      assert.is(lib.outputText(), val);
    } else if (typeof val === "number") {
      const f = x.jsonReadF64(p.ptr, p.len, s);
      if (Number.isFinite(val)) assert.is(f, val, `${label}: f64 ${dec.decode(raw)}`);
      else assert.is(x.error(), LibError.NumberOutOfRange);
      const text = dec.decode(raw);
      const i = x.jsonReadI64(p.ptr, p.len, s);
      if (/^-?\d+$/.test(text)) {
        const big = BigInt(text);
        if (big >= -(2n ** 63n) && big < 2n ** 63n) assert.is(i, big, `${label}: i64 ${text}`);
        else assert.is(x.error(), LibError.NumberOutOfRange);
      } else assert.is(x.error(), LibError.NotAnInteger);
    }
  });
  assert.is(x.jsonMembers(p.ptr, p.len, root) >= Object.keys(obj).length, true);
}

test("random JSON: validity, lookups and readers agree with JSON.parse", () => {
  const r = new Rand(SEED);
  let valid = 0;
  for (let i = 0; i < 2000; i++) {
    const v = r.chance(0.8) ? Object.fromEntries(Object.entries(randomValue(r, 5) ?? {}).concat([["model", "m" + i]])) : randomValue(r);
    const text = writeJson(r, v) + (r.chance(0.2) ? " \n" : "");
    if (checkDocument(enc.encode(text), `random #${i}`)) valid++;
  }
  assert.ok(valid > 1500, `most random documents are valid (${valid})`);
});

test("mutated JSON: never traps; accepts exactly what the oracle accepts", () => {
  const r = new Rand(SEED + 1);
  let invalid = 0;
  for (let i = 0; i < 3000; i++) {
    const base = enc.encode(writeJson(r, randomValue(r)));
    if (!checkDocument(mutate(r, base), `mutant #${i}`)) invalid++;
  }
  assert.ok(invalid > 1000, `mutations mostly break documents (${invalid})`);
});

test("deep nesting around the limit", () => {
  const r = new Rand(SEED + 2);
  for (let i = 0; i < 60; i++) {
    const d = 55 + r.int(20);
    const open = Array.from({ length: d }, () => (r.chance(0.5) ? "[" : `{"k":`));
    const text = open.join("") + "1" + open.reverse().map((o) => (o === "[" ? "]" : "}")).join("");
    checkDocument(enc.encode(text), `depth ${d}`);
  }
});

/** Length of the common prefix plus the common suffix (not overlapping) of two byte strings. */
function unchangedBytes(a: Uint8Array, b: Uint8Array): number {
  const max = Math.min(a.length, b.length);
  let p = 0;
  while (p < max && a[p] === b[p]) p++;
  let s = 0;
  while (s < max - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return p + s;
}

test("patches parse to the expected object and keep the bytes before the edit", () => {
  const r = new Rand(SEED + 3);
  for (let i = 0; i < 500; i++) {
    const obj = randomValue(r, 5) as Record<string, unknown> | null;
    if (!obj || typeof obj !== "object" || Array.isArray(obj)) continue;
    const text = writeJson(r, obj);
    const o = oracle(enc.encode(text));
    if (!o.valid) continue;
    if (o.value === null || typeof o.value !== "object" || Array.isArray(o.value)) continue;
    const parsed = o.value as Record<string, unknown>;
    const key = r.pick(["model", "stream", "new_key", ...Object.keys(parsed).filter((k) => !k.includes(".") && !k.includes("\n"))]);
    if (key === "" || text.split(JSON.stringify(key)).length > 2) continue;
    const value = JSON.stringify(r.pick(["gpt-4o", 1, true, null, { a: [1] }]));
    const b = lib.put(text), k = lib.put(key), val = lib.put(value);
    const err = x.patchSetPath(b.ptr, b.len, k.ptr, k.len, val.ptr, val.len);
    if (err === LibError.DuplicateKey) continue;
    assert.is(err, 0, `set ${key} in ${text}`);
    assert.equal(JSON.parse(lib.outputText()), { ...parsed, [key]: JSON.parse(value) });
    const input = enc.encode(text);
    if (!(key in parsed)) assert.is(unchangedBytes(input, lib.output()), input.length, "an insertion keeps every input byte");
    if (key in parsed) {
      assert.is(x.patchRemove(b.ptr, b.len, k.ptr, k.len), 0);
      const { [key]: _, ...rest } = parsed;
      assert.equal(JSON.parse(lib.outputText()), rest, `remove ${key} from ${text}`);
      const out = lib.output();
      assert.is(unchangedBytes(input, out), out.length, "a removal only deletes one span");
    } else {
      assert.is(x.patchRemove(b.ptr, b.len, k.ptr, k.len), LibError.NotFound);
    }
    lib.free(b); lib.free(k); lib.free(val);
  }
});

test("SSE: random streams give the reference events whatever the chunking", () => {
  const r = new Rand(SEED + 4);
  const rand = () => r.next();
  for (let i = 0; i < 600; i++) {
    const stream = randomSse(r);
    const bytes = enc.encode(stream);
    const expected = referenceSse(stream);
    const whole = parseChunks(lib, bytes, []);
    assert.equal(whole.events, expected, `stream ${JSON.stringify(stream)}`);
    for (let k = 0; k < 4; k++) {
      const cuts = randomCuts(bytes.length, rand, 16);
      assert.equal(parseChunks(lib, bytes, cuts).events, expected, `stream ${JSON.stringify(stream)} cut at ${cuts}`);
    }
  }
});

test("token estimator and matcher on random bytes: no trap", () => {
  const r = new Rand(SEED + 5);
  const phrases = enc.encode("ignore\u0000system\u0000\u00ff\u00fe");
  const ph = lib.put(phrases);
  assert.ok(x.matcherBuild(ph.ptr, ph.len) > 0);
  for (let i = 0; i < 500; i++) {
    const b = new Uint8Array(r.int(300)).map(() => r.int(256));
    const p = lib.put(b);
    assert.ok(x.tokenEstimate(p.ptr, p.len, r.chance(0.5) ? 1 : 0) >= 0n);
    assert.ok(x.matcherScan(p.ptr, p.len) >= 0);
    lib.free(p);
  }
  assert.equal(lib.logs, [], "nothing aborted");
});

test.run();
