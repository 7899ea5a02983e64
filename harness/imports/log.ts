/**
 * @module harness/imports/log
 * `proxy_log` (level > 5 ⇒ BAD_ARGUMENT, lines below the configured level dropped as
 * Envoy's `wasm` logger does) and `proxy_get_log_level`.
 */
import { LOG_LEVELS, Status } from "../abi.ts";
import type { Vm } from "../vm.ts";

export function pluginOf(vm: Vm): string {
  const c = vm.ctx();
  return c ? (c.kind === "root" ? c.plugin.name : c.root.plugin.name) : "";
}

export function writeLog(vm: Vm, level: number, message: string): void {
  if (level < vm.services.logLevel) return;
  vm.services.log({ level: LOG_LEVELS[level], message, context: vm.ctx()?.id ?? 0, worker: vm.services.worker, plugin: pluginOf(vm), seq: 0 });
}

export function logImports(vm: Vm) {
  return {
    proxy_log(level: number, ptr: number, len: number): number {
      if (level >>> 0 > 5) return Status.BAD_ARGUMENT;
      // A line below the level is still bounds-checked (INVALID_MEMORY_ACCESS), but not decoded to be dropped.
      if (level < vm.services.logLevel) { vm.memory.check(ptr, len); return Status.OK; }
      writeLog(vm, level, vm.memory.readString(ptr, len));
      return Status.OK;
    },
    proxy_get_log_level(ret: number): number {
      vm.memory.writeU32(ret, vm.services.logLevel);
      return Status.OK;
    },
  };
}
