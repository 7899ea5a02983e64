/**
 * @module test/controller/leader.test
 * Two replicas against one stand-in: one Lease, one leader writing, a standby that takes
 * over when the leader goes; and `gateway: Auto` decided from discovery when the stand-in
 * serves Envoy Gateway only (and refused, with a reason, when it serves both).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CustomObjectsApi, KubernetesObjectApi } from "@kubernetes/client-node";
import { startController, type RunningController } from "../../controller/provider/controller.ts";
import { silentLogger } from "../../controller/provider/log.ts";
import { startStandIn, type RunningStandIn } from "../kube-stand-in/process.ts";
import { Cluster, TOLLGATE, check, eventually, filterModule, gateway, hex, payloadProcessor } from "./helpers.ts";

const EEP = "gateway.envoyproxy.io/v1alpha1";
let kube: RunningStandIn;
let cluster: Cluster;
const replicas: RunningController[] = [];

function replica(identity: string): Promise<RunningController> {
  return startController({
    kubeConfig: kube.kubeConfig(), log: silentLogger, identity,
    leaderElection: { namespace: "tollgate-system", leaseDurationSeconds: 2, renewDeadlineMs: 1500, retryPeriodMs: 200 },
    backoff: { baseMs: 50, maxMs: 400 }, watchTimeoutSeconds: 30,
  });
}

const router = { name: "router", type: "Wasm", wasm: { module: "router", config: { routes: [] } } };

test.before(async () => {
  kube = await startStandIn({ gateways: ["envoy-gateway"] });
  cluster = new Cluster(kube);
  await cluster.create(gateway());
  await cluster.create(filterModule("router", { image: "registry.test/tollgate/model-router:1", sha256: hex("d"), rootID: "model-router", bodyBeforeRouting: true, configSchema: { type: "object" } }));
  await cluster.create(payloadProcessor("pipeline", [router]));
});

test.after(async () => {
  for (const r of replicas) await r.stop();
  await kube.stop();
});

test("two replicas: exactly one leader holds the Lease and programs the pipeline", async () => {
  replicas.push(await replica("replica-a"), await replica("replica-b"));
  await eventually("a leader", () => check(replicas.filter((r) => r.isLeader()).length === 1, "no single leader"));
  await new Promise((r) => setTimeout(r, 600));
  assert.is(replicas.filter((r) => r.isLeader()).length, 1, "still exactly one after several renewals");
  const leader = replicas.find((r) => r.isLeader())!;
  const lease = await KubernetesObjectApi.makeApiClient(kube.kubeConfig()).read({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "tollgate-controller", namespace: "tollgate-system" } }) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.is(lease.spec.holderIdentity, leader === replicas[0] ? "replica-a" : "replica-b");
  await eventually("Programmed", async () => check((await cluster.condition("pipeline", "Programmed"))?.status === "True", "not yet"));
  const pp = await cluster.pp("pipeline");
  assert.match(pp.status.conditions[0].message, "Rendered for Envoy Gateway (gateway Auto, detected from the cluster's API groups)");
  const policy = await cluster.get(EEP, "EnvoyExtensionPolicy", "ai", "pipeline");
  assert.is(policy!.spec.wasm[0].config.holdHeaders, true);
  const patch = await cluster.get(EEP, "EnvoyPatchPolicy", "ai", "pipeline-body-ai-gateway");
  assert.is(patch!.spec.jsonPatches[0].name, "ai/ai-gateway/http");
  assert.equal(pp.status.processors[0].minimumVersions, ["Envoy Gateway 1.5.5", "Envoy 1.35"]);
});

test("the standby takes over when the leader stops, and reconciles from then on", async () => {
  const leader = replicas.find((r) => r.isLeader())!;
  const standby = replicas.find((r) => r !== leader)!;
  assert.not.ok(standby.isLeader());
  assert.ok(standby.ready(), "the standby keeps its caches warm");
  await leader.stop();
  replicas.splice(replicas.indexOf(leader), 1);
  await eventually("standby leads", () => check(standby.isLeader(), "not yet"), 5000);
  await cluster.mergePatch(TOLLGATE, "PayloadProcessor", "ai", "pipeline", { spec: { processors: [router, { name: "second", type: "Wasm", wasm: { module: "router", bodyBeforeRouting: false, config: { routes: [] } } }] } });
  await eventually("new leader applied the change", async () => check((await cluster.get(EEP, "EnvoyExtensionPolicy", "ai", "pipeline"))!.spec.wasm.length === 2, "not yet"));
});

test("a leader that cannot renew steps down; lease conflicts (409) never give two leaders", async () => {
  const leader = replicas[0];
  await kube.inject({ method: "PUT", path: "/leases/tollgate-controller", status: 500, count: 40 });
  await eventually("stepped down", () => check(!leader.isLeader(), "still leading"), 5000);
  await kube.clearFaults();
  await eventually("leads again", () => check(leader.isLeader(), "not yet"), 5000);
});

test("a rejection Envoy Gateway reports on its policy becomes Programmed=False, and clears with it", async () => {
  const custom = kube.kubeConfig().makeApiClient(CustomObjectsApi);
  const setStatus = (conditions: unknown[]) => custom.patchNamespacedCustomObjectStatus({
    group: "gateway.envoyproxy.io", version: "v1alpha1", namespace: "ai", plural: "envoyextensionpolicies", name: "pipeline",
    body: [{ op: "add", path: "/status", value: { ancestors: [{ ancestorRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name: "ai-gateway" }, controllerName: "gateway.envoyproxy.io/gatewayclass-controller", conditions }] } }],
  });
  await setStatus([{ type: "Accepted", status: "False", reason: "Invalid", message: "Wasm: secret ai/registry does not exist.", lastTransitionTime: "2026-01-01T00:00:00Z", observedGeneration: 1 }]);
  const c = await eventually("Programmed=False", async () => {
    const c = await cluster.condition("pipeline", "Programmed");
    check(c?.status === "False", "not yet");
    return c!;
  });
  assert.is(c.reason, "RejectedByGateway");
  assert.match(c.message, "Wasm: secret ai/registry does not exist");
  await setStatus([{ type: "Accepted", status: "True", reason: "Accepted", message: "Policy has been accepted.", lastTransitionTime: "2026-01-01T00:00:00Z", observedGeneration: 1 }]);
  await eventually("Programmed=True again", async () => check((await cluster.condition("pipeline", "Programmed"))?.status === "True", "not yet"));
});

test("gateway Auto when the cluster serves both gateways: not accepted, with the reason", async () => {
  const both = await startStandIn({ gateways: ["istio", "envoy-gateway"] });
  try {
    const c2 = new Cluster(both);
    await c2.create(gateway());
    await c2.create(filterModule("router", { image: "r/x:1", sha256: hex("e"), rootID: "x", configSchema: { type: "object" } }));
    await c2.create(payloadProcessor("auto", [{ name: "x", type: "Wasm", wasm: { module: "router" } }]));
    await c2.create(payloadProcessor("explicit", [{ name: "x", type: "Wasm", wasm: { module: "router" } }], { gateway: "Istio", targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "other" }] }));
    const ctl = await startController({ kubeConfig: both.kubeConfig(), log: silentLogger, leaderElection: false });
    try {
      const c = await eventually("Accepted=False", async () => {
        const c = await c2.condition("auto", "Accepted");
        check(c?.status === "False", "not yet");
        return c!;
      });
      assert.is(c.reason, "GatewayNotDetected");
      assert.match(c.message, "serves both Istio");
      await eventually("explicit Istio programmed", async () => check((await c2.condition("explicit", "Programmed"))?.status === "True", "not yet"));
    } finally {
      await ctl.stop();
    }
  } finally {
    await both.stop();
  }
});

test.run();
