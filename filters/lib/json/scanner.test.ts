/**
 * @module filters/lib/json/scanner.test
 * The JSON scanner and readers, driven through the built `lib-tests` module: validation and
 * its error codes/offsets on malformed input, top-level lookup (nested decoys, escaped keys,
 * duplicates), iteration, and value reading.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadLib, LibError, JSON_END, JSON_FAIL } from "../test/wasm.ts";

const lib = await loadLib();
const x = lib.exports;

function validate(doc: string | Uint8Array) {
  const p = lib.put(doc);
  const ok = x.jsonValidate(p.ptr, p.len) === 1;
  const r = { ok, error: x.error() as number, at: x.errorAt() as number };
  lib.free(p);
  return r;
}

function lookup(doc: string, names: string[], stopEarly = false) {
  const p = lib.put(doc);
  const n = lib.put(names.join("\n"));
  const end = x.jsonLookup(p.ptr, p.len, n.ptr, n.len, stopEarly ? 1 : 0);
  const spans = names.map((_, i) => {
    const s = lib.result(2 * i), e = lib.result(2 * i + 1);
    return s < 0 ? null : doc.slice(s, e); // test documents are ASCII: offsets are indexes
  });
  const r = { end, spans, error: x.error() as number, at: x.errorAt() as number };
  lib.free(p); lib.free(n);
  return r;
}

function readString(doc: string | Uint8Array, pos = 0) {
  const p = lib.put(doc);
  const end = x.jsonReadString(p.ptr, p.len, pos);
  const r = { end, text: lib.outputText(), bytes: lib.output(), error: x.error() as number };
  lib.free(p);
  return r;
}

function num(doc: string, kind: "i64" | "f64") {
  const p = lib.put(doc);
  const value = kind === "i64" ? x.jsonReadI64(p.ptr, p.len, 0) : x.jsonReadF64(p.ptr, p.len, 0);
  const r = { value, error: x.error() as number };
  lib.free(p);
  return r;
}

test("valid documents validate", () => {
  for (const doc of [
    `{}`, `[]`, `""`, `0`, `-0`, `1.5e+10`, `-12.25E-3`, `true`, `false`, `null`, ` \t\r\n{"a" : [1, 2 , {"b":null}] } \n`,
    `{"model":"gpt-4o","messages":[{"role":"user","content":"héllo \\u00e9 \\ud83d\\ude00 \\n\\"q\\""}],"stream":true}`,
    `"日本語のテキスト🙂"`, `[[[[[]]]]]`, `{"":""}`, `"\\/\\b\\f\\r\\t"`,
  ]) {
    const r = validate(doc);
    assert.ok(r.ok, `${doc}: error ${r.error} at ${r.at}`);
  }
});

test("malformed documents fail with a specific error and offset", () => {
  const cases: [string | Uint8Array, number, number][] = [
    [``, LibError.UnexpectedEnd, 0],
    [`   `, LibError.UnexpectedEnd, 3],
    [`{"model":"gpt`, LibError.UnexpectedEnd, 13],
    [`{"a":1`, LibError.UnexpectedEnd, 6],
    [`{"a" 1}`, LibError.UnexpectedByte, 5],
    [`{"a":1,}`, LibError.UnexpectedByte, 7],
    [`[1,]`, LibError.UnexpectedByte, 3],
    [`[1 2]`, LibError.UnexpectedByte, 3],
    [`{a:1}`, LibError.UnexpectedByte, 1],
    [`{'a':1}`, LibError.UnexpectedByte, 1],
    [`[NaN]`, LibError.UnexpectedByte, 1],
    [`01`, LibError.TrailingData, 1],
    [`1.`, LibError.UnexpectedEnd, 2],
    [`1.x`, LibError.NumberSyntax, 2],
    [`-`, LibError.UnexpectedEnd, 1],
    [`-a`, LibError.NumberSyntax, 1],
    [`1e`, LibError.UnexpectedEnd, 2],
    [`[1e+]`, LibError.NumberSyntax, 4],
    [`tru`, LibError.UnexpectedEnd, 3],
    [`trUe`, LibError.UnexpectedByte, 2],
    [`nul`, LibError.UnexpectedEnd, 3],
    [`fals`, LibError.UnexpectedEnd, 4],
    [`"a\\x"`, LibError.InvalidEscape, 2],
    [`"\\u12G4"`, LibError.InvalidEscape, 5],
    [`"\\u12`, LibError.UnexpectedEnd, 5],
    [`"\\ud800"`, LibError.UnpairedSurrogate, 1],
    [`"\\udc00\\ud800"`, LibError.UnpairedSurrogate, 1],
    [`"\\ud800\\u0041"`, LibError.UnpairedSurrogate, 1],
    [`"\\ud800x"`, LibError.UnpairedSurrogate, 1],
    [`"tab\there"`, LibError.ControlCharacter, 4],
    [new Uint8Array([0x22, 0x61, 0xff, 0x22]), LibError.InvalidUtf8, 2],
    [new Uint8Array([0x22, 0xc0, 0xaf, 0x22]), LibError.InvalidUtf8, 1], // overlong "/"
    [new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]), LibError.InvalidUtf8, 1], // encoded surrogate
    [new Uint8Array([0x22, 0xf4, 0x90, 0x80, 0x80, 0x22]), LibError.InvalidUtf8, 1], // above U+10FFFF
    [new Uint8Array([0x22, 0xe6, 0x97]), LibError.UnexpectedEnd, 1], // truncated inside a character
    [new Uint8Array([0x22, 0xe4, 0xb8, 0xad, 0xe4, 0xb8, 0x41, 0x22]), LibError.InvalidUtf8, 4], // broken 3-byte form
    [new Uint8Array([0x22, 0xe0, 0x80, 0x80, 0x20, 0x22]), LibError.InvalidUtf8, 1], // overlong 3-byte form
    [new Uint8Array([0x22, 0xc3, 0xa9, 0xc3, 0x22, 0x20, 0x22]), LibError.InvalidUtf8, 3], // 2-byte lead then quote
    [`{} {}`, LibError.TrailingData, 3],
    [`{"a":1}}`, LibError.TrailingData, 7],
    [`]`, LibError.UnexpectedByte, 0],
  ];
  for (const [doc, error, at] of cases) {
    const r = validate(doc);
    const label = typeof doc === "string" ? doc : `bytes ${[...doc]}`;
    assert.is(r.ok, false, label);
    assert.is(r.error, error, `${label}: error`);
    assert.is(r.at, at, `${label}: offset`);
  }
  assert.equal(lib.logs, [], "no abort was logged");
});

test("nesting deeper than the limit is TooDeep, iteratively (no stack overflow at 1e6 levels)", () => {
  assert.ok(validate("[".repeat(64) + "]".repeat(64)).ok);
  const deep = validate("[".repeat(65) + "]".repeat(65));
  assert.is(deep.error, LibError.TooDeep);
  assert.is(deep.at, 64);
  assert.is(validate(`{"a":`.repeat(65) + "1" + "}".repeat(65)).error, LibError.TooDeep);
  assert.is(validate("[".repeat(1_000_000)).error, LibError.TooDeep);
  x.jsonSetOptions(1000, 1);
  assert.ok(validate("[".repeat(1000) + "]".repeat(1000)).ok, "the limit is configurable");
  assert.is(validate("[".repeat(1001) + "]".repeat(1001)).error, LibError.TooDeep);
  x.jsonSetOptions(2 ** 31 - 1, 1);
  assert.is(validate("[".repeat(70_000)).error, LibError.TooDeep, "an absurd limit is clamped, not allocated");
  x.jsonSetOptions(-5, 1);
  assert.is(validate("[[]]").error, LibError.TooDeep, "a limit below 1 means 1");
  assert.ok(validate("[]").ok);
  x.jsonSetOptions(64, 1);
});

test("UTF-8 validation inside strings can be switched off (bytes outside strings are still checked)", () => {
  x.jsonSetOptions(64, 0);
  assert.ok(validate(new Uint8Array([0x22, 0x61, 0xff, 0x22])).ok);
  assert.is(validate(new Uint8Array([0x5b, 0xff, 0x5d])).error, LibError.UnexpectedByte);
  x.jsonSetOptions(64, 1);
});

test("UTF-8 in strings: runs of 3-byte characters with one bad byte anywhere fail where utf8InvalidAt says", () => {
  const cjk = new TextEncoder().encode("中文字符テキスト한국語"); // 3-byte characters, leads E4–ED
  for (const bad of [0x41, 0x80, 0xbf, 0xc0, 0xe0, 0xed, 0xf0, 0xff]) {
    for (let at = 0; at < cjk.length; at++) {
      const content = cjk.slice();
      content[at] = bad;
      const doc = new Uint8Array([0x22, ...content, 0x22]);
      const c = lib.put(content);
      const invalidAt = x.utf8Invalid(c.ptr, c.len) as number;
      lib.free(c);
      const r = validate(doc);
      if (invalidAt < 0) assert.ok(r.ok, `byte ${bad} at ${at}`);
      else assert.equal([r.ok, r.error, r.at], [false, LibError.InvalidUtf8, 1 + invalidAt], `byte ${bad} at ${at}`);
    }
  }
});

test("gigantic strings: 8 MB valid, and truncated at every alignment", () => {
  const big = `{"a":"` + "x".repeat(8 << 20) + `","model":"m"}`;
  assert.equal(lookup(big, ["model"]).spans, [`"m"`]);
  for (let cut = 1; cut <= 40; cut++) { // every alignment of the 8- and 32-byte steps
    const r = validate(big.slice(0, big.length - 14 - cut));
    assert.is(r.error, LibError.UnexpectedEnd);
  }
});

test("lookup finds top-level keys, never nested ones of the same name", () => {
  const doc = `{"tools":[{"type":"function","function":{"name":"f","parameters":{"model":{"type":"string"},"stream":1}}}],` +
    `"messages":[{"role":"user","content":"{\\"model\\":\\"evil\\"}","model":"nested"}],"stream_options":{"stream":false},` +
    `"model" : "gpt-4o-mini" , "stream":true}`;
  const r = lookup(doc, ["model", "stream", "user"]);
  assert.equal(r.spans, [`"gpt-4o-mini"`, `true`, null]);
  assert.is(r.end, doc.length);
  assert.is(r.error, LibError.None);
  // The same keys inside a string or a nested object never match.
  assert.equal(lookup(`{"x":"\\"model\\":1","y":{"model":2}}`, ["model"]).spans, [null]);
});

test("lookup decodes escaped keys, rejects duplicates, and stops early only when asked", () => {
  assert.equal(lookup(`{"mod\\u0065l":"a"}`, ["model"]).spans, [`"a"`]);
  const dup = lookup(`{"model":"a","x":1,"mod\\u0065l":"b"}`, ["model"]);
  assert.is(dup.end, JSON_FAIL);
  assert.is(dup.error, LibError.DuplicateKey);
  assert.is(dup.at, 19);
  // Duplicates of keys nobody asked for are not an error.
  assert.equal(lookup(`{"x":1,"x":2,"model":"a"}`, ["model"]).spans, [`"a"`]);
  const early = lookup(`{"model":"a","stream":false,"model":"b",BROKEN`, ["model", "stream"], true);
  assert.equal(early.spans, [`"a"`, `false`]);
  assert.is(early.end, 27, "stops after the last wanted value");
  const strict = lookup(`{"model":"a","stream":false,"model":"b",BROKEN`, ["model", "stream"]);
  assert.is(strict.error, LibError.DuplicateKey);
  assert.is(lookup(`{"model":"a",BROKEN}`, ["model"]).error, LibError.UnexpectedByte);
  assert.is(lookup(`["model"]`, ["model"]).error, LibError.TypeMismatch);
  assert.is(lookup(`{"model":"a"} x`, ["model"]).end, 13, "lookup covers the object, not trailing data");
});

test("find returns the first occurrence or JSON_END", () => {
  const doc = `{"a":{"model":1},"model":[2],"b":3}`;
  const d = lib.put(doc), k = lib.put("model"), z = lib.put("zzz");
  assert.is(x.jsonFind(d.ptr, d.len, 0, k.ptr, k.len), 25);
  assert.is(x.jsonFind(d.ptr, d.len, 0, z.ptr, z.len), JSON_END);
  assert.is(x.jsonFind(d.ptr, d.len, 5, k.ptr, k.len), 14, "find in a nested object");
});

test("array and object iteration", () => {
  const doc = `[ 1 , "two" ,{"three":[3]}, [] ,null ]`;
  const p = lib.put(doc);
  assert.is(x.jsonElements(p.ptr, p.len, 0), 5);
  assert.equal([0, 1, 2, 3, 4].map((i) => doc[lib.result(i)]), ["1", `"`, "{", "[", "n"]);
  assert.is(lib.result(5), doc.length, "container end");
  const empty = lib.put(`[ ]`);
  assert.is(x.jsonElements(empty.ptr, empty.len, 0), 0);
  const bad = lib.put(`[1,2`);
  assert.is(x.jsonElements(bad.ptr, bad.len, 0), JSON_FAIL);
  assert.is(x.error(), LibError.UnexpectedEnd);

  const obj = `{ "a" : 1 , "b":{"c":[]} ,"d":"e"}`;
  const o = lib.put(obj);
  assert.is(x.jsonMembers(o.ptr, o.len, 0), 3);
  assert.equal([0, 2, 4].map((i) => obj[lib.result(i) + 1]), ["a", "b", "d"]);
  assert.equal([1, 3, 5].map((i) => obj[lib.result(i)]), ["1", "{", `"`]);
  const badObj = lib.put(`{"a":1,"b"}`);
  assert.is(x.jsonMembers(badObj.ptr, badObj.len, 0), JSON_FAIL);
  assert.is(x.error(), LibError.UnexpectedByte);
  const notObj = lib.put(`[1]`);
  assert.is(x.jsonMembers(notObj.ptr, notObj.len, 0), JSON_FAIL);
  assert.is(x.error(), LibError.TypeMismatch);
});

test("readString decodes escapes and surrogate pairs to UTF-8, passes raw UTF-8 through", () => {
  assert.is(readString(`"plain"`).text, "plain");
  assert.is(readString(`"a\\nb\\t\\"c\\\\d\\/e\\u0041\\u00e9\\u4e2d\\ud83d\\ude00"`).text, "a\nb\t\"c\\d/eAé中😀");
  assert.equal([...readString(`"\\u0000"`).bytes], [0]);
  assert.is(readString(`"日本🙂"`).text, "日本🙂");
  assert.is(readString(`"x"`).end, 3);
  assert.is(readString(`"\\ud83d"`).error, LibError.UnpairedSurrogate);
  assert.is(readString(`"\\ude00"`).error, LibError.UnpairedSurrogate);
  assert.is(readString(`"abc`).error, LibError.UnexpectedEnd);
  assert.is(readString(`123`).error, LibError.TypeMismatch);
  assert.is(readString(new Uint8Array([0x22, 0xe6, 0x22])).error, LibError.InvalidUtf8);
  const p = lib.put(`"a\\u0062c"`);
  assert.is(x.jsonStringSpan(p.ptr, p.len, 0), 10);
  assert.equal([lib.result(0), lib.result(1), lib.result(2)], [1, 9, 1]);
  const k = lib.put("abc");
  assert.is(x.jsonStringEquals(p.ptr, p.len, 0, k.ptr, k.len), 1);
  const k2 = lib.put("abd");
  assert.is(x.jsonStringEquals(p.ptr, p.len, 0, k2.ptr, k2.len), 0);
});

test("readI64: exact over the whole range, errors for overflow, fractions and other types", () => {
  assert.equal(num(`0`, "i64"), { value: 0n, error: 0 });
  assert.equal(num(`-42`, "i64"), { value: -42n, error: 0 });
  assert.equal(num(`9223372036854775807`, "i64"), { value: 9223372036854775807n, error: 0 });
  assert.equal(num(`-9223372036854775808`, "i64"), { value: -9223372036854775808n, error: 0 });
  assert.is(num(`9223372036854775808`, "i64").error, LibError.NumberOutOfRange);
  assert.is(num(`-9223372036854775809`, "i64").error, LibError.NumberOutOfRange);
  assert.is(num(`99999999999999999999999999`, "i64").error, LibError.NumberOutOfRange);
  assert.is(num(`1.5`, "i64").error, LibError.NotAnInteger);
  assert.is(num(`1e3`, "i64").error, LibError.NotAnInteger);
  assert.is(num(`"1"`, "i64").error, LibError.TypeMismatch);
  assert.is(num(`01`, "i64").value, 0n, "stops at the grammar's end: 0");
  assert.is(num(`-`, "i64").error, LibError.UnexpectedEnd);
});

test("readF64: exact values, long mantissas, out-of-range exponents", () => {
  for (const s of [`0`, `-0.5`, `1.5`, `0.1`, `123.456`, `-2.5e-3`, `1e22`, `1e23`, `5e-324`, `1.7976931348623157e308`,
    `0.30000000000000004`, `123456789012345678901234567890`, `2.2250738585072014e-308`, `0.000001234`, `1E5`]) {
    const r = num(s, "f64");
    assert.is(r.error, 0, s);
    assert.is(r.value, JSON.parse(s), s);
  }
  assert.is(num(`1e400`, "f64").error, LibError.NumberOutOfRange);
  assert.is(num(`-1e400`, "f64").error, LibError.NumberOutOfRange);
  assert.is(num(`1e99999999999`, "f64").error, LibError.NumberOutOfRange);
  assert.equal(num(`1e-99999999999`, "f64"), { value: 0, error: 0 });
  assert.is(num(`true`, "f64").error, LibError.TypeMismatch);
});

test("readBool and isNull", () => {
  const t = lib.put(`true`), f = lib.put(`false`), n = lib.put(`null`), s = lib.put(`"true"`), fa = lib.put(`fals`);
  assert.is(x.jsonReadBool(t.ptr, t.len, 0), 1);
  assert.is(x.jsonReadBool(f.ptr, f.len, 0), 0);
  assert.is(x.jsonReadBool(s.ptr, s.len, 0), -1);
  assert.is(x.error(), LibError.TypeMismatch);
  assert.is(x.jsonReadBool(fa.ptr, fa.len, 0), -1);
  assert.is(x.jsonIsNull(n.ptr, n.len, 0), 1);
  assert.is(x.jsonIsNull(t.ptr, t.len, 0), 0);
  assert.is(x.jsonType(t.ptr, t.len, 0), 5);
  assert.is(x.jsonType(s.ptr, s.len, 0), 3);
  assert.is(x.jsonType(s.ptr, s.len, 99), 0, "out of range is Invalid, not a trap");
});

test("out-of-range positions are errors, not traps", () => {
  const p = lib.put(`{"a":1}`);
  assert.is(x.jsonSkip(p.ptr, p.len, 100), JSON_FAIL);
  assert.is(x.jsonElements(p.ptr, p.len, -5), JSON_FAIL);
  assert.is(x.jsonMembers(p.ptr, p.len, 50), JSON_FAIL);
  assert.is(x.jsonReadString(p.ptr, p.len, -1), JSON_FAIL);
  // A JSON_FAIL passed along by a caller that did not check it is still an error, not a trap.
  for (const pos of [JSON_FAIL, JSON_END, -1000, 2 ** 31 - 1]) {
    assert.is(x.jsonSkip(p.ptr, p.len, pos), JSON_FAIL);
    assert.is(x.jsonElements(p.ptr, p.len, pos), JSON_FAIL);
    assert.is(x.jsonMembers(p.ptr, p.len, pos), JSON_FAIL);
    assert.is(x.jsonStringSpan(p.ptr, p.len, pos), JSON_FAIL);
    assert.is(x.jsonMemberAfter(p.ptr, p.len, pos), JSON_FAIL);
    x.jsonReadI64(p.ptr, p.len, pos); x.jsonReadF64(p.ptr, p.len, pos); x.jsonReadBool(p.ptr, p.len, pos);
    const k = lib.put("a");
    assert.is(x.jsonFind(p.ptr, p.len, pos, k.ptr, k.len), JSON_FAIL);
    assert.is(x.jsonStringEquals(p.ptr, p.len, pos, k.ptr, k.len), 0);
  }
});

test("every error code has a message", () => {
  for (const code of Object.values(LibError)) {
    assert.ok(x.errorText(code) > 0);
    assert.is.not(lib.outputText(), "unknown error", `code ${code}`);
  }
  x.errorText(999);
  assert.is(lib.outputText(), "unknown error");
});

test("memory stays flat: 100,000 lookups use no more memory than the first 100", () => {
  const body = lib.put(JSON.stringify({ messages: [{ role: "user", content: "hello ".repeat(150) }], model: "m", stream: true }));
  for (let i = 0; i < 100; i++) x.jsonModelStream(body.ptr, body.len);
  const after100 = lib.memory.buffer.byteLength;
  for (let i = 0; i < 100_000; i++) x.jsonModelStream(body.ptr, body.len);
  assert.is(lib.memory.buffer.byteLength, after100);
  assert.is(lib.result(0) > 0, true);
});

test.run();
