/**
 * @module filters/lib/json/patcher.test
 * The JSON patcher: top-level set/replace/remove, nested set creating objects, redaction inside
 * strings; every other byte unchanged, and malformed or ambiguous bodies refused.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadLib, LibError } from "../test/wasm.ts";

const lib = await loadLib();
const x = lib.exports;

function set(body: string, path: string, value: string) {
  const b = lib.put(body), p = lib.put(path), v = lib.put(value);
  const error = x.patchSetPath(b.ptr, b.len, p.ptr, p.len, v.ptr, v.len);
  const r = { error, at: x.errorAt(), out: error === 0 ? lib.outputText() : null };
  lib.free(b); lib.free(p); lib.free(v);
  return r;
}

/** The reader's one-walk append (`appendToRoot` at `RequestFacts.appendAt`); error -1: the reader says it does not apply. */
function appendAfterRead(body: string, path: string, value: string) {
  const b = lib.put(body), p = lib.put(path), v = lib.put(value);
  const error = x.patchAppendAfterRead(b.ptr, b.len, p.ptr, p.len, v.ptr, v.len);
  const r = { error, out: error === 0 ? lib.outputText() : null };
  lib.free(b); lib.free(p); lib.free(v);
  return r;
}

function remove(body: string, key: string) {
  const b = lib.put(body), k = lib.put(key);
  const error = x.patchRemove(b.ptr, b.len, k.ptr, k.len);
  const r = { error, out: error === 0 ? lib.outputText() : null };
  lib.free(b); lib.free(k);
  return r;
}

/** Replaces the substring `target` (first occurrence, ASCII body) inside the string at `pos`. */
function redact(body: string | Uint8Array, pos: number, from: number, to: number, text: string) {
  const b = lib.put(body), t = lib.put(text);
  const error = x.patchReplaceInString(b.ptr, b.len, pos, from, to, t.ptr, t.len);
  const r = { error, at: x.errorAt(), out: error === 0 ? lib.outputText() : null };
  lib.free(b); lib.free(t);
  return r;
}

test("replace a top-level value, leaving every other byte alone", () => {
  const body = `{ "messages": [{"model":"keep"}],\n  "model" :  "gpt-4o" , "x":1 }`;
  const r = set(body, "model", `"gpt-4o-mini"`);
  assert.is(r.out, `{ "messages": [{"model":"keep"}],\n  "model" :  "gpt-4o-mini" , "x":1 }`);
});

test("add a missing top-level member at the end, including into an empty object", () => {
  assert.is(set(`{"a":1}`, "stream", `true`).out, `{"a":1,"stream":true}`);
  assert.is(set(`{"a":1 }\n`, "stream", `true`).out, `{"a":1,"stream":true }\n`);
  assert.is(set(`{}`, "k", `"v"`).out, `{"k":"v"}`);
  assert.is(set(` { } `, "k", `[1,2]`).out, ` {"k":[1,2] } `);
});

