/**
 * @module bench/run
 * `npm run bench [-- <suite> ...]`: runs every suite in bench/suites (or the named ones) one
 * after another in this process and prints their tables.
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchSuite } from "./lib/suite.ts";

const SUITES = join(dirname(fileURLToPath(import.meta.url)), "suites");

async function main(): Promise<number> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const files = readdirSync(SUITES).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts")).sort();
  const suites: BenchSuite[] = [];
  for (const f of files) {
    const mod = await import(pathToFileURL(join(SUITES, f)).href);
    const suite = mod.default as BenchSuite | undefined;
    if (!suite?.name || typeof suite.run !== "function") {
      console.error(`bench: ${f} does not default-export a BenchSuite`);
      return 1;
    }
    if (wanted.length === 0 || wanted.includes(suite.name)) suites.push(suite);
  }
  if (suites.length === 0) {
    console.error(`bench: no suite named ${wanted.join(", ")} (have: ${files.map((f) => f.replace(/\.ts$/, "")).join(", ")})`);
    return 1;
  }
  console.log(`# Tollgate benchmarks — node ${process.version}, ${process.arch}`);
  for (const suite of suites) {
    console.log(`\n## ${suite.name}: ${suite.summary}`);
    await suite.run();
  }
  return 0;
}

main().then((code) => process.exit(code), (err) => { console.error(err); process.exit(1); });
