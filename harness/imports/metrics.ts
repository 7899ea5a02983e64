/**
 * @module harness/imports/metrics
 * Metrics (§10.10): per-VM ids with the type in the low 2 bits (counters 4, 8…, gauges 5,
 * 9…, histograms 6, 10…), one stat per name shared by all VMs, every define a new id;
 * counter deltas ≤ 0 and anything on a histogram id except record ⇒ BAD_ARGUMENT.
 */
import { Status } from "../abi.ts";
import type { StatType } from "../environment.ts";
import type { Vm } from "../vm.ts";

const TYPES: StatType[] = ["counter", "gauge", "histogram"];

export function metricImports(vm: Vm) {
  const env = vm.services.env;
  const known = (id: number) => {
    const name = vm.metrics.get(id);
    return name === undefined ? undefined : env.stats.get(name);
  };
  return {
    proxy_define_metric(type: number, np: number, nl: number, ret: number): number {
      if (type >>> 0 > 2) return Status.BAD_ARGUMENT;
      const name = vm.memory.readString(np, nl);
      const key = (["counter", "gauge", "histogram"] as const)[type];
      const id = (vm.ids[key] += 4);
      vm.metrics.set(id, name);
      env.stat(name, TYPES[type]);
      vm.memory.writeU32(ret, id);
      return Status.OK;
    },
    proxy_increment_metric(id: number, delta: bigint): number {
      const type = id & 3;
      if (type > 1) return Status.BAD_ARGUMENT;
      const s = known(id >>> 0);
      if (!s) return Status.NOT_FOUND;
      if (type === 0 && delta <= 0n) return Status.BAD_ARGUMENT;
      s.value = BigInt.asUintN(64, s.value + delta);
      return Status.OK;
    },
    proxy_record_metric(id: number, value: bigint): number {
      const s = known(id >>> 0);
      if (!s || (id & 3) === 3) return Status.NOT_FOUND;
      const v = BigInt.asUintN(64, value);
      if (s.type === "counter") s.value = BigInt.asUintN(64, s.value + v);
      else if (s.type === "gauge") s.value = v;
      else s.samples.push(v);
      return Status.OK;
    },
    proxy_get_metric(id: number, ret: number): number {
      if ((id & 3) > 1) return Status.BAD_ARGUMENT;
      const s = known(id >>> 0);
      if (!s) return Status.NOT_FOUND;
      vm.memory.writeU64(ret, s.value);
      return Status.OK;
    },
  };
}
