/**
 * @module scripts/build
 * Compiles the AssemblyScript modules named in asconfig.json's `tollgate` section:
 * shipped filters to `dist/filters/<name>.wasm` (release) and `<name>.debug.wasm`,
 * test-only modules to `dist/test/<name>.wasm`. A module is rebuilt only when a
 * source it can depend on is newer than its output, so `npm test` stays cheap.
 *
 * Usage: npm run build -- [name ...] [--force]
 */
import { readFileSync, statSync, readdirSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

interface TollgateBuildConfig {
  /** Shipped filters: folder names under filters/, each with a main.ts entry. */
  filters: string[];
  /** Test-only modules: name → entry file (relative to the repository root). */
  testModules: Record<string, string>;
  /** Modules (filters or test modules) built with another AssemblyScript runtime than `options.runtime`: name → runtime. */
  runtimes: Record<string, string>;
}

export interface BuildTarget {
  name: string;
  entry: string;
  out: string;
  target: "release" | "debug";
  /** The AssemblyScript runtime, when not asconfig.json's default. */
  runtime?: string;
  /** Folders whose files the output depends on. */
  sources: string[];
}

export function readBuildConfig(): TollgateBuildConfig {
  const config = JSON.parse(readFileSync(join(ROOT, "asconfig.json"), "utf8"));
  const t = config.tollgate ?? {};
  return { filters: t.filters ?? [], testModules: t.testModules ?? {}, runtimes: t.runtimes ?? {} };
}

/** Every module the build knows about, release and debug variants included. */
export function buildTargets(): BuildTarget[] {
  const { filters, testModules, runtimes } = readBuildConfig();
  const shared = ["filters/sdk", "filters/lib", "asconfig.json"];
  const targets: BuildTarget[] = [];
  for (const name of filters) {
    const entry = `filters/${name}/main.ts`;
    const sources = [...shared, `filters/${name}`];
    const runtime = runtimes[name];
    targets.push({ name, entry, out: `dist/filters/${name}.wasm`, target: "release", runtime, sources });
    targets.push({ name, entry, out: `dist/filters/${name}.debug.wasm`, target: "debug", runtime, sources });
  }
  for (const [name, entry] of Object.entries(testModules)) {
    targets.push({ name, entry, out: `dist/test/${name}.wasm`, target: "release", runtime: runtimes[name], sources: [...shared, dirname(entry)] });
  }
  return targets;
}

function newestMtime(path: string): number {
  const full = join(ROOT, path);
  if (!existsSync(full)) return 0;
  const st = statSync(full);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(full)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function isUpToDate(t: BuildTarget): boolean {
  const out = join(ROOT, t.out);
  if (!existsSync(out)) return false;
  const built = statSync(out).mtimeMs;
  return t.sources.every((s) => newestMtime(s) <= built);
}

/**
 * The AssemblyScript compiler, loaded on first use: importing it costs seconds, and most callers
 * of `build()` (every test file that makes sure its modules exist) find everything up to date.
 */
let compiler: Promise<typeof import("assemblyscript/asc")> | null = null;

export async function compile(t: BuildTarget): Promise<void> {
  const asc = (await (compiler ??= import("assemblyscript/asc"))).default;
  mkdirSync(dirname(join(ROOT, t.out)), { recursive: true });
  const args = [t.entry, "--config", "asconfig.json", "--target", t.target, "--outFile", t.out, ...(t.runtime ? ["--runtime", t.runtime] : [])];
  const output: string[] = [];
  const sink = { write: (chunk: string | Uint8Array) => { output.push(String(chunk)); return true; } };
  const previous = process.cwd();
  process.chdir(ROOT);
  try {
    const { error } = await asc.main(args, { stdout: sink as never, stderr: sink as never });
    if (error) throw new Error(`asc failed for ${t.entry} (${t.target}):\n${output.join("")}`);
  } finally {
    process.chdir(previous);
  }
}

export interface BuildReport {
  /** Outputs that were rebuilt. */
  rebuilt: string[];
  /** Modules that failed to compile, with asc's output. */
  failures: { out: string; message: string }[];
}

/**
 * Builds the named modules (all when `names` is empty). One module failing to compile does not
 * stop the others: the test runner still runs every test that does not need it.
 */
export async function buildReport(names: string[] = [], force = false): Promise<BuildReport> {
  const report: BuildReport = { rebuilt: [], failures: [] };
  for (const t of buildTargets()) {
    if (names.length > 0 && !names.includes(t.name)) continue;
    if (!force && isUpToDate(t)) continue;
    try {
      await compile(t);
      report.rebuilt.push(t.out);
    } catch (err) {
      report.failures.push({ out: t.out, message: err instanceof Error ? err.message : String(err) });
    }
  }
  return report;
}

/** Builds the named modules; throws on the first module that fails. Returns the rebuilt outputs. */
export async function build(names: string[] = [], force = false): Promise<string[]> {
  const { rebuilt, failures } = await buildReport(names, force);
  if (failures.length > 0) throw new Error(failures.map((f) => f.message).join("\n"));
  return rebuilt;
}

const invokedDirectly = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const args = process.argv.slice(2);
  const force = args.includes("--force");
  const names = args.filter((a) => !a.startsWith("--"));
  build(names, force).then(
    (rebuilt) => console.log(rebuilt.length ? rebuilt.map((o) => `built ${o}`).join("\n") : "everything up to date"),
    (err) => { console.error(err instanceof Error ? err.message : err); process.exit(1); },
  );
}
