/**
 * @module harness/imports/headers
 * Header/trailer/metadata maps with Envoy's availability rules (§10.8): a map is reachable
 * while its filter holds it; in `proxy_on_log` only the access-log copies, read-only;
 * maps 4–7 are readable (via the root context) but never mutable or sizeable; trailers
 * are created on first mutating access from an end-of-stream body callback.
 */
import { MapType, Status } from "../abi.ts";
import type { HeaderMap } from "../header-map.ts";
import { decodePairs } from "../memory.ts";
import type { Context, Vm } from "../vm.ts";

/** Envoy `Context::getMap`: the mutable maps 0–3 this context currently holds. */
function mutableMap(c: Context | null, type: number): HeaderMap | null {
  if (c?.kind !== "stream" || c.logPhase) return null;
  switch (type) {
    case MapType.HTTP_REQUEST_HEADERS: return c.requestHeaders;
    case MapType.HTTP_REQUEST_TRAILERS:
      if (!c.requestTrailers && c.requestBody && c.endOfStream) c.requestTrailers = c.hooks.addTrailers(c, "request");
      return c.requestTrailers;
    case MapType.HTTP_RESPONSE_HEADERS: return c.responseHeaders;
    case MapType.HTTP_RESPONSE_TRAILERS:
      if (!c.responseTrailers && c.responseBody && c.endOfStream) c.responseTrailers = c.hooks.addTrailers(c, "response");
      return c.responseTrailers;
    default: return null;
  }
}

/** Envoy `Context::getConstMap`: adds the access-log copies and the callout maps of the root. */
function constMap(c: Context | null, type: number): HeaderMap | null {
  if (!c) return null;
  const root = c.kind === "root" ? c : c.root;
  switch (type) {
    case MapType.GRPC_CALL_INITIAL_METADATA: return root.delivery?.grpcInitialMetadata ?? null;
    case MapType.GRPC_CALL_TRAILING_METADATA: return root.delivery?.grpcTrailingMetadata ?? null;
    case MapType.HTTP_CALL_RESPONSE_HEADERS: return root.delivery?.headers ?? null;
    case MapType.HTTP_CALL_RESPONSE_TRAILERS: return root.delivery?.trailers ?? null;
  }
  if (c.kind !== "stream") return null;
  if (c.logPhase) {
    return type === MapType.HTTP_REQUEST_HEADERS ? c.logRequestHeaders
      : type === MapType.HTTP_RESPONSE_HEADERS ? c.logResponseHeaders
      : type === MapType.HTTP_RESPONSE_TRAILERS ? c.logResponseTrailers : null;
  }
  return [c.requestHeaders, c.requestTrailers, c.responseHeaders, c.responseTrailers][type] ?? null;
}

/** After a change to map `type`: Envoy (onHeadersModified) still clears the route cache when a module of ABI ≤ 0.2.1 changes request headers. */
function modified(c: Context | null, type: number): number {
  if (type === MapType.HTTP_REQUEST_HEADERS && c?.kind === "stream") c.hooks.clearRouteCache(c);
  return Status.OK;
}

export function headerImports(vm: Vm) {
  // Used by set_header_map_pairs; the one-header mutations below do the same inline, without a closure per call.
  const mutate = (type: number, fn: (m: HeaderMap) => void): number => {
    const c = vm.ctx();
    const m = mutableMap(c, type);
    if (!m) return Status.BAD_ARGUMENT;
    fn(m);
    return modified(c, type);
  };
  return {
    proxy_get_header_map_value(type: number, keyPtr: number, keyLen: number, retPtr: number, retLen: number): number {
      if (type >>> 0 > 7) return Status.BAD_ARGUMENT;
      const key = vm.memory.readString(keyPtr, keyLen);
      const c = vm.ctx();
      const m = constMap(c, type);
      if (!m) return c?.kind === "stream" && c.logPhase ? Status.NOT_FOUND : Status.BAD_ARGUMENT;
      const v = m.get(key);
      if (v === undefined) return Status.NOT_FOUND;
      return vm.memory.copyStringOut(v, retPtr, retLen) ? Status.OK : Status.INVALID_MEMORY_ACCESS;
    },
    proxy_get_header_map_pairs(type: number, retPtr: number, retLen: number): number {
      if (type >>> 0 > 7) return Status.BAD_ARGUMENT;
      const m = constMap(vm.ctx(), type);
      if (!m) vm.noteMisuse("env.proxy_get_header_map_pairs", `map ${type} is not available here (empty result)`);
      return vm.memory.copyPairsOut(m ? m.view() : [], retPtr, retLen) ? Status.OK : Status.INVALID_MEMORY_ACCESS;
    },
    proxy_set_header_map_pairs(type: number, ptr: number, len: number): number {
      if (type >>> 0 > 7) return Status.BAD_ARGUMENT;
      let pairs = decodePairs(vm.memory.read(ptr, len));
      if (pairs === null) {
        vm.noteMisuse("env.proxy_set_header_map_pairs", "malformed pairs: the map is emptied");
        pairs = [];
      }
      return mutate(type, (m) => m.setPairs(pairs!));
    },
    proxy_add_header_map_value(type: number, kp: number, kl: number, vp: number, vl: number): number {
      if (type >>> 0 > 7) return Status.BAD_ARGUMENT;
      const k = vm.memory.readString(kp, kl), v = vm.memory.readString(vp, vl);
      const c = vm.ctx(), m = mutableMap(c, type);
      if (!m) return Status.BAD_ARGUMENT;
      m.add(k, v);
      return modified(c, type);
    },
    proxy_replace_header_map_value(type: number, kp: number, kl: number, vp: number, vl: number): number {
      if (type >>> 0 > 7) return Status.BAD_ARGUMENT;
      const k = vm.memory.readString(kp, kl), v = vm.memory.readString(vp, vl);
      const c = vm.ctx(), m = mutableMap(c, type);
      if (!m) return Status.BAD_ARGUMENT;
      m.replace(k, v);
      return modified(c, type);
    },
    proxy_remove_header_map_value(type: number, kp: number, kl: number): number {
      if (type >>> 0 > 7) return Status.BAD_ARGUMENT;
      const k = vm.memory.readString(kp, kl);
      const c = vm.ctx(), m = mutableMap(c, type);
      if (!m) return Status.BAD_ARGUMENT;
      m.remove(k);
      return modified(c, type);
    },
    proxy_get_header_map_size(type: number, ret: number): number {
      if (type >>> 0 > 7) return Status.BAD_ARGUMENT;
      const m = mutableMap(vm.ctx(), type);
      if (!m) return Status.BAD_ARGUMENT;
      vm.memory.writeU32(ret, m.byteSize());
      return Status.OK;
    },
  };
}
