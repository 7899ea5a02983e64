/**
 * @module filters/lib/proto/wire.test
 * The wire reader and writer in wasm: varint sizes and decoding at every length boundary,
 * the 64-bit limit, malformed tags, skipping each wire type, and truncation anywhere.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { varint } from "../../../test/rls/proto/wire.ts";
import { loadProto, ProtoError } from "./test/wasm.ts";

const m = await loadProto();
const x = m.exports;

function readVarint(bytes: number[]) {
  const p = m.put(Uint8Array.from(bytes));
  const used = x.readVarint(p.ptr, p.len) as number;
  const r = { used, value: BigInt.asUintN(64, x.value() as bigint), error: x.error() as number, at: x.errorAt() as number };
  m.free(p);
  return r;
}

function skipAll(bytes: number[]) {
  const p = m.put(Uint8Array.from(bytes));
  const n = x.skipAll(p.ptr, p.len) as number;
  const r = { n, error: x.error() as number, at: x.errorAt() as number };
  m.free(p);
  return r;
}

test("varint size matches the encoded length at every 7-bit boundary", () => {
  for (let bits = 0; bits <= 64; bits++) {
    for (const v of [(1n << BigInt(bits)) - 1n, 1n << BigInt(bits)]) {
      if (v >= 1n << 64n) continue;
      assert.is(x.varintSize(v), varint(v).length, `size of ${v}`);
    }
  }
  assert.is(x.varintSize(0n), 1);
  assert.is(x.varintSize(127n), 1);
  assert.is(x.varintSize(128n), 2);
  assert.is(x.varintSize(BigInt.asIntN(64, -1n)), 10); // negative int64 takes all ten bytes
});

test("varints decode to the value the independent encoder wrote, consuming exactly their bytes", () => {
  const values = [0n, 1n, 127n, 128n, 300n, 16383n, 16384n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n];
  for (const v of values) {
    const bytes = varint(v);
    const r = readVarint([...bytes, 0x55]); // a trailing byte must be left alone
    assert.is(r.error, ProtoError.None, `error for ${v}`);
    assert.is(r.used, bytes.length, `bytes used for ${v}`);
    assert.is(r.value, v);
  }
  // A non-minimal encoding is still valid protobuf (parsers accept padded varints).
  assert.equal(readVarint([0x81, 0x80, 0x00]).value, 1n);
});

test("a varint past 64 bits or longer than ten bytes is out of range; a cut one is unexpected end", () => {
  const tooBig = readVarint([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]);
  assert.is(tooBig.used, -1);
  assert.is(tooBig.error, ProtoError.NumberOutOfRange);
  const tooLong = readVarint([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x81, 0x00]);
  assert.is(tooLong.error, ProtoError.NumberOutOfRange);
  for (let n = 0; n < 10; n++) {
    const cut = readVarint(new Array(n).fill(0x80));
    assert.is(cut.error, ProtoError.UnexpectedEnd, `cut after ${n} bytes`);
    assert.is(cut.used, -1);
  }
});

test("skipping steps over every valid wire type and counts the fields", () => {
  const bytes = [
    0x08, 0x96, 0x01, //                    field 1, varint 150
    0x11, 1, 2, 3, 4, 5, 6, 7, 8, //        field 2, fixed64
    0x1a, 0x03, 0x61, 0x62, 0x63, //        field 3, length 3 "abc"
    0x25, 1, 2, 3, 4, //                    field 4, fixed32
    0xf8, 0xff, 0xff, 0xff, 0x0f, 0x00, //  field 2^29-1 (largest), varint 0
  ];
  const r = skipAll(bytes);
  assert.is(r.error, ProtoError.None);
  assert.is(r.n, 5);
});

test("field number 0, wire types 6 and 7, and groups are rejected at the tag's offset", () => {
  for (const [bytes, at] of [[[0x00, 0x01], 0], [[0x08, 0x01, 0x0e], 2], [[0x0f], 0], [[0x0b, 0x0c], 0], [[0x0c], 0]] as [number[], number][]) {
    const r = skipAll(bytes);
    assert.is(r.n, -1, `bytes ${bytes}`);
    assert.is(r.error, ProtoError.UnexpectedByte, `bytes ${bytes}`);
    assert.is(r.at, at, `offset for ${bytes}`);
  }
  // A tag above 32 bits cannot name a field.
  assert.is(skipAll([...varint(1n << 35n), 0x00]).error, ProtoError.UnexpectedByte);
});

test("every truncation of a well-formed field list fails with unexpected end, never a trap", () => {
  const bytes = [0x08, 0x96, 0x01, 0x11, 1, 2, 3, 4, 5, 6, 7, 8, 0x1a, 0x03, 0x61, 0x62, 0x63, 0x25, 1, 2, 3, 4];
  const boundaries = new Set([0, 3, 12, 17, 22]);
  for (let n = 0; n <= bytes.length; n++) {
    const r = skipAll(bytes.slice(0, n));
    if (boundaries.has(n)) assert.is(r.error, ProtoError.None, `cut at field boundary ${n}`);
    else assert.is(r.error, ProtoError.UnexpectedEnd, `cut at ${n}`);
  }
  // A length that claims more than the input holds, including one near 2^64.
  assert.is(skipAll([0x1a, 0x05, 0x61]).error, ProtoError.UnexpectedEnd);
  assert.is(skipAll([0x1a, ...varint(2n ** 64n - 1n)]).error, ProtoError.UnexpectedEnd);
});

test("the module logged nothing (no abort was reached)", () => {
  assert.equal(m.logs, []);
});

test.run();
