/**
 * @module scripts/test
 * `npm test`: builds the wasm modules the tests need, then runs every `*.test.ts`
 * (next to the code, and cross-room suites in test/) with uvu, one process per file
 * so that a file's servers and timers cannot leak into another's. Ends with the line
 * `N passed, N failed`.
 *
 * Usage: npm test -- [substring ...]   (only test files whose path contains one of them)
 */
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { buildReport, ROOT } from "./build.ts";

const SEARCHED = ["filters", "harness", "controller", "test", "bench", "scripts"];
const FILE_TIMEOUT_MS = 10 * 60 * 1000;
const CONCURRENCY = Number(process.env.TEST_CONCURRENCY ?? 2);

function findTestFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    if (entry === "node_modules" || entry === "dist" || entry.startsWith(".")) continue;
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) findTestFiles(full, out);
    else if (entry.endsWith(".test.ts")) out.push(full);
  }
  return out;
}

interface FileResult { file: string; passed: number; failed: number; skipped: number; output: string; seconds: number; }

function runFile(file: string): Promise<FileResult> {
  const started = Date.now();
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "scripts/uvu-file.ts"), file], {
      cwd: ROOT,
      env: { ...process.env, FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[test runner] ${relative(ROOT, file)} timed out after ${FILE_TIMEOUT_MS / 1000}s\n`;
      child.kill("SIGKILL");
    }, FILE_TIMEOUT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      const count = (label: string) => Number(/\b(?:Total|Passed|Skipped):/.test(output) ? (output.match(new RegExp(`${label}:\\s+(\\d+)`))?.[1] ?? 0) : 0);
      const total = count("Total");
      const passed = count("Passed");
      const skipped = count("Skipped");
      let failed = total - passed - skipped;
      // A file that crashed before uvu could summarise, or exited non-zero with every test
      // passed (an unhandled rejection, a leaked server), still counts as a failure.
      if (code !== 0 && failed === 0) failed = 1;
      resolvePromise({ file, passed, failed, skipped, output, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/**
 * Starts the services the tests talk to (Redis on 127.0.0.1) when they are not already up, so
 * that README's `npm test` works on its own; a missing package is reported, and the tests that
 * need it fail with their own message.
 */
function startServices(): void {
  const result = spawnSync("bash", [join(ROOT, "test/services.sh"), "start"], { cwd: ROOT, encoding: "utf8" });
  const said = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
  if (result.status !== 0) console.log(`[test runner] services not started: ${said || `exit ${result.status}`}`);
}

async function main() {
  const filters = process.argv.slice(2);
  startServices();
  const { rebuilt, failures: buildFailures } = await buildReport();
  for (const out of rebuilt) console.log(`built ${out}`);
  for (const f of buildFailures) console.log(`FAIL build ${f.out}\n${f.message.replace(/^/gm, "    ")}`);

  let files = SEARCHED.flatMap((d) => { try { return findTestFiles(join(ROOT, d)); } catch { return []; } }).sort();
  if (filters.length) files = files.filter((f) => filters.some((s) => relative(ROOT, f).includes(s)));

  const results: FileResult[] = [];
  let next = 0;
  async function worker() {
    while (next < files.length) {
      const file = files[next++];
      const result = await runFile(file);
      results.push(result);
      const mark = result.failed ? "FAIL" : "ok  ";
      console.log(`${mark} ${relative(ROOT, file)}  (${result.passed} passed, ${result.failed} failed, ${result.seconds.toFixed(1)}s)`);
      if (result.failed) console.log(result.output.replace(/^/gm, "    "));
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));

  const passed = results.reduce((n, r) => n + r.passed, 0);
  // A module that does not compile is a failure of its own, beside the tests that needed it
  // (in a filtered run it is only reported: the selected tests say whether they needed it).
  const failed = results.reduce((n, r) => n + r.failed, 0) + (filters.length ? 0 : buildFailures.length);
  const skipped = results.reduce((n, r) => n + r.skipped, 0);
  console.log(`\n${files.length} test files`);
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  process.exit(failed > 0 || (files.length === 0) ? 1 : 0);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  console.log("0 passed, 1 failed");
  process.exit(1);
});
