/**
 * @module harness/imports
 * Assembles the import object of one VM from the host areas, each hostcall wrapped by
 * `Vm.hostcall` (restrictions, memory faults, trace). Only what the module's ABI version
 * links is offered; the load already refused anything else.
 */
import { ENV_0_2_1_ONLY, WASI_MODULES } from "../abi.ts";
import { hostImportSignature } from "../compile.ts";
import { bufferImports } from "./buffers.ts";
import { calloutImports } from "./callouts.ts";
import { foreignImports } from "./foreign.ts";
import { headerImports } from "./headers.ts";
import { logImports } from "./log.ts";
import { metricImports } from "./metrics.ts";
import { sharedImports } from "./shared.ts";
import { streamImports } from "./stream.ts";
import { timerImports } from "./timers.ts";
import { wasiImports } from "./wasi.ts";
import type { Vm } from "../vm.ts";

/** The parameter count the load checked the module's import against (-1: not known, any count). */
function arity(vm: Vm, module: string, name: string): number {
  return hostImportSignature(vm.module.abi, module, name)?.params.length ?? -1;
}

export function buildImports(vm: Vm): WebAssembly.Imports {
  const proxy: Record<string, (...a: any[]) => number> = {
    ...logImports(vm), ...timerImports(vm), ...streamImports(vm), ...headerImports(vm), ...bufferImports(vm),
    ...sharedImports(vm), ...metricImports(vm), ...calloutImports(vm), ...foreignImports(vm),
  };
  const env: Record<string, Function> = {};
  for (const [name, fn] of Object.entries(proxy)) {
    if (vm.module.abi !== "0.2.1" && name === "proxy_get_log_level") continue;
    env[name] = vm.hostcall(`env.${name}`, fn, undefined, arity(vm, "env", name));
  }
  env.pthread_equal = vm.hostcall("env.pthread_equal", (a: number, b: number) => (a === b ? 1 : 0));
  env.emscripten_notify_memory_growth = vm.hostcall("env.emscripten_notify_memory_growth", () => 0);
  const wasi: Record<string, Function> = {};
  for (const [name, fn] of Object.entries(wasiImports(vm))) wasi[name] = vm.hostcall(`wasi.${name}`, fn, 21, arity(vm, WASI_MODULES[0], name));
  const out: WebAssembly.Imports = { env: env as WebAssembly.ModuleImports };
  for (const mod of WASI_MODULES) out[mod] = wasi as WebAssembly.ModuleImports;
  void ENV_0_2_1_ONLY;
  return out;
}
