/**
 * @module scripts/soak
 * `npm run soak -- [--requests N] [--keys K] [--seed S] [--every E] [--json]`: the memory soak of
 * issue 10. Runs the sample pipeline (router → guard → token-limit) in the harness over N realistic
 * requests from K API keys, samples memory every E requests, prints a table and a verdict line
 * (or JSON with `--json`). Exit 0 when flat after warm-up, 1 when not, 2 for bad usage.
 */
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runSoak, type Sample } from "../test/soak/run.ts";
import { judge } from "../test/soak/verdict.ts";
import { jsonReport, textReport } from "../test/soak/report.ts";

interface Args {
  requests: number; keys: number; seed: number; every: number; workers: number; concurrency: number;
  budget: number; pipeline: string; json: boolean;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SAMPLE_PIPELINE = "samples/pipeline.yaml";

const INTEGER_FLAGS = { "--requests": "requests", "--keys": "keys", "--seed": "seed", "--every": "every", "--workers": "workers", "--concurrency": "concurrency", "--budget": "budget" } as const;
const USAGE = "usage: npm run soak -- [--requests N] [--keys K] [--seed S] [--every E] [--workers W] [--concurrency C] [--budget TOKENS] [--pipeline FILE] [--json]";

function parseArgs(argv: string[]): Args {
  const a: Args = { requests: 1_000_000, keys: 100_000, seed: 1, every: 10_000, workers: 2, concurrency: 4, budget: 20_000, pipeline: SAMPLE_PIPELINE, json: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--json") { a.json = true; continue; }
    const value = argv[i + 1];
    if (flag !== "--pipeline" && !(flag in INTEGER_FLAGS)) throw new Error(`unknown argument "${flag}"`);
    if (value === undefined) throw new Error(`${flag} needs a value`);
    i++;
    if (flag === "--pipeline") { a.pipeline = value; continue; }
    const v = Number(value);
    const min = flag === "--seed" ? 0 : 1;
    if (!Number.isInteger(v) || v < min || v > 0xffffffff) throw new Error(`${flag} must be an integer ≥ ${min}, got "${value}"`);
    a[INTEGER_FLAGS[flag as keyof typeof INTEGER_FLAGS]] = v;
  }
  if (a.every > a.requests) throw new Error(`--every (${a.every}) is larger than --requests (${a.requests})`);
  return a;
}

async function main(): Promise<number> {
  let args: Args;
  try { args = parseArgs(process.argv.slice(2)); } catch (e) { console.error(`soak: ${(e as Error).message}\n${USAGE}`); return 2; }
  // Built in a child process: the AssemblyScript compiler would otherwise stay in this heap, which the soak measures.
  const built = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts/build.ts"), "model-router", "payload-guard", "token-limit"],
    { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  if (built.status !== 0) { console.error("soak: npm run build failed"); return 1; }
  const header = `soak: ${args.requests.toLocaleString("en-US")} requests, ${args.keys.toLocaleString("en-US")} keys, seed ${args.seed}, ` +
    `${args.workers} workers, ${args.concurrency} streams in flight, per-key budget ${args.budget.toLocaleString("en-US")} tokens/window, ${args.pipeline}`;
  console.error(header);
  // Progress goes to stderr, so `--json > file` still shows the run advancing.
  const progress = (s: Sample) => {
    console.error(`  ${s.requests.toLocaleString("en-US")} requests: pages ${Object.entries(s.pages).map(([p, v]) => `${p} ${v.join("/")}`).join(", ")}; shared ${s.sharedKeys} keys; ${Math.round(s.rps)} req/s`);
  };
  let run;
  try {
    // The sample pipeline is found from anywhere; a --pipeline path is the user's, relative to where they are.
    const pipeline = args.pipeline === SAMPLE_PIPELINE ? join(ROOT, SAMPLE_PIPELINE) : resolve(args.pipeline);
    run = await runSoak({ ...args, pipeline, onSample: progress });
  } catch (e) {
    console.error(`soak: ${(e as Error).message.split("\n")[0]}`);
    return 1;
  }
  const verdict = judge({ samples: run.samples, requests: args.requests, allKeysSeenAt: run.allKeysSeenAt, sharedKeyBound: run.sharedKeyBound, failures: run.failures, misuse: run.misuse });
  console.log(args.json ? jsonReport(run, verdict, { ...args }) : textReport(run, verdict, header));
  return verdict.flat ? 0 : 1;
}

process.exitCode = await main();
