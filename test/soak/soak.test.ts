/**
 * @module test/soak/soak.test
 * A short soak of the sample pipeline (20,000 requests, 5,000 keys): every measurement is taken,
 * the traffic reaches what the long soak is about (redactions, blocks, 429s, streamed usage),
 * and memory and shared data stay flat after warm-up with shared data held to token-limit's
 * hashed table; then the same run over a module that leaks, which the check must call out.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { build } from "../../scripts/build.ts";
import { Chain } from "../../harness/index.ts";
import { runSoak, type SoakRun } from "./run.ts";
import { judge } from "./verdict.ts";
import { textReport } from "./report.ts";

// The sample's 8,192 slots would not all fill with 5,000 keys; 512 fill within the first
// cycle of keys, as 8,192 do in the full soak's 100,000.
const SLOTS = 512;
let run: SoakRun;

test.before(async () => {
  await build();
  run = await runSoak({
    requests: 20_000, keys: 5_000, seed: 7, every: 1_000, budget: 20_000,
    adjust: (stages) => { for (const s of stages) if (s.rootId === "token-limit") s.config.slots = SLOTS; },
  });
});

test("every 1,000 requests: pages of each VM of each plugin, shared data, heap, request rate", () => {
  assert.is(run.samples.length, 21);
  assert.equal(run.samples.map((s) => s.requests), Array.from({ length: 21 }, (_, i) => i * 1000));
  for (const s of run.samples) {
    assert.equal(Object.keys(s.pages), ["router", "guard", "token-limit"]);
    for (const pages of Object.values(s.pages)) {
      assert.is(pages.length, 2);
      assert.ok(pages.every((p) => p > 0));
    }
    assert.ok(s.heapBytes > 0 && s.rssBytes >= s.heapBytes);
  }
  assert.ok(run.samples.slice(1).every((s) => s.rps > 0));
  const last = run.samples[20];
  assert.is(last.distinctKeys, 5_000);
  assert.ok(last.clockS > 100, `the manual clock moved: ${last.clockS} s`);
  assert.ok(run.cpuSeconds > 0);
});

test("the traffic is the realistic mix: routed, redacted, blocked, limited, streamed with usage, failed upstream", () => {
  const o = run.outcomes, m = run.metrics;
  assert.ok(o["200"] > 15_000, JSON.stringify(o));
  assert.ok(o["429 token-limit"] > 50, JSON.stringify(o));
  assert.ok(o["400 guard"] > 50, JSON.stringify(o));
  assert.ok(o.reset > 50, JSON.stringify(o));
  assert.ok(o["500"] > 0 || o["503"] > 0, JSON.stringify(o));
  assert.is(m["model_router.routed"], 20_000);
  for (const kind of ["email", "phone", "card", "openai_key"]) assert.ok(m[`payload_guard.${kind}.redact`] > 50, `${kind}: ${m[`payload_guard.${kind}.redact`]}`);
  assert.ok(m["tollgate.token_limit.usage_reported"] > 15_000);
  assert.ok(m["tollgate.token_limit.usage_chunks_stripped"] > 500);
  assert.ok(m["tollgate.token_limit.usage_estimated"] > 50);
  assert.equal(run.failures, []);
  assert.is(run.misuse, 0);
});

test("flat after warm-up: no page, shared-data key or byte added; shared data is token-limit's full table, never more", () => {
  const v = judge({ samples: run.samples, requests: 20_000, allKeysSeenAt: run.allKeysSeenAt, sharedKeyBound: run.sharedKeyBound, failures: run.failures, misuse: run.misuse });
  assert.equal(v.findings, []);
  assert.ok(v.flat);
  assert.ok(run.allKeysSeenAt > 5_000 && run.allKeysSeenAt < 7_000, `all keys used by ${run.allKeysSeenAt}`);
  assert.is(v.warmupAt, 7_000);
  assert.is(run.sharedKeyBound, SLOTS);
  assert.is(run.samples[20].sharedKeys, SLOTS);
  assert.ok(run.samples.every((s) => s.sharedKeys <= SLOTS));
  assert.match(textReport(run, v, "soak"), /verdict: FLAT after warm-up \(request 7,000\)/);
});

test("the same soak over a module that leaks 2 KiB a request is not flat, and the verdict names the VM", async () => {
  const leaky = await Chain.load([{ wasm: "dist/test/harness-script.wasm", options: { name: "leaky", pluginConfig: "request_headers leak 2048", workers: 2 } }]);
  const r = await runSoak({ chain: leaky, requests: 3_000, keys: 500, seed: 7, every: 250 });
  const v = judge({ samples: r.samples, requests: 3_000, allKeysSeenAt: r.allKeysSeenAt, sharedKeyBound: r.sharedKeyBound, failures: r.failures, misuse: r.misuse });
  assert.not.ok(v.flat);
  assert.match(v.findings.join("\n"), /leaky worker 0 memory grew after warm-up/);
  assert.match(v.findings.join("\n"), /leaky worker 1 memory grew after warm-up/);
  assert.match(textReport(r, v, "soak"), /verdict: NOT FLAT: leaky worker 0 memory grew/);
});

test.run();
