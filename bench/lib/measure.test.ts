/**
 * @module bench/lib/measure.test
 * The bench helpers: measurement loops are bounded and count what they ran; tables are valid
 * Markdown with aligned columns. (No timing is asserted.)
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { measure, measureAll } from "./measure.ts";
import { formatTable, fmt, ratio, sizeLabel } from "./table.ts";

test("measure honours the iteration cap and reports consistent figures", () => {
  let calls = 0;
  const m = measure(() => calls++, { minTimeMs: 10_000, maxIterations: 1000, rounds: 1, bytes: 1_000_000 });
  assert.is(m.iterations, 1000, "stops at the cap even though the minimum time is not reached");
  assert.ok(calls >= 1000);
  assert.ok(Math.abs(m.usPerOp * m.opsPerSec - 1e6) < 1e-3 * 1e6);
  assert.ok(Math.abs(m.mbPerSec - m.opsPerSec) < 1e-6 * m.opsPerSec, "1 MB per call: MB/s equals ops/s");
});

test("measureAll interleaves rounds and returns one result per entry", () => {
  const order: string[] = [];
  const r = measureAll([{ fn: () => order.push("a") }, { fn: () => order.push("b"), bytes: 10 }], { minTimeMs: 1, maxIterations: 3, rounds: 2 });
  assert.is(r.length, 2);
  assert.ok(Number.isNaN(r[0].mbPerSec));
  assert.ok(r[1].mbPerSec > 0);
  const firstB = order.indexOf("b"), lastA = order.lastIndexOf("a");
  assert.ok(lastA > firstB, "a runs again after b: rounds are interleaved");
});

test("tables are Markdown with right-aligned numbers", () => {
  const t = formatTable("T", ["name", "MB/s"], [["x", 1234.5], ["longer", 2.5]]);
  assert.is(t, ["\n### T\n", "| name   |  MB/s |", "| ------ | ----: |", "| x      | 1,235 |", "| longer |  2.50 |"].join("\n"));
  assert.is(fmt(0.1234), "0.123");
  assert.is(fmt(NaN), "–");
  assert.is(ratio(3, 2), "1.50×");
  assert.is(sizeLabel(2 << 20), "2.00 MB");
  assert.is(sizeLabel(1024), "1.00 KB");
  assert.is(sizeLabel(10), "10 B");
});

test.run();
