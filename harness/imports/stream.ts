/**
 * @module harness/imports/stream
 * Stream control and context switching: `proxy_continue_stream`, `proxy_close_stream`,
 * `proxy_send_local_response` (all deferred until the callback returns, §10.6–10.7),
 * `proxy_set_effective_context` and `proxy_done`.
 */
import { Status, StreamType } from "../abi.ts";
import { decodePairs } from "../memory.ts";
import type { Vm } from "../vm.ts";

export function streamImports(vm: Vm) {
  return {
    proxy_continue_stream(type: number): number {
      const t = type >>> 0;
      if (t === StreamType.UPSTREAM) return Status.UNIMPLEMENTED;
      if (t > 3) return Status.BAD_ARGUMENT;
      const c = vm.ctx();
      if (t === StreamType.DOWNSTREAM) {
        // continueReading() on a network filter; an HTTP context has no read callbacks: OK, nothing.
        if (c?.kind === "tcp") vm.defer(() => c.hooks.continueDownstream(c));
        return Status.OK;
      }
      if (c?.kind === "stream") {
        const dir = t === StreamType.HTTP_REQUEST ? "request" : "response";
        vm.defer(() => c.hooks.continueStream(c, dir));
        // Envoy drops the REQUEST handles for both directions (the HTTP_RESPONSE quirk).
        c.dropRequestHandles();
      }
      return Status.OK;
    },
    proxy_close_stream(type: number): number {
      const t = type >>> 0;
      if (t > 3) return Status.BAD_ARGUMENT;
      const c = vm.ctx();
      if (c?.kind === "stream" && t <= 1) {
        const dir = t === StreamType.HTTP_REQUEST ? "request" : "response";
        vm.defer(() => c.hooks.closeStream(c, dir));
      }
      // Both close the downstream connection after flushing (the write callbacks' connection is the same one).
      if (c?.kind === "tcp" && t >= 2) vm.defer(() => c.hooks.closeConnection(c, t === StreamType.DOWNSTREAM ? "wasm_downstream_close" : "wasm_upstream_close"));
      return Status.OK;
    },
    proxy_send_local_response(status: number, detailsPtr: number, detailsLen: number, bodyPtr: number, bodyLen: number,
      headersPtr: number, headersLen: number, grpcStatus: number): number {
      const details = vm.memory.readString(detailsPtr, detailsLen);
      const body = vm.memory.read(bodyPtr, bodyLen);
      const rawHeaders = vm.memory.read(headersPtr, headersLen);
      let headers = decodePairs(rawHeaders);
      if (headers === null) {
        vm.noteMisuse("env.proxy_send_local_response", "malformed header pairs (dropped)");
        headers = [];
      }
      const c = vm.ctx();
      vm.localResponseSent = true;
      if (c?.kind === "stream") {
        const g = grpcStatus | 0;
        const reply = { status: status >>> 0, body, headers, grpcStatus: g >= 0 && g <= 16 ? g : null, details: details.replace(/\s/g, "_") };
        vm.defer(() => c.hooks.sendLocalReply(c, reply));
      }
      return Status.OK;
    },
    proxy_set_effective_context(id: number): number {
      if (!vm.contexts.has(id >>> 0)) return Status.BAD_ARGUMENT;
      vm.effectiveId = id >>> 0;
      return Status.OK;
    },
    proxy_done(): number {
      const c = vm.ctx();
      if (c?.kind !== "root" || !c.pendingDone) {
        vm.noteMisuse("env.proxy_done", "context was not waiting for proxy_done");
        return Status.NOT_FOUND;
      }
      c.pendingDone = false;
      vm.defer(() => { vm.call(c, "proxy_on_delete", [c.id]).flush(); c.created = false; vm.contexts.delete(c.id); });
      return Status.OK;
    },
  };
}
