/**
 * @module controller/cli/commands/controller
 * `tollgate controller`: runs the reconciler against the cluster in the kubeconfig (or the
 * in-cluster config), with leader election, health and metrics, until SIGTERM/SIGINT.
 * FilterModule tags are resolved through the OCI client (`controller/oci`), loaded here
 * only, so that `tollgate render` without --resolve never needs it.
 */
import { parseArgs } from "node:util";
import type { Command } from "../main.ts";
import { CliError } from "../errors.ts";
import type { Level } from "../../provider/log.ts";

const HELP = `usage: tollgate controller [options]

Watches PayloadProcessors and FilterModules and keeps the gateway objects they render applied.
  --kubeconfig <path>                 kubeconfig file (default: in-cluster config, then $KUBECONFIG / ~/.kube/config)
  --health-addr <host:port>           /healthz, /readyz and /metrics (default 127.0.0.1:8081; 0.0.0.0:8081 in a pod)
  --leader-elect <true|false>         take part in Lease leader election (default true)
  --leader-election-namespace <ns>    namespace of the Lease (default $POD_NAMESPACE or tollgate-system)
  --identity <name>                   this replica's identity in the Lease (default $POD_NAME or host-pid)
  --resolve-interval <seconds>        re-resolve FilterModule tags this often (default 300)
  --registry-plain-http               talk plain HTTP to registries (local registries only)
  --log-level <debug|info|warn|error> (default info)`;

function hostPort(addr: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(addr);
  if (!m) throw new CliError(`--health-addr must be host:port, not '${addr}'`, 2);
  return { host: m[1] || "127.0.0.1", port: Number(m[2]) };
}

export const command: Command = {
  summary: "run the controller: reconcile PayloadProcessors into gateway objects (leader-elected)",
  async run(args) {
    let values;
    try {
      ({ values } = parseArgs({
        args,
        options: {
          kubeconfig: { type: "string" },
          "health-addr": { type: "string", default: "127.0.0.1:8081" },
          "leader-elect": { type: "string", default: "true" },
          "leader-election-namespace": { type: "string" },
          identity: { type: "string" },
          "resolve-interval": { type: "string", default: "300" },
          "registry-plain-http": { type: "boolean" },
          "log-level": { type: "string", default: "info" },
          help: { type: "boolean", short: "h" },
        },
      }));
    } catch (err) {
      throw new CliError(`${(err as Error).message.split("\n")[0]} (see tollgate controller --help)`, 2);
    }
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const level = values["log-level"] as Level;
    if (!["debug", "info", "warn", "error"].includes(level)) throw new CliError(`--log-level must be debug, info, warn or error`, 2);
    const interval = Number(values["resolve-interval"]);
    if (!Number.isFinite(interval) || interval <= 0) throw new CliError("--resolve-interval must be a positive number of seconds", 2);
    if (!["true", "false"].includes(values["leader-elect"]!)) throw new CliError("--leader-elect must be true or false", 2);

    const { loadKubeConfig } = await import("../../provider/kube.ts");
    const { startController } = await import("../../provider/controller.ts");
    const { jsonLogger } = await import("../../provider/log.ts");
    const { resolverFromEnvironment } = await import("../../oci/index.ts");
    let kubeConfig;
    try {
      kubeConfig = loadKubeConfig(values.kubeconfig);
    } catch (err) {
      throw new CliError(`cannot load kubeconfig: ${(err as Error).message.split("\n")[0]}`);
    }
    const plainHttp = !!values["registry-plain-http"];
    const controller = await startController({
      kubeConfig,
      resolver: resolverFromEnvironment(plainHttp),
      registryPlainHttp: plainHttp,
      log: jsonLogger(undefined, level, { logger: "tollgate-controller" }),
      identity: values.identity ?? process.env.POD_NAME,
      leaderElection: values["leader-elect"] === "false" ? false : { namespace: values["leader-election-namespace"] ?? process.env.POD_NAMESPACE ?? "tollgate-system" },
      health: hostPort(values["health-addr"]!),
      resolveIntervalMs: interval * 1000,
    });
    await new Promise<void>((resolve) => {
      process.once("SIGTERM", resolve);
      process.once("SIGINT", resolve);
    });
    await controller.stop();
    return 0;
  },
};
