/**
 * @module harness/imports/timers
 * Clocks and ticks: `proxy_get_current_time_nanoseconds` (wall clock) and
 * `proxy_set_tick_period_milliseconds`, keyed by the root context (a stream sets its
 * root's period), re-armed after each tick, 0 stops it, a new value restarts it.
 */
import { Status } from "../abi.ts";
import type { RootContext } from "../root.ts";
import type { Vm } from "../vm.ts";

export function armTick(vm: Vm, root: RootContext): void {
  const env = vm.services.env;
  root.tickTimer?.cancel();
  root.tickTimer = null;
  if (root.tickPeriodMs <= 0) return;
  const timer = env.clock.setTimer(root.tickPeriodMs, () => env.run(() => {
    if (root.tickTimer !== timer) return;
    root.tickTimer = null;
    if (vm.failed || !root.created) return;
    vm.call(root, "proxy_on_tick", [root.id]).flush();
    if (root.tickPeriodMs > 0 && root.tickTimer === null) armTick(vm, root);
  }));
  root.tickTimer = timer;
}

export function timerImports(vm: Vm) {
  return {
    proxy_get_current_time_nanoseconds(ret: number): number {
      vm.memory.writeU64(ret, BigInt(Math.round(vm.services.env.clock.wallMs())) * 1_000_000n);
      return Status.OK;
    },
    proxy_set_tick_period_milliseconds(period: number): number {
      const c = vm.ctx();
      if (!c) return Status.OK;
      const root = c.kind === "root" ? c : c.root;
      root.tickPeriodMs = period >>> 0;
      armTick(vm, root);
      return Status.OK;
    },
  };
}