test("appending after the request reader's walk gives setPath's bytes, and only when stream_options is absent", () => {
  const bodies = [
    `{"model":"m","stream":true}`,
    `{"model":"m","stream":true}  \n`,
    ` {"model":"m","messages":[{"role":"user","content":"hi"}] , "stream" : true }`,
    `{"model":"m","metadata":{"a":{"b":[1,{"c":2}]}}}`,
    `{"user":"u","user":"v","model":"m"}`,
  ];
  for (const body of bodies) {
    const fast = appendAfterRead(body, "stream_options.include_usage", "true");
    assert.is(fast.error, 0, body);
    // setPath refuses a root with a duplicate key; the append does not walk keys it never edits.
    if (body.includes(`"user":"u","user"`)) assert.is(fast.out, `{"user":"u","user":"v","model":"m","stream_options":{"include_usage":true}}`);
    else assert.is(fast.out, set(body, "stream_options.include_usage", "true").out, body);
    assert.equal(JSON.parse(fast.out!).stream_options, { include_usage: true });
  }
  // Present in any form, even null or spelled with an escape: the caller must use setPath.
  for (const body of [`{"stream_options":null}`, `{"stream_options":{}}`, `{"stream\\u005foptions":{"x":1}}`, `{"stream_options":{"include_usage":false}}`]) {
    assert.is(appendAfterRead(body, "stream_options.include_usage", "true").error, -1, body);
  }
  // An empty root (appendAt just after `{`) takes the member without a comma; an offset outside the body is refused.
  const direct = (body: string, at: number) => {
    const b = lib.put(body), p = lib.put("stream_options.include_usage"), v = lib.put("true");
    const error = x.patchAppendToRoot(b.ptr, b.len, at, p.ptr, p.len, v.ptr, v.len);
    const out = error === 0 ? lib.outputText() : null;
    lib.free(b); lib.free(p); lib.free(v);
    return { error, out };
  };
  assert.is(direct(`{}`, 1).out, set(`{}`, "stream_options.include_usage", "true").out);
  assert.is(direct(` { } `, 2).out, set(` { } `, "stream_options.include_usage", "true").out);
  assert.is(direct(`{}`, 0).error, LibError.UnexpectedEnd);
  assert.is(direct(`{}`, 3).error, LibError.UnexpectedEnd);
  // Not a whole JSON object: nothing to append to.
  for (const body of [`{"model":"m"`, `[1]`, `{"model":"m"} x`]) assert.is(appendAfterRead(body, "stream_options.include_usage", "true").error, -1, body);
});

test("nested set: stream_options.include_usage = true, creating stream_options if absent", () => {
  assert.is(set(`{"model":"m","stream":true}`, "stream_options.include_usage", `true`).out,
    `{"model":"m","stream":true,"stream_options":{"include_usage":true}}`);
  assert.is(set(`{"stream_options":{"include_obfuscation":false},"n":1}`, "stream_options.include_usage", `true`).out,
    `{"stream_options":{"include_obfuscation":false,"include_usage":true},"n":1}`);
  assert.is(set(`{"stream_options":{"include_usage":false}}`, "stream_options.include_usage", `true`).out,
    `{"stream_options":{"include_usage":true}}`);
  assert.is(set(`{"stream_options":{}}`, "stream_options.include_usage", `true`).out, `{"stream_options":{"include_usage":true}}`);
  assert.is(set(`{}`, "a.b.c", `1`).out, `{"a":{"b":{"c":1}}}`);
  const r = set(`{"stream_options":null}`, "stream_options.include_usage", `true`);
  assert.is(r.error, LibError.TypeMismatch);
  assert.is(r.at, 18);
});

test("set refuses malformed bodies, duplicate keys, non-object roots and invalid values", () => {
  assert.is(set(`{"model":"a","model":"b"}`, "model", `"c"`).error, LibError.DuplicateKey);
  assert.is(set(`{"model":"a"`, "model", `"c"`).error, LibError.UnexpectedEnd);
  assert.is(set(`{"model":"a"} {}`, "model", `"c"`).error, LibError.TrailingData);
  assert.is(set(`["model"]`, "model", `"c"`).error, LibError.TypeMismatch);
  assert.is(set(`{"a":"\\ud800"}`, "model", `"c"`).error, LibError.UnpairedSurrogate);
  assert.is(set(`{"a":1}`, "model", `"unterminated`).error, LibError.UnexpectedEnd);
  assert.is(set(`{"a":1}`, "model", `1 2`).error, LibError.TrailingData);
});

test("keys are escaped when inserted", () => {
  const r = set(`{}`, `we"ird`, `1`);
  assert.is(r.out, `{"we\\"ird":1}`);
  assert.equal(JSON.parse(r.out!), { 'we"ird': 1 });
});

