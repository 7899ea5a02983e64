/**
 * @module test/controller/reconcile.test
 * The reconciler against the Kubernetes API stand-in (a separate process) through the real
 * `@kubernetes/client-node`: apply with server-side apply, honest status, steady state
 * without writes, deletion of what is no longer desired, objects it does not own left
 * alone, conflicts, a moving tag, injected 500s and 409s, dropped and expired watches, and
 * a restart mid-way. Istio is the only gateway the stand-in serves here, so `Auto` means Istio.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startController, type RunningController } from "../../controller/provider/controller.ts";
import { silentLogger } from "../../controller/provider/log.ts";
import { startStandIn, type RunningStandIn } from "../kube-stand-in/process.ts";
import { Cluster, MemoryResolver, TOLLGATE, WASM_PLUGIN, check, eventually, filterModule, gateway, hex, payloadProcessor } from "./helpers.ts";

let kube: RunningStandIn;
let cluster: Cluster;
let controller: RunningController;
const resolver = new MemoryResolver(new Map([
  ["registry.test/tollgate/token-limit:1", { digest: `sha256:${hex("a")}`, configSchema: { type: "object", properties: { tokensPerMinute: { type: "integer" } } } }],
]));

function start(): Promise<RunningController> {
  return startController({
    kubeConfig: kube.kubeConfig(), resolver, log: silentLogger, leaderElection: false,
    resolveIntervalMs: 500, resolveRetryMs: 200, backoff: { baseMs: 50, maxMs: 400 }, watchTimeoutSeconds: 30, health: { host: "127.0.0.1", port: 0 },
  });
}

const guard = { name: "guard", type: "Wasm", wasm: { module: "guard", config: { maxBodyBytes: 1024 } } };
const limit = { name: "limit", type: "Wasm", failureMode: "FailOpen", wasm: { module: "limit", config: { tokensPerMinute: 100 } } };

test.before(async () => {
  kube = await startStandIn({ gateways: ["istio"], bookmarkMs: 200 });
  cluster = new Cluster(kube);
  await cluster.create(gateway());
  await cluster.create(filterModule("guard", { image: "registry.test/tollgate/payload-guard:1", sha256: hex("b"), rootID: "payload-guard", configSchema: { type: "object", properties: { maxBodyBytes: { type: "integer" } } } }));
  await cluster.create(filterModule("limit", { image: "registry.test/tollgate/token-limit:1", rootID: "token-limit" }));
  // Someone else's WasmPlugin in the same namespace: the controller must never touch it.
  await cluster.create({ apiVersion: WASM_PLUGIN, kind: "WasmPlugin", metadata: { name: "istio-own", namespace: "ai" }, spec: { url: "oci://elsewhere/x:1" } });
  await cluster.create(payloadProcessor("pipeline", [guard, limit]));
  controller = await start();
});

test.after(async () => {
  await controller?.stop();
  await kube.stop();
});

test("renders, applies with server-side apply as field manager tollgate, and reports Programmed", async () => {
  const programmed = await eventually("Programmed=True", async () => {
    const c = await cluster.condition("pipeline", "Programmed");
    check(c?.status === "True", JSON.stringify((await cluster.pp("pipeline")).status));
    return c!;
  });
  assert.is(programmed.message, "Applied 2 objects.");
  const pp = await cluster.pp("pipeline");
  const accepted = pp.status.conditions.find((c: { type: string }) => c.type === "Accepted");
  assert.match(accepted.message, "Rendered for Istio (gateway Auto, detected from the cluster's API groups)");
  assert.is(pp.status.gateway, "Istio");
  assert.equal(pp.status.processors.map((p: { digest: string }) => p.digest), [`sha256:${hex("b")}`, `sha256:${hex("a")}`]);

  const plugins = await cluster.list(WASM_PLUGIN, "WasmPlugin");
  const guardPlugin = plugins.find((p) => p.metadata.name === "pipeline-guard")!;
  const limitPlugin = plugins.find((p) => p.metadata.name === "pipeline-limit")!;
  assert.is(guardPlugin.spec.priority, 1000);
  assert.is(limitPlugin.spec.priority, 990);
  assert.is(limitPlugin.spec.sha256, hex("a"), "the tag's resolved digest is pinned");
  assert.is(limitPlugin.spec.failStrategy, "FAIL_OPEN");
  assert.is(guardPlugin.metadata.ownerReferences[0].uid, pp.metadata.uid);
  assert.equal(guardPlugin.metadata.managedFields.map((m: { manager: string; operation: string }) => `${m.manager}:${m.operation}`), ["tollgate:Apply"]);
  const applies = (await kube.requests()).filter((r) => r.method === "PATCH" && r.path.includes("/wasmplugins/"));
  assert.ok(applies.length >= 2);
  for (const r of applies) {
    assert.is(r.contentType, "application/apply-patch+yaml");
    assert.is(r.fieldManager, "tollgate");
  }
  const fm = await cluster.get(TOLLGATE, "FilterModule", "ai", "limit");
  assert.is(fm!.status.digest, `sha256:${hex("a")}`);
  assert.is(fm!.status.conditions[0].reason, "Resolved");
});

test("steady state: dropped watches and passes over an unchanged pipeline write nothing", async () => {
  const mark = await cluster.mark();
  await kube.dropWatches();
  await new Promise((r) => setTimeout(r, 500));
  const passes = controller.passes();
  // An unrelated change (a label on the Gateway) makes the controller run a full pass.
  await cluster.mergePatch("gateway.networking.k8s.io/v1", "Gateway", "ai", "ai-gateway", { metadata: { labels: { touched: "yes" } } });
  await eventually("another pass", () => check(controller.passes() > passes, "no pass"));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await cluster.writesSince(mark), []);
});

test("removing a processor deletes its WasmPlugin; objects Tollgate does not own stay", async () => {
  await cluster.mergePatch(TOLLGATE, "PayloadProcessor", "ai", "pipeline", { spec: { processors: [guard] } });
  await eventually("pipeline-limit deleted", async () => check(!(await cluster.get(WASM_PLUGIN, "WasmPlugin", "ai", "pipeline-limit")), "still there"));
  await eventually("Programmed for generation 2", async () => check((await cluster.condition("pipeline", "Programmed"))?.message === "Applied 1 object.", "not yet"));
  const own = await cluster.get(WASM_PLUGIN, "WasmPlugin", "ai", "istio-own");
  assert.ok(own, "the unowned WasmPlugin is still there");
  assert.is(own!.metadata.resourceVersion, (await cluster.get(WASM_PLUGIN, "WasmPlugin", "ai", "istio-own"))!.metadata.resourceVersion);
  assert.not.ok((await kube.requests()).some((r) => r.method !== "GET" && r.path.endsWith("/istio-own")), "never written");
});

test("a name taken by an object Tollgate does not own: status says so, the object is left alone", async () => {
  await cluster.create({ apiVersion: WASM_PLUGIN, kind: "WasmPlugin", metadata: { name: "taken-guard", namespace: "ai" }, spec: { url: "oci://someone/else:1" } });
  await cluster.create(payloadProcessor("taken", [guard], { targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "other-gateway" }] }));
  const c = await eventually("Programmed=False", async () => {
    const c = await cluster.condition("taken", "Programmed");
    check(c?.status === "False", "not yet");
    return c!;
  });
  assert.is(c.reason, "ApplyFailed");
  assert.match(c.message, "WasmPlugin ai/taken-guard already exists and is not managed by Tollgate");
  assert.is((await cluster.get(WASM_PLUGIN, "WasmPlugin", "ai", "taken-guard"))!.spec.url, "oci://someone/else:1");
  await cluster.remove(TOLLGATE, "PayloadProcessor", "ai", "taken");
});

test("two PayloadProcessors on one Gateway and phase: the older wins, the newer is Conflicted naming it", async () => {
  await cluster.create(payloadProcessor("latecomer", [limit]));
  const c = await eventually("Accepted=False", async () => {
    const c = await cluster.condition("latecomer", "Accepted");
    check(c?.status === "False", "not yet");
    return c!;
  });
  assert.is(c.reason, "Conflicted");
  assert.match(c.message, "PayloadProcessor ai/pipeline");
  assert.not.ok(await cluster.get(WASM_PLUGIN, "WasmPlugin", "ai", "latecomer-limit"));
  assert.is((await cluster.condition("pipeline", "Accepted"))!.status, "True");
  await cluster.remove(TOLLGATE, "PayloadProcessor", "ai", "latecomer");
});

test("a tag that moves is re-resolved on schedule: status shows old and new digest, the plugin follows", async () => {
  await cluster.mergePatch(TOLLGATE, "PayloadProcessor", "ai", "pipeline", { spec: { processors: [guard, limit] } });
  await eventually("limit back", async () => check(!!(await cluster.get(WASM_PLUGIN, "WasmPlugin", "ai", "pipeline-limit")), "missing"));
  resolver.tags.set("registry.test/tollgate/token-limit:1", { digest: `sha256:${hex("c")}` });
  const fm = await eventually("tag moved", async () => {
    const fm = await cluster.get(TOLLGATE, "FilterModule", "ai", "limit");
    check(fm!.status.digest === `sha256:${hex("c")}`, "not yet");
    return fm!;
  });
  assert.is(fm.status.previousDigest, `sha256:${hex("a")}`);
  assert.is(fm.status.conditions[0].reason, "TagMoved");
  assert.match(fm.status.conditions[0].message, `moved from sha256:${hex("a")} to sha256:${hex("c")}`);
  await eventually("plugin re-pinned", async () => check((await cluster.get(WASM_PLUGIN, "WasmPlugin", "ai", "pipeline-limit"))!.spec.sha256 === hex("c"), "old digest"));
});

test("a registry failure keeps the last good digest and says why", async () => {
  resolver.tags.delete("registry.test/tollgate/token-limit:1");
  const fm = await eventually("ResolveFailed", async () => {
    const fm = await cluster.get(TOLLGATE, "FilterModule", "ai", "limit");
    check(fm!.status.conditions[0].reason === "ResolveFailed", "not yet");
    return fm!;
  });
  assert.is(fm.status.digest, `sha256:${hex("c")}`);
  assert.match(fm.status.conditions[0].message, "manifest unknown");
  assert.is((await cluster.get(WASM_PLUGIN, "WasmPlugin", "ai", "pipeline-limit"))!.spec.sha256, hex("c"));
  resolver.tags.set("registry.test/tollgate/token-limit:1", { digest: `sha256:${hex("c")}` });
});

test("injected 500s and 409s on apply are retried with backoff until Programmed", async () => {
  const errorsBefore = (await controller.metrics.registry.getSingleMetricAsString("tollgate_reconcile_errors_total"));
  await kube.inject([
    { method: "PATCH", path: "/wasmplugins/pipeline-guard", status: 500, count: 2 },
    { method: "PATCH", path: "/wasmplugins/pipeline-guard", status: 409, count: 1 },
  ]);
  await cluster.mergePatch(TOLLGATE, "PayloadProcessor", "ai", "pipeline", { spec: { processors: [{ ...guard, wasm: { ...guard.wasm, config: { maxBodyBytes: 2048 } } }, limit] } });
  await eventually("applied after retries", async () => check((await cluster.get(WASM_PLUGIN, "WasmPlugin", "ai", "pipeline-guard"))!.spec.pluginConfig.maxBodyBytes === 2048, "not yet"));
  await eventually("Programmed again", async () => check((await cluster.condition("pipeline", "Programmed"))?.status === "True", "not yet"));
  const failed = (await kube.requests()).filter((r) => r.path.endsWith("/wasmplugins/pipeline-guard") && r.method === "PATCH").map((r) => r.status);
  assert.ok(failed.includes(500) && failed.includes(409), failed.join(","));
  const errorsAfter = await controller.metrics.registry.getSingleMetricAsString("tollgate_reconcile_errors_total");
  assert.match(errorsAfter, /operation="apply"} [3-9]/);
  assert.is.not(errorsAfter, errorsBefore);
});

test("an expired watch (410 Gone after compaction) relists and keeps reacting", async () => {
  await kube.compact();
  await kube.dropWatches();
  await cluster.mergePatch(TOLLGATE, "PayloadProcessor", "ai", "pipeline", { spec: { processors: [limit, guard] } });
  await eventually("order swapped", async () => {
    check((await cluster.get(WASM_PLUGIN, "WasmPlugin", "ai", "pipeline-limit"))!.spec.priority === 1000, "limit not first");
    check((await cluster.get(WASM_PLUGIN, "WasmPlugin", "ai", "pipeline-guard"))!.spec.priority === 990, "guard not second");
  });
  const watches = (await kube.requests()).filter((r) => r.watch);
  assert.ok(watches.length > 6, "watches were re-established");
});

test("a restart mid-way: changes made while down are applied, nothing duplicated or recreated", async () => {
  await controller.stop();
  const before = await cluster.list(WASM_PLUGIN, "WasmPlugin");
  await cluster.mergePatch(TOLLGATE, "PayloadProcessor", "ai", "pipeline", { spec: { processors: [limit, guard, { name: "extra", type: "Wasm", wasm: { module: "guard" } }] } });
  controller = await start();
  await eventually("extra applied", async () => check(!!(await cluster.get(WASM_PLUGIN, "WasmPlugin", "ai", "pipeline-extra")), "missing"));
  await eventually("Programmed", async () => check((await cluster.condition("pipeline", "Programmed"))?.message === "Applied 3 objects.", "not yet"));
  const after = await cluster.list(WASM_PLUGIN, "WasmPlugin");
  assert.equal(after.map((p) => p.metadata.name).sort(), ["istio-own", "pipeline-extra", "pipeline-guard", "pipeline-limit", "taken-guard"]);
  for (const p of before) {
    const same = after.find((a) => a.metadata.name === p.metadata.name)!;
    assert.is(same.metadata.uid, p.metadata.uid, `${p.metadata.name} kept, not recreated`);
    if (p.metadata.name !== "pipeline-guard" && p.metadata.name !== "pipeline-limit") assert.is(same.metadata.resourceVersion, p.metadata.resourceVersion);
  }
  const mark = await cluster.mark();
  await controller.stop();
  controller = await start();
  await eventually("synced", () => check(controller.ready() && controller.passes() > 0, "not yet"));
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await cluster.writesSince(mark), [], "a restart on an unchanged cluster writes nothing");
});

test("deleting the PayloadProcessor removes everything it rendered", async () => {
  await cluster.remove(TOLLGATE, "PayloadProcessor", "ai", "pipeline");
  await eventually("all gone", async () => {
    const names = (await cluster.list(WASM_PLUGIN, "WasmPlugin")).map((p) => p.metadata.name).sort();
    check(JSON.stringify(names) === JSON.stringify(["istio-own", "taken-guard"]), names.join(","));
  });
});

test("/healthz, /readyz and /metrics", async () => {
  const base = `http://127.0.0.1:${controller.healthPort}`;
  assert.is((await fetch(`${base}/healthz`)).status, 200);
  assert.is((await fetch(`${base}/readyz`)).status, 200);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.match(metrics, /tollgate_reconciles_total\{result="success"\} \d+/);
  assert.match(metrics, /tollgate_reconcile_duration_seconds_bucket/);
  assert.match(metrics, "tollgate_leader 1");
});

test.run();
