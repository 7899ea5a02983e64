/**
 * @module harness/imports/callouts
 * `proxy_http_call`, `proxy_grpc_*` and `proxy_get_status`, always on the root context of
 * the effective context (§10.11), with Envoy's validation order and per-VM id counters
 * (http 4, 8…; gRPC calls 5, 9…; gRPC streams 6, 10…).
 */
import { Status } from "../abi.ts";
import { Callout, dispatch } from "../callouts.ts";
import { HeaderMap } from "../header-map.ts";
import { bytes, decodePairs } from "../memory.ts";
import type { RootContext } from "../root.ts";
import type { Vm } from "../vm.ts";

export function calloutImports(vm: Vm) {
  const rootOf = (): RootContext | null => { const c = vm.ctx(); return c ? (c.kind === "root" ? c : c.root) : null; };
  const pairs = (call: string, ptr: number, len: number) => {
    const p = decodePairs(vm.memory.read(ptr, len));
    if (p === null) vm.noteMisuse(call, "malformed pairs (treated as none)");
    return new HeaderMap(p ?? []);
  };
  const grpcTarget = (name: string) => vm.services.clusters.get(name);
  const findGrpc = (id: number): Callout | undefined => rootOf()?.callouts.get(id);
  return {
    proxy_http_call(up: number, ul: number, hp: number, hl: number, bp: number, bl: number, tp: number, tl: number, timeout: number, ret: number): number {
      const cluster = vm.memory.readString(up, ul);
      const headers = pairs("env.proxy_http_call", hp, hl);
      const body = vm.memory.read(bp, bl);
      const trailers = pairs("env.proxy_http_call", tp, tl);
      vm.memory.writeU32(ret, 0);
      if ((timeout | 0) < 0) return Status.BAD_ARGUMENT;
      const target = vm.services.clusters.get(cluster);
      if (target === undefined) { vm.noteMisuse("env.proxy_http_call", `unknown cluster "${cluster}"`); return Status.BAD_ARGUMENT; }
      if (!headers.has(":path") || !headers.has(":method") || !headers.has(":authority")) return Status.BAD_ARGUMENT;
      const root = rootOf();
      if (!root) return Status.INTERNAL_FAILURE;
      if (body.length > 0) headers.replace("content-length", String(body.length));
      const id = (vm.ids.httpCall += 4);
      const c = new Callout("http", id, cluster, headers, body, trailers.size ? trailers : null, timeout >>> 0, "", "", vm, root);
      root.callouts.set(id, c);
      vm.memory.writeU32(ret, id);
      vm.services.onCallout(c);
      dispatch(c, target);
      return Status.OK;
    },
    proxy_grpc_call(up: number, ul: number, sp: number, sl: number, mp: number, ml: number, mdp: number, mdl: number,
      msgp: number, msgl: number, timeout: number, ret: number): number {
      const cluster = vm.memory.readString(up, ul);
      const service = vm.memory.readString(sp, sl), method = vm.memory.readString(mp, ml);
      const md = pairs("env.proxy_grpc_call", mdp, mdl);
      const message = vm.memory.read(msgp, msgl);
      const target = grpcTarget(cluster);
      if (target === undefined) return Status.PARSE_FAILURE;
      const root = rootOf();
      if (!root) return Status.INTERNAL_FAILURE;
      const id = (vm.ids.grpcCall += 4);
      const c = new Callout("grpc", id, cluster, md, message, null, timeout >>> 0, service, method, vm, root);
      root.callouts.set(id, c);
      vm.memory.writeU32(ret, id);
      vm.services.onCallout(c);
      dispatch(c, target);
      return Status.OK;
    },
    proxy_grpc_stream(up: number, ul: number, sp: number, sl: number, mp: number, ml: number, mdp: number, mdl: number, ret: number): number {
      const cluster = vm.memory.readString(up, ul);
      const service = vm.memory.readString(sp, sl), method = vm.memory.readString(mp, ml);
      const md = pairs("env.proxy_grpc_stream", mdp, mdl);
      const target = grpcTarget(cluster);
      if (target === undefined) return Status.PARSE_FAILURE;
      const root = rootOf();
      if (!root) return Status.INTERNAL_FAILURE;
      const id = (vm.ids.grpcStream += 4);
      const c = new Callout("grpc-stream", id, cluster, md, new Uint8Array(0), null, 0, service, method, vm, root);
      root.callouts.set(id, c);
      vm.memory.writeU32(ret, id);
      vm.services.onCallout(c);
      if (typeof target === "function") dispatch(c, target);
      return Status.OK;
    },
    proxy_grpc_send(id: number, mp: number, ml: number, end: number): number {
      const message = vm.memory.read(mp, ml);
      if ((id & 3) !== 2) return Status.BAD_ARGUMENT;
      const c = findGrpc(id >>> 0);
      if (!c) return Status.NOT_FOUND;
      c.sent.push(message);
      if (end) c.sentEnd = true;
      return Status.OK;
    },
    proxy_grpc_cancel(id: number): number {
      if ((id & 3) !== 1 && (id & 3) !== 2) return Status.BAD_ARGUMENT;
      const c = findGrpc(id >>> 0);
      if (!c) return Status.NOT_FOUND;
      c.cancel();
      return Status.OK;
    },
    proxy_grpc_close(id: number): number {
      if ((id & 3) !== 1 && (id & 3) !== 2) return Status.BAD_ARGUMENT;
      const c = findGrpc(id >>> 0);
      if (!c) return Status.NOT_FOUND;
      if (c.kind === "grpc-stream") c.sentEnd = true; else c.cancel();
      return Status.OK;
    },
    proxy_get_status(retCode: number, retPtr: number, retLen: number): number {
      const root = rootOf();
      const s = root?.status ?? { code: 0, message: "" };
      vm.memory.writeU32(retCode, s.code);
      return vm.memory.copyOut(bytes(s.message), retPtr, retLen) ? Status.OK : Status.INVALID_MEMORY_ACCESS;
    },
  };
}
