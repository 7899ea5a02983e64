/**
 * @module harness/imports/foreign
 * Properties (`proxy_get_property`, `proxy_set_property` storing `wasm.<path>` filter
 * state) and Envoy's foreign functions `clear_route_cache` and `set_envoy_filter_state`,
 * which act on the CURRENT context, ignoring the effective one (§10.13). Unknown ⇒ NOT_FOUND.
 */
import { Status } from "../abi.ts";
import { getProperty, merge } from "../properties.ts";
import { text } from "../memory.ts";
import type { Vm } from "../vm.ts";

/** Minimal protobuf reader for `SetEnvoyFilterStateArguments {string path=1; string value=2; LifeSpan span=3}`. */
export function parseFilterStateArgs(b: Uint8Array): { path: string; value: string; span: number } | null {
  const out = { path: "", value: "", span: 0 };
  let p = 0;
  const varint = (): number | null => {
    let r = 0, shift = 0;
    for (;;) {
      if (p >= b.length || shift > 63) return null;
      const x = b[p++];
      r += (x & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(x & 0x80)) return r;
    }
  };
  while (p < b.length) {
    const key = varint();
    if (key === null) return null;
    const field = Math.floor(key / 8), wire = key & 7;
    if (wire === 2) {
      const len = varint();
      if (len === null || p + len > b.length) return null;
      const s = text(b.subarray(p, p + len));
      p += len;
      if (field === 1) out.path = s; else if (field === 2) out.value = s;
    } else if (wire === 0) {
      const v = varint();
      if (v === null) return null;
      if (field === 3) out.span = v;
    } else if (wire === 5) p += 4;
    else if (wire === 1) p += 8;
    else return null;
    if (p > b.length) return null;
  }
  return out;
}

export function foreignImports(vm: Vm) {
  return {
    proxy_get_property(pp: number, pl: number, retPtr: number, retLen: number): number {
      const path = vm.memory.read(pp, pl);
      const c = vm.ctx();
      if (!c) return Status.NOT_FOUND;
      const plugin = c.kind === "root" ? c.plugin : c.root.plugin;
      const r = getProperty(c, merge(vm.services.vmProperties, plugin.properties), vm.services.vmId, path);
      if (typeof r === "number") return r;
      return vm.memory.copyOut(r, retPtr, retLen) ? Status.OK : Status.INVALID_MEMORY_ACCESS;
    },
    proxy_set_property(pp: number, pl: number, vp: number, vl: number): number {
      const path = vm.memory.readString(pp, pl);
      const value = vm.memory.read(vp, vl);
      const c = vm.ctx();
      if (c?.kind !== "stream") return Status.NOT_FOUND;
      c.hooks.filterState.set(path, value);
      return Status.OK;
    },
    proxy_call_foreign_function(np: number, nl: number, ap: number, al: number, retPtr: number, retLen: number): number {
      const name = vm.memory.readString(np, nl);
      const args = vm.memory.read(ap, al);
      const c = vm.current;
      const noResult = () => { if (retPtr !== 0) { vm.memory.writeU32(retPtr, 0); vm.memory.writeU32(retLen, 0); } };
      if (name === "clear_route_cache") {
        if (c?.kind === "stream" && !c.logPhase) { c.routeCacheCleared++; c.hooks.clearRouteCache(c); }
        noResult();
        return Status.OK;
      }
      if (name === "set_envoy_filter_state") {
        const parsed = parseFilterStateArgs(args);
        if (!parsed) return Status.BAD_ARGUMENT;
        if (!vm.services.filterStateFactories.has(parsed.path)) return Status.NOT_FOUND;
        if (c?.kind !== "stream") return Status.NOT_FOUND;
        c.hooks.envoyFilterState.set(parsed.path, { value: parsed.value, span: parsed.span });
        noResult();
        return Status.OK;
      }
      vm.noteMisuse("env.proxy_call_foreign_function", `unknown foreign function "${name}"`);
      return Status.NOT_FOUND;
    },
  };
}
