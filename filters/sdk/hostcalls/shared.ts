/**
 * @module filters/sdk/hostcalls/shared
 * Shared data (a key-value store shared by every VM with the same vm_id, across workers) with
 * compare-and-swap, and shared queues. CAS rules in Envoy (reference §10.12): every successful set
 * gets a fresh CAS from one global counter; cas 0 sets unconditionally; a non-zero cas must match
 * or the set returns CAS_MISMATCH — but a key that does not exist yet is set whatever the cas.
 */
import { Status } from "../types";
import {
  proxy_dequeue_shared_queue, proxy_enqueue_shared_queue, proxy_get_shared_data, proxy_register_shared_queue,
  proxy_resolve_shared_queue, proxy_set_shared_data,
} from "./raw";
import { SLOT_A, SLOT_B, SLOT_C, lenOf, ptrOf, release, takeBytes } from "./memory";
import { record } from "./status";

/** A shared value and the CAS to pass back to `setSharedData` to update it safely. */
export class SharedValue {
  constructor(public value: ArrayBuffer, public cas: u32) {}
}

/** The value and CAS under `key`; null when absent (NotFound). */
export function getSharedData(key: string): SharedValue | null {
  const k = String.UTF8.encode(key);
  if (record(proxy_get_shared_data(changetype<usize>(k), k.byteLength, SLOT_A, SLOT_B, SLOT_C)) != Status.Ok) return null;
  const cas = load<u32>(SLOT_C);
  return new SharedValue(takeBytes(load<usize>(SLOT_A), load<usize>(SLOT_B)), cas);
}

/** What `copySharedData` found: the value's whole length and the CAS to update it with. */
export class SharedCopy {
  length: i32 = -1;
  cas: u32 = 0;
}

/**
 * The value under `key` (its UTF-8 bytes, encoded once by the caller) copied into `capacity`
 * bytes at `dst`, without a managed allocation: for a hot read-modify-write of a fixed-size value.
 * `out.length` is the value's whole length (only `capacity` bytes of a longer one are copied);
 * false, with `out.length` -1, when absent (NotFound) or on another non-OK status.
 */
export function copySharedData(key: ArrayBuffer, dst: usize, capacity: i32, out: SharedCopy): bool {
  out.length = -1;
  out.cas = 0;
  if (record(proxy_get_shared_data(changetype<usize>(key), key.byteLength, SLOT_A, SLOT_B, SLOT_C)) != Status.Ok) return false;
  const p = load<usize>(SLOT_A), n = <i32>load<usize>(SLOT_B);
  memory.copy(dst, p, <usize>(n < capacity ? n : capacity));
  release(p);
  out.length = n;
  out.cas = load<u32>(SLOT_C);
  return true;
}

/** `setSharedData` for a key already encoded and a value given as `len` bytes at `ptr`. */
export function setSharedDataBytes(key: ArrayBuffer, ptr: usize, len: usize, cas: u32 = 0): Status {
  return record(proxy_set_shared_data(changetype<usize>(key), key.byteLength, ptr, len, cas));
}

/** Stores `value` under `key`; with `cas` ≠ 0 only if unchanged since read, else CAS_MISMATCH. */
export function setSharedData(key: string, value: ArrayBuffer | null, cas: u32 = 0): Status {
  const k = String.UTF8.encode(key);
  return record(proxy_set_shared_data(changetype<usize>(k), k.byteLength, ptrOf(value), lenOf(value), cas));
}

/** Registers (or re-registers) a queue owned by this plugin's root; 0 on failure. */
export function registerSharedQueue(name: string): u32 {
  const n = String.UTF8.encode(name);
  if (record(proxy_register_shared_queue(changetype<usize>(n), n.byteLength, SLOT_A)) != Status.Ok) return 0;
  return load<u32>(SLOT_A);
}

/** Finds a queue registered by a VM (empty `vmId` = this VM's); 0 when unknown (NotFound). */
export function resolveSharedQueue(vmId: string, name: string): u32 {
  const v = String.UTF8.encode(vmId);
  const n = String.UTF8.encode(name);
  if (record(proxy_resolve_shared_queue(changetype<usize>(v), v.byteLength, changetype<usize>(n), n.byteLength, SLOT_A)) != Status.Ok) return 0;
  return load<u32>(SLOT_A);
}

/** Adds an item; the queue's registrant gets `onQueueReady`. NOT_FOUND for an unknown queue. */
export function enqueueSharedQueue(queueId: u32, value: ArrayBuffer | null): Status {
  return record(proxy_enqueue_shared_queue(queueId, ptrOf(value), lenOf(value)));
}

/** Takes the oldest item; null when the queue is empty (`lastStatus()` Empty) or unknown (NotFound). */
export function dequeueSharedQueue(queueId: u32): ArrayBuffer | null {
  if (record(proxy_dequeue_shared_queue(queueId, SLOT_A, SLOT_B)) != Status.Ok) return null;
  return takeBytes(load<usize>(SLOT_A), load<usize>(SLOT_B));
}
