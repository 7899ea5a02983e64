/**
 * @module controller/provider/informer
 * List-then-watch cache of one kind across namespaces, as client-go's reflector does it:
 * list, remember the list's resourceVersion, watch from there with bookmarks, keep the
 * last resourceVersion seen, rewatch from it when the connection drops (capped backoff),
 * and relist when the server says 410 Gone. Every change calls `onChange`.
 */
import type { KubeObject } from "../api/types.ts";
import { Backoff, sleep } from "./backoff.ts";
import type { KindDef } from "./kinds.ts";
import type { Kube } from "./kube.ts";
import type { Logger } from "./log.ts";

export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

function key(o: KubeObject): string {
  return `${o.metadata.namespace ?? ""}/${o.metadata.name}`;
}

export class Informer {
  private readonly objects = new Map<string, KubeObject>();
  private resourceVersion = "";
  private readonly abort = new AbortController();
  private watchAbort?: AbortController;
  private syncedResolve!: () => void;
  /** Resolves after the first successful list. */
  readonly synced = new Promise<void>((r) => (this.syncedResolve = r));
  private running?: Promise<void>;

  constructor(
    private readonly kube: Kube,
    readonly kind: KindDef,
    private readonly log: Logger,
    private readonly onChange: (kind: KindDef, type: ChangeType, obj: KubeObject) => void,
    private readonly options: { labelSelector?: string; watchTimeoutSeconds?: number; onError?: (what: string) => void } = {},
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.watchAbort?.abort();
    await this.running;
  }

  list(): KubeObject[] {
    return [...this.objects.values()];
  }

  get(namespace: string, name: string): KubeObject | undefined {
    return this.objects.get(`${namespace}/${name}`);
  }

  private async relist(): Promise<void> {
    const { items, resourceVersion } = await this.kube.list(this.kind, this.options.labelSelector);
    const fresh = new Map(items.map((o) => [key(o), o]));
    for (const [k, old] of this.objects) if (!fresh.has(k)) { this.objects.delete(k); this.onChange(this.kind, "DELETED", old); }
    for (const [k, obj] of fresh) {
      const old = this.objects.get(k);
      this.objects.set(k, obj);
      if (!old) this.onChange(this.kind, "ADDED", obj);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.onChange(this.kind, "MODIFIED", obj);
    }
    this.resourceVersion = resourceVersion;
  }

  private async loop(): Promise<void> {
    const backoff = new Backoff(200, 10_000);
    let needList = true;
    while (!this.abort.signal.aborted) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
          this.syncedResolve();
          this.log.debug("listed", { kind: this.kind.kind, resourceVersion: this.resourceVersion, count: this.objects.size });
        }
        const outcome = await this.watchOnce();
        if (outcome === "expired") {
          this.log.info("watch expired (410 Gone), relisting", { kind: this.kind.kind });
          needList = true;
          continue;
        }
        if (outcome === "progress") backoff.reset();
        if (!this.abort.signal.aborted) await sleep(backoff.next(), this.abort.signal);
      } catch (err) {
        this.options.onError?.(`list ${this.kind.kind}`);
        this.log.warn("list failed, retrying", { kind: this.kind.kind, error: err });
        await sleep(backoff.next(), this.abort.signal);
      }
    }
  }

  /** One watch connection; says whether it made progress, expired, or failed at once. */
  private watchOnce(): Promise<"progress" | "expired" | "none"> {
    return new Promise((resolve) => {
      let progress = false;
      let expired = false;
      const finish = (err: unknown) => {
        if (err && !this.abort.signal.aborted) this.log.debug("watch ended", { kind: this.kind.kind, error: err });
        resolve(expired ? "expired" : progress ? "progress" : "none");
      };
      const timeoutSeconds = this.options.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
      this.kube.watch(this.kind, { resourceVersion: this.resourceVersion, labelSelector: this.options.labelSelector, timeoutSeconds }, (type, obj) => {
        if (type === "ERROR") {
          const code = (obj as unknown as { code?: number }).code;
          if (code === 410) expired = true;
          return;
        }
        progress = true;
        const rv = obj.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
        if (type === "BOOKMARK") return;
        obj = { ...obj, apiVersion: obj.apiVersion ?? `${this.kind.group}/${this.kind.version}`, kind: obj.kind ?? this.kind.kind };
        if (type === "DELETED") this.objects.delete(key(obj));
        else this.objects.set(key(obj), obj);
        this.onChange(this.kind, type as ChangeType, obj);
      }, finish).then((controller) => {
        this.watchAbort = controller;
        if (this.abort.signal.aborted) controller.abort();
      }, finish);
    });
  }
}
