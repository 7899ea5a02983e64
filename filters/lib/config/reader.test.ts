/**
 * @module filters/lib/config/reader.test
 * `ConfigReader` through the built `lib-config-tests` module: a realistic nested configuration
 * read into typed classes (the intended use), every getter's values and defaults, and rejected
 * configurations whose one-line error names the full field path: unknown and duplicate fields,
 * wrong types, out-of-range integers and durations, bad enums, malformed JSON. Never a trap.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadLib } from "../test/wasm.ts";

const lib = await loadLib("lib-config-tests");
const x = lib.exports;

function example(config: string): string {
  const p = lib.put(config);
  try { x.readExample(p.ptr, p.len); return lib.outputText(); } finally { lib.free(p); }
}
function getters(config: string | Uint8Array): any {
  const p = lib.put(config);
  try { x.readEveryGetter(p.ptr, p.len); return JSON.parse(lib.outputText()); } finally { lib.free(p); }
}

const REALISTIC = {
  admission: "reserve",
  injectStreamUsage: false,
  maxBodyBytes: 4194304,
  models: ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5"],
  aliases: { "gpt-4": "gpt-4o", fast: "gpt-4o-mini" },
  limits: [
    { name: "per-key", key: { headers: ["x-api-key"] }, tokens: 100000, window: "60s", cost: { input: 1, output: 4, cacheRead: 0.1 } },
    { name: "per-team-model", key: { headers: ["x-team"], model: true }, tokens: 5000000, window: "24h" },
  ],
  rls: { cluster: "outbound|8081||ratelimit.default.svc.cluster.local", timeout: "250ms", failureMode: "FailClosed" },
};

test("a realistic nested configuration reads into typed values", () => {
  assert.is(example(JSON.stringify(REALISTIC, null, 2)),
    "OK admission=1 inject=0 maxBody=4194304 models=gpt-4o,gpt-4o-mini,claude-sonnet-4-5 aliases=gpt-4>gpt-4o,fast>gpt-4o-mini" +
    " | per-key key=x-api-key tokens=100000 window=60000ms cost=1.0/4.0/0.1/1.0" +
    " | per-team-model key=x-team+model tokens=5000000 window=86400000ms cost=1.0/1.0/1.0/1.0" +
    " | rls=outbound|8081||ratelimit.default.svc.cluster.local timeout=250ms mode=1");
});

test("defaults: an empty configuration, and {} ", () => {
  const expected = "OK admission=0 inject=1 maxBody=2097152 models= aliases=";
  assert.is(example(""), expected);
  assert.is(example("  \n"), expected);
  assert.is(example("{}"), expected);
});

test("rejections name the full path of the first problem", () => {
  const bad = (mutate: (c: any) => void) => { const c = structuredClone(REALISTIC); mutate(c); return example(JSON.stringify(c)); };
  const cases: [(c: any) => void, string][] = [
    [(c) => { c.limits[1].window = "soon"; }, `limits[1].window: expected a duration like "60s"`],
    [(c) => { c.limits[1].window = 60; }, `limits[1].window: expected a duration like "60s"`],
    [(c) => { c.limits[0].window = "500ms"; }, `limits[0].window: expected a duration from 1s to 30d`.replace("30d", "720h")],
    [(c) => { c.limits[0].windw = "60s"; }, `limits[0].windw: unknown field (expected one of "name", "key", "tokens", "window", "cost")`],
    [(c) => { c.limits[0].key.header = ["x"]; }, `limits[0].key.header: unknown field (expected one of "headers", "model")`],
    [(c) => { c.limits[0].cost.output = "4"; }, `limits[0].cost.output: expected a number from 0.0 to 1000.0`],
    [(c) => { c.limits[0].tokens = 0; }, `limits[0].tokens: expected an integer from 1 to 1000000000000`],
    [(c) => { c.limits[0].tokens = 1.5; }, `limits[0].tokens: expected an integer from 1 to 1000000000000`],
    [(c) => { c.limits[0].tokens = 1e13; }, `limits[0].tokens: expected an integer from 1 to 1000000000000`],
    [(c) => { delete c.limits[1].tokens; }, `limits[1].tokens: required`],
    [(c) => { c.limits[1].name = ""; }, `limits[1].name: expected a non-empty string of at most 64 bytes`],
    [(c) => { c.limits[1] = "per-team"; }, `limits[1]: expected an object`],
    [(c) => { c.limits = {}; }, `limits: expected an array of objects`],
    [(c) => { c.admission = "Reserve"; }, `admission: expected one of "none", "reserve"`],
    [(c) => { c.injectStreamUsage = "true"; }, `injectStreamUsage: expected true or false`],
    [(c) => { c.models = ["gpt-4o", 5]; }, `models[1]: expected a non-empty string of at most 256 bytes`],
    [(c) => { c.aliases.fast = null; }, `aliases.fast: expected a string`],
    [(c) => { c.rls.failureMode = "FailSometimes"; }, `rls.failureMode: expected one of "FailOpen", "FailClosed"`],
    [(c) => { delete c.rls.cluster; }, `rls.cluster: required`],
    [(c) => { c.rls = null; }, `rls: expected an object`],
    [(c) => { c.maxBodyBytes = 1e400; }, `maxBodyBytes: expected an integer from 1 to 67108864`],
    [(c) => { c.extra = 1; c.limits[0].tokens = -5; }, `extra: unknown field (expected one of "admission", "injectStreamUsage", "maxBodyBytes", "models", "aliases", "limits", "rls")`],
  ];
  for (const [mutate, error] of cases) {
    // JSON.stringify turns 1e400 into null: write that case by hand.
    const got = mutate.toString().includes("1e400")
      ? example(JSON.stringify(REALISTIC).replace(`"maxBodyBytes":4194304`, `"maxBodyBytes":1e400`))
      : bad(mutate);
    assert.is(got, "ERR " + error);
  }
});

test("duplicate fields and duplicate map keys are rejected", () => {
  assert.is(example(`{"admission":"none","admission":"reserve"}`), `ERR admission: duplicate field`);
  assert.is(example(`{"aliases":{"a":"b","a":"c"}}`), `ERR aliases.a: duplicate field`);
  assert.is(example(`{"limits":[{"name":"x","tokens":1,"name":"y"}]}`), `ERR limits[0].name: duplicate field`);
});

test("malformed JSON and a non-object root", () => {
  assert.is(example(`{"admission":"none"`), "ERR configuration is not valid JSON: unexpected end of input at byte 19");
  assert.is(example(`{"admission":"none"} {}`), "ERR configuration is not valid JSON: unexpected data after the document at byte 21");
  assert.is(example(`["admission"]`), "ERR configuration: expected a JSON object");
  const badUtf8 = new Uint8Array([0x7b, 0x22, 0x61, 0xff, 0x22, 0x3a, 0x31, 0x7d]);
  const p = lib.put(badUtf8);
  x.readExample(p.ptr, p.len);
  lib.free(p);
  assert.is(lib.outputText(), "ERR configuration is not valid JSON: invalid UTF-8 at byte 3");
});

test("every getter: values, escapes, defaults when absent", () => {
  const r = getters(JSON.stringify({
    s: "h\u00e9llo \"q\"", name: "abc", b: false, i: 100, n: 0.25, d: "1h30m", e: "continue", arr: ["a", "b\u4e2d"],
    map: { z: "1", a: "2" }, obj: { x: 3 }, list: [{ y: "one", z: "2s" }, { y: "two" }],
  }));
  assert.equal(r, {
    ok: true, s: "h\u00e9llo \"q\"", name: "abc", b: false, i: 100, n: 0.25, d: 5400000, e: 1, arr: ["a", "b\u4e2d"],
    map: [["z", "1"], ["a", "2"]], x: 3, objExists: true, list: [{ y: "one", z: 2000 }, { y: "two", z: 0 }],
  });
  const d = getters("{}");
  assert.equal(d, { ok: true, s: "dflt", name: "anon", b: true, i: 7, n: 0.5, d: 60000, e: 0, arr: [], map: [], x: -1, objExists: false, list: [] });
  // Escaped keys are the same keys.
  assert.is(getters(`{"\\u0069":5}`).i, 5);
  // A key with control characters is named on one line.
  assert.is(getters(`{"a\\nb":1}`).error, `a\\u000ab: unknown field (expected one of "s", "b", "i", "n", "d", "e", "arr", "map", "obj", "list", "name")`);
});

test("getter errors", () => {
  const err = (c: string) => getters(c).error;
  assert.is(err(`{"i":101}`), "i: expected an integer from 1 to 100");
  assert.is(err(`{"i":"5"}`), "i: expected an integer from 1 to 100");
  assert.is(err(`{"i":2.5}`), "i: expected an integer from 1 to 100");
  assert.is(getters(`{"i":2.0}`).i, 2, "JSON Schema integers include 2.0");
  assert.is(getters(`{"i":1e1}`).i, 10);
  assert.is(err(`{"n":1.5}`), "n: expected a number from 0.0 to 1.0");
  assert.is(err(`{"d":"0"}`), "d: expected a duration from 1ms to 24h");
  assert.is(err(`{"d":"25h"}`), "d: expected a duration from 1ms to 24h");
  assert.is(err(`{"d":"1.5x"}`), `d: expected a duration like "60s"`);
  assert.is(err(`{"d":"100us"}`), "d: expected a whole number of milliseconds");
  assert.is(err(`{"arr":["123456789"]}`), "arr[0]: expected a non-empty string of at most 8 bytes");
  assert.is(err(`{"arr":[""]}`), "arr[0]: expected a non-empty string of at most 8 bytes");
  assert.is(err(`{"arr":"a"}`), "arr: expected an array of non-empty strings");
  assert.is(err(`{"map":{"k":1}}`), "map.k: expected a string");
  assert.is(err(`{"map":[]}`), "map: expected an object");
  assert.is(err(`{"obj":{"x":11}}`), "obj.x: expected an integer from 0 to 10");
  assert.is(err(`{"obj":{"y":1}}`), `obj.y: unknown field (expected one of "x")`);
  assert.is(err(`{"list":[{"y":"a"},{"z":"1s"}]}`), "list[1].y: required");
  assert.is(err(`{"list":[{"y":"a","w":1}]}`), `list[0].w: unknown field (expected one of "y", "z")`);
  assert.is(err(`{"name":"12345678901234567"}`), "name: expected a non-empty string of at most 16 bytes");
  assert.is(err(`{"b":null}`), "b: expected true or false");
  assert.is(err(`{"s":1,"i":0}`), "s: expected a string", "the first error wins");
});

test("random and mutated configurations never trap", () => {
  let seed = 99;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const base = new TextEncoder().encode(JSON.stringify(REALISTIC));
  const punct = new TextEncoder().encode(`{}[]",:\\ 0-1e.tfn`);
  for (let round = 0; round < 3000; round++) {
    const b = Array.from(base);
    for (let e = 0; e < 1 + Math.floor(rand() * 4); e++) {
      const at = Math.floor(rand() * b.length);
      const r = rand();
      if (r < 0.4) b[at] = punct[Math.floor(rand() * punct.length)];
      else if (r < 0.7) b.splice(at, 1 + Math.floor(rand() * 6));
      else b.splice(at, 0, punct[Math.floor(rand() * punct.length)]);
    }
    const out = example(new TextDecoder().decode(Uint8Array.from(b)));
    assert.ok(out.startsWith("OK ") || out.startsWith("ERR "), out);
    if (out.startsWith("ERR ")) assert.not.ok(out.includes("\n"), "one line");
  }
  for (let n = 0; n < base.length; n++) getters(base.subarray(0, n));
});

test.run();
