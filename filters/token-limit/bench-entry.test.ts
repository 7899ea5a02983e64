/**
 * @module filters/token-limit/bench-entry.test
 * The `token-limit-bench` module measures the meter only if it meters: on the bench's stream it
 * must find the reported output tokens, on a stream cut before the usage chunk none, however
 * many streams one call runs.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { build } from "../../scripts/build.ts";
import { loadLib, type LibModule } from "../lib/test/wasm.ts";
import { sseStream } from "../../test/bench-modules/token-limit-floor.ts";
import { chunkMeter } from "./test-support.ts";

let lib: LibModule;

test.before(async () => {
  await build(["token-limit-bench"]);
  lib = await loadLib("token-limit-bench");
});

const meter = (chunks: string[], streams: number): bigint => chunkMeter(lib, chunks)(streams);

test("the bench stream reports its 199 output tokens, stream after stream", () => {
  assert.is(meter(sseStream(200), 1), 199n);
  assert.is(meter(sseStream(200), 50), 199n);
});

test("a stream cut before its usage chunk reports nothing", () => {
  assert.is(meter(sseStream(200).slice(0, 150), 3), -1n);
});

test.run();
