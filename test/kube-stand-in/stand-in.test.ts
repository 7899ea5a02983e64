/**
 * @module test/kube-stand-in/stand-in.test
 * The stand-in keeps the API conventions the controller relies on, checked through the
 * real `@kubernetes/client-node` against the stand-in running as its own process.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { KubernetesObjectApi, PatchStrategy, Watch, CustomObjectsApi, type KubernetesObject } from "@kubernetes/client-node";
import { startStandIn, type RunningStandIn } from "./process.ts";

let kube: RunningStandIn;
let api: KubernetesObjectApi;

const plugin = (name: string, spec: Record<string, unknown>) => ({ apiVersion: "extensions.istio.io/v1alpha1", kind: "WasmPlugin", metadata: { name, namespace: "ai" }, spec }) as KubernetesObject & { spec: Record<string, unknown> };

test.before(async () => {
  kube = await startStandIn({ bookmarkMs: 100 });
  api = KubernetesObjectApi.makeApiClient(kube.kubeConfig());
});
test.after(async () => kube.stop());

test("create sets uid, resourceVersion, generation; a second create is 409 AlreadyExists", async () => {
  const created = await api.create(plugin("a", { url: "oci://r/a:1" }));
  assert.ok(created.metadata?.uid);
  assert.is(created.metadata?.generation, 1);
  try {
    await api.create(plugin("a", { url: "oci://r/a:1" }));
    assert.unreachable();
  } catch (err: any) { // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.is(err.code, 409);
    assert.match(err.body, "AlreadyExists");
  }
});

test("replace with a stale resourceVersion is 409 Conflict; generation moves only with spec", async () => {
  const current = await api.read({ apiVersion: "extensions.istio.io/v1alpha1", kind: "WasmPlugin", metadata: { name: "a", namespace: "ai" } }) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  const updated = await api.replace({ ...current, spec: { url: "oci://r/a:2" } }) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.is(updated.metadata.generation, 2);
  try {
    await api.replace({ ...current, spec: { url: "oci://r/a:3" } });
    assert.unreachable();
  } catch (err: any) { // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.is(err.code, 409);
  }
  const labelled = await api.replace({ ...updated, metadata: { ...updated.metadata, labels: { x: "y" } } }) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.is(labelled.metadata.generation, 2);
});

test("server-side apply: field manager ownership, conflicts without force, removal of dropped fields", async () => {
  const applied = await api.patch(plugin("ssa", { url: "oci://r/x:1", priority: 10, phase: "AUTHN" }), undefined, undefined, "tollgate", false, PatchStrategy.ServerSideApply) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(applied.metadata.managedFields.map((m: { manager: string }) => m.manager), ["tollgate"]);
  // someone else takes a field
  await api.patch({ ...plugin("ssa", { priority: 99 }) }, undefined, undefined, "kubectl-edit", undefined, PatchStrategy.MergePatch);
  try {
    await api.patch(plugin("ssa", { url: "oci://r/x:1", priority: 10, phase: "AUTHN" }), undefined, undefined, "tollgate", false, PatchStrategy.ServerSideApply);
    assert.unreachable();
  } catch (err: any) { // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.is(err.code, 409);
    assert.match(err.body, 'conflict with \\"kubectl-edit\\": .spec.priority');
  }
  const forced = await api.patch(plugin("ssa", { url: "oci://r/x:1", priority: 10 }), undefined, undefined, "tollgate", true, PatchStrategy.ServerSideApply) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.is(forced.spec.priority, 10);
  assert.is(forced.spec.phase, undefined, "a field the manager no longer applies is removed");
  const rv = forced.metadata.resourceVersion;
  const again = await api.patch(plugin("ssa", { url: "oci://r/x:1", priority: 10 }), undefined, undefined, "tollgate", true, PatchStrategy.ServerSideApply) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.is(again.metadata.resourceVersion, rv, "an identical apply writes nothing");
});

test("status subresource: status ignored on the main resource, written through /status", async () => {
  const custom = kube.kubeConfig().makeApiClient(CustomObjectsApi);
  const spec = { phase: "PreRouting", targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "gw" }], processors: [{ name: "a", type: "Wasm", wasm: { module: "m" } }] };
  await api.create({ apiVersion: "tollgate.dev/v1alpha1", kind: "PayloadProcessor", metadata: { name: "pp", namespace: "ai" }, spec, status: { gateway: "Istio" } } as KubernetesObject);
  let pp = await custom.getNamespacedCustomObject({ group: "tollgate.dev", version: "v1alpha1", namespace: "ai", plural: "payloadprocessors", name: "pp" }) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.is(pp.status, undefined);
  pp = await custom.patchNamespacedCustomObjectStatus({ group: "tollgate.dev", version: "v1alpha1", namespace: "ai", plural: "payloadprocessors", name: "pp", body: [{ op: "add", path: "/status", value: { gateway: "EnvoyGateway" } }] });
  assert.is(pp.status.gateway, "EnvoyGateway");
  assert.is(pp.metadata.generation, 1);
});

test("writes that break the CRD schema are 422 Invalid naming the field, status included", async () => {
  const custom = kube.kubeConfig().makeApiClient(CustomObjectsApi);
  try {
    await api.create({ apiVersion: "tollgate.dev/v1alpha1", kind: "PayloadProcessor", metadata: { name: "bad", namespace: "ai" }, spec: { phase: "Sideways" } } as KubernetesObject);
    assert.unreachable();
  } catch (err: any) { // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.is(err.code, 422);
    assert.match(err.body, "spec.phase: must be one of");
  }
  try {
    await custom.patchNamespacedCustomObjectStatus({ group: "tollgate.dev", version: "v1alpha1", namespace: "ai", plural: "payloadprocessors", name: "pp", body: [{ op: "add", path: "/status", value: { gateway: "Nginx" } }] });
    assert.unreachable();
  } catch (err: any) { // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.is(err.code, 422);
    assert.match(err.body, "status.gateway");
  }
  try {
    await api.create(plugin("bad-plugin", { url: "oci://r/x:1", priority: "high" }));
    assert.unreachable();
  } catch (err: any) { // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.is(err.code, 422, "upstream CRDs are enforced too");
    assert.match(err.body, "spec.priority");
  }
});

test("watch: resume from a resourceVersion, bookmarks, 410 Gone after compaction", async () => {
  const list = await api.list("extensions.istio.io/v1alpha1", "WasmPlugin", "ai");
  const from = list.metadata!.resourceVersion!;
  await api.create(plugin("w1", { url: "oci://r/w:1" }));
  const seen: string[] = [];
  const watch = new Watch(kube.kubeConfig());
  const done = new Promise<unknown>((resolve) => {
    void watch.watch("/apis/extensions.istio.io/v1alpha1/namespaces/ai/wasmplugins", { resourceVersion: from, allowWatchBookmarks: true }, (type, obj) => {
      seen.push(`${type}:${obj.metadata?.name ?? ""}`);
    }, resolve);
  });
  await new Promise((r) => setTimeout(r, 300));
  await api.delete(plugin("w1", {}));
  await new Promise((r) => setTimeout(r, 200));
  assert.is(seen[0], "ADDED:w1", "replayed the event after the given resourceVersion");
  assert.ok(seen.includes("BOOKMARK:"), seen.join(","));
  assert.ok(seen.includes("DELETED:w1"));
  await kube.dropWatches();
  await done;
  await kube.compact();
  const errors: unknown[] = [];
  await new Promise((resolve) => {
    void new Watch(kube.kubeConfig()).watch("/apis/extensions.istio.io/v1alpha1/namespaces/ai/wasmplugins", { resourceVersion: from }, (type, obj) => {
      if (type === "ERROR") errors.push(obj);
    }, resolve);
  });
  assert.is((errors[0] as { code: number }).code, 410);
});

test("a label-selected watch sees an object leave the selector as DELETED and enter it as ADDED", async () => {
  await api.create({ ...plugin("labelled", { url: "oci://r/l:1" }), metadata: { name: "labelled", namespace: "ai", labels: { team: "a" } } });
  const seen: string[] = [];
  const controller = await new Watch(kube.kubeConfig()).watch("/apis/extensions.istio.io/v1alpha1/wasmplugins", { labelSelector: "team=a" }, (type, obj) => {
    if (type !== "BOOKMARK") seen.push(`${type}:${obj.metadata.name}`);
  }, () => {});
  await new Promise((r) => setTimeout(r, 200));
  await api.patch({ ...plugin("labelled", {}), metadata: { name: "labelled", namespace: "ai", labels: { team: "b" } } }, undefined, undefined, "test", undefined, PatchStrategy.MergePatch);
  await api.patch({ ...plugin("labelled", {}), metadata: { name: "labelled", namespace: "ai", labels: { team: "a" } } }, undefined, undefined, "test", undefined, PatchStrategy.MergePatch);
  await new Promise((r) => setTimeout(r, 200));
  controller.abort();
  assert.equal(seen, ["ADDED:labelled", "DELETED:labelled", "ADDED:labelled"]);
});

test("injected 500s, owner-reference garbage collection", async () => {
  await kube.inject({ method: "GET", path: "wasmplugins/a$", status: 500, count: 1 });
  try {
    await api.read({ apiVersion: "extensions.istio.io/v1alpha1", kind: "WasmPlugin", metadata: { name: "a", namespace: "ai" } });
    assert.unreachable();
  } catch (err: any) { // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.is(err.code, 500);
  }
  const owner = await api.read({ apiVersion: "tollgate.dev/v1alpha1", kind: "PayloadProcessor", metadata: { name: "pp", namespace: "ai" } });
  await api.create({ ...plugin("owned", { url: "oci://r/o:1" }), metadata: { name: "owned", namespace: "ai", ownerReferences: [{ apiVersion: "tollgate.dev/v1alpha1", kind: "PayloadProcessor", name: "pp", uid: owner.metadata!.uid! }] } } as KubernetesObject);
  await api.delete(owner);
  const left = await api.list("extensions.istio.io/v1alpha1", "WasmPlugin", "ai");
  assert.not.ok(left.items.some((i) => i.metadata?.name === "owned"));
});

test.run();
