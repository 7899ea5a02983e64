/**
 * @module harness/imports/buffers
 * Buffers (§10.9): clamped reads, `ptr 0, len 0` for empty ranges, NOT_FOUND only for the
 * plugin configuration outside configure and the http-call body outside its callback,
 * body/data buffers readable as empty when not held, and Envoy's three `set_buffer_bytes`
 * shapes (start 0: drop `size` bytes and prepend; start ≥ length: append; else BAD_ARGUMENT).
 */
import { BufferType, Status } from "../abi.ts";
import type { BodyBuffer } from "../http.ts";
import type { Context, Vm } from "../vm.ts";

interface BufferView { bytes: Uint8Array; mutable: BodyBuffer | null }

const EMPTY = new Uint8Array(0);

function getBuffer(vm: Vm, c: Context | null, type: number): BufferView | null {
  const root = c ? (c.kind === "root" ? c : c.root) : null;
  switch (type) {
    case BufferType.HTTP_REQUEST_BODY:
    case BufferType.HTTP_RESPONSE_BODY: {
      const held = c?.kind === "stream" ? (type === BufferType.HTTP_REQUEST_BODY ? c.requestBody : c.responseBody) : null;
      return { bytes: held?.bytes ?? EMPTY, mutable: held };
    }
    case BufferType.DOWNSTREAM_DATA:
    case BufferType.UPSTREAM_DATA: {
      // Held from the data callback until it continues; elsewhere an empty, unwritable buffer (§10.9).
      const held = c?.kind === "tcp" ? (type === BufferType.DOWNSTREAM_DATA ? c.downstreamData : c.upstreamData) : null;
      return { bytes: held?.bytes ?? EMPTY, mutable: held };
    }
    case BufferType.HTTP_CALL_RESPONSE_BODY:
      return root?.delivery?.body !== undefined ? { bytes: root.delivery.body, mutable: null } : null;
    case BufferType.GRPC_CALL_MESSAGE: {
      const m = root?.delivery?.grpcMessage ?? null;
      return { bytes: m?.bytes ?? EMPTY, mutable: m };
    }
    case BufferType.VM_CONFIGURATION:
      return { bytes: vm.services.vmConfig, mutable: null };
    case BufferType.PLUGIN_CONFIGURATION:
      return c?.kind === "root" && c.configuring ? { bytes: c.plugin.configuration, mutable: null } : null;
    case BufferType.FOREIGN_FUNCTION_ARGUMENTS:
      return { bytes: c?.foreignArgs ?? EMPTY, mutable: null };
  }
  return null;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

export function bufferImports(vm: Vm) {
  return {
    proxy_get_buffer_status(type: number, retSize: number, retFlags: number): number {
      if (type >>> 0 > 8) return Status.BAD_ARGUMENT;
      const b = getBuffer(vm, vm.ctx(), type);
      if (!b) return Status.NOT_FOUND;
      vm.memory.writeU32(retSize, b.bytes.length);
      vm.memory.writeU32(retFlags, 0);
      return Status.OK;
    },
    proxy_get_buffer_bytes(type: number, start: number, maxSize: number, retPtr: number, retLen: number): number {
      const t = type >>> 0;
      if (t > 8) return Status.BAD_ARGUMENT;
      let data: Uint8Array;
      if (t === BufferType.HTTP_REQUEST_BODY || t === BufferType.HTTP_RESPONSE_BODY) {
        // A body chunk, read once per body callback: no BufferView built on the way.
        const c = vm.ctx();
        const held = c?.kind === "stream" ? (t === BufferType.HTTP_REQUEST_BODY ? c.requestBody : c.responseBody) : null;
        data = held?.bytes ?? EMPTY;
      } else {
        const b = getBuffer(vm, vm.ctx(), t);
        if (!b) return Status.NOT_FOUND;
        data = b.bytes;
      }
      const s = start >>> 0;
      const end = Math.min(data.length, s + (maxSize >>> 0));
      return vm.memory.copyRangeOut(data, s, end, retPtr, retLen) ? Status.OK : Status.INVALID_MEMORY_ACCESS;
    },
    proxy_set_buffer_bytes(type: number, start: number, size: number, ptr: number, len: number): number {
      if (type >>> 0 > 8) return Status.BAD_ARGUMENT;
      const b = getBuffer(vm, vm.ctx(), type);
      if (!b) return Status.NOT_FOUND;
      const data = vm.memory.read(ptr, len);
      if (!b.mutable) return Status.BAD_ARGUMENT;
      const cur = b.mutable.bytes;
      const s = start >>> 0;
      if (s === 0) b.mutable.bytes = concat(data, cur.subarray(Math.min(size >>> 0, cur.length)));
      else if (s >= cur.length) b.mutable.bytes = concat(cur, data);
      else return Status.BAD_ARGUMENT;
      return Status.OK;
    },
  };
}
