/**
 * @module test/fuzz.test
 * CI's short fuzz: a fixed seed through every shipped filter (no trap, no ABI misuse, same result
 * in any chunking), the checker shown to catch each kind of failure, and every file in
 * test/corpus/ replayed as a regression.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "../scripts/build.ts";
import { Host } from "../harness/index.ts";
import { FILTERS, loadFilter } from "./fuzz/filters.ts";
import { fuzzFilter, makeCase } from "./fuzz/fuzz.ts";
import { checkCase, type FuzzCase } from "./fuzz/run-case.ts";
import { readCorpus, toCase, writeCorpusEntry, type CorpusEntry } from "./fuzz/corpus.ts";

const SEED = 20261127;
const CASES = 400;
const SCRIPT = "dist/test/harness-script.wasm";
const enc = new TextEncoder();

test.before(async () => { await build(); });

for (const filter of FILTERS) {
  test(`${filter}: ${CASES} fuzz cases (seed ${SEED}) run clean and reach both the filter's verdicts and the upstream`, async () => {
    const report = await fuzzFilter(filter, SEED, CASES);
    assert.equal(report.failures.map((f) => `case ${f.case}: ${f.problems.join(" | ")}`), []);
    assert.is(Object.values(report.verdicts).reduce((a, b) => a + b, 0), CASES);
    // A fuzz that only ever produced parse errors (or only passed through) would prove little.
    assert.ok((report.verdicts.upstream ?? 0) > CASES / 20, `too few cases reached the upstream: ${JSON.stringify(report.verdicts)}`);
    assert.ok(Object.keys(report.verdicts).length >= 2, `only one outcome: ${JSON.stringify(report.verdicts)}`);
  });
}

test("a case is a pure function of (seed, index): same bytes and chunking again, other bytes for another index", () => {
  const a = makeCase(SEED, 17), b = makeCase(SEED, 17), c = makeCase(SEED, 18);
  assert.equal(Buffer.from(a.fuzzCase.body), Buffer.from(b.fuzzCase.body));
  assert.equal(a.fuzzCase.splits, b.fuzzCase.splits);
  assert.equal(a.fuzzCase.headers, b.fuzzCase.headers);
  assert.not.equal(Buffer.from(a.fuzzCase.body).toString("hex") + a.fuzzCase.path, Buffer.from(c.fuzzCase.body).toString("hex") + c.fuzzCase.path);
});

const plain = (body: string, splits: number[]): FuzzCase => ({ path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body: enc.encode(body), splits, holdHeaders: false });

test("the checker reports a trap on either delivery", async () => {
  const script = "request_body@!eos trap";
  const problems = (await checkCase(await Host.load(SCRIPT, { pluginConfig: script }), await Host.load(SCRIPT, { pluginConfig: script }), plain('{"a":1}', [3]))).problems;
  assert.is(problems.length, 1);
  assert.match(problems[0], /^chunked: trap: /);
});

test("the checker reports ABI misuse", async () => {
  const script = "request_headers badptr";
  const problems = (await checkCase(await Host.load(SCRIPT, { pluginConfig: script }), await Host.load(SCRIPT, { pluginConfig: script }), plain("{}", []))).problems;
  assert.ok(problems.some((p) => p.startsWith("chunked: ABI misuse: ")), problems.join("\n"));
  assert.ok(problems.some((p) => p.startsWith("one chunk: ABI misuse: ")), problems.join("\n"));
});

test("the checker reports a body the filter rewrote into invalid JSON", async () => {
  const script = "request_body@eos setbody 0 0 1 X";
  const r = await checkCase(await Host.load(SCRIPT, { pluginConfig: script }), await Host.load(SCRIPT, { pluginConfig: script }), plain('{"a":1}', []));
  assert.equal(r.problems, ["the filter rewrote the body into invalid JSON"]);
  assert.ok(r.rewritten);
});

test("the checker reports different results across the two deliveries (here: two different filters)", async () => {
  // model-router rewrites the alias "smart"; payload-guard passes the body through untouched.
  const body = JSON.stringify({ model: "smart", messages: [{ role: "user", content: "hi" }] });
  const r = await checkCase(await loadFilter("model-router"), await loadFilter("payload-guard"), plain(body, [5, 20]));
  assert.equal(r.problems, [`upstream body differs across chunkings (${body.replace("smart", "llama-3.1-70b-instruct").length} vs ${body.length} bytes)`]);
});

test("corpus entries round-trip through their file (base64 body, splits, headers, seed)", () => {
  const dir = mkdtempSync(join(tmpdir(), "tollgate-corpus-"));
  try {
    const body = Uint8Array.from([0x7b, 0xff, 0x00, 0xed, 0xa0, 0x80, 0x7d]);
    const entry: CorpusEntry = { filter: "payload-guard", seed: 9, case: 3, mutations: ["invalidUtf8"], problems: ["x"],
      path: "/v1/messages", headers: { "x-api-key": "k" }, splits: [2, 5], holdHeaders: true, bodyBase64: Buffer.from(body).toString("base64") };
    const file = writeCorpusEntry(entry, dir);
    assert.is(file, join(dir, "payload-guard", "9-3.json"));
    const back = readCorpus(dir);
    assert.is(back.length, 1);
    assert.equal(toCase(back[0].entry), { path: "/v1/messages", headers: { "x-api-key": "k" }, splits: [2, 5], holdHeaders: true, body });
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("every regression case in test/corpus/ replays clean", async () => {
  for (const { file, entry } of readCorpus()) {
    const problems = (await checkCase(await loadFilter(entry.filter, entry.holdHeaders), await loadFilter(entry.filter, entry.holdHeaders), toCase(entry))).problems;
    assert.equal(problems, [], `${file} (seed ${entry.seed}, case ${entry.case})`);
  }
});

test.run();
