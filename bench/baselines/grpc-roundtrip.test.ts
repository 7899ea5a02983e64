/**
 * @module bench/baselines/grpc-roundtrip.test
 * The baseline measures what it says: the requested number of echoed round trips of the
 * requested size, with ordered percentiles, and it releases its server (the process can exit).
 * No timing is asserted.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { measureGrpcRoundTrip } from "./grpc-roundtrip.ts";

test("measures the requested calls and message size, percentiles in order", async () => {
  const r = await measureGrpcRoundTrip({ iterations: 50, warmup: 5, messageBytes: 1024 });
  assert.is(r.iterations, 50);
  assert.is(r.messageBytes, 1024);
  assert.ok(r.p50Us > 0);
  assert.ok(r.p50Us <= r.p90Us && r.p90Us <= r.p99Us);
  const d = await measureGrpcRoundTrip({ iterations: 3, warmup: 0 });
  assert.is(d.messageBytes, 4096, "4 KB by default");
});

test.run();
