/**
 * @module filters/lib/json/chat.test
 * The message-text walk: string content, arrays of parts (text and input_text kept, images
 * and audio skipped), odd shapes that contribute nothing, nested decoys, and malformed input.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadLib, LibError, JSON_FAIL } from "../test/wasm.ts";

const lib = await loadLib();
const x = lib.exports;

function texts(doc: string) {
  const p = lib.put(doc);
  const n = x.jsonMessageTexts(p.ptr, p.len);
  const bytes = new TextEncoder().encode(doc);
  const out = n < 0 ? null : Array.from({ length: n }, (_, i) => {
    const raw = new TextDecoder().decode(bytes.subarray(lib.result(3 * i), lib.result(3 * i + 1)));
    return lib.result(3 * i + 2) ? `escaped:${raw}` : raw;
  });
  lib.free(p);
  return { n, out, error: x.error() };
}

test("string content and text parts, in order", () => {
  const doc = JSON.stringify({
    model: "m",
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }, { text: "no type", type: "input_text" }] },
      { role: "assistant", content: null, tool_calls: [{ function: { arguments: "{\"content\":\"decoy\"}" } }] },
      { role: "user", content: "line1\nline2 \"q\"" },
      { role: "tool", content: [{ type: "input_audio", input_audio: { data: "x" } }] },
    ],
  });
  assert.equal(texts(doc).out, ["Be brief.", "What is this?", "no type", "escaped:line1\\nline2 \\\"q\\\""]);
});

test("odd shapes contribute nothing and do not fail", () => {
  assert.equal(texts(`{"messages":[]}`).out, []);
  assert.equal(texts(`{"messages":[1,"x",null,{"content":5},{"content":{"text":"obj"}},{"content":[{"type":"text"}]},{"content":[{"type":"image","text":"not text"}]}]}`).out, []);
  assert.equal(texts(`{"messages":[{"content":[{"type":"t\\u0065xt","text":"escaped type"}]}]}`).out, ["escaped type"]);
});

test("malformed messages fail with the scanner's error", () => {
  const r = texts(`{"messages":[{"content":"abc}]}`);
  assert.is(r.n, JSON_FAIL);
  assert.is(r.error, LibError.UnexpectedEnd);
  assert.is(texts(`{"messages":[{"content":[{"type":"text","text":"a"},]}]}`).error, LibError.UnexpectedByte);
  assert.is(texts(`{"messages":{"content":"a"}}`).error, LibError.TypeMismatch);
});

test.run();
