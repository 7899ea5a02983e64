/**
 * @module harness/shared-store
 * Shared data and shared queues as cpp-host keeps them (`shared_data.cc`, `shared_queue.cc`):
 * one store per process partitioned by vm_id and shared by every worker VM; CAS values from
 * one global counter starting at 1 (0 skipped); a set on a missing key succeeds whatever
 * the cas; queue ids from a global counter starting at 1; enqueue notifies the latest registrant.
 */
import { Status, type StatusCode } from "./abi.ts";

export interface SharedEntry { value: Uint8Array; cas: number }

/** Who gets `proxy_on_queue_ready`: the root context that registered the queue last. */
export interface QueueRegistrant { notify(queueId: number): void }

interface Queue { id: number; vmId: string; name: string; items: Uint8Array[]; registrant: QueueRegistrant }

export class SharedStore {
  private data = new Map<string, Map<string, SharedEntry>>();
  private casCounter = 0;
  private queues = new Map<number, Queue>();
  private queueIds = new Map<string, number>();
  private queueCounter = 0;

  private nextCas(): number {
    this.casCounter = (this.casCounter + 1) >>> 0;
    if (this.casCounter === 0) this.casCounter = 1;
    return this.casCounter;
  }

  /** The live entry: the caller copies the value out before anything else runs. */
  get(vmId: string, key: string): SharedEntry | undefined { return this.data.get(vmId)?.get(key); }

  /**
   * Stores a copy of `value` (the caller may pass a view of the module's memory). An entry is
   * updated in place, its bytes overwritten when the length is unchanged (a counter's usual
   * update): nothing outside the store holds them, as `get` is copied out at once and
   * `entries()` copies.
   */
  set(vmId: string, key: string, value: Uint8Array, cas: number): StatusCode {
    let part = this.data.get(vmId);
    if (!part) this.data.set(vmId, (part = new Map()));
    const existing = part.get(key);
    if (existing === undefined) {
      part.set(key, { value: value.slice(), cas: this.nextCas() });
      return Status.OK;
    }
    if (cas !== 0 && cas !== existing.cas) return Status.CAS_MISMATCH;
    if (existing.value.length === value.length) existing.value.set(value);
    else existing.value = value.slice();
    existing.cas = this.nextCas();
    return Status.OK;
  }

  /** Snapshot of one vm_id's partition, for tests: copies, which later sets leave as they are. */
  entries(vmId = ""): Map<string, SharedEntry> {
    const out = new Map<string, SharedEntry>();
    for (const [k, e] of this.data.get(vmId) ?? []) out.set(k, { value: e.value.slice(), cas: e.cas });
    return out;
  }

  registerQueue(vmId: string, name: string, registrant: QueueRegistrant): number {
    const key = `${vmId}\0${name}`;
    let id = this.queueIds.get(key);
    if (id === undefined) {
      id = ++this.queueCounter;
      this.queueIds.set(key, id);
      this.queues.set(id, { id, vmId, name, items: [], registrant });
    } else {
      this.queues.get(id)!.registrant = registrant;
    }
    return id;
  }

  resolveQueue(vmId: string, name: string): number | undefined { return this.queueIds.get(`${vmId}\0${name}`); }

  enqueue(id: number, value: Uint8Array): StatusCode {
    const q = this.queues.get(id);
    if (!q) return Status.NOT_FOUND;
    q.items.push(value.slice());
    q.registrant.notify(id);
    return Status.OK;
  }

  dequeue(id: number): Uint8Array | StatusCode {
    const q = this.queues.get(id);
    if (!q) return Status.NOT_FOUND;
    const item = q.items.shift();
    return item ?? Status.EMPTY;
  }

  queueLength(id: number): number { return this.queues.get(id)?.items.length ?? 0; }
}
