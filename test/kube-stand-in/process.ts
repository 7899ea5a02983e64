/**
 * @module test/kube-stand-in/process
 * Starts the stand-in as a separate process for a test and writes a kubeconfig pointing
 * at it, so the code under test talks to it exactly as to a cluster: through
 * `@kubernetes/client-node` over HTTP.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { KubeConfig } from "@kubernetes/client-node";
import type { Fault, LoggedRequest } from "./server.ts";

const HERE = dirname(fileURLToPath(import.meta.url));

export interface RunningStandIn {
  url: string;
  kubeconfigPath: string;
  kubeConfig(): KubeConfig;
  inject(faults: Fault | Fault[]): Promise<void>;
  clearFaults(): Promise<void>;
  dropWatches(): Promise<void>;
  compact(): Promise<void>;
  requests(): Promise<LoggedRequest[]>;
  openWatches(): Promise<number>;
  stop(): Promise<void>;
}

export async function startStandIn(opts: { gateways?: string[]; bookmarkMs?: number } = {}): Promise<RunningStandIn> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", join(HERE, "main.ts"), "--gateways", (opts.gateways ?? ["istio", "envoy-gateway"]).join(","), "--bookmark-ms", String(opts.bookmarkMs ?? 500)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", (code) => reject(new Error(`stand-in exited (${code}) before listening`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), "tollgate-kube-"));
  const kubeconfigPath = join(dir, "kubeconfig");
  writeFileSync(kubeconfigPath, JSON.stringify({
    apiVersion: "v1", kind: "Config", "current-context": "stand-in",
    clusters: [{ name: "stand-in", cluster: { server: url, "insecure-skip-tls-verify": true } }],
    users: [{ name: "tester", user: { token: "stand-in" } }],
    contexts: [{ name: "stand-in", context: { cluster: "stand-in", user: "tester", namespace: "default" } }],
  }));
  const post = async (path: string, body?: unknown) => {
    const r = await fetch(`${url}/__stand-in/${path}`, { method: "POST", body: JSON.stringify(body ?? {}) });
    return r.json();
  };
  return {
    url,
    kubeconfigPath,
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfigPath);
      return kc;
    },
    async inject(faults) { await post("faults", faults); },
    async clearFaults() { await post("clear-faults"); },
    async dropWatches() { await post("drop-watches"); },
    async compact() { await post("compact"); },
    async requests() { return (await fetch(`${url}/__stand-in/requests`)).json() as Promise<LoggedRequest[]>; },
    async openWatches() { return ((await (await fetch(`${url}/__stand-in/watches`)).json()) as { open: number }).open; },
    async stop() {
      child.stdin!.end();
      child.kill("SIGTERM");
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.on("exit", resolve)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
