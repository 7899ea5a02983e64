/**
 * @module controller/provider/kube
 * The controller's only door to the API server, over `@kubernetes/client-node` 1.4:
 * discovery, list and watch, server-side apply with field manager `tollgate`, delete,
 * status writes through the status subresource, Secrets for registry credentials, and
 * Leases. Errors keep the HTTP status so callers can tell 404 / 409 / 410 / 5xx apart.
 */
import {
  ApisApi, CoordinationV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi, PatchStrategy, Watch,
  type KubernetesObject, type V1Lease,
} from "@kubernetes/client-node";
import { FIELD_MANAGER, type KubeObject } from "../api/types.ts";
import { apiVersion, type KindDef } from "./kinds.ts";

export class KubeError extends Error {
  constructor(readonly code: number | undefined, message: string) {
    super(message);
  }
}

/** Normalises client-node's ApiException (code, body) and network errors. */
export function kubeError(err: unknown): KubeError {
  if (err instanceof KubeError) return err;
  const e = err as { code?: number; statusCode?: number; body?: unknown; message?: string };
  const code = typeof e.code === "number" ? e.code : typeof e.statusCode === "number" ? e.statusCode : undefined;
  let message = e.message ?? String(err);
  if (typeof e.body === "string") {
    try { message = JSON.parse(e.body).message ?? message; } catch { /* not JSON */ }
  } else if (e.body && typeof e.body === "object" && "message" in e.body) message = String((e.body as { message: unknown }).message);
  return new KubeError(code, message.split("\n")[0]);
}

export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

export class Kube {
  private readonly objects: KubernetesObjectApi;
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly apis: ApisApi;
  private readonly coordination: CoordinationV1Api;
  private readonly watcher: Watch;

  constructor(readonly config: KubeConfig) {
    this.objects = KubernetesObjectApi.makeApiClient(config);
    this.custom = config.makeApiClient(CustomObjectsApi);
    this.core = config.makeApiClient(CoreV1Api);
    this.apis = config.makeApiClient(ApisApi);
    this.coordination = config.makeApiClient(CoordinationV1Api);
    this.watcher = new Watch(config);
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw kubeError(err);
    }
  }

  /** API groups the server serves (discovery). */
  async servedGroups(): Promise<Set<string>> {
    const list = await this.call(() => this.apis.getAPIVersions());
    return new Set((list.groups ?? []).map((g) => g.name));
  }

  async list(kind: KindDef, labelSelector?: string): Promise<{ items: KubeObject[]; resourceVersion: string }> {
    const list = await this.call(() => this.objects.list(apiVersion(kind), kind.kind, undefined, undefined, undefined, undefined, undefined, labelSelector));
    return { items: list.items.map((i) => ({ apiVersion: apiVersion(kind), kind: kind.kind, ...i }) as KubeObject), resourceVersion: list.metadata?.resourceVersion ?? "" };
  }

  /** Starts a watch across namespaces; `done` fires once when it ends (error or close). */
  async watch(kind: KindDef, params: { resourceVersion: string; labelSelector?: string; timeoutSeconds: number },
    onEvent: (type: string, obj: KubeObject) => void, done: (err: unknown) => void): Promise<AbortController> {
    const path = `/apis/${kind.group}/${kind.version}/${kind.plural}`;
    return this.watcher.watch(path, { resourceVersion: params.resourceVersion, allowWatchBookmarks: true, labelSelector: params.labelSelector, timeoutSeconds: params.timeoutSeconds },
      (type, obj) => onEvent(type, obj as KubeObject), done);
  }

  async get(obj: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): Promise<KubeObject | undefined> {
    try {
      return await this.call(() => this.objects.read(obj as KubernetesObject & { metadata: { name: string } })) as unknown as KubeObject;
    } catch (err) {
      if ((err as KubeError).code === 404) return undefined;
      throw err;
    }
  }

  /** Server-side apply as field manager `tollgate`; forced, because only objects Tollgate owns are applied. */
  async apply(obj: KubeObject): Promise<KubeObject> {
    return await this.call(() => this.objects.patch(obj as KubernetesObject, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply)) as unknown as KubeObject;
  }

  /** Deletes; a 404 counts as done. */
  async delete(obj: KubeObject): Promise<void> {
    try {
      await this.call(() => this.objects.delete(obj as KubernetesObject));
    } catch (err) {
      if ((err as KubeError).code !== 404) throw err;
    }
  }

  /** Replaces `status` through the status subresource (a JSON patch, as the generated client sends). */
  async writeStatus(kind: KindDef, namespace: string, name: string, status: unknown): Promise<void> {
    await this.call(() => this.custom.patchNamespacedCustomObjectStatus({
      group: kind.group, version: kind.version, plural: kind.plural, namespace, name,
      body: [{ op: "add", path: "/status", value: status }],
    }));
  }

  async readSecret(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    try {
      const s = await this.call(() => this.core.readNamespacedSecret({ namespace, name }));
      return s.data ?? {};
    } catch (err) {
      if ((err as KubeError).code === 404) return undefined;
      throw err;
    }
  }

  async readLease(namespace: string, name: string): Promise<V1Lease | undefined> {
    try {
      return await this.call(() => this.coordination.readNamespacedLease({ namespace, name }));
    } catch (err) {
      if ((err as KubeError).code === 404) return undefined;
      throw err;
    }
  }

  createLease(namespace: string, body: V1Lease): Promise<V1Lease> {
    return this.call(() => this.coordination.createNamespacedLease({ namespace, body }));
  }

  /** Replaces with the body's resourceVersion as precondition: 409 when someone else wrote first. */
  replaceLease(namespace: string, name: string, body: V1Lease): Promise<V1Lease> {
    return this.call(() => this.coordination.replaceNamespacedLease({ namespace, name, body }));
  }
}
