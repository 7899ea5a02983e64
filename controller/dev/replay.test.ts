/**
 * @module controller/dev/replay.test
 * Every sample exchange file replayed through samples/pipeline.yaml against its expected JSON
 * (`samples/exchanges/<name>.expected.json`; `UPDATE_GOLDEN=1` rewrites them), plus workers,
 * one-filter mode, body printing and the CLI's exit codes.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { loadExchangeFile, loadExchangeFiles } from "./exchanges.ts";
import { loadChain, shippedWasmPath, stageFromFile, stagesFromFiles } from "./pipeline.ts";
import { printBody, replay } from "./replay.ts";

const DIR = "samples/exchanges";
const PIPELINE = "samples/pipeline.yaml";
const samples = readdirSync(DIR).filter((f) => f.endsWith(".yaml")).sort();
const run = promisify(execFile);

async function replayFiles(files: string[], workers = 1) {
  const { stages } = await stagesFromFiles([PIPELINE]);
  return replay(await loadChain(stages, { workers }), await loadExchangeFiles(files));
}

test("there are samples for a routed, a redacted, a blocked, a streamed and a rate-limited request", () => {
  for (const name of ["routed", "redacted", "blocked", "streamed", "budget"]) assert.ok(samples.includes(`${name}.yaml`), name);
});

for (const file of samples) {
  test(`replay of ${file} matches ${file.replace(/\.yaml$/, ".expected.json")}`, async () => {
    const report = await replayFiles([`${DIR}/${file}`]);
    const golden = `${DIR}/${file.replace(/\.yaml$/, ".expected.json")}`;
    const text = JSON.stringify(report, null, 2) + "\n";
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, text);
    assert.ok(existsSync(golden), `${golden} is missing (UPDATE_GOLDEN=1 writes it)`);
    assert.equal(report, JSON.parse(readFileSync(golden, "utf8")));
  });
}

test("the goldens say what the samples promise", () => {
  const load = (n: string) => JSON.parse(readFileSync(`${DIR}/${n}.expected.json`, "utf8"));
  const routed = load("routed").exchanges[0];
  assert.ok(routed.upstreamRequest.headers.some(([k, v]: string[]) => k === "x-gateway-model-name" && v === "gpt-4o-mini"));
  assert.match(routed.upstreamRequest.body, '"model":"gpt-4o-mini"');
  const redacted = load("redacted").exchanges[0];
  assert.match(redacted.upstreamRequest.body, "[REDACTED:email]");
  assert.not.match(redacted.upstreamRequest.body, "alice@");
  const blocked = load("blocked").exchanges[0];
  // The guard does not hold headers (only body-before-routing modules do): the upstream saw them, then a reset, never the body.
  assert.is(blocked.upstreamRequest.body, "");
  assert.is(blocked.upstreamRequest.reset, true);
  assert.is(blocked.localResponse.status, 400);
  const streamed = load("streamed").exchanges[0];
  assert.not.match(streamed.clientResponse.body, "bob@");
  assert.not.match(streamed.clientResponse.body, '"usage"');
  const budget = load("budget").exchanges.map((e: { clientResponse: { status: number } }) => e.clientResponse.status);
  assert.equal(budget, [200, 200, 429, 429, 200]);
});

test("state carries across files and workers: the budget is shared by four VMs", async () => {
  const report = await replayFiles([`${DIR}/budget.yaml`], 4);
  assert.equal(report.exchanges.map((e) => e.clientResponse?.status), [200, 200, 429, 429, 200]);
});

test("--filter mode: one module with its config", async () => {
  const stage = stageFromFile(shippedWasmPath("model-router"), JSON.stringify({ aliases: { fast: "gpt-4o-mini" } }), "model-router");
  const report = await replay(await loadChain([stage]), await loadExchangeFile(`${DIR}/routed.yaml`));
  const up = report.exchanges[0].upstreamRequest!;
  assert.match(up.body as string, '"model":"gpt-4o-mini"');
  assert.ok(report.metrics["model_router.routed"].value === 1);
});

test("bodies print as text when valid UTF-8, else base64", () => {
  assert.is(printBody(Buffer.from("héllo")), "héllo");
  assert.equal(printBody(Buffer.from([0x68, 0xc3])), { base64: Buffer.from([0x68, 0xc3]).toString("base64") });
});

test("the CLI prints the JSON and exits 0; a broken exchange file is one line and exit 1", async () => {
  const ok = await run("node", ["controller/cli/bin.mjs", "replay", "-f", PIPELINE, "--exchange", `${DIR}/blocked.yaml`]);
  assert.is(JSON.parse(ok.stdout).exchanges[0].clientResponse.status, 400);
  const bad = await run("node", ["controller/cli/bin.mjs", "replay", "-f", PIPELINE, "--exchange", "no-such.yaml"]).then(() => null, (e) => e);
  assert.is(bad.code, 1);
  assert.is(bad.stderr.trim(), "tollgate replay: no-such.yaml: no such file");
  const usage = await run("node", ["controller/cli/bin.mjs", "replay", "--exchange", `${DIR}/blocked.yaml`]).then(() => null, (e) => e);
  assert.is(usage.code, 2);
});

test.run();
