/**
 * @module test/controller/controller-process.test
 * `tollgate controller` as a process, the way a Deployment runs it: JSON logs, health and
 * metrics endpoints, killed with SIGKILL mid-way and started again (it converges without
 * duplicating anything), and a clean SIGTERM that releases the Lease.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startStandIn, type RunningStandIn } from "../kube-stand-in/process.ts";
import { Cluster, TOLLGATE, WASM_PLUGIN, check, eventually, filterModule, gateway, hex, payloadProcessor } from "./helpers.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
let kube: RunningStandIn;
let cluster: Cluster;

interface Proc { child: ChildProcess; lines: string[]; port: Promise<number> }

function run(): Proc {
  const child = spawn(process.execPath, [join(ROOT, "controller/cli/bin.mjs"), "controller", "--kubeconfig", kube.kubeconfigPath, "--health-addr", "127.0.0.1:0",
    "--leader-election-namespace", "tollgate-system", "--identity", "proc"], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  let buffer = "";
  const port = new Promise<number>((resolve) => {
    child.stdout!.on("data", (d) => {
      buffer += d;
      let i;
      while ((i = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        lines.push(line);
        try {
          const entry = JSON.parse(line);
          if (entry.msg?.startsWith("serving /healthz")) resolve(entry.port);
        } catch { /* asserted below */ }
      }
    });
  });
  child.stderr!.on("data", (d) => lines.push(`stderr: ${d}`));
  return { child, lines, port };
}

const exited = (p: Proc) => new Promise<number | null>((resolve) => (p.child.exitCode !== null ? resolve(p.child.exitCode) : p.child.on("exit", (code) => resolve(code))));

test.before(async () => {
  kube = await startStandIn({ gateways: ["istio"] });
  cluster = new Cluster(kube);
  await cluster.create(gateway());
  await cluster.create(filterModule("guard", { image: "registry.test/tollgate/payload-guard:1", sha256: hex("b"), rootID: "payload-guard", configSchema: { type: "object" } }));
  await cluster.create(payloadProcessor("pipeline", [{ name: "guard", type: "Wasm", wasm: { module: "guard" } }]));
});
test.after(async () => kube.stop());

test("runs as a process: programs the pipeline, JSON logs, /readyz and /metrics", async () => {
  const p = run();
  try {
    const port = await p.port;
    await eventually("Programmed", async () => check((await cluster.condition("pipeline", "Programmed"))?.status === "True", "not yet"), 20_000);
    for (const line of p.lines.filter((l) => !l.startsWith("stderr"))) {
      const entry = JSON.parse(line);
      assert.type(entry.time, "string");
      assert.ok(["debug", "info", "warn", "error"].includes(entry.level));
      assert.type(entry.msg, "string");
    }
    assert.ok(p.lines.some((l) => l.includes('"msg":"applied"') && l.includes("pipeline-guard")));
    assert.is((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
    assert.is((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, /tollgate_objects_applied_total\{kind="WasmPlugin"\} 1/);
    assert.match(metrics, "process_cpu_user_seconds_total");
  } finally {
    p.child.kill("SIGKILL");
    await exited(p);
  }
});

test("killed mid-way and restarted: converges, keeps objects, then exits cleanly on SIGTERM and frees the Lease", async () => {
  const before = (await cluster.get(WASM_PLUGIN, "WasmPlugin", "ai", "pipeline-guard"))!;
  await cluster.mergePatch(TOLLGATE, "PayloadProcessor", "ai", "pipeline", { spec: { processors: [{ name: "guard", type: "Wasm", wasm: { module: "guard" } }, { name: "again", type: "Wasm", wasm: { module: "guard" } }] } });
  const p = run();
  await p.port;
  // Same identity as the killed process (a restarted container keeps its pod name): it takes the Lease back at once.
  await eventually("second plugin", async () => check(!!(await cluster.get(WASM_PLUGIN, "WasmPlugin", "ai", "pipeline-again")), "missing"), 30_000);
  const after = (await cluster.get(WASM_PLUGIN, "WasmPlugin", "ai", "pipeline-guard"))!;
  assert.is(after.metadata.uid, before.metadata.uid);
  assert.is((await cluster.list(WASM_PLUGIN, "WasmPlugin")).length, 2);
  p.child.kill("SIGTERM");
  assert.is(await exited(p), 0);
  const lease = await cluster.get("coordination.k8s.io/v1", "Lease", "tollgate-system", "tollgate-controller");
  assert.not.ok(lease!.spec.holderIdentity, "released on shutdown");
});

test("bad flags: exit 2 with one line; --help exits 0", async () => {
  const { spawnSync } = await import("node:child_process");
  for (const args of [["--leader-elect", "maybe"], ["--resolve-interval", "-1"], ["--health-addr", "nowhere"], ["--log-level", "loud"], ["--bogus"]]) {
    const r = spawnSync(process.execPath, [join(ROOT, "controller/cli/bin.mjs"), "controller", ...args], { encoding: "utf8" });
    assert.is(r.status, 2, args.join(" "));
    assert.is(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /^tollgate controller: /);
  }
  const help = spawnSync(process.execPath, [join(ROOT, "controller/cli/bin.mjs"), "controller", "--help"], { encoding: "utf8" });
  assert.is(help.status, 0);
  assert.match(help.stdout, "--leader-elect");
});

test.run();
