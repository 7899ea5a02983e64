/**
 * @module controller/cli/commands/dev
 * `tollgate dev -f <PayloadProcessor YAML> --upstream <url>`: a local AI gateway — a real
 * reverse proxy running the pipeline's .wasm filters in the harness, until Ctrl-C.
 */
import { parseArgs } from "node:util";
import type { Command } from "../main.ts";
import { CliError } from "../errors.ts";
import { parseListen } from "./mock-llm.ts";
import { PIPELINE_HELP, PIPELINE_OPTIONS, parseClusters, parseWorkers, stagesFromOptions } from "../../dev/cli-options.ts";
import { formatRequestLog, METRICS_PATH, startDevGateway } from "../../dev/gateway.ts";
import { loadChain, PipelineError } from "../../dev/pipeline.ts";

const HELP = `usage: tollgate dev (-f <PayloadProcessor YAML> | --filter <module.wasm> --config <json>) --upstream <url> [options]

A local gateway: each request runs through the processors as Envoy's filter chain (the same .wasm files),
reaches the upstream with the filters' changes, and the response streams back through them. Filter stats
are served at ${METRICS_PATH} (Prometheus text); one log line per request. Ctrl-C stops it.
${PIPELINE_HELP}
  --upstream <url>          where requests go, e.g. http://127.0.0.1:8081 (tollgate mock-llm)
  --listen <host:port>      address to listen on (default 127.0.0.1:8080; port 0 picks one)
  --buffer-limit <bytes>    Envoy's buffer limit for data a filter holds (default 1048576)
  --quiet                   no per-request log lines`;

export const command: Command = {
  summary: "run a local gateway: a reverse proxy through the pipeline's filters in the harness",
  async run(args) {
    let values;
    try {
      values = parseArgs({
        args,
        options: {
          ...PIPELINE_OPTIONS, upstream: { type: "string" }, listen: { type: "string", default: "127.0.0.1:8080" },
          "buffer-limit": { type: "string" }, quiet: { type: "boolean" }, help: { type: "boolean", short: "h" },
        },
        allowPositionals: false,
      }).values;
    } catch (err) {
      throw new CliError(`${(err as Error).message.split("\n")[0]} (see tollgate dev --help)`, 2);
    }
    if (values.help) { console.log(HELP); return 0; }
    if (!values.upstream) throw new CliError("no upstream: give --upstream <url> (see tollgate dev --help)", 2);
    if (!/^https?:\/\/[^/\s]+/.test(values.upstream)) throw new CliError(`--upstream must be an http:// or https:// URL, not '${values.upstream}'`, 2);
    const { host, port } = parseListen(values.listen as string);
    const workers = parseWorkers(values.workers, "dev");
    const clusters = parseClusters(values.cluster, "dev");
    let bufferLimitBytes: number | undefined;
    if (values["buffer-limit"] !== undefined) {
      bufferLimitBytes = Number(values["buffer-limit"]);
      if (!Number.isInteger(bufferLimitBytes) || bufferLimitBytes < 1) throw new CliError(`--buffer-limit must be a positive whole number of bytes, not '${values["buffer-limit"]}'`, 2);
    }
    const stages = await stagesFromOptions(values, "dev");
    let chain;
    try {
      chain = await loadChain(stages, { workers, clusters, clock: "real", onLog: (e) => { if (e.level !== "trace" && e.level !== "debug") console.log(`[${e.plugin}] ${e.level}: ${e.message}`); } });
    } catch (err) {
      if (err instanceof PipelineError) throw new CliError(err.message);
      throw err;
    }
    let gateway;
    try {
      gateway = await startDevGateway({ chain, upstream: values.upstream, host, port, bufferLimitBytes, onRequest: values.quiet ? undefined : (e) => console.log(formatRequestLog(e)) });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new CliError(`cannot listen on ${host}:${port}: ${code === "EADDRINUSE" ? "address already in use" : (err as Error).message}`);
    }
    console.log(`tollgate dev listening on ${gateway.url} -> ${values.upstream} (${stages.map((s) => s.name).join(" -> ")}); metrics at ${gateway.url}${METRICS_PATH}`);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      const stop = (s: NodeJS.Signals) => { process.off("SIGINT", stop); process.off("SIGTERM", stop); resolve(s); };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    await gateway.close();
    for (const p of chain.plugins) p.host.close();
    console.log(`tollgate dev stopped (${signal})`);
    return 0;
  },
};
