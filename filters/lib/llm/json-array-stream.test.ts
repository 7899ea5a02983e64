/**
 * @module filters/lib/llm/json-array-stream.test
 * Gemini's JSON-array stream (no `alt=sse`) through the built `lib-llm-tests` module: elements
 * found whatever the chunking (every byte boundary, random chunkings), usage merged per field
 * and text collected as with SSE; strings containing brackets and escaped quotes; a cut stream
 * keeps what completed; garbage and oversized elements are errors; never a trap.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadLlm, ApiKind } from "./test/wasm.ts";
import { responseFixtures } from "./test/fixtures/responses.ts";

const llm = await loadLlm();
const x = llm.x;
const enc = new TextEncoder();

function run(body: string | Uint8Array, cuts: number[] = [], maxElement = 1 << 20) {
  const bytes = typeof body === "string" ? enc.encode(body) : body;
  x.arrayStreamBegin(ApiKind.GeminiStream, maxElement);
  let prev = 0;
  let ret = 0;
  for (const c of [...cuts, bytes.length]) {
    const p = llm.lib.put(bytes.subarray(prev, c));
    ret = x.arrayStreamPush(p.ptr, p.len);
    llm.lib.free(p);
    prev = c;
  }
  const closed = x.arrayStreamClosed() === 1;
  const error = x.arrayStreamError();
  x.arrayStreamEnd();
  return { ...llm.outputJson(), closed, error, ret };
}

const fx = responseFixtures.find((f) => f.name.startsWith("gemini JSON-array stream"))!;
const tricky = `[{"candidates":[{"content":{"parts":[{"text":"a ] } [ { \\" , b"}]}}],"usageMetadata":{"promptTokenCount":3}}` +
  `\r\n,\r\n{"candidates":[{"content":{"parts":[{"text":"c\\\\"}]}}],"usageMetadata":{"candidatesTokenCount":2,"totalTokenCount":5}}]\n`;

test("the fixture: elements, usage and text as from the whole body", () => {
  const r = run(fx.body);
  assert.equal([r.events, r.input, r.output, r.total, r.text, r.closed, r.error], [2, 7, 6, 13, "2, 3, 5", true, 0]);
});

test("every byte boundary, and random chunkings, give the same result", () => {
  for (const body of [fx.body, tricky]) {
    const whole = run(body);
    const n = enc.encode(body).length;
    for (let cut = 0; cut <= n; cut++) {
      const r = run(body, [cut]);
      assert.equal([r.events, r.input, r.output, r.total, r.text, r.closed], [whole.events, whole.input, whole.output, whole.total, whole.text, whole.closed], `cut ${cut}`);
    }
    let seed = 3;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let round = 0; round < 100; round++) {
      const cuts = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 30) }, () => Math.floor(rand() * n)))].sort((a, b) => a - b);
      const r = run(body, cuts);
      assert.equal([r.events, r.text, r.total], [whole.events, whole.text, whole.total]);
    }
  }
  assert.equal([run(tricky).text, run(tricky).input, run(tricky).output], ["a ] } [ { \" , bc\\", 3, 2]);
});

test("a cut stream keeps the completed elements and is not closed", () => {
  const body = enc.encode(fx.body);
  const second = fx.body.indexOf("\n,\n") + 3;
  const r = run(body.subarray(0, second + 20));
  assert.equal([r.events, r.input, r.total, r.text, r.closed, r.error], [1, 7, 7, "2, 3", false, 0]);
});

test("errors: not an array, garbage after the end, an element over the limit", () => {
  assert.is(run(`{"candidates":[]}`).error, 2);
  assert.is(run(`[{"a":1}] x`).error, 13);
  const big = run(`[{"candidates":[],"pad":"${"x".repeat(5000)}"}]`, [100, 2000], 1024);
  assert.equal([big.error, big.events, big.ret], [14, 0, -1]);
  const ok = run(`[ {"usageMetadata":{"promptTokenCount":1}} , 5 , "s" ]`);
  assert.equal([ok.events, ok.input, ok.malformed, ok.closed], [3, 1, 2, true]);
});

test("random bytes never trap", () => {
  let seed = 17;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const alphabet = enc.encode(`[]{}",:\\ \n0a`);
  for (let round = 0; round < 2000; round++) {
    const b = new Uint8Array(Math.floor(rand() * 80));
    for (let i = 0; i < b.length; i++) b[i] = rand() < 0.9 ? alphabet[Math.floor(rand() * alphabet.length)] : Math.floor(rand() * 256);
    run(Uint8Array.of(0x5b, ...b), [Math.floor(rand() * b.length)], 64);
  }
});

test.run();
