/**
 * @module harness/imports/foreign
 * Properties (`proxy_get_property`, `proxy_set_property` storing `wasm.<path>` filter
 * state) and Envoy's foreign functions `clear_route_cache` and `set_envoy_filter_state`,
 * which act on the CURRENT context, ignoring the effective one (§10.13). Unknown ⇒ NOT_FOUND.
 */
import { Status } from "../abi.ts";
import { getProperty, merge, type PropertyTree } from "../properties.ts";
import { deflateSync, inflateSync } from "node:zlib";
import { text } from "../memory.ts";
import type { Vm } from "../vm.ts";

/** Minimal protobuf reader: field number → last string/varint value; null when the bytes do not parse. */
export function parseProto(b: Uint8Array): Map<number, string | number> | null {
  const out = new Map<number, string | number>();
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
      out.set(field, s);
    } else if (wire === 0) {
      const v = varint();
      if (v === null) return null;
      out.set(field, v);
    } else if (wire === 5) p += 4;
    else if (wire === 1) p += 8;
    else return null;
    if (p > b.length) return null;
  }
  return out;
}

/** `SetEnvoyFilterStateArguments {string path = 1; string value = 2; LifeSpan span = 3}`. */
export function parseFilterStateArgs(b: Uint8Array): { path: string; value: string; span: number } | null {
  const m = parseProto(b);
  return m && { path: String(m.get(1) ?? ""), value: String(m.get(2) ?? ""), span: Number(m.get(3) ?? 0) };
}

/** The VM's and the plugin's static properties merged, once per pair of trees (both are fixed at load), not per read. */
const merged = new WeakMap<PropertyTree, { vmProperties: PropertyTree; tree: PropertyTree }>();
function staticProperties(vmProperties: PropertyTree, pluginProperties: PropertyTree): PropertyTree {
  const hit = merged.get(pluginProperties);
  if (hit && hit.vmProperties === vmProperties) return hit.tree;
  const tree = merge(vmProperties, pluginProperties);
  merged.set(pluginProperties, { vmProperties, tree });
  return tree;
}

export function foreignImports(vm: Vm) {
  return {
    proxy_get_property(pp: number, pl: number, retPtr: number, retLen: number): number {
      const path = vm.memory.read(pp, pl);
      const c = vm.ctx();
      if (!c) return Status.NOT_FOUND;
      const plugin = c.kind === "root" ? c.plugin : c.root.plugin;
      const r = getProperty(c, staticProperties(vm.services.vmProperties, plugin.properties), vm.services.vmId, path);
      if (typeof r === "number") return r;
      return vm.memory.copyOut(r, retPtr, retLen) ? Status.OK : Status.INVALID_MEMORY_ACCESS;
    },
    proxy_set_property(pp: number, pl: number, vp: number, vl: number): number {
      const path = vm.memory.readString(pp, pl);
      const value = vm.memory.read(vp, vl);
      const c = vm.ctx();
      if (!c || c.kind === "root") return Status.NOT_FOUND;
      // Envoy looks the prototype up in the ROOT context (declare_property); readonly ⇒ set once.
      if (c.root.declared.get(path)?.readonly && c.hooks.filterState.has(path)) return Status.BAD_ARGUMENT;
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
        if (!c || c.kind === "root") return Status.NOT_FOUND;
        c.hooks.envoyFilterState.set(parsed.path, { value: parsed.value, span: parsed.span });
        noResult();
        return Status.OK;
      }
      const result = (bytes: Uint8Array) => {
        if (retPtr === 0) return Status.OK;
        return vm.memory.copyOut(bytes, retPtr, retLen) ? Status.OK : Status.INVALID_MEMORY_ACCESS;
      };
      if (name === "compress" || name === "uncompress") {
        let out: Uint8Array;
        try { out = name === "compress" ? deflateSync(args) : inflateSync(args); } catch { return Status.SERIALIZATION_FAILURE; }
        return result(out);
      }
      if (name === "declare_property") {
        const m = parseProto(args);
        if (!m || !c) return Status.BAD_ARGUMENT;
        const prop = String(m.get(1) ?? "");
        if (c.declared.has(prop)) return Status.BAD_ARGUMENT;
        c.declared.set(prop, { readonly: Number(m.get(2) ?? 0) !== 0 });
        noResult();
        return Status.OK;
      }
      vm.noteMisuse("env.proxy_call_foreign_function", `unknown foreign function "${name}"`);
      return Status.NOT_FOUND;
    },
  };
}
