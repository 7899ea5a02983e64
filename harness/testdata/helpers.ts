/**
 * @module harness/testdata/helpers
 * Shared by the harness tests: builds the fixtures once and loads the scriptable module
 * with a script (one action per line, see testdata/script/main.ts).
 */
import { existsSync } from "node:fs";
import { Host, type HostOptions } from "../index.ts";

export const SCRIPT_WASM = "dist/test/harness-script.wasm";

let built: Promise<unknown> | null = null;
/**
 * `npm test` builds every module first; only a test run on its own without the outputs
 * builds them here (importing the AssemblyScript compiler costs seconds, so not by default).
 */
export function buildFixtures(): Promise<unknown> {
  built ??= existsSync(SCRIPT_WASM) && existsSync("dist/test/harness-example.wasm")
    ? Promise.resolve()
    : import("../../scripts/build.ts").then((m) => m.build(["harness-script", "harness-example"]));
  return built;
}

/** Loads the scriptable module; `script` is its plugin configuration. */
export async function scripted(script: string, options: HostOptions = {}): Promise<Host> {
  await buildFixtures();
  return Host.load(SCRIPT_WASM, { logLevel: "info", ...options, pluginConfig: script });
}

export const GET = { ":method": "GET", ":path": "/v1/models?x=1", ":authority": "api.example.com", ":scheme": "https" };
export const POST = { ":method": "POST", ":path": "/v1/chat/completions", ":authority": "api.example.com", ":scheme": "https", "content-type": "application/json" };

/** Log lines after the start-up lines, i.e. what the streams produced. */
export function streamLogs(host: Host): string[] {
  return host.logs("info").filter((l) => !/^(root_create|vm_start|configure) /.test(l));
}
