/**
 * @module bench/lib/harness-baseline
 * Another commit's harness, loaded beside the working tree's so a bench can compare the two in
 * one process and one run, under the same load: `git archive <rev> harness` is unpacked into a
 * temporary folder (with a link to this checkout's node_modules for its dependencies) and
 * imported from there. The wasm modules stay this checkout's.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "../../scripts/build.ts";

export type HarnessApi = typeof import("../../harness/index.ts");

export interface BaselineHarness {
  /** The commit the harness was taken from (short hash). */
  commit: string;
  api: HarnessApi;
  /** Removes the unpacked copy. */
  remove(): void;
}

/** Unpacks `rev`'s harness/ and imports its index; throws with git's message when `rev` is unknown. */
export async function loadBaselineHarness(rev: string): Promise<BaselineHarness> {
  const commit = execFileSync("git", ["rev-parse", "--short", `${rev}^{commit}`], { cwd: ROOT, encoding: "utf8" }).trim();
  const dir = mkdtempSync(join(tmpdir(), `tollgate-harness-${commit}-`));
  try {
    const archive = execFileSync("git", ["archive", "--format=tar", commit, "harness"], { cwd: ROOT, maxBuffer: 256 << 20 });
    execFileSync("tar", ["-x", "-C", dir], { input: archive });
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
    const api = (await import(pathToFileURL(join(dir, "harness/index.ts")).href)) as HarnessApi;
    return { commit, api, remove: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
