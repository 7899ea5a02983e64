/**
 * @module test/controller/helpers
 * Shared pieces of the reconcile suites: an in-memory ModuleResolver whose tags the test
 * can move, polling until a condition holds, and typed access to the stand-in through
 * the real client.
 */
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from "@kubernetes/client-node";
import type { ModuleResolver, ResolvedModule, ResolveOptions } from "../../controller/api/module-resolver.ts";
import type { RunningStandIn } from "../kube-stand-in/process.ts";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const hex = (c: string) => c.repeat(64);

/** Tags → digests the test controls; `calls` records every resolution asked for. */
export class MemoryResolver implements ModuleResolver {
  readonly calls: { image: string; options?: ResolveOptions }[] = [];
  constructor(readonly tags: Map<string, { digest: string; configSchema?: Record<string, unknown> }>) {}
  async resolve(image: string, options?: ResolveOptions): Promise<ResolvedModule> {
    this.calls.push({ image, options });
    const pinned = /@(sha256:[a-f0-9]{64})$/.exec(image)?.[1];
    const hit = pinned ? { digest: pinned } : this.tags.get(image);
    if (!hit) throw new Error(`manifest unknown: ${image}`);
    return { image, digest: hit.digest, layout: "compat", annotations: {}, ...(hit.configSchema ? { configSchema: hit.configSchema } : {}) };
  }
}

export async function eventually<T>(what: string, fn: () => Promise<T> | T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await fn();
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}: ${last instanceof Error ? last.message : String(last)}`);
}

export function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

export class Cluster {
  readonly api: KubernetesObjectApi;
  constructor(readonly kube: RunningStandIn) {
    this.api = KubernetesObjectApi.makeApiClient(kube.kubeConfig());
  }

  async create(obj: Obj): Promise<Obj> {
    return (await this.api.create(obj as KubernetesObject, undefined, undefined, "test")) as Obj;
  }

  async get(apiVersion: string, kind: string, namespace: string, name: string): Promise<Obj | undefined> {
    try {
      return (await this.api.read({ apiVersion, kind, metadata: { name, namespace } })) as Obj;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  async list(apiVersion: string, kind: string, namespace = "ai"): Promise<Obj[]> {
    return (await this.api.list(apiVersion, kind, namespace)).items as Obj[];
  }

  async mergePatch(apiVersion: string, kind: string, namespace: string, name: string, patch: Obj, manager = "kubectl-edit"): Promise<Obj> {
    return (await this.api.patch({ apiVersion, kind, ...patch, metadata: { ...(patch.metadata ?? {}), name, namespace } } as KubernetesObject, undefined, undefined, manager, undefined, PatchStrategy.MergePatch)) as Obj;
  }

  async remove(apiVersion: string, kind: string, namespace: string, name: string): Promise<void> {
    await this.api.delete({ apiVersion, kind, metadata: { name, namespace } });
  }

  async pp(name: string, namespace = "ai"): Promise<Obj> {
    return (await this.get("tollgate.dev/v1alpha1", "PayloadProcessor", namespace, name))!;
  }

  /** The condition of `type` on a PayloadProcessor, current for its generation. */
  async condition(name: string, type: string): Promise<Obj | undefined> {
    const pp = await this.pp(name);
    const c = pp.status?.conditions?.find((x: Obj) => x.type === type);
    return c && c.observedGeneration === pp.metadata.generation ? c : undefined;
  }

  /** A point in the stand-in's request log. */
  async mark(): Promise<number> {
    return (await this.kube.requests()).length;
  }

  /** Writes since `mark` other than Lease renewals and the test's own (field managers `test`, `kubectl-edit`): the controller's. */
  async writesSince(mark: number): Promise<string[]> {
    return (await this.kube.requests()).slice(mark)
      .filter((r) => r.method !== "GET" && !r.path.includes("/leases") && r.fieldManager !== "kubectl-edit" && r.fieldManager !== "test")
      .map((r) => `${r.method} ${r.path} ${r.status}`);
  }
}

export const GATEWAY_API = "gateway.networking.k8s.io/v1";
export const TOLLGATE = "tollgate.dev/v1alpha1";
export const WASM_PLUGIN = "extensions.istio.io/v1alpha1";

export function gateway(name = "ai-gateway", namespace = "ai"): Obj {
  return { apiVersion: GATEWAY_API, kind: "Gateway", metadata: { name, namespace }, spec: { gatewayClassName: "any", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] } };
}

export function filterModule(name: string, spec: Obj, namespace = "ai"): Obj {
  return { apiVersion: TOLLGATE, kind: "FilterModule", metadata: { name, namespace }, spec };
}

export function payloadProcessor(name: string, processors: Obj[], extra: Obj = {}, namespace = "ai"): Obj {
  return {
    apiVersion: TOLLGATE, kind: "PayloadProcessor", metadata: { name, namespace },
    spec: { targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "ai-gateway" }], phase: "PreRouting", processors, ...extra },
  };
}
