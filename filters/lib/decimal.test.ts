/**
 * @module filters/lib/decimal.test
 * Decimal writing over the full i64/u64 range and strict parsing with its errors.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadLib, LibError } from "./test/wasm.ts";

const lib = await loadLib();
const x = lib.exports;

test("writes integers exactly, including the extremes", () => {
  for (const v of [0n, 1n, -1n, 9n, 10n, -10n, 123456789n, 9223372036854775807n, -9223372036854775808n]) {
    x.decimalI64(v);
    assert.is(lib.outputText(), v.toString());
  }
  for (const v of [0n, 18446744073709551615n, 10000000000000000000n]) {
    x.decimalU64(v);
    assert.is(lib.outputText(), v.toString());
  }
  for (let d = 1; d <= 20; d++) assert.is(x.decimalDigits(10n ** BigInt(d - 1)), d);
});

test("parses unsigned decimals strictly", () => {
  const parse = (s: string) => { const p = lib.put(s); const v = BigInt.asUintN(64, x.decimalParse(p.ptr, p.len)); return { v, error: x.error() }; };
  assert.equal(parse("0"), { v: 0n, error: 0 });
  assert.equal(parse("18446744073709551615"), { v: 18446744073709551615n, error: 0 });
  assert.is(parse("18446744073709551616").error, LibError.NumberOutOfRange);
  for (const bad of ["", "-1", "+1", " 1", "1 ", "1.0", "0x10", "١"]) assert.is(parse(bad).error, LibError.NumberSyntax, JSON.stringify(bad));
});

test.run();
