/**
 * @module filters/lib/wrappers.test
 * The safe wrappers and small helpers: byte-array and string forms agree with the pointer
 * forms, flags, match-list capacity, ByteBuffer growth and reuse.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadLib, LibError } from "./test/wasm.ts";

const lib = await loadLib();
const x = lib.exports;
const put = (s: string | Uint8Array) => lib.put(s);

test("SseEvent.isType: default type is message", () => {
  const a = put("data: x\n\n"), b = put("event: ping\ndata: x\n\n"), msg = put("message"), ping = put("ping");
  assert.is(x.wrapSseIsType(a.ptr, a.len, msg.ptr, msg.len), 1);
  assert.is(x.wrapSseIsType(b.ptr, b.len, ping.ptr, ping.len), 1);
  assert.is(x.wrapSseIsType(b.ptr, b.len, msg.ptr, msg.len), 0);
});

test("string and byte-array forms agree with pointer forms", () => {
  for (const s of ["", "tenant-a", "日本🙂", "x".repeat(100)]) {
    const p = put(s);
    assert.is(x.wrapHashForms(p.ptr, p.len, 7n), 1, s);
    assert.is(x.wrapEstimateForms(p.ptr, p.len), 1, s);
  }
  const ok = put("é"), bad = put(new Uint8Array([0xc3]));
  assert.is(x.wrapValidUtf8(ok.ptr, ok.len), 1);
  assert.is(x.wrapValidUtf8(bad.ptr, bad.len), 0);
  const d = put("1m30s"), e = put("soon");
  assert.is(x.wrapDurationString(d.ptr, d.len), 90_000n);
  assert.is(x.wrapDurationString(e.ptr, e.len), -BigInt(LibError.InvalidDuration));
});

test("stringBytes and setField", () => {
  const s = put(`"a\\u00e9"`);
  assert.is(x.wrapStringBytes(s.ptr, s.len, 0), 3);
  assert.is(lib.outputText(), "aé");
  const n = put(`12`);
  assert.is(x.wrapStringBytes(n.ptr, n.len, 0), -1);
  const body = put(`{"model":"a","user":"u"}`), k = put("model"), v = put(`"b"`);
  assert.is(x.wrapSetField(body.ptr, body.len, k.ptr, k.len, v.ptr, v.len) > 0, true);
  assert.is(lib.outputText(), `{"model":"b","user":"u"}`);
  const bad = put(`{"model":`);
  assert.is(x.wrapSetField(bad.ptr, bad.len, k.ptr, k.len, v.ptr, v.len), -LibError.UnexpectedEnd);
});

test("a full match list keeps the first matches and counts the dropped ones", () => {
  const p = put("banana");
  assert.is(x.wrapMatchCapacity(p.ptr, p.len), 2 * 1000 + 1);
});

test("ByteBuffer grows from one byte and keeps its capacity across reset", () => {
  for (const n of [0, 1, 2, 17, 1000, 100_000]) assert.is(x.wrapBufferGrowth(n), 1, `n = ${n}`);
});

test.run();
