/**
 * @module test/conformance/probe
 * Shared helpers for the conformance suite: load the abi-probe through the harness, send it a
 * scenario, and read back the `probe <key>=<value>` lines it logs (test/abi-probe/report.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { build, ROOT } from "../../scripts/build.ts";
import { Host, Status, type HostOptions, type HttpStream } from "../../harness/index.ts";

export { Status };
export const PROBE_WASM = join(ROOT, "dist/test/abi-probe.wasm");

let probeBytes: Uint8Array | null = null;

/**
 * The probe's bytes, read once per process. `npm test` builds every module before running test
 * files, so the build here only runs when the file is missing (a test file run on its own).
 */
export async function probeWasm(): Promise<Uint8Array> {
  if (!probeBytes) {
    if (!existsSync(PROBE_WASM)) await build(["abi-probe"]);
    probeBytes = new Uint8Array(readFileSync(PROBE_WASM));
  }
  return probeBytes;
}

/** Loads the probe with every log line kept and the clusters its scenarios use answered by the test. */
export async function loadProbe(options: HostOptions = {}): Promise<Host> {
  return Host.load(await probeWasm(), {
    logLevel: "trace",
    clusters: { backend: true, "grpc-backend": true },
    ...options,
  });
}

/** A request that selects probe scenarios (`x-probe`) with optional arg/then/ret headers. */
export function probeRequest(scenarios: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ":method": "GET", ":path": "/probe?q=1", ":authority": "probe.local", "x-probe": scenarios, ...extra };
}

/** The probe's report lines as [key, value], in order. */
export function reports(lines: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const line of lines) {
    if (!line.startsWith("probe ")) continue;
    const eq = line.indexOf("=");
    out.push([line.slice(6, eq), line.slice(eq + 1)]);
  }
  return out;
}

/** Last reported value per key. */
export function facts(lines: string[]): Map<string, string> {
  return new Map(reports(lines));
}

/** The `cb=` lines: every callback the probe saw, in order, e.g. `request_headers:2:5:1`. */
export function callbacks(lines: string[]): string[] {
  return reports(lines).filter(([k]) => k === "cb").map(([, v]) => v);
}

/** Callback names only (`request_headers`), in order. */
export function callbackNames(lines: string[]): string[] {
  return callbacks(lines).map((c) => c.split(":")[0]);
}

/** `value/status` as reported for getters: splits at the last "/". */
export function valueAndStatus(v: string | undefined): [string, number] {
  if (v === undefined) throw new Error("the probe did not report this key");
  const at = v.lastIndexOf("/");
  return [v.slice(0, at), Number(v.slice(at + 1))];
}

/** Facts logged for one stream (its own context only). */
export function streamFacts(s: HttpStream): Map<string, string> {
  return facts(s.logs());
}
