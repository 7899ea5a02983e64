/**
 * @module filters/lib/llm/request.property.test
 * No trap on any body: every fixture body, truncated at every length and mutated at random
 * (byte flips, deletions, insertions of JSON punctuation, duplicated spans), read as every API
 * kind. A trap would throw here. Also: reading a valid body never reports an offset outside it,
 * and wasm memory stays flat over many reads.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadLlm, ApiKind } from "./test/wasm.ts";
import { requestFixtures } from "./test/fixtures/requests.ts";

const llm = await loadLlm();
const kinds = Object.values(ApiKind);
const enc = new TextEncoder();

function rng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}

test("every truncation of every fixture, as every kind: an error, never a trap", () => {
  for (const fx of requestFixtures) {
    const body = enc.encode(fx.body);
    for (let n = 0; n < body.length; n++) {
      for (const k of kinds) {
        const err = llm.check(k, body.subarray(0, n));
        assert.ok(err !== 0 || k === ApiKind.Unknown || n === body.length, `${fx.name} cut at ${n} read as ${k}`);
      }
    }
  }
});

test("random mutations: never a trap; offsets inside the body", () => {
  const rand = rng(20261127);
  const punct = enc.encode(`{}[]",:\\ 0-1e.tfn\u00e9\ud83d`);
  for (let round = 0; round < 4000; round++) {
    const fx = requestFixtures[Math.floor(rand() * requestFixtures.length)];
    const body = Array.from(enc.encode(fx.body));
    const edits = 1 + Math.floor(rand() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rand() * body.length);
      const r = rand();
      if (r < 0.3) body[at] = Math.floor(rand() * 256);
      else if (r < 0.5) body.splice(at, 1 + Math.floor(rand() * 8));
      else if (r < 0.8) body.splice(at, 0, punct[Math.floor(rand() * punct.length)]);
      else { const len = Math.floor(rand() * 40); body.splice(at, 0, ...body.slice(at, at + len)); }
    }
    const bytes = Uint8Array.from(body);
    const kind = kinds[Math.floor(rand() * kinds.length)];
    const f = llm.read(kind, bytes, rand() < 0.2 ? "path-model" : null);
    assert.ok(f.errorAt >= -1 && f.errorAt <= bytes.length, `errorAt ${f.errorAt} of ${bytes.length}`);
    for (const [s, e] of f.texts) assert.ok(s >= 0 && s <= e && e <= bytes.length);
  }
});

test("deep nesting and huge strings are errors or passes, not traps", () => {
  for (const k of kinds) {
    llm.check(k, enc.encode(`{"model":"m","messages":` + "[".repeat(5000) + "]".repeat(5000) + "}"));
    llm.check(k, enc.encode(`{"model":"m","messages":[{"role":"user","content":` + "[".repeat(100) + "]".repeat(100) + `}]}`));
    llm.check(k, enc.encode(`{"contents":[{"parts":[` + `{"text":"x"},`.repeat(20000) + `{"text":"y"}]}]}`));
  }
  const deep = llm.read(ApiKind.OpenAIChat, `{"model":"m","x":` + "[".repeat(100) + "]".repeat(100) + "}");
  assert.is(deep.error, 1);
  assert.is(deep.detail, 9); // TooDeep
  const big = llm.read(ApiKind.OpenAIChat, JSON.stringify({ model: "m", messages: [{ role: "user", content: "x".repeat(3 << 20) }] }));
  assert.is(big.error, 0);
  assert.is(big.texts[0][1] - big.texts[0][0], 3 << 20);
});

test("memory stays flat over repeated reads", () => {
  const body = enc.encode(requestFixtures[0].body);
  for (let i = 0; i < 200; i++) llm.check(ApiKind.OpenAIChat, body);
  llm.x.collect();
  const before = llm.lib.memory.buffer.byteLength;
  for (let i = 0; i < 20000; i++) { llm.check(ApiKind.OpenAIChat, body); llm.read(ApiKind.GeminiGenerate, requestFixtures[8].body, "g"); }
  llm.x.collect();
  assert.is(llm.lib.memory.buffer.byteLength, before);
});

test.run();
