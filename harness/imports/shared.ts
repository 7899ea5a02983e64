/**
 * @module harness/imports/shared
 * Shared data (per vm_id, CAS) and shared queues; a queue notification is posted to the
 * latest registrant's root context and delivered after the current call returns.
 */
import { Status } from "../abi.ts";
import type { RootContext } from "../root.ts";
import type { Vm } from "../vm.ts";

function rootOf(vm: Vm): RootContext | null {
  const c = vm.ctx();
  return c ? (c.kind === "root" ? c : c.root) : null;
}

export function sharedImports(vm: Vm) {
  const store = vm.services.env.shared;
  const vmId = vm.services.vmId;
  return {
    proxy_get_shared_data(kp: number, kl: number, retPtr: number, retLen: number, retCas: number): number {
      const key = vm.memory.readString(kp, kl);
      const e = store.get(vmId, key);
      if (!e) return Status.NOT_FOUND;
      if (!vm.memory.copyOut(e.value, retPtr, retLen)) return Status.INVALID_MEMORY_ACCESS;
      vm.memory.writeU32(retCas, e.cas);
      return Status.OK;
    },
    proxy_set_shared_data(kp: number, kl: number, vp: number, vl: number, cas: number): number {
      const key = vm.memory.readString(kp, kl);
      // The store keeps a copy of its own: a view of the module's memory is enough here.
      return store.set(vmId, key, vm.memory.view(vp, vl), cas >>> 0);
    },
    proxy_register_shared_queue(np: number, nl: number, ret: number): number {
      const name = vm.memory.readString(np, nl);
      const root = rootOf(vm);
      if (!root) return Status.INTERNAL_FAILURE;
      const env = vm.services.env;
      const id = store.registerQueue(vmId, name, {
        notify: (qid) => env.post(() => { if (!vm.failed && root.created) vm.call(root, "proxy_on_queue_ready", [root.id, qid]).flush(); }),
      });
      vm.memory.writeU32(ret, id);
      return Status.OK;
    },
    proxy_resolve_shared_queue(vp: number, vl: number, np: number, nl: number, ret: number): number {
      const otherVm = vm.memory.readString(vp, vl);
      const name = vm.memory.readString(np, nl);
      const id = store.resolveQueue(otherVm === "" ? vmId : otherVm, name);
      if (id === undefined) return Status.NOT_FOUND;
      vm.memory.writeU32(ret, id);
      return Status.OK;
    },
    proxy_enqueue_shared_queue(id: number, vp: number, vl: number): number {
      return store.enqueue(id >>> 0, vm.memory.read(vp, vl));
    },
    proxy_dequeue_shared_queue(id: number, retPtr: number, retLen: number): number {
      const r = store.dequeue(id >>> 0);
      if (typeof r === "number") return r;
      return vm.memory.copyOut(r, retPtr, retLen) ? Status.OK : Status.INVALID_MEMORY_ACCESS;
    },
  };
}