test("remove a member with one comma, wherever it is", () => {
  assert.is(remove(`{"user":"u","model":"m"}`, "user").out, `{"model":"m"}`);
  assert.is(remove(`{"model":"m", "user":"u"}`, "user").out, `{"model":"m"}`);
  assert.is(remove(`{"a":1, "user":{"x":[1]}, "b":2}`, "user").out, `{"a":1, "b":2}`);
  assert.is(remove(`{ "user" : 1 }`, "user").out, `{  }`);
  assert.is(remove(`{"a":{"user":1}}`, "user").error, LibError.NotFound, "nested keys are not top-level ones");
  assert.is(remove(`{"user":1,"user":2}`, "user").error, LibError.DuplicateKey);
  assert.is(remove(`{"user":1,`, "user").error, LibError.UnexpectedEnd);
  for (const body of [`{"user":"u","model":"m","n":1}`, `{"model":"m","user":"u","n":1}`, `{"model":"m","n":1,"user":"u"}`]) {
    const out = remove(body, "user").out!;
    assert.equal(JSON.parse(out), { model: "m", n: 1 });
  }
});

test("replace a span inside a string with escaped text (redaction)", () => {
  const body = `{"content":"my card is 4111-1111 ok"}`;
  const pos = body.indexOf(`"my`);
  const from = body.indexOf("4111"), to = from + "4111-1111".length;
  const r = redact(body, pos, from, to, `[REDACTED "card"]`);
  assert.is(r.out, `{"content":"my card is [REDACTED \\"card\\"] ok"}`);
  assert.is(JSON.parse(r.out!).content, `my card is [REDACTED "card"] ok`);
  // Control characters and newlines in the replacement are escaped.
  assert.is(JSON.parse(redact(body, pos, from, to, "a\nb\u0001").out!).content, "my card is a\nb\u0001 ok");
  // The whole content, and an empty span (pure insertion).
  assert.is(redact(`"abc"`, 0, 1, 4, "x").out, `"x"`);
  assert.is(redact(`"abc"`, 0, 2, 2, "-").out, `"a-bc"`);
});

test("replaceInString refuses spans outside the string or cutting an escape or a character", () => {
  const body = `{"c":"a\\nb\\u00e9\\ud83d\\ude00é"}`;
  const pos = 5;
  const esc = body.indexOf("\\n");
  assert.is(redact(body, pos, esc + 1, esc + 2, "x").error, LibError.InvalidSpan, "inside \\n");
  assert.is(redact(body, pos, esc, esc + 2, "x").error, 0, "the whole escape is fine");
  const u = body.indexOf("\\u00e9");
  assert.is(redact(body, pos, u + 3, u + 6, "x").error, LibError.InvalidSpan, "inside \\u00e9");
  const pair = body.indexOf("\\ud83d");
  assert.is(redact(body, pos, pair, pair + 6, "x").error, LibError.InvalidSpan, "half a surrogate pair");
  assert.is(redact(body, pos, pair, pair + 12, "x").error, 0);
  const bytes = new TextEncoder().encode(body);
  const e = bytes.length - 4; // the 2-byte é sits just before `"}`
  assert.is(redact(bytes, pos, e + 1, e + 2, "x").error, LibError.InvalidSpan, "inside é");
  assert.is(redact(body, pos, 2, 7, "x").error, LibError.InvalidSpan, "starts before the string");
  assert.is(redact(body, pos, 6, body.length, "x").error, LibError.InvalidSpan, "ends after the string");
  assert.is(redact(body, 0, 1, 2, "x").error, LibError.TypeMismatch, "not a string");
  assert.is(redact(`"a`, 0, 1, 1, "x").error, LibError.UnexpectedEnd);
  assert.is(redact(`"abc"`, 0, 1, 2, "\udc00").error, 0, "lone surrogate in JS text arrives as U+FFFD bytes");
  const bad = lib.put(new Uint8Array([0xff])), b = lib.put(`"abc"`);
  assert.is(x.patchReplaceInString(b.ptr, b.len, 0, 1, 2, bad.ptr, bad.len), LibError.InvalidUtf8);
});

test("jsonStringLiteral round-trips through JSON.parse", () => {
  for (const s of ["", "plain", `q"b\\s/`, "\u0000\u001f\u007f\n\r\t\b\f", "日本🙂"]) {
    const p = lib.put(s);
    x.escapeLiteral(p.ptr, p.len);
    assert.is(JSON.parse(lib.outputText()), s);
  }
});

test.run();
