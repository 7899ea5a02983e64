/**
 * @module test/fuzz.test
 * CI's short fuzz: a fixed seed through every shipped filter and the sample pipeline (requests
 * and responses, sample and schema-drawn configurations; no trap, no ABI misuse, same result in
 * any chunking, rewritten JSON still JSON), the checker and the shrinker shown to catch and
 * reduce each kind of failure, the schema-driven configuration generator checked against ajv,
 * and every file in test/corpus/ replayed as a regression.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "../scripts/build.ts";
import { Host } from "../harness/index.ts";
import { makeCase, type FuzzCase } from "./fuzz/case.ts";
import { checkConfig } from "./fuzz/config-check.ts";
import { caseFields, readCorpus, toCase, writeCorpusEntry, type CorpusEntry } from "./fuzz/corpus.ts";
import { fuzzTarget } from "./fuzz/fuzz.ts";
import { Prng } from "./fuzz/prng.ts";
import { generateMatching } from "./fuzz/regex-gen.ts";
import { checkCase } from "./fuzz/run-case.ts";
import { shrink } from "./fuzz/shrink.ts";
import { FILTERS, TARGETS, configGenerator, hostRunner, loadTarget, type Runner } from "./fuzz/targets.ts";

const SEED = 20261127;
const CASES = 5000;
const SCRIPT = "dist/test/harness-script.wasm";
const enc = new TextEncoder();

test.before(async () => { await build(); });

for (const target of TARGETS) {
  test(`${target}: ${CASES} fuzz cases (seed ${SEED}) run clean and reach the filters' verdicts, the upstream and schema-drawn configurations`, async () => {
    const report = await fuzzTarget({ target, seed: SEED, cases: CASES });
    assert.equal(report.failures.map((f) => `case ${f.case} (${f.kind}): ${f.problems.join(" | ")}`), []);
    assert.is(Object.values(report.verdicts).reduce((a, b) => a + b, 0), CASES);
    // A fuzz that only ever produced parse errors (or only passed through) would prove little.
    const upstream = Object.entries(report.verdicts).filter(([k]) => k.startsWith("upstream")).reduce((n, [, v]) => n + v, 0);
    assert.ok(upstream > CASES / 10, `too few cases reached the upstream: ${JSON.stringify(report.verdicts)}`);
    assert.ok(Object.keys(report.verdicts).some((k) => k.startsWith("local")), `no local answer: ${JSON.stringify(report.verdicts)}`);
    assert.ok(report.configsDrawn > 0, "no schema-drawn configuration");
    if (target !== "pipeline") assert.ok(report.invalidConfigsChecked > 0, "no invalid configuration checked");
    if (target !== "model-router") assert.ok(report.rewroteResponse > 0, "no response was ever rewritten");
    assert.ok(report.rewrote > 0, "no request was ever rewritten");
  });
}

test("a case is a pure function of (seed, index): same bytes and chunking again, other bytes for another index", () => {
  const a = makeCase(SEED, 17).fuzzCase, b = makeCase(SEED, 17).fuzzCase, c = makeCase(SEED, 18).fuzzCase;
  assert.equal(Buffer.from(a.request.body), Buffer.from(b.request.body));
  assert.equal(Buffer.from(a.response.body), Buffer.from(b.response.body));
  assert.equal([a.request.splits, a.response.splits, a.request.headers, a.advanceMs], [b.request.splits, b.response.splits, b.request.headers, b.advanceMs]);
  assert.not.equal(Buffer.from(a.request.body).toString("hex") + a.path, Buffer.from(c.request.body).toString("hex") + c.path);
});

test("leaving a mutation out changes only what that mutation did", () => {
  for (let i = 0; i < 300; i++) {
    const full = makeCase(SEED, i);
    if (full.mutations.length < 2) continue;
    const without = makeCase(SEED, i, new Set([0]));
    assert.equal(without.mutations, full.mutations, "the plan is the same");
    const untouched = full.mutations[0].target === "request" ? "response" : "request";
    if (full.mutations.slice(1).every((m) => m.target !== untouched)) {
      assert.equal(Buffer.from(without.fuzzCase[untouched].body), Buffer.from(makeCase(SEED, i, new Set(full.mutations.map((_, j) => j))).fuzzCase[untouched].body));
    }
    return;
  }
  assert.unreachable("no case with two mutations");
});

test("the grammar covers every API shape and framing, mutations reach both bodies and SSE framing", () => {
  const paths = new Set<string>(), types = new Set<string>(), names = new Set<string>();
  for (let i = 0; i < 3000; i++) {
    const { fuzzCase: c, mutations } = makeCase(SEED, i);
    paths.add(c.path.replace(/models\/[^:]+/, "models/M").replace(/^\/(vllm|openai)/, ""));
    types.add(`${c.status === 200 ? "ok" : "error"} ${c.response.headers["content-type"]?.split(";")[0]}`);
    for (const m of mutations) names.add(`${m.target}:${m.name}`);
  }
  for (const p of ["/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/responses", "/v1/messages",
    "/v1beta/models/M:generateContent", "/v1beta/models/M:streamGenerateContent", "/v1beta/models/M:streamGenerateContent?alt=sse"]) {
    assert.ok(paths.has(p), `no request to ${p}: ${[...paths]}`);
  }
  for (const t of ["ok application/json", "ok text/event-stream", "error application/json"]) assert.ok(types.has(t), `no ${t} response: ${[...types]}`);
  for (const n of ["request:truncate", "response:truncate", "request:invalidUtf8", "request:deepNesting", "request:hugeString",
    "response:dropBlankLine", "response:lineEndings", "response:commentLine", "response:hugeEvent", "response:splitDataLine"]) {
    assert.ok(names.has(n), `mutation ${n} never drawn`);
  }
});

test("pattern strings: every pattern of the three schemas yields matching strings", () => {
  const r = new Prng(1);
  const patterns = new Set<string>();
  for (const f of FILTERS) JSON.stringify(JSON.parse(readFileSync(`filters/${f}/config.schema.json`, "utf8")), (k, v) => { if (k === "pattern") patterns.add(v); return v; });
  assert.ok(patterns.size >= 8, `${patterns.size} patterns`);
  for (const p of patterns) {
    const re = new RegExp(p, "u");
    for (let i = 0; i < 50; i++) { const s = generateMatching(p, r); assert.ok(re.test(s), `${JSON.stringify(s)} does not match ${p}`); }
  }
});

for (const filter of FILTERS) {
  test(`${filter}: schema-drawn configurations are valid and varied; broken ones are refused by the schema, naming a field`, () => {
    const gen = configGenerator(filter);
    const r = new Prng(5);
    const keys = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const c = gen.valid(r);
      assert.ok(c !== null, "a draw failed");
      assert.ok(gen.validate(c), JSON.stringify(c));
      Object.keys(c!).forEach((k) => keys.add(k));
      const broken = gen.invalid(c!, r);
      if (broken) {
        assert.not.ok(gen.validate(broken.config), `${broken.how} at ${broken.field} left it valid`);
        assert.ok(broken.field.length > 0);
      }
    }
    const schemaKeys = Object.keys(JSON.parse(readFileSync(`filters/${filter}/config.schema.json`, "utf8")).properties);
    assert.equal([...keys].sort(), [...schemaKeys].sort(), "every top-level field is drawn");
  });
}

const plain = (body: string, splits: number[]): FuzzCase => ({
  path: "/v1/chat/completions", advanceMs: 0, status: 200,
  request: { headers: { "content-type": "application/json" }, body: enc.encode(body), splits },
  response: { headers: { "content-type": "application/json" }, body: enc.encode('{"ok":true}'), splits: [] },
});
const script = async (s: string): Promise<Runner> => hostRunner(await Host.load(SCRIPT, { pluginConfig: s }));

test("the checker reports a trap on either delivery", async () => {
  const problems = (await checkCase(await script("request_body@!eos trap"), await script("request_body@!eos trap"), plain('{"a":1}', [3]))).problems;
  assert.is(problems.length, 1);
  assert.is(problems[0].kind, "trap");
  assert.match(problems[0].message, /^chunked: trap: /);
});

test("the checker reports ABI misuse", async () => {
  const problems = (await checkCase(await script("request_headers badptr"), await script("request_headers badptr"), plain("{}", []))).problems;
  assert.ok(problems.some((p) => p.kind === "misuse" && p.message.startsWith("chunked: ABI misuse: ")), JSON.stringify(problems));
  assert.ok(problems.some((p) => p.kind === "misuse" && p.message.startsWith("one chunk: ABI misuse: ")), JSON.stringify(problems));
});

test("the checker reports a request or JSON response the filter rewrote into invalid JSON", async () => {
  const req = await checkCase(await script("request_body@eos setbody 0 0 1 X"), await script("request_body@eos setbody 0 0 1 X"), plain('{"a":1}', []));
  assert.equal(req.problems, [{ kind: "invalid-json", message: "the request body was rewritten into invalid JSON" }]);
  assert.ok(req.rewrote);
  const res = await checkCase(await script("response_body@eos setbody 1 0 1 X"), await script("response_body@eos setbody 1 0 1 X"), plain('{"a":1}', []));
  assert.equal(res.problems, [{ kind: "invalid-json", message: "the JSON response body was rewritten into invalid JSON" }]);
  assert.ok(res.rewroteResponse);
});

test("the checker reports different results across the two deliveries (here: two different filters)", async () => {
  // model-router rewrites the alias "smart"; payload-guard passes the body through untouched.
  const body = JSON.stringify({ model: "smart", messages: [{ role: "user", content: "hi" }] });
  const r = await checkCase(await loadTarget("model-router", null), await loadTarget("payload-guard", null), plain(body, [5, 20]));
  assert.equal(r.problems, [{ kind: "differs", message: `upstream body differs across chunkings (${body.replace("smart", "llama-3.1-70b-instruct").length} vs ${body.length} bytes)` }]);
});

test("the shrinker reduces a trapping case to one request byte: no mutation, split, header or clock step left", async () => {
  const index = [...Array(50).keys()].find((i) => makeCase(SEED, i).mutations.length > 0 && makeCase(SEED, i).fuzzCase.request.splits.length > 0)!;
  const before = makeCase(SEED, index).fuzzCase;
  const s = await shrink({ load: () => script("request_body@eos trap"), config: null, seed: SEED, index, kind: "trap" });
  assert.ok(s.reproducesAlone);
  assert.is(s.fuzzCase.request.body.length, 1, `from ${before.request.body.length} bytes`);
  assert.equal([s.mutations, s.fuzzCase.request.splits, s.fuzzCase.request.headers, s.fuzzCase.advanceMs], [[], [], {}, 0]);
  assert.is(s.fuzzCase.response.body.length, 0);
  assert.ok(s.problems.every((p) => p.kind === "trap"));
});

test("configuration invariants: a valid one loads, a broken one is refused naming its field, and the check notices when not", async () => {
  assert.equal(await checkConfig("token-limit", { limits: [{ name: "a", tokens: 5, window: "1m" }] }, null), []);
  assert.equal(await checkConfig("token-limit", { limits: [{ name: "a", tokens: 5, window: "1 minute" }] }, "limits[0].window"), []);
  const unnamed = await checkConfig("token-limit", { limits: [{ name: "a", tokens: 5, window: "1 minute" }] }, "limits[0].tokens");
  assert.match(unnamed[0]?.message ?? "", "does not name limits[0].tokens");
  const refused = await checkConfig("token-limit", { limits: [{ name: "a", tokens: 5, window: "1 minute" }] }, null);
  assert.match(refused[0]?.message ?? "", "refused a configuration its schema accepts");
});

test("corpus entries round-trip through their file (base64 bodies, splits, headers, configuration, seed)", () => {
  const dir = mkdtempSync(join(tmpdir(), "tollgate-corpus-"));
  try {
    const c = plain("{}", []);
    c.request.body = Uint8Array.from([0x7b, 0xff, 0x00, 0xed, 0xa0, 0x80, 0x7d]);
    c.request.splits = [2, 5];
    const entry: CorpusEntry = { target: "payload-guard", seed: 9, case: 3, kind: "trap", problems: ["x"], mutations: ["request:invalidUtf8"],
      config: { maxBodyBytes: 10 }, ...caseFields(c) };
    const file = writeCorpusEntry(entry, dir);
    assert.is(file, join(dir, "payload-guard", "9-3.json"));
    const back = readCorpus(dir);
    assert.is(back.length, 1);
    assert.equal(back[0].entry.config, { maxBodyBytes: 10 });
    assert.equal(toCase(back[0].entry), c);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("every regression case in test/corpus/ replays clean", async () => {
  for (const { file, entry } of readCorpus()) {
    const where = `${file} (seed ${entry.seed}, case ${entry.case})`;
    if (entry.kind === "config") {
      const filter = entry.target as (typeof FILTERS)[number];
      assert.is(configGenerator(filter).validate(entry.config) === true, entry.configField === null, `${where}: the schema disagrees`);
      assert.equal(await checkConfig(filter, entry.config, entry.configField ?? null), [], where);
      continue;
    }
    const a = await loadTarget(entry.target, entry.config), b = await loadTarget(entry.target, entry.config);
    assert.equal((await checkCase(a, b, toCase(entry))).problems, [], where);
    a.close(); b.close();
  }
});

test.run();
