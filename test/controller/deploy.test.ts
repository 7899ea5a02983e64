/**
 * @module test/controller/deploy.test
 * `controller/deploy` is installable with `kubectl apply -k`: every listed file exists and
 * parses, the CRDs are the generated ones, RBAC grants exactly what the controller does
 * (and no wildcards), and the Deployment's probes and arguments match the controller's.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, parseAllDocuments } from "yaml";
import { generatedCrds } from "../../controller/api/generate-crds.ts";
import { FILTER_MODULE, GATEWAY, HTTP_ROUTE, OWNED, PAYLOAD_PROCESSOR } from "../../controller/provider/kinds.ts";

const DEPLOY = join(dirname(fileURLToPath(import.meta.url)), "../../controller/deploy");
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const kustomization = parse(readFileSync(join(DEPLOY, "kustomization.yaml"), "utf8")) as { resources: string[] };
const docs: Obj[] = kustomization.resources.flatMap((r) => parseAllDocuments(readFileSync(join(DEPLOY, r), "utf8")).map((d) => d.toJS()));
const find = (kind: string, name?: string) => docs.filter((d) => d.kind === kind && (!name || d.metadata.name === name));

test("kustomization lists files inside the folder that exist, CRDs first", () => {
  for (const r of kustomization.resources) {
    assert.not.ok(r.startsWith("..") || r.startsWith("/"), `${r} stays inside controller/deploy (kustomize load restrictions)`);
    assert.ok(existsSync(join(DEPLOY, r)), r);
  }
  assert.equal(find("CustomResourceDefinition").map((c) => c.metadata.name).sort(), ["filtermodules.tollgate.dev", "payloadprocessors.tollgate.dev"]);
  for (const [file, text] of generatedCrds()) assert.is(readFileSync(join(DEPLOY, "crds", file), "utf8"), text);
});

function allowed(rules: Obj[], group: string, resource: string, verb: string): boolean {
  return rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
}

test("RBAC: what the controller does, nothing more", () => {
  const rules = find("ClusterRole", "tollgate-controller")[0].rules as Obj[];
  for (const r of rules) {
    assert.not.ok(r.verbs.includes("*") || r.resources.includes("*") || r.apiGroups.includes("*"), "no wildcards");
  }
  for (const k of [PAYLOAD_PROCESSOR, FILTER_MODULE, GATEWAY, HTTP_ROUTE]) for (const v of ["get", "list", "watch"]) assert.ok(allowed(rules, k.group, k.plural, v), `${v} ${k.plural}`);
  for (const k of [PAYLOAD_PROCESSOR, FILTER_MODULE]) {
    assert.ok(allowed(rules, k.group, `${k.plural}/status`, "patch"), `patch ${k.plural}/status`);
    assert.not.ok(allowed(rules, k.group, k.plural, "patch"), `the controller never writes ${k.plural} themselves`);
  }
  for (const k of [...OWNED.Istio, ...OWNED.EnvoyGateway]) for (const v of ["get", "list", "watch", "create", "patch", "delete"]) assert.ok(allowed(rules, k.group, k.plural, v), `${v} ${k.plural}`);
  assert.ok(allowed(rules, "", "secrets", "get"));
  assert.not.ok(allowed(rules, "", "secrets", "list") || allowed(rules, "", "secrets", "watch"), "Secrets by name only");
  const role = find("Role", "tollgate-leader-election")[0];
  assert.is(role.metadata.namespace, "tollgate-system");
  for (const v of ["get", "create", "update"]) assert.ok(allowed(role.rules, "coordination.k8s.io", "leases", v));
  const binding = find("ClusterRoleBinding", "tollgate-controller")[0];
  assert.equal(binding.subjects, [{ kind: "ServiceAccount", name: "tollgate-controller", namespace: "tollgate-system" }]);
});

test("Deployment: the controller command, probes on the health server, pod identity for the Lease", () => {
  const deployment = find("Deployment", "tollgate-controller")[0];
  const pod = deployment.spec.template.spec;
  assert.is(pod.serviceAccountName, "tollgate-controller");
  assert.ok(deployment.spec.replicas >= 2, "a standby replica");
  const c = pod.containers[0];
  assert.is(c.args[0], "controller");
  assert.ok(existsSync(join(DEPLOY, "../cli/commands/controller.ts")));
  assert.ok(c.args.includes("--health-addr=0.0.0.0:8081"));
  assert.is(c.ports[0].containerPort, 8081);
  assert.is(c.livenessProbe.httpGet.path, "/healthz");
  assert.is(c.readinessProbe.httpGet.path, "/readyz");
  assert.equal(c.env.filter((e: Obj) => e.valueFrom).map((e: Obj) => e.name).sort(), ["POD_NAME", "POD_NAMESPACE"]);
  assert.is(pod.securityContext.runAsNonRoot, true);
  assert.is(c.securityContext.readOnlyRootFilesystem, true);
});

test.run();
