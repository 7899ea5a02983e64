/**
 * @module test/soak/verdict.test
 * The flatness check on synthetic series: a flat run passes, and each kind of growth — a VM's
 * pages, shared data growing past warm-up or past its bound, a growing heap, a failed VM, ABI
 * misuse, a run that never used every key — is reported by name, so the soak can fail.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Sample } from "./run.ts";
import { judge, type VerdictInput } from "./verdict.ts";

const MB = 1024 * 1024;

/** 21 samples every 1,000 requests; `change(sample, i)` bends the flat series into a leaking one. */
function series(change: (s: Sample, i: number) => void = () => {}): Sample[] {
  return Array.from({ length: 21 }, (_, i) => {
    const warm = i >= 3;
    const s: Sample = {
      requests: i * 1000, pages: { router: [8, 8], "token-limit": [warm ? 16 : 8 + i, 16] },
      sharedKeys: warm ? 512 : i * 170, sharedBytes: warm ? 512 * 209 : i * 170 * 209,
      heapBytes: 40 * MB + (i % 2) * MB, rssBytes: 180 * MB, rps: 1500, distinctKeys: Math.min(5000, i * 800), clockS: i * 10,
    };
    change(s, i);
    return s;
  });
}

const input = (samples: Sample[], more: Partial<VerdictInput> = {}): VerdictInput =>
  ({ samples, requests: 20_000, allKeysSeenAt: 6_250, sharedKeyBound: 512, ...more });

test("a run that grows only during warm-up is flat; warm-up ends at the first sample after every key was used", () => {
  const v = judge(input(series()));
  assert.equal(v.findings, []);
  assert.ok(v.flat);
  assert.is(v.warmupAt, 7000);
  assert.match(v.criterion, "no VM's memory pages above the largest VM of its plugin at warm-up");
});

test("one VM gaining a page after warm-up is growth, named with its plugin, worker and requests", () => {
  const v = judge(input(series((s, i) => { if (i >= 15) s.pages["token-limit"][1] = 17; })));
  assert.not.ok(v.flat);
  assert.equal(v.findings, ["token-limit worker 1 memory grew after warm-up: ceiling 16 pages at request 7,000, 17 pages at 15,000, 17 pages at the end"]);
});

test("a worker reaching, after warm-up, the size its sibling had at warm-up is a high-water mark, not growth", () => {
  const catchUp = series((s, i) => { s.pages.router = [i >= 12 ? 16 : 8, 16]; });
  assert.ok(judge(input(catchUp)).flat);
  const past = series((s, i) => { s.pages.router = [i >= 12 ? 32 : 8, 16]; });
  assert.equal(judge(input(past)).findings, ["router worker 0 memory grew after warm-up: ceiling 16 pages at request 7,000, 32 pages at 12,000, 32 pages at the end"]);
});

test("a slow leak (a page every 5,000 requests) is caught even though every step is small", () => {
  const v = judge(input(series((s, i) => { s.pages.router = [8 + Math.floor(i / 5), 8]; })));
  assert.not.ok(v.flat);
  assert.match(v.findings.join("\n"), "router worker 0 memory grew after warm-up");
});

test("shared data that keeps growing after warm-up, and past the configured bound, is reported twice", () => {
  const v = judge(input(series((s, i) => { s.sharedKeys = i * 170; s.sharedBytes = i * 170 * 209; })));
  assert.not.ok(v.flat);
  const text = v.findings.join("\n");
  assert.match(text, "shared-data keys grew after warm-up: ceiling 1,190 at request 7,000");
  assert.match(text, "shared-data bytes grew after warm-up");
  assert.match(text, "shared-data keys exceed the configured bound: 680 > 512 at request 4,000");
});

test("a heap growing beyond the slack is reported; wandering within it is not", () => {
  assert.ok(judge(input(series((s, i) => { s.heapBytes = 40 * MB + (i % 3) * 3 * MB; }))).flat);
  const v = judge(input(series((s, i) => { s.heapBytes = 40 * MB + i * MB; })));
  assert.not.ok(v.flat);
  assert.match(v.findings.join("\n"), /heap grew after warm-up: 47\.0 MB at request 7,000, 56\.0 MB at 16,000 \(limit 55\.0 MB\)/);
});

test("a failed VM, ABI misuse, a run that never used every key, or no sample after warm-up is not flat", () => {
  assert.match(judge(input(series(), { failures: ["token-limit: worker 1: unreachable"] })).findings.join(), "VM failed: token-limit: worker 1: unreachable");
  assert.match(judge(input(series(), { misuse: 3 })).findings.join(), "3 host calls outside the ABI's allowed shapes");
  assert.match(judge(input(series(), { allKeysSeenAt: 0 })).findings.join(), "not every API key was used");
  assert.match(judge(input(series(), { allKeysSeenAt: 20_000 })).findings.join(), "no sample after the warm-up (request 20,000) but the last");
});

test("no bound: shared data is judged on growth only", () => {
  assert.ok(judge(input(series(), { sharedKeyBound: null })).flat);
});

test.run();
