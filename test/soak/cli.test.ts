/**
 * @module test/soak/cli.test
 * `npm run soak` as a user runs it: bad arguments get one line and exit 2; a small run prints
 * its table and verdict line, or with `--json` the samples, outcomes and verdict, and its exit
 * status follows the verdict.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";

function soak(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/soak.ts", ...args], { encoding: "utf8", timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("bad arguments: one line naming the problem, then the usage, exit 2", () => {
  for (const [args, message] of [
    [["--keys", "ten"], "soak: --keys must be an integer ≥ 1, got \"ten\""],
    [["--bogus", "1"], "soak: unknown argument \"--bogus\""],
    [["--requests", "100", "--every", "1000"], "soak: --every (1000) is larger than --requests (100)"],
  ] as const) {
    const r = soak(...args);
    assert.is(r.status, 2, args.join(" "));
    assert.is(r.stderr.split("\n")[0], message);
    assert.match(r.stderr, "usage: npm run soak --");
    assert.is(r.stdout, "");
  }
});

test("a small run: table and verdict line on stdout, progress on stderr, exit status from the verdict", () => {
  const r = soak("--requests", "1500", "--keys", "100", "--every", "500", "--seed", "3");
  const lines = r.stdout.trim().split("\n");
  assert.match(lines[0], "soak: 1,500 requests, 100 keys, seed 3, 2 workers");
  assert.match(lines[1], /^requests\s+router pages\s+guard pages\s+token-limit pages\s+shared keys/);
  assert.equal(lines.slice(2, 6).map((l) => l.trim().split(/\s+/)[0]), ["0", "500", "1,000", "1,500"]);
  const verdict = lines[lines.length - 1];
  assert.match(verdict, /^verdict: (FLAT after warm-up|NOT FLAT)/);
  assert.is(r.status, verdict.startsWith("verdict: FLAT") ? 0 : 1);
  assert.match(r.stderr, "1,500 requests: pages router");
});

test("--json: the options, every sample, the outcomes and the verdict, as one JSON document", () => {
  const r = soak("--requests", "1000", "--keys", "100", "--every", "250", "--json");
  const report = JSON.parse(r.stdout);
  assert.equal(report.options, { requests: 1000, keys: 100, seed: 1, every: 250, workers: 2, concurrency: 4, budget: 20000, pipeline: "samples/pipeline.yaml", json: true });
  assert.equal(report.samples.map((s: { requests: number }) => s.requests), [0, 250, 500, 750, 1000]);
  assert.equal(Object.keys(report.samples[4].pages), ["router", "guard", "token-limit"]);
  assert.is(Object.values(report.outcomes as Record<string, number>).reduce((a, b) => a + b, 0), 1000);
  assert.is(report.sharedKeyBound, 8192);
  assert.type(report.verdict.flat, "boolean");
  assert.is(r.status, report.verdict.flat ? 0 : 1);
});

test.run();
