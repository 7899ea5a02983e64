/**
 * @module controller/provider/backoff.test
 * Backoff grows by doubling to its cap, jittered, and resets.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Backoff } from "./backoff.ts";

test("doubles from the base up to the cap, with jitter between half and all of the step", () => {
  const lowest = new Backoff(100, 1000, () => 0);
  assert.equal([1, 2, 3, 4, 5, 6].map(() => lowest.next()), [50, 100, 200, 400, 500, 500]);
  const highest = new Backoff(100, 1000, () => 1);
  assert.equal([1, 2, 3, 4, 5, 6].map(() => highest.next()), [100, 200, 400, 800, 1000, 1000]);
});

test("reset starts again from the base", () => {
  const b = new Backoff(100, 1000, () => 1);
  b.next(); b.next(); b.next();
  b.reset();
  assert.is(b.next(), 100);
});

test.run();
