/**
 * @module filters/lib/duration.test
 * Duration parsing (units, fractions, compound forms, errors with offsets, overflow) and the
 * OpenAI-style reset formatting.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadLib, LibError } from "./test/wasm.ts";

const lib = await loadLib();
const x = lib.exports;
const MS = 1_000_000n, S = 1000n * MS, M = 60n * S, H = 60n * M;

function parse(s: string) {
  const p = lib.put(s);
  const nanos = x.durationParse(p.ptr, p.len) as bigint;
  lib.free(p);
  return { nanos, error: x.error() as number, at: x.errorAt() as number };
}

test("parses units, fractions and compound durations", () => {
  const cases: [string, bigint][] = [
    ["500ms", 500n * MS], ["1m", M], ["24h", 24n * H], ["1h30m", H + 30n * M], ["1.5s", 1500n * MS], ["0", 0n],
    ["10ns", 10n], ["250us", 250_000n], ["250µs", 250_000n], ["2d", 48n * H], ["1m0s", M], ["0.001s", MS], ["90s", 90n * S],
    ["1h2m3.5s", H + 2n * M + 3500n * MS], [".5s", 500n * MS], ["1.s", S],
  ];
  for (const [s, v] of cases) assert.equal(parse(s), { nanos: v, error: 0, at: -1 }, s);
});

test("refuses anything else, naming the offset", () => {
  const cases: [string, number][] = [["", 0], ["5", 1], ["ms", 0], ["1x", 1], ["-1s", 0], ["1 s", 1], ["1sm", 1], ["1.5", 3], ["s1", 0], ["1hh", 1], ["1h 2m", 1], [".s", 0]];
  for (const [s, at] of cases) {
    const r = parse(s);
    assert.is(r.error, LibError.InvalidDuration, s);
    assert.is(r.at, at, `${s}: offset`);
  }
  assert.is(parse("9999999999999999999h").error, LibError.NumberOutOfRange);
  assert.is(parse("3000000h").error, LibError.NumberOutOfRange);
  assert.is(parse("2000000h2000000h").error, LibError.NumberOutOfRange);
});

test("formats milliseconds as OpenAI rate-limit reset values", () => {
  const fmt = (ms: bigint) => { x.durationFormat(ms); return lib.outputText(); };
  assert.is(fmt(0n), "0s");
  assert.is(fmt(-5n), "0s");
  assert.is(fmt(12n), "12ms");
  assert.is(fmt(1000n), "1s");
  assert.is(fmt(1500n), "1.5s");
  assert.is(fmt(1050n), "1.05s");
  assert.is(fmt(1001n), "1.001s");
  assert.is(fmt(360_000n), "6m0s");
  assert.is(fmt(3_723_500n), "1h2m3.5s");
  assert.is(fmt(3_600_000n), "1h0m0s");
});

test.run();
