/**
 * @module controller/provider/module-resolution.test
 * FilterModule resolution: pull Secret credentials, tag versus digest, tag moves, failures that keep the last digest, and the schedule.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ModuleResolver, ResolveOptions } from "../api/module-resolver.ts";
import type { FilterModule } from "../api/types.ts";
import type { Kube } from "./kube.ts";
import { credentialsFromDockerConfig, isTag, ModuleResolution, referenceToResolve } from "./module-resolution.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const fm = (spec: Partial<FilterModule["spec"]>, status?: FilterModule["status"]): FilterModule => ({
  apiVersion: "tollgate.dev/v1alpha1", kind: "FilterModule", metadata: { name: "m", namespace: "ai", uid: "u1", generation: 1 },
  spec: { image: "reg.test:5000/t/m:1", rootID: "m", ...spec }, ...(status ? { status } : {}),
});
const D = (c: string) => `sha256:${c.repeat(64)}`;

test("dockerconfigjson: username/password, auth, identity token, scheme and path stripped from hosts", () => {
  const data = { ".dockerconfigjson": b64(JSON.stringify({ auths: {
    "reg.test:5000": { username: "u", password: "p" },
    "https://other.test/v1/": { auth: b64("name:pa:ss") },
    "tok.test": { identitytoken: "t0k" },
  } })) };
  assert.equal(credentialsFromDockerConfig(data), {
    "reg.test:5000": { username: "u", password: "p" },
    "other.test": { username: "name", password: "pa:ss" },
    "tok.test": { username: undefined, password: undefined, identityToken: "t0k" },
  });
  assert.equal(credentialsFromDockerConfig({}), {});
});

test("tags move, digests do not: what gets resolved", () => {
  assert.ok(isTag(fm({})));
  assert.not.ok(isTag(fm({ sha256: D("a") })));
  assert.not.ok(isTag(fm({ image: `reg.test:5000/t/m@${D("b")}` })));
  assert.is(referenceToResolve(fm({})), "reg.test:5000/t/m:1");
  assert.is(referenceToResolve(fm({ sha256: D("a") })), `reg.test:5000/t/m@${D("a")}`);
  assert.is(referenceToResolve(fm({ image: `reg.test:5000/t/m:1@${D("b")}` })), `reg.test:5000/t/m@${D("b")}`);
});

class Fake implements ModuleResolver {
  calls: { image: string; options?: ResolveOptions }[] = [];
  constructor(public digest = D("a"), public fail = false) {}
  async resolve(image: string, options?: ResolveOptions) {
    this.calls.push({ image, options });
    if (this.fail) throw new Error("registry down\nstack");
    return { image, digest: this.digest, layout: "compat" as const, annotations: {} };
  }
}

const kube = { readSecret: async (_ns: string, name: string) => (name === "pull" ? { ".dockerconfigjson": b64(JSON.stringify({ auths: { "reg.test:5000": { username: "u", password: "p" } } })) } : undefined) } as unknown as Kube;

test("resolution: credentials from the pull Secret, tag moves recorded, failures keep the digest, schedule", async () => {
  const resolver = new Fake();
  const r = new ModuleResolution(kube, resolver, 60_000, {}, 5_000);
  const module = fm({ pullSecretRef: { name: "pull" } });
  assert.is(r.nextDue(module), 0);
  const first = await r.resolve(module, "2026-01-01T00:00:00Z");
  assert.equal(resolver.calls[0].options?.credentials, { "reg.test:5000": { username: "u", password: "p" } });
  assert.is(first.status!.digest, D("a"));
  assert.is(first.status!.conditions![0].reason, "Resolved");
  module.status = first.status;
  assert.is(r.nextDue(module), Date.parse("2026-01-01T00:01:00Z"));

  const same = await r.resolve(module, "2026-01-01T00:01:00Z");
  assert.is(same.status, module.status, "an unchanged digest writes nothing new");

  resolver.digest = D("c");
  const moved = await r.resolve(module, "2026-01-01T00:02:00Z");
  assert.is(moved.status!.digest, D("c"));
  assert.is(moved.status!.previousDigest, D("a"));
  assert.is(moved.status!.conditions![0].reason, "TagMoved");
  module.status = moved.status;

  resolver.fail = true;
  const failed = await r.resolve(module, "2026-01-01T00:03:00Z");
  assert.is(failed.failed, "registry down");
  assert.is(failed.status!.digest, D("c"));
  assert.is(failed.status!.conditions![0].status, "False");
  assert.match(failed.status!.conditions![0].message, `keeping ${D("c")}`);
  module.status = failed.status;
  assert.is(r.nextDue(module), Date.parse("2026-01-01T00:03:05Z"), "failures retry sooner");
});

test("a missing pull Secret is a resolution failure naming it", async () => {
  const r = new ModuleResolution(kube, new Fake(), 60_000);
  const out = await r.resolve(fm({ pullSecretRef: { name: "absent" } }), "2026-01-01T00:00:00Z");
  assert.match(out.failed!, "pull Secret ai/absent not found");
});

test("a pinned module without a schema is resolved once, by digest", async () => {
  const resolver = new Fake(D("a"));
  const r = new ModuleResolution(kube, resolver, 60_000);
  const module = fm({ sha256: D("a") });
  const out = await r.resolve(module, "2026-01-01T00:00:00Z");
  assert.is(resolver.calls[0].image, `reg.test:5000/t/m@${D("a")}`);
  assert.is(out.status!.conditions![0].reason, "Pinned");
  assert.is(r.nextDue({ ...module, status: out.status }), Infinity);
});

test.run();
