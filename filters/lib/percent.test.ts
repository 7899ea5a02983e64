/**
 * @module filters/lib/percent.test
 * Percent-decoding of path segments: escapes of either case, multi-byte UTF-8, and null for a
 * malformed or truncated escape or for bytes that are not UTF-8.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadLib } from "./test/wasm.ts";

const lib = await loadLib();
const x = lib.exports;

function decode(s: string): string | null {
  const p = lib.put(s);
  return x.percentDecoded(p.ptr, p.len) < 0 ? null : lib.outputText();
}

test("decodes escapes of either case into UTF-8 text", () => {
  assert.is(decode("gemini-2.5-flash"), "gemini-2.5-flash");
  assert.is(decode("claude-3%405"), "claude-3@5");
  assert.is(decode("tuned%2Fmodel"), "tuned/model");
  assert.is(decode("tuned%2fmy%20model%C3%A9"), "tuned/my modelé");
  assert.is(decode("%e4%b8%ad"), "中");
  assert.is(decode(""), "");
});

test("malformed escapes and invalid UTF-8 give null", () => {
  for (const bad of ["bad%zz", "bad%ff", "trunc%4", "trunc%", "%C3", "%g0", "%0g"]) assert.is(decode(bad), null, bad);
});

test.run();
